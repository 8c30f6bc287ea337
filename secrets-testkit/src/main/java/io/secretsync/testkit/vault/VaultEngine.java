package io.secretsync.testkit.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.testkit.server.ErrorRenderer;
import io.secretsync.testkit.server.FaultInjector;
import io.secretsync.testkit.server.Handler;
import io.secretsync.testkit.server.ServerRequest;
import io.secretsync.testkit.server.ServerResponse;
import io.secretsync.testkit.server.TestHttpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The request handling of {@code FakeVault}: HTTP to Vault's logical operations, namespaces, tokens,
 * ACL checks, routing to the system, token, KV and Kubernetes backends, and Vault's error answers.
 * Public only so that {@code io.secretsync.testkit.FakeVault} can use it; not an API of its own.
 *
 * <p>Order per request, as in Vault: {@code /v1/} prefix (else 404); method to operation (unknown
 * method 405; PATCH needs {@code application/merge-patch+json}, else 415); writes to paths ending in
 * {@code /} 400; JSON body (bad JSON 400); sealed 503; unauthenticated paths; token (missing 403
 * {@code permission denied}; unknown, expired, revoked 403 with {@code invalid token}); routing;
 * existence check turning POST/PUT into create or update; ACL (403); then the backend. Thread-safe.
 */
public final class VaultEngine implements Handler {
  /** The text of the built-in {@code default} policy. */
  static final String DEFAULT_POLICY = """
      # Tokens may look up, renew and revoke themselves.
      path "auth/token/lookup-self" {
          capabilities = ["read"]
      }
      path "auth/token/renew-self" {
          capabilities = ["update"]
      }
      path "auth/token/revoke-self" {
          capabilities = ["update"]
      }
      # Tokens may ask for their own capabilities and resultant ACL.
      path "sys/capabilities-self" {
          capabilities = ["update"]
      }
      path "sys/internal/ui/resultant-acl" {
          capabilities = ["read"]
      }
      # Leases of the token's own secrets.
      path "sys/leases/renew" {
          capabilities = ["update"]
      }
      path "sys/leases/lookup" {
          capabilities = ["update"]
      }
      # The token's own cubbyhole.
      path "cubbyhole/*" {
          capabilities = ["create", "read", "update", "delete", "list"]
      }
      # Response wrapping and hashing tools.
      path "sys/wrapping/wrap" {
          capabilities = ["update"]
      }
      path "sys/wrapping/lookup" {
          capabilities = ["update"]
      }
      path "sys/wrapping/unwrap" {
          capabilities = ["update"]
      }
      path "sys/tools/hash" {
          capabilities = ["update"]
      }
      path "sys/tools/hash/*" {
          capabilities = ["update"]
      }
      """;

  private final Clock clock;
  private final TokenStore tokens = new TokenStore();
  private final Map<String, VaultNamespace> namespaces = new ConcurrentHashMap<>();
  private final SystemBackend system = new SystemBackend(this);
  private final TokenBackend tokenBackend = new TokenBackend(tokens);
  private final Token rootToken;
  private final String clusterName = "vault-cluster-" + VaultNamespace.randomId(8)
      .toLowerCase(Locale.ROOT);
  private final String clusterId = UUID.randomUUID().toString();
  private volatile boolean sealed;

  /**
   * An engine like {@code vault server -dev}: unsealed, KV v2 at {@code secret/}, a root token
   * ({@code rootTokenId}, or a random {@code hvs.} token when null).
   */
  public VaultEngine(Clock clock, String rootTokenId) {
    this.clock = Objects.requireNonNull(clock, "clock");
    VaultNamespace root = newNamespace("");
    enableKv(root, "secret/", 2, "key/value secret storage");
    this.rootToken = tokens.issue(new TokenStore.Spec(root, "root", "auth/token/root", "",
        List.of("root"), null, Duration.ZERO, Duration.ZERO, Duration.ZERO, false, true, null,
        null), clock.instant(), rootTokenId);
  }

  /** The root token's id. */
  public String rootToken() {
    return rootToken.id;
  }

  /** The clock that drives token expiry, timestamps and JWT time checks. */
  public Clock clock() {
    return clock;
  }

  /** Seals or unseals: while sealed every request but health and seal-status answers 503. */
  public void setSealed(boolean value) {
    sealed = value;
  }

  public boolean isSealed() {
    return sealed;
  }

