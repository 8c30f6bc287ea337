package io.secretsync.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.testkit.server.AuditLog;
import io.secretsync.testkit.server.FaultInjector;
import io.secretsync.testkit.server.ServerRequest;
import io.secretsync.testkit.server.TestHttpServer;
import io.secretsync.testkit.server.TestkitEndpoints;
import io.secretsync.testkit.vault.VaultEngine;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
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
 * A fake HashiCorp Vault: a real HTTPS server on 127.0.0.1 that answers like {@code vault server -dev}
 * (unsealed, KV v2 at {@code secret/}, a root token) with Vault's paths, JSON shapes, status codes,
 * error bodies and ACL checks: {@code sys/health}, {@code sys/seal-status}, {@code sys/mounts},
 * {@code sys/auth}, {@code sys/policies/acl}, {@code sys/internal/ui/mounts}, {@code sys/namespaces},
 * KV v1 and v2, the token store, and Kubernetes auth whose login calls the configured API server's
 * TokenReview over HTTPS. Anything it does not implement answers 404 or 405 as Vault would.
 *
 * <pre>{@code
 * try (FakeVault vault = FakeVault.start()) {
 *   vault.kv("secret").put("example-api/env-file", Map.of("API_KEY", "abc"));
 *   vault.policies().put("example-api", "path \"secret/data/example-api/*\" { capabilities = [\"read\"] }");
 *   String token = vault.createToken(List.of("example-api"), Duration.ofHours(1));
 *   // client: vault.address(), trust vault.caCertificatePem() / vault.trustManager()
 * }
 * }</pre>
 *
 * <p>As a JUnit 5 extension: {@code @RegisterExtension static final FakeVault vault = FakeVault.start();}
 * (closed after all tests of the class; test methods may also take a {@code FakeVault} parameter).
 *
 * <p>For tests: an {@link #auditLog()} of requests (never bodies or tokens), counters per endpoint,
 * {@link #faults()} (status, delay, dropped connection, sealed), both also over HTTP with the root
 * token at {@code GET /_testkit/requests} and {@code PUT/DELETE /_testkit/faults}; an injectable
 * {@link Clock} (e.g. {@link TestClock}) for token expiry and JWT checks. Thread-safe.
 *
 * <p>Where it knowingly differs from Vault: {@code X-Vault-Namespace} (and namespace path prefixes)
 * are honoured as Vault Enterprise does, while Community Edition ignores them; envelopes carry
 * {@code mount_type} as current Vault does; KV attribution objects omit {@code client_id}; only
 * service tokens exist (batch tokens are refused with 400, periodic tokens and {@code num_uses} are
 * not enforced); {@code POST auth/token/lookup-self} is treated as a read; request bodies must be
 * JSON (no form encoding); mount tuning ({@code sys/mounts/<path>/tune}) is not served; Kubernetes
 * auth's {@code bound_service_account_namespace_selector} never matches and
 * {@code use_annotations_as_alias_metadata} is stored but unused; secret engines other than KV and
 * auth methods other than token and Kubernetes answer {@code plugin not found in the catalog}.
 */
public final class FakeVault implements AutoCloseable, AfterAllCallback, ParameterResolver {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final VaultEngine engine;
  private final TestHttpServer server;
  private final TestPki pki;
  private final IssuedCertificate certificate;
  private final AuditLog auditLog;
  private final FaultInjector faults;

  private FakeVault(Builder b) {
    this.engine = new VaultEngine(b.clock, b.rootToken);
    this.pki = b.pki != null ? b.pki : TestPki.create();
    this.certificate = b.plain ? null : b.certificate != null ? b.certificate
        : pki.serverCertificate(b.extraHosts.toArray(String[]::new));
    this.auditLog = new AuditLog(b.clock);
    this.faults = new FaultInjector();
    TestHttpServer.Builder sb = TestHttpServer.builder().name("fake-vault").port(b.port)
        .handler(engine).auditLog(auditLog).faults(faults)
        .faultResponder(engine.faultResponder()).errors(engine.errorRenderer())
        .testkitEndpoints(new TestkitEndpoints(auditLog, faults, this::isRootRequest,
            engine.errorRenderer()));
    if (certificate == null) {
      sb.plainHttp();
    } else {
      sb.tls(certificate);
    }
    this.server = sb.start();
  }

  /** Starts a fake on a free port with a fresh CA, HTTPS, the system clock and a random root token. */
  public static FakeVault start() {
    return builder().start();
  }

  /** A builder for a fake with a chosen CA, certificate, port, clock or root token. */
  public static Builder builder() {
    return new Builder();
  }

  private boolean isRootRequest(ServerRequest r) {
    String root = engine.rootToken();
    return r.header("X-Vault-Token").map(root::equals).orElse(false)
        || r.header("Authorization").map(("Bearer " + root)::equals).orElse(false);
  }

  /** {@code https://127.0.0.1:<port>} (or {@code http://...}): what {@code VAULT_ADDR} would hold. */
  public String address() {
    return server.baseUrl();
  }

  /** The bound port. */
  public int port() {
    return server.port();
  }

  /** True unless built with {@link Builder#plainHttp()}. */
  public boolean isHttps() {
    return server.isHttps();
  }

  /** The root token. */
  public String rootToken() {
    return engine.rootToken();
  }

  /** The CA that issued the server certificate. */
  public TestPki pki() {
    return pki;
  }

  /** The CA certificate (PEM) a client must trust, as a {@code caBundle} or {@code VAULT_CACERT}. */
  public String caCertificatePem() {
    if (certificate == null) {
      return pki.caCertificatePem();
    }
    List<java.security.cert.X509Certificate> chain = certificate.chain();
    return TestPki.Pem.certificate(chain.get(chain.size() - 1));
  }

  /** A trust manager trusting only the CA of the server certificate. */
  public X509TrustManager trustManager() {
    List<java.security.cert.X509Certificate> chain = certificate == null
        ? List.of(pki.caCertificate()) : List.of(certificate.chain().get(
            certificate.chain().size() - 1));
    return TestPki.trustManagerFor(chain);
  }

  /** A client TLS context trusting only the CA of the server certificate. */
  public SSLContext clientSslContext() {
    return TestPki.sslContext(null, trustManager());
  }

  /** The clock driving token expiry, timestamps and JWT time checks. */
  public Clock clock() {
    return engine.clock();
  }

  /** The requests answered so far (method, path, status, namespace, note). */
  public AuditLog auditLog() {
    return auditLog;
  }

  /** The faults to inject into coming requests. */
  public FaultInjector faults() {
    return faults;
  }

  /** How many requests hit {@code path} (as sent, e.g. {@code /v1/secret/data/app}) with {@code method}. */
  public long requestCount(String method, String path) {
    return auditLog.count(method, path);
  }

  /** Seals the fake: everything but health and seal-status answers 503 until {@link #unseal()}. */
  public void seal() {
    engine.setSealed(true);
  }

  public void unseal() {
    engine.setSealed(false);
  }

  public boolean isSealed() {
    return engine.isSealed();
  }

  /**
   * Takes Vault down: its port is closed and open connections are dropped, so clients get
   * "connection refused" until {@link #startListening()}. Tokens, data and policies stay.
   */
  public void stopListening() {
    server.stopListening();
  }

  /** Brings Vault back on the same port after {@link #stopListening()}. */
  public void startListening() {
    server.startListening();
  }

  /**
   * Revokes every token issued by a login at the auth mount {@code authMountPath} (e.g.
   * {@code kubernetes}), with their children, as {@code vault token revoke -accessor} on each of
   * them would; clients holding one get 403 "permission denied" from then on.
   *
   * @return how many tokens were revoked
   */
  public int revokeLoginTokens(String authMountPath) {
    String mount = authMountPath.endsWith("/") ? authMountPath : authMountPath + "/";
    return engine.revokeTokensWithPath("auth/" + mount);
  }

  /** The KV engine mounted at {@code mount} in the root namespace. */
  public Kv kv(String mount) {
    return new Kv("", mount);
  }

  /** The KV engine mounted at {@code mount} in {@code namespace}. */
  public Kv kv(String namespace, String mount) {
    return new Kv(namespace, mount);
  }

  /** ACL policies of the root namespace. */
  public Policies policies() {
    return new Policies("");
  }

  /** ACL policies of {@code namespace}. */
  public Policies policies(String namespace) {
    return new Policies(namespace);
  }

  /** The Kubernetes auth method at {@code auth/kubernetes/} of the root namespace. */
  public KubernetesAuth kubernetesAuth() {
    return new KubernetesAuth("", "kubernetes");
  }

  /** The Kubernetes auth method at {@code auth/<mount>/} of {@code namespace}. */
  public KubernetesAuth kubernetesAuth(String namespace, String mount) {
    return new KubernetesAuth(namespace, mount);
  }

  /** Mounts a KV engine of {@code version} (1 or 2) at {@code path} in the root namespace. */
  public FakeVault enableKv(String path, int version) {
    return enableKv("", path, version);
  }

  /** Mounts a KV engine of {@code version} (1 or 2) at {@code path} in {@code namespace}. */
  public FakeVault enableKv(String namespace, String path, int version) {
    if (version != 1 && version != 2) {
      throw new IllegalArgumentException("KV version must be 1 or 2, got " + version);
    }
    ok(engine.call("POST", "sys/mounts/" + path, namespace, json(Map.of("type", "kv",
        "options", Map.of("version", Integer.toString(version))))), "enable kv at " + path);
    return this;
  }

  /** Creates a namespace (path like {@code team-a} or {@code team-a/sub}). */
  public FakeVault createNamespace(String path) {
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    int slash = p.lastIndexOf('/');
    String parent = slash < 0 ? "" : p.substring(0, slash);
    ok(engine.call("POST", "sys/namespaces/" + p.substring(slash + 1), parent, null),
        "create namespace " + path);
    return this;
  }

  /** A renewable token in the root namespace with {@code policies} (plus default) and {@code ttl}. */
  public String createToken(List<String> policies, Duration ttl) {
    return engine.createToken("", policies, ttl, true);
  }

  /** A token in {@code namespace}; {@code ttl} zero means Vault's default (768h). */
  public String createToken(String namespace, List<String> policies, Duration ttl,
      boolean renewable) {
    return engine.createToken(namespace, policies, ttl, renewable);
  }

  /**
   * Runs any request in-process as root (not audited, no faults) and returns status and JSON body;
   * e.g. {@code vault.call("GET", "sys/mounts", null)}.
   */
  public VaultEngine.Result call(String method, String path, Object body) {
    return engine.call(method, path, "", body == null ? null : json(body));
  }

  /**
   * How many tokens in the token store are valid now, the root token included: after a client has
   * revoked what it obtained, the count is back where it was.
   */
  public long validTokenCount() {
    return engine.validTokenCount();
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
    return parameter.getParameter().getType() == FakeVault.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return this;
  }

  @Override
  public String toString() {
    return "FakeVault{" + address() + "}";
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("value cannot be written as JSON", e);
    }
  }

  private static VaultEngine.Result ok(VaultEngine.Result r, String what) {
    if (r.status() >= 400) {
      throw new IllegalStateException(what + " failed with HTTP " + r.status() + ": "
          + (r.error().isEmpty() ? "(no error text)" : r.error()));
    }
    return r;
  }

  private static String trim(String path) {
    String p = path;
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  /**
   * Seeds and inspects one KV mount from Java, through the same code paths as HTTP (as root).
   * Works for KV v1 and v2 mounts.
   */
  public final class Kv {
    private final String namespace;
    private final String mount;

    private Kv(String namespace, String mount) {
      this.namespace = namespace;
      this.mount = trim(mount);
    }

    private boolean v2() {
      VaultEngine.Result r = ok(engine.call("GET", "sys/mounts", namespace, null),
          "read mounts");
      JsonNode m = r.body().path("data").path(mount + "/");
      if (m.isMissingNode()) {
        throw new IllegalStateException("no KV mount at " + mount + "/ in namespace '"
            + namespace + "'");
      }
      return m.path("options").path("version").asText().equals("2");
    }

    /** Writes {@code data} at {@code key}: a new version on KV v2. Returns the version (0 on v1). */
    public long put(String key, Map<String, ?> data) {
      String k = trim(key);
      if (v2()) {
        VaultEngine.Result r = ok(engine.call("POST", mount + "/data/" + k, namespace,
            json(Map.of("data", data))), "write " + mount + "/data/" + k);
        return r.body().path("data").path("version").asLong();
      }
      ok(engine.call("POST", mount + "/" + k, namespace, json(data)), "write " + mount + "/" + k);
      return 0;
    }

    /** The current data at {@code key}; empty when absent, soft-deleted or destroyed. */
    public Optional<Map<String, Object>> get(String key) {
      return get(key, 0);
    }

    /** The data of {@code version} (0 = current) on KV v2. */
    public Optional<Map<String, Object>> get(String key, int version) {
      String k = trim(key);
      boolean v2 = v2();
      String path = v2 ? mount + "/data/" + k + (version > 0 ? "?version=" + version : "")
          : mount + "/" + k;
      VaultEngine.Result r = engine.call("GET", path, namespace, null);
      if (r.status() == 404) {
        return Optional.empty();
      }
      ok(r, "read " + path);
      JsonNode data = v2 ? r.body().path("data").path("data") : r.body().path("data");
      return Optional.of(JSON.convertValue(data, new TypeReference<Map<String, Object>>() {}));
    }

    /** Soft-deletes the current version (v2) or deletes the key (v1). */
    public void delete(String key) {
      String k = trim(key);
      ok(engine.call("DELETE", v2() ? mount + "/data/" + k : mount + "/" + k, namespace, null),
          "delete " + k);
    }

    /** Removes every version and the metadata of {@code key} (v2). */
    public void deleteMetadata(String key) {
      ok(engine.call("DELETE", mount + "/metadata/" + trim(key), namespace, null),
          "delete metadata of " + key);
    }

    /** Sets the key-level custom_metadata (v2). */
    public void customMetadata(String key, Map<String, String> customMetadata) {
      ok(engine.call("POST", mount + "/metadata/" + trim(key), namespace,
          json(Map.of("custom_metadata", customMetadata))), "write metadata of " + key);
    }

    /** The keys directly below {@code folder} (sub-folders end in {@code /}); empty if none. */
    public List<String> list(String folder) {
      String f = trim(folder);
      String path = (v2() ? mount + "/metadata/" : mount + "/") + (f.isEmpty() ? "" : f + "/");
      VaultEngine.Result r = engine.call("LIST", path, namespace, null);
      if (r.status() == 404) {
        return List.of();
      }
      ok(r, "list " + path);
      List<String> keys = new ArrayList<>();
      r.body().path("data").path("keys").forEach(n -> keys.add(n.asText()));
      return keys;
    }
  }

  /** ACL policies of one namespace, written and parsed as over HTTP. */
  public final class Policies {
    private final String namespace;

    private Policies(String namespace) {
      this.namespace = namespace;
    }

    /**
     * Writes a policy.
     *
     * @throws IllegalArgumentException with Vault's parse error (e.g. {@code failed to parse policy:
     *     At 2:3: ...}) when the HCL is invalid
     */
    public void put(String name, String hcl) {
      VaultEngine.Result r = engine.call("PUT", "sys/policies/acl/" + name, namespace,
          json(Map.of("policy", hcl)));
      if (r.status() >= 400) {
        throw new IllegalArgumentException("policy '" + name + "': " + r.error());
      }
    }

    /** The policy text, if the policy exists. */
    public Optional<String> get(String name) {
      VaultEngine.Result r = engine.call("GET", "sys/policies/acl/" + name, namespace, null);
      return r.status() == 200 ? Optional.of(r.body().path("data").path("policy").asText())
          : Optional.empty();
    }

    public void delete(String name) {
      ok(engine.call("DELETE", "sys/policies/acl/" + name, namespace, null),
          "delete policy " + name);
    }

    /** Policy names, as {@code LIST sys/policies/acl} answers them. */
    public List<String> names() {
      VaultEngine.Result r = ok(engine.call("LIST", "sys/policies/acl", namespace, null),
          "list policies");
      List<String> names = new ArrayList<>();
      r.body().path("data").path("keys").forEach(n -> names.add(n.asText()));
      return names;
    }
  }

  /** One Kubernetes auth mount, configured from Java through the same paths as over HTTP. */
  public final class KubernetesAuth {
    private final String namespace;
    private final String mount;

    private KubernetesAuth(String namespace, String mount) {
      this.namespace = namespace;
      this.mount = trim(mount);
    }

    /** Enables the auth method at this mount ({@code vault auth enable -path=<mount> kubernetes}). */
    public KubernetesAuth enable() {
      ok(engine.call("POST", "sys/auth/" + mount, namespace,
          json(Map.of("type", "kubernetes"))), "enable kubernetes auth at " + mount);
      return this;
    }

    /**
     * Writes {@code auth/<mount>/config}: the API server URL, its CA (PEM) and the reviewer JWT
     * (null = use the login JWT, as Vault does outside a pod).
     */
    public KubernetesAuth config(String kubernetesHost, String kubernetesCaCert,
        String tokenReviewerJwt) {
      ObjectNode body = JSON.createObjectNode();
      body.put("kubernetes_host", Objects.requireNonNull(kubernetesHost, "kubernetesHost"));
      if (kubernetesCaCert != null) {
        body.put("kubernetes_ca_cert", kubernetesCaCert);
      }
      if (tokenReviewerJwt != null) {
        body.put("token_reviewer_jwt", tokenReviewerJwt);
      }
      return config(JSON.convertValue(body, new TypeReference<Map<String, Object>>() {}));
    }

    /** Writes {@code auth/<mount>/config} with any of Vault's fields. */
    public KubernetesAuth config(Map<String, ?> fields) {
      ok(engine.call("POST", "auth/" + mount + "/config", namespace, json(fields)),
          "configure auth/" + mount);
      return this;
    }

    /**
     * Writes {@code auth/<mount>/role/<name>} with Vault's fields, e.g.
     * {@code Map.of("bound_service_account_names", List.of("app"),
     * "bound_service_account_namespaces", List.of("default"), "token_policies", List.of("app"),
     * "audience", "vault", "token_ttl", "1h")}.
     */
    public KubernetesAuth role(String name, Map<String, ?> fields) {
      ok(engine.call("POST", "auth/" + mount + "/role/" + name, namespace, json(fields)),
          "write role " + name);
      return this;
    }
  }

  /** Configures and starts a {@link FakeVault}. Not thread-safe. */
  public static final class Builder {
    private TestPki pki;
    private IssuedCertificate certificate;
    private final List<String> extraHosts = new ArrayList<>();
    private boolean plain;
    private int port;
    private Clock clock = Clock.systemUTC();
    private String rootToken;

    private Builder() {}

    /** The CA that issues the server certificate (e.g. the sandbox's loaded CA). */
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

    /** Serve plain HTTP instead of HTTPS. */
    public Builder plainHttp() {
      this.plain = true;
      return this;
    }

    /** The port; default 0 = a free port. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** The clock for token expiry, timestamps and JWT checks; default the system clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** A fixed root token id (as {@code vault server -dev -dev-root-token-id}); default random. */
    public Builder rootToken(String rootToken) {
      this.rootToken = Objects.requireNonNull(rootToken, "rootToken");
      return this;
    }

    /** Starts the fake. */
    public FakeVault start() {
      return new FakeVault(this);
    }
  }
}
