package io.secretsync.testkit.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.testkit.TestPki;
import io.secretsync.testkit.server.ServerResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509TrustManager;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The Kubernetes auth method (vault-plugin-auth-kubernetes) at one mount: {@code config},
 * {@code role/<name>} and {@code login}. Login validates the JWT's claims against the role, then sends
 * it to {@code <kubernetes_host>/apis/authentication.k8s.io/v1/tokenreviews} over its own HTTP client
 * that trusts only {@code kubernetes_ca_cert} and authenticates with {@code token_reviewer_jwt} (or,
 * when that is unset, with the login JWT itself, as Vault does outside a pod), and answers every
 * failure with Vault's status and text. TokenReview failures answer a bare 403
 * {@code permission denied}; the real cause goes to the audit log only.
 *
 * <p>Deviations: the fake runs outside a pod, so there is no local service account token or CA file
 * (with {@code disable_local_ca_jwt=false} and no CA configured, login fails as Vault's would without
 * the file); {@code bound_service_account_namespace_selector} is stored but never matches;
 * {@code use_annotations_as_alias_metadata} is stored but not used. Thread-safe.
 */
final class KubernetesAuthBackend implements Backend {
  private static final MediaType JSON = MediaType.get("application/json");
  private static final String LOCAL_CA = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  // No idle connections are kept: a test that counts the connections open at the fake API server
  // sees only those of the code under test.
  private static final OkHttpClient BASE_CLIENT = new OkHttpClient.Builder()
      .connectionPool(new okhttp3.ConnectionPool(0, 1, TimeUnit.SECONDS))
      .connectTimeout(5, TimeUnit.SECONDS).readTimeout(10, TimeUnit.SECONDS)
      .callTimeout(15, TimeUnit.SECONDS).retryOnConnectionFailure(false).build();

  private final Mount mount;
  private final TokenStore tokens;
  private volatile Config config;
  private final Map<String, Role> roles = new ConcurrentHashMap<>();
  private final Map<String, String> entities = new ConcurrentHashMap<>();

  KubernetesAuthBackend(Mount mount, TokenStore tokens) {
    this.mount = mount;
    this.tokens = tokens;
  }

  record Config(String host, String caCert, List<String> pemKeys, List<PublicKey> publicKeys,
      String tokenReviewerJwt, String issuer, boolean disableIssValidation,
      boolean disableLocalCaJwt, boolean useAnnotationsAsAliasMetadata) {}

  static final class Role {
    List<String> names = List.of();
    List<String> namespaces = List.of();
    String namespaceSelector = "";
    String audience = "";
    String aliasNameSource = "serviceaccount_uid";
    List<String> tokenPolicies = List.of();
    List<String> policies;
    List<String> tokenBoundCidrs = List.of();
    List<String> boundCidrs;
    Duration tokenTtl = Duration.ZERO;
    Duration ttl;
    Duration tokenMaxTtl = Duration.ZERO;
    Duration maxTtl;
    Duration tokenExplicitMaxTtl = Duration.ZERO;
    Duration tokenPeriod = Duration.ZERO;
    Duration period;
    boolean tokenNoDefaultPolicy;
    int tokenNumUses;
    Integer numUses;
    String tokenType = "default";

    Role copy() {
      Role r = new Role();
      r.names = names;
      r.namespaces = namespaces;
      r.namespaceSelector = namespaceSelector;
      r.audience = audience;
      r.aliasNameSource = aliasNameSource;
      r.tokenPolicies = tokenPolicies;
      r.policies = policies;
      r.tokenBoundCidrs = tokenBoundCidrs;
      r.boundCidrs = boundCidrs;
      r.tokenTtl = tokenTtl;
      r.ttl = ttl;
      r.tokenMaxTtl = tokenMaxTtl;
      r.maxTtl = maxTtl;
      r.tokenExplicitMaxTtl = tokenExplicitMaxTtl;
      r.tokenPeriod = tokenPeriod;
      r.period = period;
      r.tokenNoDefaultPolicy = tokenNoDefaultPolicy;
      r.tokenNumUses = tokenNumUses;
      r.numUses = numUses;
      r.tokenType = tokenType;
      return r;
    }
  }

