package io.secretsync.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.secretsync.testkit.kubernetes.ApiServer;
import io.secretsync.testkit.kubernetes.InProcessApi;
import io.secretsync.testkit.server.AuditLog;
import io.secretsync.testkit.server.FaultInjector;
import io.secretsync.testkit.server.ServerRequest;
import io.secretsync.testkit.server.ServerResponse;
import io.secretsync.testkit.server.TestHttpServer;
import io.secretsync.testkit.server.TestkitEndpoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A fake Kubernetes API server: a real HTTPS server on 127.0.0.1 that kubectl and any Kubernetes
 * client can drive. It serves discovery ({@code /version}, {@code /api}, {@code /apis}, ...), core/v1
 * namespaces, secrets, configmaps, serviceaccounts (with the {@code token} subresource), pods and
 * events; {@code rbac.authorization.k8s.io/v1} roles and bindings; {@code coordination.k8s.io/v1}
 * leases; {@code apiextensions.k8s.io/v1} CRDs and the custom resources of every installed CRD (with
 * the {@code status} subresource); and {@code authentication.k8s.io/v1} TokenReview. Verbs: get, list
 * (label and field selectors, paging), watch (resourceVersion, bookmarks, 410 Expired on a compacted
 * history), create, update (optimistic concurrency), JSON / merge / strategic merge patch,
 * server-side apply (field managers, conflicts, force), delete (finalizers, ownerReference garbage
 * collection) and deletecollection; {@code kubectl get} receives server-side Tables. Errors are
 * {@code Status} objects with the API server's reasons, codes and messages.
 *
 * <pre>{@code
 * try (FakeKubernetes kube = FakeKubernetes.builder().withEsoCrds().start()) {
 *   kube.createNamespace("apps");
 *   kube.apply("apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: apps}\n"
 *       + "stringData: {password: s3cret}\n");
 *   Path kubeconfig = kube.writeKubeconfig(dir.resolve("kubeconfig"), "fake");
 *   // clients: kube.baseUrl(), kube.adminToken(), trust kube.caCertificatePem()
 * }
 * }</pre>
 *
 * <p>As a JUnit 5 extension: {@code @RegisterExtension static final FakeKubernetes kube =
 * FakeKubernetes.start();} (closed after all tests of the class; test methods may also take a
 * {@code FakeKubernetes} parameter).
 *
 * <p>Authentication: bearer tokens only, the admin token and service account tokens the fake issued
 * (TokenRequest tokens while unexpired and while their service account, and bound object, exist with
 * the same UID; legacy Secret tokens while their Secret holds them). {@code /version},
 * {@code /healthz}, {@code /livez} and {@code /readyz} need no token; everything else answers 401
 * without a valid one. For tests: an {@link #auditLog()} (method, path, status, namespace; never
 * bodies or tokens), counters, {@link #faults()}, both also over HTTP with the admin token at
 * {@code GET /_testkit/requests} and {@code PUT/POST/DELETE /_testkit/faults}; an injectable
 * {@link Clock} (e.g. {@link TestClock}) for timestamps and token expiry. Thread-safe.
 *
 * <p>Where it knowingly differs from a real API server: no authorization (RBAC objects are stored but
 * never enforced, so every authenticated user may do everything); the controllers a cluster runs act
 * synchronously inside the request (namespace defaults with the {@code default} ServiceAccount and
 * {@code kube-root-ca.crt}; service-account-token Secrets filled in; garbage collection; namespace
 * deletion removes its objects at once instead of passing through {@code Terminating}); no other
 * controllers run (Pods stay {@code Pending}); {@code /openapi/v2} is a minimal document without
 * schemas that lists each kind's PATCH with the {@code fieldValidation} parameter, so kubectl leaves
 * validation to the server, whose strict decoding checks the top-level and metadata fields of built-in
 * kinds ({@code /openapi/v3} answers 404, newer kubectl falls back to v2, and {@code kubectl explain}
 * has nothing to show); aggregated discovery is not offered (clients fall back to the per-group
 * documents); in server-side apply every list is atomic and maps merge by field; custom resources are
 * not pruned or validated against their schemas and versions are converted by changing
 * {@code apiVersion} only; answers are JSON only, and protobuf request bodies are understood for the
 * kinds kubectl creates with typed clients (no CBOR); a watch whose client went away ends at its
 * timeout or the next event rather than at once.
 */
public final class FakeKubernetes implements AutoCloseable, AfterAllCallback, ParameterResolver {
  /** The audience of service account tokens when none is asked for, and the default issuer. */
  public static final String DEFAULT_AUDIENCE = "https://kubernetes.default.svc.cluster.local";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String MANAGER = "fake-kubernetes";

  private final ApiServer api;
  private final InProcessApi local;
  private final TestHttpServer server;
  private final TestPki pki;
  private final IssuedCertificate certificate;
  private final String adminToken;
  private final AuditLog auditLog;
  private final FaultInjector faults;
  private final Clock clock;

  private FakeKubernetes(Builder b) {
    this.pki = b.pki != null ? b.pki : TestPki.create();
    List<String> hosts = new ArrayList<>(List.of("kubernetes", "kubernetes.default",
        "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"));
    hosts.addAll(b.extraHosts);
    this.certificate = b.certificate != null ? b.certificate
        : pki.serverCertificate(hosts.toArray(String[]::new));
    this.adminToken = b.adminToken != null ? b.adminToken : randomToken();
    this.clock = b.clock;
    this.api = new ApiServer(b.clock, adminToken, b.issuer, b.gitVersion, b.watchHistory,
        b.bookmarkInterval);
    this.local = api.local();
    this.auditLog = new AuditLog(b.clock);
    this.faults = new FaultInjector();
    api.setCaPem(caCertificatePem());
    api.bootstrap();
    if (b.esoCrds) {
      local.installEsoCrds();
    }
    this.server = TestHttpServer.builder().name("fake-kubernetes").port(b.port)
        .tls(certificate).handler(api).auditLog(auditLog).faults(faults)
        .faultResponder(ApiServer.faultResponder()).errors(ApiServer.errorRenderer())
        .testkitEndpoints(new TestkitEndpoints(auditLog, faults, this::isAdminRequest,
            ApiServer.errorRenderer()))
        .start();
    api.setServerUrl(server.baseUrl());
  }

  /** Starts a fake on a free port with a fresh CA, a random admin token and the system clock. */
  public static FakeKubernetes start() {
    return builder().start();
  }

  /** A builder for a fake with a chosen CA, port, clock, admin token, issuer or ESO CRDs. */
  public static Builder builder() {
    return new Builder();
  }

  private static String randomToken() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return "fake-admin." + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private boolean isAdminRequest(ServerRequest request) {
    return request.header("Authorization").map(("Bearer " + adminToken)::equals).orElse(false);
  }

  /** {@code https://127.0.0.1:<port>}: the API server URL (kubeconfig {@code server}). */
  public String baseUrl() {
    return server.baseUrl();
  }

  /** The bound port. */
  public int port() {
    return server.port();
  }

  /** The bearer token of the cluster admin (no authorization is enforced for anyone). */
  public String adminToken() {
    return adminToken;
  }

  /** The CA that issued the server certificate. */
  public TestPki pki() {
    return pki;
  }

  /** The CA certificate (PEM) clients must trust: kubeconfig's certificate-authority-data. */
  public String caCertificatePem() {
    List<java.security.cert.X509Certificate> chain = certificate.chain();
    return TestPki.Pem.certificate(chain.get(chain.size() - 1));
  }

  /** A trust manager trusting only the CA of the server certificate. */
  public X509TrustManager trustManager() {
    List<java.security.cert.X509Certificate> chain = certificate.chain();
    return TestPki.trustManagerFor(List.of(chain.get(chain.size() - 1)));
  }

  /** A client TLS context trusting only the CA of the server certificate. */
  public SSLContext clientSslContext() {
    return TestPki.sslContext(null, trustManager());
  }

  /** The clock of timestamps and token expiry. */
  public Clock clock() {
    return clock;
  }

  /**
   * A kubeconfig (YAML) with one cluster, admin user and context named {@code contextName}: the
   * server URL, {@code certificate-authority-data} and the admin bearer token.
   */
  public String kubeconfig(String contextName) {
    Objects.requireNonNull(contextName, "contextName");
    String ca = Base64.getEncoder().encodeToString(
        caCertificatePem().getBytes(StandardCharsets.US_ASCII));
    return "apiVersion: v1\n"
        + "kind: Config\n"
        + "clusters:\n"
        + "- name: " + contextName + "\n"
        + "  cluster:\n"
        + "    server: " + baseUrl() + "\n"
        + "    certificate-authority-data: " + ca + "\n"
        + "users:\n"
        + "- name: " + contextName + "-admin\n"
        + "  user:\n"
        + "    token: " + adminToken + "\n"
        + "contexts:\n"
        + "- name: " + contextName + "\n"
        + "  context:\n"
        + "    cluster: " + contextName + "\n"
        + "    user: " + contextName + "-admin\n"
        + "current-context: " + contextName + "\n"
        + "preferences: {}\n";
  }

  /** Writes {@link #kubeconfig(String)} to {@code file} (owner-only permissions where supported). */
  public Path writeKubeconfig(Path file, String contextName) throws IOException {
    Files.writeString(file, kubeconfig(contextName), StandardCharsets.UTF_8);
    try {
      Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions
          .fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system
    }
    return file;
  }

  /** The requests answered so far (method, path, status, namespace). */
  public AuditLog auditLog() {
    return auditLog;
  }

  /** The faults to inject into coming requests (answered as Kubernetes Status objects). */
  public FaultInjector faults() {
    return faults;
  }

  /** How many requests hit {@code path} (decoded, e.g. {@code /api/v1/namespaces}) with {@code method}. */
  public long requestCount(String method, String path) {
    return auditLog.count(method, path);
  }

  /**
   * Takes the API server down: its port is closed and open connections (watches too) are dropped,
   * so clients get "connection refused" until {@link #startListening()}. The cluster's state stays.
   */
  public void stopListening() {
    server.stopListening();
  }

  /** Brings the API server back on the same port after {@link #stopListening()}. */
  public void startListening() {
    server.startListening();
  }

  /** Whether the API server's port is open (false between stop and start). */
  public boolean isListening() {
    return server.isListening();
  }

  // ------------------------------------------------------------------ objects

  /**
   * Installs the External Secrets Operator CRDs (externalsecrets, secretstores,
   * clustersecretstores, pushsecrets in {@code external-secrets.io}, v1 and v1beta1), as the Helm
   * chart with {@code installCRDs: true} does. Idempotent.
   */
  public FakeKubernetes installEsoCrds() {
    local.installEsoCrds();
    return this;
  }

  /**
   * Creates or updates every object of a manifest (YAML, several documents, or JSON) by server-side
   * apply with force, as field manager {@code fake-kubernetes}; namespaced objects without a
   * namespace go to {@code default}. Returns the objects as stored.
   *
   * @throws IllegalArgumentException with the API server's message when an object is rejected
   */
  public List<JsonNode> apply(String manifest) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode doc : parseManifest(manifest)) {
      out.add(local.apply(doc, MANAGER));
    }
    return out;
  }

  /**
   * Creates one object.
   *
   * @throws IllegalArgumentException with the API server's message (e.g. already exists, invalid)
   */
  public JsonNode create(JsonNode object) {
    return local.create(object, MANAGER);
  }

  /** Replaces the status of a custom resource, as a controller writes it. */
  public JsonNode updateStatus(JsonNode object) {
    return local.updateStatus(object, MANAGER);
  }

  /** An object, e.g. {@code get("v1", "Secret", "apps", "db")}; namespace ignored when cluster-scoped. */
  public Optional<JsonNode> get(String apiVersion, String kind, String namespace, String name) {
    return local.get(apiVersion, kind, namespace, name);
  }

  /** The objects of a kind in {@code namespace}, or in all namespaces when it is null. */
  public List<JsonNode> list(String apiVersion, String kind, String namespace) {
    return local.list(apiVersion, kind, namespace);
  }

  /** Deletes an object as {@code kubectl delete} would; false when there was none. */
  public boolean delete(String apiVersion, String kind, String namespace, String name) {
    return local.delete(apiVersion, kind, namespace, name);
  }

  /**
   * The object at an API path (e.g. {@code /api/v1/namespaces/apps/secrets/db}) as the API returns
   * it to the admin; empty when the answer is not 200.
   */
  public Optional<ObjectNode> get(String apiPath) {
    ServerResponse r = call("GET", apiPath, "", true);
    if (r.status() != 200) {
      return Optional.empty();
    }
    try {
      JsonNode node = JSON.readTree(r.body());
      return node instanceof ObjectNode o ? Optional.of(o) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends one request in-process as the admin (not audited, no faults) and returns the answer.
   * {@code jsonBody} may be empty; PATCH bodies are sent as merge patches.
   *
   * @throws IllegalStateException with the Status message when a write answers 400 or more, except
   *     409 when {@code tolerateConflict}
   */
  public ServerResponse call(String method, String apiPath, String jsonBody,
      boolean tolerateConflict) {
    Objects.requireNonNull(jsonBody, "jsonBody");
    ServerRequest.Builder request = ServerRequest.builder(method, apiPath)
        .header("Authorization", "Bearer " + adminToken)
        .header("Content-Type", method.equals("PATCH") ? "application/merge-patch+json"
            : "application/json")
        .header("User-Agent", MANAGER);
    if (!jsonBody.isEmpty()) {
      request.body(jsonBody);
    }
    ServerResponse response = api.handle(request.build());
    if (response.status() >= 400 && !method.equals("GET")
        && !(tolerateConflict && response.status() == 409)) {
      String message;
      try {
        message = JSON.readTree(response.body()).path("message").asText("");
      } catch (IOException e) {
        message = "";
      }
      throw new IllegalStateException(method + " " + apiPath + " answered " + response.status()
          + (message.isEmpty() ? "" : ": " + message));
    }
    return response;
  }

  /** The decoded {@code data} of a Secret, if it exists. */
  public Optional<Map<String, byte[]>> secretData(String namespace, String name) {
    return get("v1", "Secret", namespace, name).map(s -> {
      Map<String, byte[]> data = new LinkedHashMap<>();
      s.path("data").properties().forEach(e -> data.put(e.getKey(),
          Base64.getDecoder().decode(e.getValue().asText())));
      return data;
    });
  }

  /** Creates a namespace (as {@code kubectl create namespace}) unless it exists. */
  public FakeKubernetes createNamespace(String name) {
    if (get("v1", "Namespace", null, name).isEmpty()) {
      ObjectNode ns = JSON.createObjectNode();
      ns.put("apiVersion", "v1");
      ns.put("kind", "Namespace");
      ns.putObject("metadata").put("name", name);
      create(ns);
    }
    return this;
  }

  /**
   * Creates a service account (as {@code kubectl create serviceaccount}) unless it exists; returns
   * it.
   */
  public JsonNode createServiceAccount(String namespace, String name) {
    Optional<JsonNode> existing = get("v1", "ServiceAccount", namespace, name);
    if (existing.isPresent()) {
      return existing.get();
    }
    ObjectNode sa = JSON.createObjectNode();
    sa.put("apiVersion", "v1");
    sa.put("kind", "ServiceAccount");
    sa.putObject("metadata").put("name", name).put("namespace", namespace);
    return create(sa);
  }

  /**
   * A TokenRequest token for an existing service account (as {@code kubectl create token}):
   * audiences empty = {@value #DEFAULT_AUDIENCE}.
   */
  public String serviceAccountToken(String namespace, String serviceAccount, List<String> audiences,
      Duration lifetime) {
    return local.requestToken(namespace, serviceAccount, audiences, lifetime);
  }

  /** The TokenReview status for {@code token} as the API would answer it. */
  public JsonNode tokenReview(String token, List<String> audiences) {
    return local.review(token, audiences).path("status");
  }

  /** The issuer ({@code iss}) of service account tokens. */
  public String serviceAccountIssuer() {
    return local.issuer();
  }

  /** The public key (PEM) that verifies service account tokens, e.g. for Vault's pem_keys. */
  public String serviceAccountPublicKeyPem() {
    return local.serviceAccountPublicKeyPem();
  }

  /** The cluster's current resourceVersion (the last write's). */
  public long resourceVersion() {
    return local.resourceVersion();
  }

  /**
   * Ends every open watch answer now, cleanly, as the API server does when a watch's
   * {@code timeoutSeconds} are up (or it restarts): clients see the stream end and must watch again.
   */
  public void endWatches() {
    local.endWatches();
  }

  /** Forgets the change history, as an etcd compaction: watches from before now get 410 Expired. */
  public void compactWatchHistory() {
    local.compactWatchHistory();
  }

  private static List<JsonNode> parseManifest(String manifest) {
    List<JsonNode> docs = new ArrayList<>();
    try {
      String trimmed = manifest.strip();
      if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
        JsonNode n = JSON.readTree(trimmed);
        if (n.isArray()) {
          n.forEach(docs::add);
        } else {
          docs.add(n);
        }
        return docs;
      }
      try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(manifest)) {
        while (it.hasNext()) {
          JsonNode n = it.next();
          if (n != null && !n.isNull() && !n.isMissingNode() && !(n.isObject() && n.isEmpty())) {
            docs.add(n);
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("manifest is not valid YAML or JSON: "
          + e.getClass().getSimpleName());
    }
    for (JsonNode d : docs) {
      if (d.path("kind").asText("").equals("List")) {
        List<JsonNode> items = new ArrayList<>();
        d.path("items").forEach(items::add);
        return items;
      }
    }
    return docs;
  }

  /** Stops the server. Idempotent. */
  @Override
  public void close() {
    server.close();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == FakeKubernetes.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return this;
  }

  @Override
  public String toString() {
    return "FakeKubernetes{" + baseUrl() + "}";
  }

  /** Configures and starts a {@link FakeKubernetes}. Not thread-safe. */
  public static final class Builder {
    private TestPki pki;
    private IssuedCertificate certificate;
    private final List<String> extraHosts = new ArrayList<>();
    private int port;
    private Clock clock = Clock.systemUTC();
    private String adminToken;
    private String issuer = DEFAULT_AUDIENCE;
    private String gitVersion = "v1.33.0";
    private int watchHistory = 10_000;
    private Duration bookmarkInterval = Duration.ofSeconds(60);
    private boolean esoCrds;

    private Builder() {}

    /** The CA that issues the server certificate (e.g. the sandbox's shared CA). */
    public Builder pki(TestPki pki) {
      this.pki = Objects.requireNonNull(pki, "pki");
      return this;
    }

    /** A ready server certificate (e.g. an expired or wrong-host one, for TLS tests). */
    public Builder serverCertificate(IssuedCertificate certificate) {
      this.certificate = Objects.requireNonNull(certificate, "certificate");
      return this;
    }

    /** Extra host names or IPs for the generated server certificate. */
    public Builder hosts(String... hosts) {
      extraHosts.addAll(List.of(hosts));
      return this;
    }

    /** The port; default 0 = a free port. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /** The clock for timestamps and token expiry (e.g. a {@link TestClock}). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The admin bearer token; default a random one. */
    public Builder adminToken(String token) {
      if (token == null || token.isBlank()) {
        throw new IllegalArgumentException("admin token must not be blank");
      }
      this.adminToken = token;
      return this;
    }

    /** The service account token issuer and API audience; default {@value #DEFAULT_AUDIENCE}. */
    public Builder issuer(String issuer) {
      this.issuer = Objects.requireNonNull(issuer, "issuer");
      return this;
    }

    /** The version {@code /version} reports; default {@code v1.33.0}. */
    public Builder version(String gitVersion) {
      if (!gitVersion.matches("v\\d+\\.\\d+\\.\\d+.*")) {
        throw new IllegalArgumentException("version must look like v1.33.0, got " + gitVersion);
      }
      this.gitVersion = gitVersion;
      return this;
    }

    /** How many changes watches can resume from before 410 Expired; default 10000. */
    public Builder watchHistory(int changes) {
      if (changes < 1) {
        throw new IllegalArgumentException("watch history must hold at least 1 change");
      }
      this.watchHistory = changes;
      return this;
    }

    /** How often watches that allow bookmarks get one; default 60 s. */
    public Builder bookmarkInterval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("bookmark interval must be positive");
      }
      this.bookmarkInterval = interval;
      return this;
    }

    /** Install the External Secrets Operator CRDs on start. */
    public Builder withEsoCrds() {
      this.esoCrds = true;
      return this;
    }

    /**
     * Starts the server.
     *
     * @throws UncheckedIOException when the port cannot be bound
     */
    public FakeKubernetes start() {
      return new FakeKubernetes(this);
    }
  }
}