  /** Renders errors as Vault does, for the server's own errors (413, 500). */
  public ErrorRenderer errorRenderer() {
    return (status, message) -> status == 500
        ? Reply.error(500, Policy.multiError(List.of("internal error")))
        : message.isEmpty() ? Reply.error(status) : Reply.error(status, message);
  }

  /** Answers status and sealed faults as Vault would. */
  public TestHttpServer.FaultResponder faultResponder() {
    return (request, fault) -> fault.mode() == FaultInjector.Mode.SEALED
        ? sealedAnswer(request, relative(request.path()))
        : Reply.error(fault.status());
  }

  // ------------------------------------------------------------------ request handling

  @Override
  public ServerResponse handle(ServerRequest request) {
    try {
      return dispatch(request);
    } catch (ServerRequest.MalformedJsonException e) {
      return Reply.badRequest("error parsing JSON");
    }
  }

  private static String relative(String path) {
    return path.startsWith("/v1/") ? path.substring(4) : path;
  }

  private ServerResponse dispatch(ServerRequest request) {
    String path = request.path();
    if (!path.startsWith("/v1/")) {
      return Reply.notFound();
    }
    String rel = path.substring(4);
    Op op;
    switch (request.method()) {
      case "GET":
      case "HEAD": {
        Optional<String> list = request.queryParameter("list");
        if (list.isPresent()) {
          Boolean b = parseBool(list.get());
          if (b == null) {
            return Reply.error(400);
          }
          op = b ? Op.LIST : Op.READ;
        } else {
          op = Op.READ;
        }
        break;
      }
      case "LIST":
        op = Op.LIST;
        break;
      case "POST":
      case "PUT":
        op = Op.UPDATE;
        break;
      case "PATCH": {
        String type = request.header("Content-Type").orElse("");
        String media = type.split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (!media.equals("application/merge-patch+json")) {
          return Reply.error(415, "PATCH requires Content-Type of application/merge-patch+json, "
              + "provided " + type);
        }
        op = Op.PATCH;
        break;
      }
      case "DELETE":
        op = Op.DELETE;
        break;
      default:
        return Reply.error(405);
    }
    if (op == Op.LIST && !rel.endsWith("/")) {
      rel = rel + "/";
    }
    if ((op == Op.UPDATE || op == Op.PATCH) && rel.endsWith("/")) {
      return Reply.badRequest("cannot write to a path ending in '/'");
    }
    ObjectNode data = VaultJson.MAPPER.createObjectNode();
    if (op == Op.UPDATE || op == Op.PATCH || op == Op.DELETE) {
      JsonNode body = parseBody(request);
      if (body == null) {
        return Reply.badRequest("error parsing JSON");
      }
      if (body.isObject()) {
        data = (ObjectNode) body;
      }
    }

    // Namespace: header, then leading path segments naming child namespaces.
    String nsPath = SystemBackend.normalize(request.header("X-Vault-Namespace").orElse("")
        .replaceAll("^/+", ""));
    boolean nsKnown = namespaces.containsKey(nsPath);
    if (nsKnown) {
      while (true) {
        int slash = rel.indexOf('/');
        if (slash <= 0 || !namespaces.containsKey(nsPath + rel.substring(0, slash + 1))) {
          break;
        }
        nsPath = nsPath + rel.substring(0, slash + 1);
        rel = rel.substring(slash + 1);
      }
    }
    String nsName = nsPath.isEmpty() ? null : nsPath.substring(0, nsPath.length() - 1);
    ServerResponse response = dispatch(request, op, rel, nsPath, nsKnown, data);
    return nsName == null ? response : response.withAuditNamespace(nsName);
  }