  @Override
  public String mountType() {
    return "kubernetes";
  }

  @Override
  public Boolean exists(String path) {
    if (path.startsWith("role/")) {
      return roles.containsKey(path.substring(5).toLowerCase(Locale.ROOT));
    }
    if (path.equals("config")) {
      return config != null;
    }
    return null;
  }

  @Override
  public ServerResponse handle(Call call) {
    String p = call.path();
    if (p.equals("login")) {
      return call.op().isWrite() ? login(call) : Reply.unsupportedOperation();
    }
    if (p.equals("config")) {
      return switch (call.op()) {
        case READ -> readConfig();
        case CREATE, UPDATE -> writeConfig(call);
        default -> Reply.unsupportedOperation();
      };
    }
    if (p.equals("role/") || p.equals("role")) {
      if (call.op() != Op.LIST) {
        return Reply.unsupportedOperation();
      }
      if (roles.isEmpty()) {
        return Reply.notFound();
      }
      return Reply.ok(Map.of("keys", new ArrayList<>(new TreeSet<>(roles.keySet()))),
          mountType());
    }
    if (p.startsWith("role/")) {
      String name = p.substring(5);
      return switch (call.op()) {
        case READ -> Optional.ofNullable(roles.get(name.toLowerCase(Locale.ROOT)))
            .map(r -> Reply.ok(roleJson(r), mountType())).orElseGet(Reply::notFound);
        case CREATE, UPDATE -> writeRole(name, call);
        case DELETE -> {
          roles.remove(name.toLowerCase(Locale.ROOT));
          yield Reply.noContent();
        }
        default -> Reply.unsupportedOperation();
      };
    }
    return Reply.error(404, "1 error occurred:\n\t* unsupported path\n\n");
  }

  // ------------------------------------------------------------------ config

  private ServerResponse readConfig() {
    Config c = config;
    if (c == null) {
      return Reply.notFound();
    }
    Map<String, Object> d = new TreeMap<>();
    d.put("disable_iss_validation", c.disableIssValidation());
    d.put("disable_local_ca_jwt", c.disableLocalCaJwt());
    d.put("issuer", c.issuer());
    d.put("kubernetes_ca_cert", c.caCert());
    d.put("kubernetes_host", c.host());
    d.put("pem_keys", c.pemKeys());
    d.put("token_reviewer_jwt_set", !c.tokenReviewerJwt().isEmpty());
    d.put("use_annotations_as_alias_metadata", c.useAnnotationsAsAliasMetadata());
    return Reply.ok(d, mountType());
  }

  private ServerResponse writeConfig(Call call) {
    String host = call.text("kubernetes_host");
    if (host.isEmpty()) {
      return Reply.badRequest("no host provided");
    }
    String ca = call.text("kubernetes_ca_cert");
    if (!ca.isEmpty() && !ca.contains("-----BEGIN ")) {
      return Reply.badRequest("The provided CA PEM data contains no valid certificates");
    }
    List<String> pemKeys = TokenBackend.stringList(call.field("pem_keys").orElse(null));
    List<PublicKey> keys;
    try {
      keys = ServiceAccountJwt.parsePublicKeys(pemKeys);
    } catch (IllegalArgumentException e) {
      return Reply.badRequest(e.getMessage());
    }
    config = new Config(host, ca, pemKeys, keys, call.text("token_reviewer_jwt"),
        call.text("issuer"), !call.text("disable_iss_validation").equals("false"),
        call.text("disable_local_ca_jwt").equals("true"),
        call.text("use_annotations_as_alias_metadata").equals("true"));
    return Reply.noContent();
  }

