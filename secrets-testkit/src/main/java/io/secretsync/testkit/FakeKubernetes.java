package io.secretsync.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.testkit.kubernetes.KubeApi;
import io.secretsync.testkit.server.AuditLog;
import io.secretsync.testkit.server.ErrorRenderer;
import io.secretsync.testkit.server.FaultInjector;
import io.secretsync.testkit.server.ServerRequest;
import io.secretsync.testkit.server.ServerResponse;
import io.secretsync.testkit.server.TestHttpServer;
import io.secretsync.testkit.server.TestkitEndpoints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fake Kubernetes API server: a real HTTPS server on 127.0.0.1 (a {@link TestPki} certificate)
 * that kubectl and client libraries drive as they drive a cluster. Bearer-token authentication
 * (an admin token, and the service account tokens it issues); discovery; namespaces (a fresh
 * cluster has default, kube-system, kube-public, kube-node-lease), Secrets, ConfigMaps,
 * ServiceAccounts with the {@code token} subresource (TokenRequest), Pods and Events (stored),
 * TokenReview, RBAC objects, Leases, CustomResourceDefinitions and custom resources with their
 * status subresource; get, list (label and field selectors), watch (with resume and 410 Expired),
 * create, replace with resourceVersion conflicts, merge patch, delete with garbage collection of
 * dependents; validation answered as {@code Status} objects; server-side printing for kubectl.
 *
 * <p>Where it knowingly differs from a real API server: RBAC objects are stored but not enforced
 * (every authenticated caller may do everything); strategic merge patch and server-side apply are
 * approximated by JSON merge patch (lists are replaced, not merged by key; no managedFields);
 * the OpenAPI documents (v3 JSON, v2 protobuf) carry operations but no schemas, telling kubectl
 * to leave field validation to the server; custom resources are not validated against their
 * schema; protobuf request bodies are understood for the kinds kubectl's imperative
 * {@code create} commands send, and answers are always JSON.
 *
 * <p>As a JUnit 5 extension: {@code @RegisterExtension static final FakeKubernetes kube =
 * FakeKubernetes.start();}. Thread-safe.
 */
public final class FakeKubernetes implements AutoCloseable, AfterAllCallback {

  private final TestPki pki;
  private final KubeApi api;
  private final TestHttpServer server;
  private final String adminToken;
  private final AuditLog auditLog;
  private final FaultInjector faults;