  private ServerResponse dispatch(ServerRequest request, Op op, String rel, String nsPath,
      boolean nsKnown, ObjectNode data) {
    Instant now = clock.instant();
    if (rel.equals("sys/health") || rel.equals("sys/seal-status")) {
      if (op != Op.READ) {
        return Reply.unsupportedOperation();
      }
      return sealed ? sealedAnswer(request, rel) : unsealedStatus(request, rel);
    }
    if (sealed) {
      return Reply.error(503, "Vault is sealed");
    }
    VaultNamespace ns = namespaces.get(nsPath);
    Optional<String> tokenId = tokenId(request);
    Optional<Token> token = tokenId.flatMap(id -> tokens.valid(id, now))
        .filter(t -> nsPath.startsWith(t.namespacePath));

    if (nsKnown && (rel.equals("sys/internal/ui/mounts/") || rel.equals("sys/internal/ui/mounts"))
        && op == Op.READ) {
      return system.uiMounts(ns, token);
    }
    if (nsKnown && rel.startsWith("sys/internal/ui/mounts/") && op == Op.READ) {
      return system.uiMount(ns, rel.substring("sys/internal/ui/mounts/".length()), token);
    }
    Route route = nsKnown ? route(ns, rel) : null;
    if (route != null && route.login() && op.isWrite()) {
      return route.backend().handle(new Call(op, route.sub(), rel, ns, data, request, null, now));
    }
    if (tokenId.isEmpty()) {
      return Reply.missingToken();
    }
    if (token.isEmpty()) {
      return Reply.invalidToken().withAuditNote(tokens.valid(tokenId.get(), now).isPresent()
          ? "token belongs to another namespace" : "token unknown, expired or revoked");
    }
    Token t = token.get();
    Op effective = op;
    if (route != null && op == Op.UPDATE) {
      Boolean exists = route.backend() == system ? system.exists(route.sub(), ns)
          : route.backend().exists(route.sub());
      effective = Boolean.FALSE.equals(exists) ? Op.CREATE : Op.UPDATE;
    }
    if (route != null && route.backend() == tokenBackend && route.sub().equals("lookup-self")) {
      effective = Op.READ;
    }
    String full = nsPath + rel;
    Acl acl = aclFor(t);
    if (!acl.allows(full, effective.capability, effective == Op.LIST)) {
      return Reply.deniedByPolicy().withAuditNote("policies " + t.policies + " grant no "
          + effective.goName + " on " + full);
    }
    if (route != null && route.backend().requiresSudo(route.sub(), effective)
        && !acl.allows(full, Policy.SUDO, false)) {
      return Reply.deniedByPolicy().withAuditNote("sudo required on " + full);
    }
    if (route == null) {
      return Reply.error(404, "no handler for route \"" + full + "\". route entry not found.");
    }
    return route.backend().handle(new Call(effective, route.sub(), rel, ns, data, request, t,
        now));
  }

  private record Route(Backend backend, String sub, boolean login) {}

  private Route route(VaultNamespace ns, String rel) {
    if (rel.equals("sys") || rel.startsWith("sys/")) {
      return new Route(system, rel.length() > 4 ? rel.substring(4) : "", false);
    }
    if (rel.startsWith("auth/")) {
      String rest = rel.substring(5);
      if (rest.startsWith("token/")) {
        return new Route(tokenBackend, rest.substring(6), false);
      }
      Optional<Mount> m = ns.authMountFor(rest);
      if (m.isEmpty()) {
        return null;
      }
      String sub = rest.length() >= m.get().path.length() ? rest.substring(m.get().path.length())
          : "";
      return new Route(m.get().backend, sub, sub.equals("login"));
    }
    Optional<Mount> m = ns.secretMountFor(rel);
    if (m.isEmpty()) {
      return null;
    }
    String sub = rel.length() >= m.get().path.length() ? rel.substring(m.get().path.length()) : "";
    return new Route(m.get().backend, sub, false);
  }

  private static JsonNode parseBody(ServerRequest request) {
    if (request.bodyIsBlank()) {
      return MissingNode.getInstance();
    }
    try {
      return VaultJson.MAPPER.readTree(request.body());
    } catch (IOException e) {
      return null;
    }
  }

  private static Optional<String> tokenId(ServerRequest request) {
    Optional<String> header = request.header("X-Vault-Token").filter(s -> !s.isBlank());
    if (header.isPresent()) {
      return header.map(String::trim);
    }
    return request.header("Authorization").filter(a -> a.regionMatches(true, 0, "Bearer ", 0, 7))
        .map(a -> a.substring(7).trim()).filter(s -> !s.isEmpty());
  }

  static Boolean parseBool(String s) {
    return switch (s) {
      case "1", "t", "T", "TRUE", "true", "True" -> Boolean.TRUE;
      case "0", "f", "F", "FALSE", "false", "False" -> Boolean.FALSE;
      default -> null;
    };
  }