  // ------------------------------------------------------------------ roles

  private static Map<String, Object> roleJson(Role r) {
    Map<String, Object> d = new TreeMap<>();
    d.put("bound_service_account_names", r.names);
    d.put("bound_service_account_namespaces", r.namespaces);
    d.put("bound_service_account_namespace_selector", r.namespaceSelector);
    if (!r.audience.isEmpty()) {
      d.put("audience", r.audience);
    }
    d.put("token_bound_cidrs", r.tokenBoundCidrs);
    d.put("token_explicit_max_ttl", r.tokenExplicitMaxTtl.getSeconds());
    d.put("token_max_ttl", r.tokenMaxTtl.getSeconds());
    d.put("token_no_default_policy", r.tokenNoDefaultPolicy);
    d.put("token_num_uses", r.tokenNumUses);
    d.put("token_period", r.tokenPeriod.getSeconds());
    d.put("token_policies", r.tokenPolicies);
    d.put("token_ttl", r.tokenTtl.getSeconds());
    d.put("token_type", r.tokenType);
    if (r.policies != null && !r.policies.isEmpty()) {
      d.put("policies", r.tokenPolicies);
    }
    if (r.boundCidrs != null && !r.boundCidrs.isEmpty()) {
      d.put("bound_cidrs", r.tokenBoundCidrs);
    }
    if (r.ttl != null && r.ttl.compareTo(Duration.ZERO) > 0) {
      d.put("ttl", r.ttl.getSeconds());
    }
    if (r.maxTtl != null && r.maxTtl.compareTo(Duration.ZERO) > 0) {
      d.put("max_ttl", r.maxTtl.getSeconds());
    }
    if (r.period != null && r.period.compareTo(Duration.ZERO) > 0) {
      d.put("period", r.period.getSeconds());
    }
    if (r.numUses != null && r.numUses > 0) {
      d.put("num_uses", r.numUses);
    }
    d.put("alias_name_source", r.aliasNameSource);
    return d;
  }

  private ServerResponse writeRole(String name, Call call) {
    String key = name.toLowerCase(Locale.ROOT);
    Role existing = roles.get(key);
    boolean create = call.op() == Op.CREATE || existing == null;
    Role r = existing == null ? new Role() : existing.copy();
    try {
      parseTokenFields(r, call);
    } catch (GoDuration.InvalidDurationException | IllegalArgumentException e) {
      return Reply.badRequest(e.getMessage());
    }
    if (r.tokenPeriod.compareTo(Token.SYSTEM_TTL) > 0) {
      return Reply.badRequest("token period of '\"" + GoDuration.format(r.tokenPeriod)
          + "\"' is greater than the backend's maximum lease TTL of '\""
          + GoDuration.format(Token.SYSTEM_TTL) + "\"'");
    }
    if (r.tokenMaxTtl.compareTo(Duration.ZERO) > 0 && r.tokenTtl.compareTo(r.tokenMaxTtl) > 0) {
      return Reply.badRequest("token ttl should not be greater than token max ttl");
    }
    List<String> warnings = new ArrayList<>();
    if (r.tokenMaxTtl.compareTo(Token.SYSTEM_TTL) > 0) {
      warnings.add("max_ttl is greater than the system or backend mount's maximum TTL value; "
          + "issued tokens' max TTL value will be truncated");
    }
    if (call.has("bound_service_account_names")) {
      r.names = TokenBackend.stringList(call.field("bound_service_account_names").orElse(null));
    } else if (create) {
      r.names = List.of();
    }
    if (r.names.isEmpty()) {
      return Reply.badRequest("\"bound_service_account_names\" can not be empty");
    }
    if (r.names.size() > 1 && r.names.contains("*")) {
      return Reply.badRequest("can not mix \"*\" with values");
    }
    if (call.has("bound_service_account_namespaces")) {
      r.namespaces = TokenBackend.stringList(
          call.field("bound_service_account_namespaces").orElse(null));
    }
    r.namespaceSelector = call.text("bound_service_account_namespace_selector");
    if (r.namespaces.isEmpty() && r.namespaceSelector.isEmpty()) {
      return Reply.badRequest("\"bound_service_account_namespaces\" can not be empty if "
          + "\"bound_service_account_namespace_selector\" is not set");
    }
    if (r.namespaces.size() > 1 && r.namespaces.contains("*")) {
      return Reply.badRequest("can not mix \"*\" with values");
    }
    if (call.has("audience")) {
      r.audience = call.text("audience");
    }
    if (r.audience.isBlank()) {
      warnings.add("Role " + name + " does not have an audience configured. While audiences are "
          + "not required, consider specifying one if your use case would benefit from additional "
          + "JWT claim verification.");
    }
    if (call.has("alias_name_source")) {
      String source = call.text("alias_name_source");
      if (!source.equals("serviceaccount_uid") && !source.equals("serviceaccount_name")) {
        return Reply.badRequest("invalid alias_name_source \"" + source + "\", must be one of "
            + "[serviceaccount_uid serviceaccount_name]");
      }
      r.aliasNameSource = source;
    }
    roles.put(key, r);
    return warnings.isEmpty() ? Reply.noContent() : Reply.warnings(warnings, mountType());
  }