  private FakeKubernetes(Builder b) {
    this.pki = b.pki != null ? b.pki : TestPki.create();
    this.adminToken = b.adminToken != null ? b.adminToken : randomToken();
    this.api = new KubeApi(b.clock, adminToken, pki.caCertificatePem());
    this.auditLog = new AuditLog(b.clock);
    this.faults = new FaultInjector();
    ErrorRenderer errors = (status, message) -> ServerResponse.jsonText(status, "{\"kind\":\"Status\",\"apiVersion\":\"v1\","
        + "\"metadata\":{},\"status\":\"Failure\",\"message\":" + quote(message.isEmpty() ? "error" : message)
        + ",\"code\":" + status + "}");
    this.server = TestHttpServer.builder().name("fake-kubernetes").port(b.port)
        .tls(pki.serverCertificate("kubernetes", "kubernetes.default", "kubernetes.default.svc"))
        .handler(api).auditLog(auditLog).faults(faults).errors(errors)
        .testkitEndpoints(new TestkitEndpoints(auditLog, faults, api::isAdmin, errors))
        .start();
    if (b.esoCrds) {
      api.installEsoCrds();
    }
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String randomToken() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return "admin-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** A fresh cluster on a free port with a new CA, without the ESO CRDs. */
  public static FakeKubernetes start() {
    return builder().start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** {@code https://127.0.0.1:<port>}. */
  public String baseUrl() {
    return server.baseUrl();
  }

  public int port() {
    return server.port();
  }

  /** The bearer token with every permission. A credential: never log it. */
  public String adminToken() {
    return adminToken;
  }

  public TestPki pki() {
    return pki;
  }

  public String caCertificatePem() {
    return pki.caCertificatePem();
  }

  public AuditLog auditLog() {
    return auditLog;
  }

  public FaultInjector faults() {
    return faults;
  }

  /** Installs the External Secrets Operator CRDs (v1 and v1beta1), as its Helm chart does. */
  public FakeKubernetes installEsoCrds() {
    api.installEsoCrds();
    return this;
  }

  /**
   * A kubeconfig for this cluster: cluster, user and context named {@code contextName}, the admin
   * bearer token and the CA as {@code certificate-authority-data}.
   */
  public String kubeconfig(String contextName) {
    String ca = Base64.getEncoder().encodeToString(pki.caCertificatePem().getBytes(StandardCharsets.UTF_8));
    return "apiVersion: v1\nkind: Config\nclusters:\n- name: " + contextName + "\n  cluster:\n    server: "
        + baseUrl() + "\n    certificate-authority-data: " + ca + "\nusers:\n- name: " + contextName
        + "-admin\n  user:\n    token: " + adminToken + "\ncontexts:\n- name: " + contextName + "\n  context:\n"
        + "    cluster: " + contextName + "\n    user: " + contextName + "-admin\n    namespace: default\n"
        + "current-context: " + contextName + "\npreferences: {}\n";
  }

  /** Writes {@link #kubeconfig(String)} to {@code file} (owner-only permissions where supported). */
  public Path writeKubeconfig(Path file, String contextName) throws IOException {
    Files.writeString(file, kubeconfig(contextName));
    try {
      Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system
    }
    return file;
  }

  /** Creates a namespace if it does not exist. */
  public void createNamespace(String name) {
    call("POST", "/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + name + "\"}}", true);
  }

  /** Creates a service account if it does not exist. */
  public void createServiceAccount(String namespace, String name) {
    call("POST", "/api/v1/namespaces/" + namespace + "/serviceaccounts", "{\"metadata\":{\"name\":\"" + name + "\"}}",
        true);
  }

  /** A TokenRequest token for a service account (which must exist), as {@code kubectl create token} gets it. */
  public String serviceAccountToken(String namespace, String name, List<String> audiences, Duration lifetime) {
    StringBuilder aud = new StringBuilder("[");
    for (int i = 0; i < audiences.size(); i++) {
      aud.append(i > 0 ? "," : "").append(quote(audiences.get(i)));
    }
    ServerResponse r = call("POST", "/api/v1/namespaces/" + namespace + "/serviceaccounts/" + name + "/token",
        "{\"spec\":{\"audiences\":" + aud + "],\"expirationSeconds\":" + lifetime.getSeconds() + "}}", false);
    try {
      return io.secretsync.testkit.kubernetes.KubeApi.JSON.readTree(r.body()).path("status").path("token").asText();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An object as the API returns it at {@code apiPath} (e.g. {@code /api/v1/namespaces/a/secrets/b}), if any. */
  public Optional<ObjectNode> get(String apiPath) {
    ServerResponse r = call("GET", apiPath, "", true);
    if (r.status() != 200) {
      return Optional.empty();
    }
    try {
      return Optional.of((ObjectNode) io.secretsync.testkit.kubernetes.KubeApi.JSON.readTree(r.body()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sends a request as the admin, in-process (not audited); {@code tolerateConflict} ignores 409. */
  public ServerResponse call(String method, String apiPath, String jsonBody, boolean tolerateConflict) {
    ServerRequest.Builder request = ServerRequest.builder(method, apiPath).header("Authorization", "Bearer " + adminToken)
        .header("Content-Type", "application/json");
    if (!jsonBody.isEmpty()) {
      request.body(jsonBody);
    }
    ServerResponse response = api.handle(request.build());
    if (response.status() >= 400 && !(tolerateConflict && response.status() == 409) && !method.equals("GET")) {
      throw new IllegalStateException(method + " " + apiPath + " answered " + response.status() + ": "
          + response.bodyUtf8());
    }
    return response;
  }

  @Override
  public void close() {
    server.close();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /** Configures a fake API server. */
  public static final class Builder {
    private TestPki pki;
    private Clock clock = Clock.systemUTC();
    private int port;
    private String adminToken;
    private boolean esoCrds;

    private Builder() {}

    public Builder pki(TestPki testPki) {
      this.pki = testPki;
      return this;
    }

    public Builder clock(Clock fakeClock) {
      this.clock = fakeClock;
      return this;
    }

    public Builder port(int fixedPort) {
      this.port = fixedPort;
      return this;
    }

    public Builder adminToken(String token) {
      this.adminToken = token;
      return this;
    }

    /** Installs the ESO CRDs at start. */
    public Builder withEsoCrds() {
      this.esoCrds = true;
      return this;
    }

    public FakeKubernetes start() {
      return new FakeKubernetes(this);
    }
  }
}