  /** The ACL of a token's policies, looked up in its own namespace. */
  Acl aclFor(Token token) {
    if (token.isRoot()) {
      return Acl.root();
    }
    VaultNamespace ns = namespaces.get(token.namespacePath);
    List<Policy> policies = new ArrayList<>();
    if (ns != null) {
      for (String name : token.policies) {
        Policy p = ns.policies.get(name);
        if (p != null) {
          policies.add(p);
        }
      }
    }
    return Acl.of(policies);
  }

  // ------------------------------------------------------------------ health

  private ServerResponse unsealedStatus(ServerRequest request, String rel) {
    if (rel.equals("sys/seal-status")) {
      return Reply.json(200, sealStatus(false));
    }
    int code = 200;
    Optional<String> active = request.queryParameter("activecode");
    if (active.isPresent()) {
      try {
        code = Integer.parseInt(active.get());
      } catch (NumberFormatException e) {
        return Reply.badRequest("unable to parse activecode: " + active.get());
      }
    }
    return Reply.json(code, health(false));
  }

  private ServerResponse sealedAnswer(ServerRequest request, String rel) {
    if (rel.equals("sys/seal-status")) {
      return Reply.json(200, sealStatus(true));
    }
    if (rel.equals("sys/health")) {
      int code = 503;
      Optional<String> sealedCode = request.queryParameter("sealedcode");
      if (sealedCode.isPresent()) {
        try {
          code = Integer.parseInt(sealedCode.get());
        } catch (NumberFormatException e) {
          return Reply.badRequest("unable to parse sealedcode: " + sealedCode.get());
        }
      }
      return Reply.json(code, health(true));
    }
    return Reply.error(503, "Vault is sealed");
  }

  private Map<String, Object> health(boolean isSealed) {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("initialized", true);
    h.put("sealed", isSealed);
    h.put("standby", isSealed);
    h.put("performance_standby", false);
    h.put("replication_performance_mode", "disabled");
    h.put("replication_dr_mode", "disabled");
    h.put("server_time_utc", clock.instant().getEpochSecond());
    h.put("version", Mount.VAULT_VERSION);
    h.put("enterprise", false);
    if (!isSealed) {
      h.put("cluster_name", clusterName);
      h.put("cluster_id", clusterId);
    }
    h.put("echo_duration_ms", 0);
    h.put("clock_skew_ms", 0);
    return h;
  }