  private static void parseTokenFields(Role r, Call call)
      throws GoDuration.InvalidDurationException {
    if (call.has("token_policies")) {
      r.tokenPolicies = TokenBackend.stringList(call.field("token_policies").orElse(null));
      r.policies = call.has("policies") ? r.tokenPolicies : null;
    } else if (call.has("policies")) {
      r.policies = TokenBackend.stringList(call.field("policies").orElse(null));
      r.tokenPolicies = r.policies;
    }
    if (call.has("token_bound_cidrs")) {
      r.tokenBoundCidrs = TokenBackend.stringList(call.field("token_bound_cidrs").orElse(null));
      r.boundCidrs = call.has("bound_cidrs") ? r.tokenBoundCidrs : null;
    } else if (call.has("bound_cidrs")) {
      r.boundCidrs = TokenBackend.stringList(call.field("bound_cidrs").orElse(null));
      r.tokenBoundCidrs = r.boundCidrs;
    }
    if (call.has("token_ttl")) {
      r.tokenTtl = duration(call, "token_ttl");
      r.ttl = call.has("ttl") ? r.tokenTtl : null;
    } else if (call.has("ttl")) {
      r.ttl = duration(call, "ttl");
      r.tokenTtl = r.ttl;
    }
    if (call.has("token_max_ttl")) {
      r.tokenMaxTtl = duration(call, "token_max_ttl");
      r.maxTtl = call.has("max_ttl") ? r.tokenMaxTtl : null;
    } else if (call.has("max_ttl")) {
      r.maxTtl = duration(call, "max_ttl");
      r.tokenMaxTtl = r.maxTtl;
    }
    if (call.has("token_period")) {
      r.tokenPeriod = duration(call, "token_period");
      r.period = call.has("period") ? r.tokenPeriod : null;
    } else if (call.has("period")) {
      r.period = duration(call, "period");
      r.tokenPeriod = r.period;
    }
    if (call.has("token_explicit_max_ttl")) {
      r.tokenExplicitMaxTtl = duration(call, "token_explicit_max_ttl");
    }
    if (call.has("token_no_default_policy")) {
      r.tokenNoDefaultPolicy = call.text("token_no_default_policy").equals("true");
    }
    if (call.has("token_num_uses")) {
      r.tokenNumUses = Integer.parseInt(call.text("token_num_uses"));
    } else if (call.has("num_uses")) {
      r.numUses = Integer.parseInt(call.text("num_uses"));
      r.tokenNumUses = r.numUses;
    }
    if (call.has("token_type")) {
      String type = call.text("token_type");
      if (!List.of("default", "service", "batch", "default-service", "default-batch")
          .contains(type)) {
        throw new IllegalArgumentException("invalid 'token_type' value \"" + type + "\"");
      }
      r.tokenType = type;
    }
  }

  private static Duration duration(Call call, String name)
      throws GoDuration.InvalidDurationException {
    return GoDuration.parse(call.field(name).orElse(null));
  }

  // ------------------------------------------------------------------ login

  private ServerResponse login(Call call) {
    String roleName = call.text("role");
    if (roleName.isEmpty()) {
      return Reply.badRequest("missing role");
    }
    String jwt = call.text("jwt");
    if (jwt.isEmpty()) {
      return Reply.badRequest("missing jwt");
    }
    Role role = roles.get(roleName.toLowerCase(Locale.ROOT));
    if (role == null) {
      return Reply.badRequest("invalid role name \"" + roleName + "\"");
    }
    if (!role.tokenBoundCidrs.isEmpty()
        && !cidrsAllow(role.tokenBoundCidrs, call.http().remoteAddress().getAddress())) {
      return Reply.missingToken().withAuditNote("login refused: client address not in "
          + "token_bound_cidrs of role " + roleName);
    }
    Config c = config;
    if (c == null) {
      return Reply.error(500, "could not load backend configuration");
    }
    if (!c.disableLocalCaJwt() && c.caCert().isEmpty()) {
      return Reply.error(500, "open " + LOCAL_CA + ": no such file or directory")
          .withAuditNote("no kubernetes_ca_cert configured and no local service account CA file");
    }
    ServiceAccountJwt sa;
    try {
      sa = ServiceAccountJwt.parse(jwt);
      if (!c.publicKeys().isEmpty()) {
        sa.verify(c.publicKeys());
      }
      String issuer = !c.disableIssValidation() ? c.issuer() : "";
      sa.validate(issuer, role.audience, call.now());
    } catch (ServiceAccountJwt.JwtException e) {
      if (e.getMessage().contains("verifying token signature")) {
        return Reply.missingToken().withAuditNote("login refused: " + e.getMessage());
      }
      return Reply.error(403, e.getMessage());
    }
    boolean anyName = role.names.size() == 1 && role.names.get(0).equals("*");
    if (!anyName && !globContains(role.names, sa.name())) {
      return Reply.error(403, "service account name not authorized");
    }
    boolean nsAllowed = !role.namespaces.isEmpty() && (role.namespaces.get(0).equals("*")
        || globContains(role.namespaces, sa.namespace()));
    if (!nsAllowed) {
      return Reply.error(403, "namespace not authorized");
    }
    String alias;
    if (role.aliasNameSource.equals("serviceaccount_name")) {
      if (sa.namespace().isEmpty() || sa.name().isEmpty()) {
        return Reply.error(500, "service account namespace and name must be set");
      }
      alias = sa.namespace() + "/" + sa.name();
    } else {
      if (sa.uid().isEmpty()) {
        return Reply.error(500, "could not parse UID from claims");
      }
      alias = sa.uid();
    }
    String failure = review(c, jwt, role.audience.isEmpty() ? sa.audiences()
        : List.of(role.audience), sa);
    if (failure != null) {
      return Reply.missingToken().withAuditNote("TokenReview failed: " + failure);
    }
    if (sa.uid().isEmpty()) {
      return Reply.error(500, "could not parse UID from claims");
    }
    return Reply.auth(issue(call, roleName, role, sa, alias).authJson(call.now()), null,
        mountType());
  }