  private Map<String, Object> sealStatus(boolean isSealed) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("type", "shamir");
    s.put("initialized", true);
    s.put("sealed", isSealed);
    s.put("t", 1);
    s.put("n", 1);
    s.put("progress", 0);
    s.put("nonce", "");
    s.put("version", Mount.VAULT_VERSION);
    s.put("build_date", "2025-10-21T00:00:00Z");
    s.put("migration", false);
    if (!isSealed) {
      s.put("cluster_name", clusterName);
      s.put("cluster_id", clusterId);
    }
    s.put("recovery_seal", false);
    s.put("storage_type", "inmem");
    return s;
  }

  // ------------------------------------------------------------------ state

  /** How many tokens are valid now, the root token included. */
  public long validTokenCount() {
    return tokens.validCount(clock.instant());
  }

  TokenStore tokens() {
    return tokens;
  }

  /** Revokes every token but the root one whose creation path starts with {@code pathPrefix}; returns how many. */
  public int revokeTokensWithPath(String pathPrefix) {
    int[] revoked = new int[1];
    tokens.revokeIf(t -> {
      boolean match = t.path.startsWith(pathPrefix) && t != rootToken;
      if (match) {
        revoked[0]++;
      }
      return match;
    });
    return revoked[0];
  }

  private VaultNamespace newNamespace(String path) {
    VaultNamespace ns = new VaultNamespace(path);
    ns.mounts.put("cubbyhole/", new Mount("cubbyhole/", "cubbyhole",
        "per-token private secret storage", null, m -> new NotImplementedBackend("cubbyhole"),
        false, true, false));
    ns.mounts.put("identity/", new Mount("identity/", "identity", "identity store", null,
        m -> new NotImplementedBackend("identity"), false, false, false));
    ns.mounts.put("sys/", new Mount("sys/", "system",
        "system endpoints used for control, policy and debugging", null, m -> system, false,
        false, true));
    ns.auths.put("token/", new Mount("token/", "token", "token based credentials", null,
        m -> tokenBackend, true, false, false));
    try {
      ns.policies.put("default", Policy.parse("default", DEFAULT_POLICY, path));
    } catch (Policy.InvalidPolicyException e) {
      throw new IllegalStateException("built-in default policy does not parse", e);
    }
    namespaces.put(path, ns);
    return ns;
  }

  void enableKv(VaultNamespace ns, String path, int version, String description) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("version", Integer.toString(version));
    ns.mounts.put(path, new Mount(path, "kv", description, options,
        m -> version == 2 ? new KvV2Backend() : new KvV1Backend(), false, false, false));
  }

  void enableKubernetes(VaultNamespace ns, String path, String description) {
    ns.auths.put(path, new Mount(path, "kubernetes", description, null,
        m -> new KubernetesAuthBackend(m, tokens), true, false, false));
  }

  Optional<VaultNamespace> namespace(String path) {
    return Optional.ofNullable(namespaces.get(path));
  }

  synchronized VaultNamespace createNamespace(String path) {
    VaultNamespace existing = namespaces.get(path);
    return existing != null ? existing : newNamespace(path);
  }

  synchronized void deleteNamespace(String path) {
    namespaces.keySet().removeIf(p -> p.startsWith(path));
    tokens.revokeIf(t -> t.namespacePath.startsWith(path));
  }

  List<VaultNamespace> childNamespaces(VaultNamespace parent) {
    List<VaultNamespace> out = new ArrayList<>();
    for (VaultNamespace ns : namespaces.values()) {
      String p = ns.path;
      if (!ns.isRoot() && p.startsWith(parent.path) && p.length() > parent.path.length()
          && p.substring(parent.path.length()).indexOf('/') == p.length() - parent.path.length()
          - 1) {
        out.add(ns);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ Java API

  /** The outcome of an in-process request: status and parsed JSON body (missing when empty). */
  public record Result(int status, JsonNode body) {
    /** The first error text, or "" when none. */
    public String error() {
      JsonNode errors = body.path("errors");
      return errors.isArray() && errors.size() > 0 ? errors.get(0).asText() : "";
    }
  }

  /**
   * Runs a request in-process with the root token, exactly as over HTTP but not audited and not
   * subject to faults. {@code namespace} may be empty; {@code body} is JSON text or null.
   */
  public Result call(String method, String path, String namespace, String body) {
    ServerRequest.Builder b = ServerRequest.builder(method, path.startsWith("/v1/") ? path
        : "/v1/" + path).header("X-Vault-Token", rootToken.id);
    if (namespace != null && !namespace.isEmpty()) {
      b.header("X-Vault-Namespace", namespace);
    }
    if (method.equals("PATCH")) {
      b.header("Content-Type", "application/merge-patch+json");
    }
    if (body != null) {
      b.body(body);
    }
    ServerResponse r = handle(b.build());
    JsonNode json;
    try {
      byte[] bytes = r.body();
      json = bytes.length == 0 ? MissingNode.getInstance() : VaultJson.MAPPER.readTree(bytes);
    } catch (IOException e) {
      json = VaultJson.MAPPER.getNodeFactory().textNode(new String(r.body(),
          StandardCharsets.UTF_8));
    }
    return new Result(r.status(), json);
  }

  /** Creates a token with the given policies and TTL in a namespace, as root would. */
  public String createToken(String namespace, List<String> policies, Duration ttl,
      boolean renewable) {
    ObjectNode body = VaultJson.MAPPER.createObjectNode();
    policies.forEach(body.putArray("policies")::add);
    if (!ttl.isZero()) {
      body.put("ttl", ttl.getSeconds() + "s");
    }
    body.put("renewable", renewable);
    Result r = call("POST", "auth/token/create", namespace, body.toString());
    if (r.status() != 200) {
      throw new IllegalArgumentException("cannot create token: " + r.error());
    }
    return r.body().path("auth").path("client_token").asText();
  }

  /** Number of live tokens, for tests. */
  public int tokenCount() {
    return tokens.size();
  }

  /** Answers 404 for reads and lists, 405 for anything else: engines the fake does not implement. */
  private static final class NotImplementedBackend implements Backend {
    private final String type;

    NotImplementedBackend(String type) {
      this.type = type;
    }

    @Override
    public String mountType() {
      return type;
    }

    @Override
    public ServerResponse handle(Call call) {
      return call.op() == Op.READ || call.op() == Op.LIST ? Reply.notFound()
          : Reply.unsupportedOperation();
    }
  }
}