  private Token issue(Call call, String roleName, Role role, ServiceAccountJwt sa, String alias) {
    TreeSet<String> policies = new TreeSet<>();
    for (String p : role.tokenPolicies) {
      policies.add(p.trim().toLowerCase(Locale.ROOT));
    }
    policies.remove("");
    if (!role.tokenNoDefaultPolicy && !policies.contains("root")) {
      policies.add("default");
    }
    Duration max = role.tokenMaxTtl.isZero() ? Token.SYSTEM_TTL : role.tokenMaxTtl;
    if (max.compareTo(Token.SYSTEM_TTL) > 0) {
      max = Token.SYSTEM_TTL;
    }
    if (!role.tokenExplicitMaxTtl.isZero() && role.tokenExplicitMaxTtl.compareTo(max) < 0) {
      max = role.tokenExplicitMaxTtl;
    }
    Duration ttl = role.tokenTtl.isZero() ? Token.SYSTEM_TTL : role.tokenTtl;
    if (ttl.compareTo(max) > 0) {
      ttl = max;
    }
    Map<String, String> meta = new TreeMap<>();
    meta.put("role", roleName);
    meta.put("service_account_name", sa.name());
    meta.put("service_account_namespace", sa.namespace());
    meta.put("service_account_secret_name", sa.secretName());
    meta.put("service_account_uid", sa.uid());
    String entityId = entities.computeIfAbsent(alias, a -> UUID.randomUUID().toString());
    String displayName = mount.path.replace('/', '-') + sa.namespace() + "-" + sa.name();
    TokenStore.Spec spec = new TokenStore.Spec(call.namespace(), displayName,
        "auth/" + mount.path + "login", entityId, new ArrayList<>(policies), meta, ttl,
        role.tokenExplicitMaxTtl, max, true, true, null, mount.accessor);
    return tokens.issue(spec, call.now());
  }

  /** Calls the TokenReview API; returns null on success, else the real cause. */
  private String review(Config c, String jwt, List<String> audiences, ServiceAccountJwt sa) {
    String base = c.host().endsWith("/") ? c.host().substring(0, c.host().length() - 1)
        : c.host();
    HttpUrl url = HttpUrl.parse(base + "/apis/authentication.k8s.io/v1/tokenreviews");
    if (url == null) {
      return "kubernetes_host \"" + c.host() + "\" is not a URL (unsupported protocol scheme)";
    }
    OkHttpClient client;
    try {
      client = clientFor(c);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    ObjectNode body = VaultJson.MAPPER.createObjectNode();
    body.putObject("metadata");
    ObjectNode spec = body.putObject("spec");
    spec.put("token", jwt);
    if (!audiences.isEmpty()) {
      ArrayNode a = spec.putArray("audiences");
      audiences.forEach(a::add);
    }
    body.putObject("status").putObject("user");
    String bearer = c.tokenReviewerJwt().isEmpty() ? jwt : c.tokenReviewerJwt();
    Request request = new Request.Builder().url(url)
        .header("Authorization", "Bearer " + bearer)
        .header("Accept", "application/json")
        .post(RequestBody.create(body.toString(), JSON)).build();
    JsonNode review;
    try (Response response = client.newCall(request).execute()) {
      String text = response.body().string();
      int code = response.code();
      if (code < 200 || code > 206) {
        if (code == 401) {
          return "HTTP 401 from " + url.host() + ": lookup failed: service account unauthorized; "
              + "this could mean it has been deleted or recreated with a new token";
        }
        return "HTTP " + code + " from " + url.host() + statusMessage(text);
      }
      review = VaultJson.MAPPER.readTree(text);
    } catch (SSLException e) {
      return "TLS to " + url.host() + ":" + url.port() + " failed (kubernetes_ca_cert does not "
          + "verify the API server certificate, or host name mismatch): " + rootMessage(e);
    } catch (IOException e) {
      return "cannot reach " + url.host() + ":" + url.port() + ": " + rootMessage(e);
    }
    if (review == null || !review.isObject()) {
      return "TokenReview response is not a JSON object";
    }
    JsonNode statusField = review.get("status");
    if (statusField != null && statusField.isTextual() && !statusField.asText().equals("Success")) {
      return "Status " + statusField.asText() + statusMessage(review.toString());
    }
    JsonNode status = review.path("status");
    if (!status.path("error").asText("").isEmpty()) {
      return "lookup failed: " + status.path("error").asText();
    }
    if (!status.path("authenticated").asBoolean(false)) {
      return "lookup failed: service account jwt not valid";
    }
    if (!audiences.isEmpty()) {
      List<String> got = new ArrayList<>();
      status.path("audiences").forEach(a -> got.add(a.asText()));
      if (audiences.stream().noneMatch(got::contains)) {
        return "lookup failed: service account jwt valid for audience(s) " + got
            + ", but wanted " + audiences;
      }
    }
    String[] parts = status.path("user").path("username").asText("").split(":", -1);
    if (parts.length != 4) {
      return "lookup failed: unexpected username format";
    }
    if (!parts[0].equals("system") || !parts[1].equals("serviceaccount")) {
      return "lookup failed: username returned is not a service account";
    }
    if (!sa.name().equals(parts[3])) {
      return "JWT names did not match";
    }
    if (!sa.uid().equals(status.path("user").path("uid").asText(""))) {
      return "JWT UIDs did not match";
    }
    if (!sa.namespace().equals(parts[2])) {
      return "JWT namepaces did not match";
    }
    return null;
  }

  private static String statusMessage(String text) {
    try {
      JsonNode n = VaultJson.MAPPER.readTree(text);
      if (n != null && n.has("message")) {
        return ": " + n.get("message").asText();
      }
    } catch (IOException e) {
      // not a Status
    }
    return "";
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }

  private OkHttpClient clientFor(Config c) {
    if (c.caCert().isEmpty()) {
      return BASE_CLIENT;
    }
    List<X509Certificate> roots;
    try {
      roots = TestPki.parseCertificates(c.caCert(), "kubernetes_ca_cert");
    } catch (IllegalArgumentException e) {
      roots = List.of();
    }
    if (roots.isEmpty()) {
      throw new IllegalArgumentException("kubernetes_ca_cert holds no parseable certificate; "
          + "TLS verification fails");
    }
    X509TrustManager trust = TestPki.trustManagerFor(roots);
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new javax.net.ssl.TrustManager[] {trust}, null);
      return BASE_CLIENT.newBuilder().sslSocketFactory(ctx.getSocketFactory(), trust).build();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot build TLS context: " + e.getMessage());
    }
  }

  static boolean globContains(List<String> patterns, String value) {
    for (String p : patterns) {
      if (p.equals(value)) {
        return true;
      }
      boolean start = p.startsWith("*");
      boolean end = p.endsWith("*") && p.length() > 1;
      String core = p.substring(start ? 1 : 0, end ? p.length() - 1 : p.length());
      if (start && end && value.contains(core)) {
        return true;
      }
      if (start && !end && value.endsWith(core)) {
        return true;
      }
      if (!start && end && value.startsWith(core)) {
        return true;
      }
    }
    return false;
  }

  static boolean cidrsAllow(List<String> cidrs, InetAddress address) {
    for (String cidr : cidrs) {
      String[] parts = cidr.trim().split("/");
      try {
        byte[] net = InetAddress.getByName(parts[0]).getAddress();
        byte[] addr = address.getAddress();
        if (net.length != addr.length) {
          continue;
        }
        int bits = parts.length > 1 ? Integer.parseInt(parts[1]) : net.length * 8;
        boolean match = true;
        for (int i = 0; i < bits && match; i++) {
          int mask = 0x80 >> (i % 8);
          match = (net[i / 8] & mask) == (addr[i / 8] & mask);
        }
        if (match) {
          return true;
        }
      } catch (UnknownHostException | NumberFormatException e) {
        // not a CIDR; ignore
      }
    }
    return false;
  }
}
