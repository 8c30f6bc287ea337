package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The fake API server's request handling: authentication, discovery, the REST verbs of every served
 * resource (get, list, watch, create, update, patch, apply, delete, deletecollection), the
 * {@code status} and {@code token} subresources, TokenReview, server-side printing (Tables), the
 * service account issuer discovery documents, and errors as {@code Status} objects. Public only for
 * {@code FakeKubernetes}; thread-safe.
 */
public final class ApiServer implements Handler {
  /** The largest request body the API server reads (3 MiB). */
  static final int MAX_REQUEST_BYTES = 3 * 1024 * 1024;
  private static final Duration DEFAULT_WATCH_TIMEOUT = Duration.ofMinutes(30);

  private final Cluster cluster;
  private final Authentication authentication;
  private final String gitVersion;
  private final Duration bookmarkInterval;
  private volatile String serverUrl = "https://127.0.0.1:6443";

  /**
   * A fresh cluster (namespaces default, kube-system, kube-public, kube-node-lease; bootstrap
   * cluster roles) on {@code clock}, accepting {@code adminToken}, issuing service account tokens
   * as {@code issuer}.
   */
  public ApiServer(Clock clock, String adminToken, String issuer, String gitVersion,
      int watchHistory, Duration bookmarkInterval) {
    this.cluster = new Cluster(clock, issuer, watchHistory);
    this.authentication = new Authentication(cluster, adminToken);
    this.gitVersion = gitVersion;
    this.bookmarkInterval = bookmarkInterval;
  }

  /** Sets the CA (PEM) that token Secrets and {@code kube-root-ca.crt} ConfigMaps carry. */
  public void setCaPem(String caPem) {
    cluster.setCaPem(caPem);
  }

  /** Sets the server's own URL, for discovery and the issuer discovery documents. */
  public void setServerUrl(String url) {
    this.serverUrl = url;
  }

  /** Creates the objects a fresh cluster has. Call once, after {@link #setCaPem}. */
  public void bootstrap() {
    cluster.bootstrap();
  }

  /** How errors and injected status faults are rendered: a Kubernetes {@code Status}. */
  public static ErrorRenderer errorRenderer() {
    return (status, message) -> ServerResponse.json(status, ApiError.statusObject("Failure",
        message.isEmpty() ? reasonText(status) : message, reason(status), null, status));
  }

  /** Status and "sealed" faults as an API server would answer them (503 for sealed). */
  public static TestHttpServer.FaultResponder faultResponder() {
    ErrorRenderer r = errorRenderer();
    return (request, fault) -> fault.mode() == FaultInjector.Mode.SEALED
        ? r.render(503, "the server is currently unable to handle the request")
        : r.render(fault.status(), "");
  }

  private static String reason(int status) {
    return switch (status) {
      case 400 -> "BadRequest";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "NotFound";
      case 405 -> "MethodNotAllowed";
      case 409 -> "Conflict";
      case 410 -> "Expired";
      case 413 -> "RequestEntityTooLarge";
      case 422 -> "Invalid";
      case 429 -> "TooManyRequests";
      case 500 -> "InternalError";
      case 503 -> "ServiceUnavailable";
      case 504 -> "Timeout";
      default -> "";
    };
  }

  private static String reasonText(int status) {
    return switch (status) {
      case 401 -> "Unauthorized";
      case 404 -> "the server could not find the requested resource";
      case 429 -> "Too many requests, please try again later.";
      case 500 -> "Internal error occurred: injected fault";
      case 503 -> "the server is currently unable to handle the request";
      default -> "the server responded with the status code " + status;
    };
  }

  /** Whether {@code request} carries the admin token. */
  public boolean isAdmin(ServerRequest request) {
    return bearer(request).map(t -> authentication.authenticate(t, List.of()).user()
        .map(u -> u.username().equals(Authentication.ADMIN_USER)).orElse(false)).orElse(false);
  }

  // ------------------------------------------------------------------ entry point

  @Override
  public ServerResponse handle(ServerRequest request) {
    try {
      return route(request);
    } catch (ApiError e) {
      return ServerResponse.json(e.code(), e.status());
    } catch (ServerRequest.MalformedJsonException e) {
      return ServerResponse.json(400, ApiError.badRequest(e.getMessage()).status());
    }
  }

  private ServerResponse route(ServerRequest request) {
    String path = request.path();
    while (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    switch (path) {
      case "/healthz", "/livez", "/readyz" -> {
        return ServerResponse.text(200, "ok");
      }
      case "/version" -> {
        return json(200, version());
      }
      default -> { }
    }
    if (request.body().length > MAX_REQUEST_BYTES) {
      throw ApiError.tooLarge("Request entity too large: limit is " + MAX_REQUEST_BYTES);
    }
    Authentication.User user = authenticate(request);
    if (path.equals("/.well-known/openid-configuration")) {
      return json(200, openIdConfiguration());
    }
    if (path.equals("/openid/v1/jwks")) {
      return ServerResponse.bytes(200, "application/jwk-set+json",
          KubeJson.write(cluster.tokens.jwks()).getBytes(StandardCharsets.UTF_8));
    }
    if (path.equals("/openapi/v2")) {
      String accept = request.header("Accept").orElse("");
      if (accept.contains("protobuf")) {
        return ServerResponse.bytes(200, OpenApiV2.PROTOBUF,
            OpenApiV2.protobuf(cluster.registry.all(), gitVersion));
      }
      return json(200, OpenApiV2.json(cluster.registry.all(), gitVersion));
    }
    if (path.equals("/api")) {
      return json(200, cluster.registry.apiVersions(serverUrl.replaceFirst("^https?://", "")));
    }
    if (path.equals("/apis")) {
      return json(200, cluster.registry.apiGroupList());
    }
    String[] segs = path.substring(1).split("/");
    if (segs[0].equals("api") && segs.length >= 2) {
      if (!segs[1].equals("v1")) {
        throw ApiError.noRoute();
      }
      if (segs.length == 2) {
        return json(200, cluster.registry.apiResourceList("", "v1"));
      }
      return resource(request, user, "", "v1", slice(segs, 2));
    }
    if (segs[0].equals("apis") && segs.length >= 2) {
      String group = segs[1];
      if (!cluster.registry.hasGroup(group)) {
        throw ApiError.noRoute();
      }
      if (segs.length == 2) {
        return json(200, cluster.registry.apiGroup(group, true));
      }
      String version = segs[2];
      if (!cluster.registry.servesGroupVersion(group, version)) {
        throw ApiError.noRoute();
      }
      if (segs.length == 3) {
        return json(200, cluster.registry.apiResourceList(group, version));
      }
      return resource(request, user, group, version, slice(segs, 3));
    }
    throw ApiError.noRoute();
  }

  private Authentication.User authenticate(ServerRequest request) {
    Optional<String> token = bearer(request);
    if (token.isEmpty()) {
      throw ApiError.unauthorized();
    }
    return authentication.authenticate(token.get(), List.of()).user()
        .orElseThrow(ApiError::unauthorized);
  }

  private static Optional<String> bearer(ServerRequest request) {
    return request.header("Authorization").filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
        .map(h -> h.substring(7).strip());
  }

  private static String[] slice(String[] segs, int from) {
    String[] out = new String[segs.length - from];
    System.arraycopy(segs, from, out, 0, out.length);
    return out;
  }

  private ObjectNode version() {
    ObjectNode v = KubeJson.object();
    String[] parts = gitVersion.replaceFirst("^v", "").split("[.+-]");
    v.put("major", parts[0]);
    v.put("minor", parts.length > 1 ? parts[1] : "0");
    v.put("gitVersion", gitVersion);
    v.put("gitCommit", "0000000000000000000000000000000000000000");
    v.put("gitTreeState", "clean");
    v.put("buildDate", "2025-01-01T00:00:00Z");
    v.put("goVersion", "go1.24.0");
    v.put("compiler", "gc");
    v.put("platform", "linux/amd64");
    return v;
  }

  private ObjectNode openIdConfiguration() {
    ObjectNode doc = KubeJson.object();
    doc.put("issuer", cluster.tokens.issuer());
    doc.put("jwks_uri", serverUrl + "/openid/v1/jwks");
    doc.putArray("response_types_supported").add("id_token");
    doc.putArray("subject_types_supported").add("public");
    doc.putArray("id_token_signing_alg_values_supported").add("ES256");
    return doc;
  }

  // ------------------------------------------------------------------ resources

  /** What a resource path names. */
  private record Target(ResourceType type, String version, String namespace, String name,
      String subresource) {}

  private Target target(String group, String version, String[] rest) {
    if (rest.length >= 3 && rest[0].equals("namespaces")) {
      Optional<ResourceType> t = cluster.registry.find(group, version, rest[2]);
      if (t.isPresent() && t.get().namespaced()) {
        if (rest.length > 5) {
          throw ApiError.noRoute();
        }
        return new Target(t.get(), version, rest[1], rest.length > 3 ? rest[3] : null,
            rest.length > 4 ? rest[4] : "");
      }
    }
    ResourceType type = cluster.registry.find(group, version, rest[0])
        .orElseThrow(ApiError::noRoute);
    if (rest.length > 3) {
      throw ApiError.noRoute();
    }
    String name = rest.length > 1 ? rest[1] : null;
    String sub = rest.length > 2 ? rest[2] : "";
    if (type.namespaced() && name != null) {
      throw ApiError.noRoute();
    }
    return new Target(type, version, null, name, sub);
  }

  private ServerResponse resource(ServerRequest request, Authentication.User user, String group,
      String version, String[] rest) {
    Target t = target(group, version, rest);
    ResourceType type = t.type();
    if (!t.subresource().isEmpty()) {
      boolean ok = (t.subresource().equals("status") && type.statusSubresource())
          || (t.subresource().equals("token") && type == BuiltInResources.SERVICE_ACCOUNTS);
      if (!ok) {
        throw ApiError.noRoute();
      }
    }
    ServerResponse response = switch (request.method()) {
      case "GET" -> t.name() == null ? (isWatch(request) ? watch(request, t) : list(request, t))
          : get(request, t);
      case "POST" -> post(request, user, t);
      case "PUT" -> put(request, t);
      case "PATCH" -> patch(request, t);
      case "DELETE" -> t.name() == null ? deleteCollection(request, t) : delete(request, t);
      default -> throw methodNotAllowed();
    };
    return t.namespace() == null ? response : response.withAuditNamespace(t.namespace());
  }

  private static ApiError methodNotAllowed() {
    return ApiError.methodNotAllowed("the server does not allow this method on the requested "
        + "resource");
  }

  private static boolean isWatch(ServerRequest request) {
    String w = request.queryParameter("watch").orElse("");
    return w.equals("1") || w.equalsIgnoreCase("true");
  }

  private ServerResponse get(ServerRequest request, Target t) {
    ObjectNode obj = cluster.get(t.type(), t.namespace(), t.name())
        .orElseThrow(() -> ApiError.notFound(t.type().group(), t.type().plural(), t.name()));
    ObjectNode view = Cluster.view(t.type(), t.version(), obj);
    String table = Tables.requestedTableVersion(request.header("Accept").orElse(null));
    if (table != null) {
      return json(200, Tables.table(t.type(), null, List.of(view), table,
          request.queryParameter("includeObject").orElse("Metadata"),
          t.type().apiVersion(t.version()), cluster.now()));
    }
    return json(200, view);
  }

  private Predicate<ObjectNode> selectors(ServerRequest request, ResourceType type) {
    Predicate<ObjectNode> labels = Selectors.labels(request.queryParameter("labelSelector")
        .orElse(""));
    Predicate<ObjectNode> fields = Selectors.fields(request.queryParameter("fieldSelector")
        .orElse(""), type);
    return labels.and(fields);
  }

  private ServerResponse list(ServerRequest request, Target t) {
    if (!t.type().verbs().contains("list")) {
      throw methodNotAllowed();
    }
    Predicate<ObjectNode> filter = selectors(request, t.type());
    List<ObjectNode> items;
    long rv;
    synchronized (cluster.store) {
      items = cluster.list(t.type(), t.namespace(), filter);
      rv = cluster.store.resourceVersion();
    }
    int offset = 0;
    String cont = request.queryParameter("continue").orElse("");
    if (!cont.isEmpty()) {
      try {
        offset = Integer.parseInt(new String(Base64.getUrlDecoder().decode(cont),
            StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest("continue key is not valid: illegal base64 data");
      }
    }
    int limit = request.queryParameter("limit").map(ApiServer::parseIntOrZero).orElse(0);
    List<ObjectNode> page = items.subList(Math.min(offset, items.size()), items.size());
    String next = null;
    long remaining = 0;
    if (limit > 0 && page.size() > limit) {
      remaining = page.size() - limit;
      page = page.subList(0, limit);
      next = Base64.getUrlEncoder().encodeToString(Integer.toString(offset + limit)
          .getBytes(StandardCharsets.UTF_8));
    }
    List<ObjectNode> views = new ArrayList<>();
    for (ObjectNode o : page) {
      views.add(Cluster.view(t.type(), t.version(), o));
    }
    String table = Tables.requestedTableVersion(request.header("Accept").orElse(null));
    if (table != null) {
      ObjectNode tab = Tables.table(t.type(), Long.toString(rv), views, table,
          request.queryParameter("includeObject").orElse("Metadata"),
          t.type().apiVersion(t.version()), cluster.now());
      if (next != null) {
        ((ObjectNode) tab.get("metadata")).put("continue", next);
      }
      return json(200, tab);
    }
    ObjectNode list = KubeJson.object();
    list.put("kind", t.type().listKind());
    list.put("apiVersion", t.type().apiVersion(t.version()));
    ObjectNode meta = list.putObject("metadata");
    meta.put("resourceVersion", Long.toString(rv));
    if (next != null) {
      meta.put("continue", next);
      meta.put("remainingItemCount", remaining);
    }
    ArrayNode arr = list.putArray("items");
    for (ObjectNode v : views) {
      v.remove("kind");
      v.remove("apiVersion");
      arr.add(v);
    }
    return json(200, list);
  }

  private static int parseIntOrZero(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private ServerResponse watch(ServerRequest request, Target t) {
    if (!t.type().verbs().contains("watch")) {
      throw methodNotAllowed();
    }
    Predicate<ObjectNode> filter = selectors(request, t.type());
    String rv = request.queryParameter("resourceVersion").orElse("");
    WatchStream.checkResourceVersion(rv);
    long timeoutSeconds = request.queryParameter("timeoutSeconds").map(Long::parseLong)
        .orElse(DEFAULT_WATCH_TIMEOUT.getSeconds());
    boolean bookmarks = request.queryParameter("allowWatchBookmarks").map("true"::equals)
        .orElse(false);
    boolean initial = request.queryParameter("sendInitialEvents").map("true"::equals)
        .orElse(false);
    String table = Tables.requestedTableVersion(request.header("Accept").orElse(null));
    ResourceType type = t.type();
    String version = t.version();
    WatchStream stream = new WatchStream(cluster.store, type, t.namespace(), filter, rv,
        Duration.ofSeconds(Math.max(0, timeoutSeconds)), bookmarks, initial, bookmarkInterval,
        o -> {
          ObjectNode view = Cluster.view(type, version, o);
          return table == null ? view : Tables.table(type, null, List.of(view), table,
              "Metadata", type.apiVersion(version), cluster.now());
        });
    return ServerResponse.streaming(200, "application/json", stream);
  }

  private ServerResponse post(ServerRequest request, Authentication.User user, Target t) {
    if (t.subresource().equals("token")) {
      return tokenRequest(request, t);
    }
    if (t.name() != null) {
      throw methodNotAllowed();
    }
    ObjectNode body = bodyObject(request, t.type());
    if (t.type() == BuiltInResources.TOKEN_REVIEWS) {
      return json(201, authentication.review(body));
    }
    if (t.type() == BuiltInResources.SELF_SUBJECT_REVIEWS) {
      return json(201, selfSubjectReview(user, t.type().apiVersion(t.version())));
    }
    Cluster.Written w = cluster.create(t.type(), t.version(), t.namespace(), body,
        writeOptions(request));
    return withWarnings(json(201, Cluster.view(t.type(), t.version(), w.object())), w.warnings());
  }

  private static ObjectNode selfSubjectReview(Authentication.User user, String apiVersion) {
    ObjectNode out = KubeJson.object();
    out.put("kind", "SelfSubjectReview");
    out.put("apiVersion", apiVersion);
    out.putObject("metadata").putNull("creationTimestamp");
    ObjectNode info = out.putObject("status").putObject("userInfo");
    info.put("username", user.username());
    if (!user.uid().isEmpty()) {
      info.put("uid", user.uid());
    }
    ArrayNode groups = info.putArray("groups");
    user.groups().forEach(groups::add);
    if (!user.extra().isEmpty()) {
      ObjectNode extra = info.putObject("extra");
      user.extra().forEach((k, v) -> {
        ArrayNode values = extra.putArray(k);
        v.forEach(values::add);
      });
    }
    return out;
  }

  private ServerResponse put(ServerRequest request, Target t) {
    if (t.name() == null || t.subresource().equals("token")) {
      throw methodNotAllowed();
    }
    ObjectNode body = bodyObject(request, t.type());
    Cluster.Written w = cluster.update(t.type(), t.version(), t.namespace(), t.name(), body,
        writeOptions(request), t.subresource());
    return withWarnings(json(200, Cluster.view(t.type(), t.version(), w.object())), w.warnings());
  }

  private ServerResponse patch(ServerRequest request, Target t) {
    if (t.name() == null || t.subresource().equals("token")) {
      throw methodNotAllowed();
    }
    Cluster.Written w = cluster.patch(t.type(), t.version(), t.namespace(), t.name(),
        request.header("Content-Type").orElse(""), request.body(), writeOptions(request),
        t.subresource());
    return json(w.created() ? 201 : 200, Cluster.view(t.type(), t.version(), w.object()));
  }

  private ServerResponse delete(ServerRequest request, Target t) {
    if (!t.subresource().isEmpty() || !t.type().verbs().contains("delete")) {
      throw methodNotAllowed();
    }
    Cluster.Deleted d = cluster.delete(t.type(), t.namespace(), t.name(),
        deleteOptions(request));
    if (!d.gone()) {
      return json(200, Cluster.view(t.type(), t.version(), d.object()));
    }
    ObjectNode details = KubeJson.object();
    details.put("name", t.name());
    if (!t.type().group().isEmpty()) {
      details.put("group", t.type().group());
    }
    details.put("kind", t.type().plural());
    details.put("uid", KubeJson.text(d.object(), "metadata", "uid"));
    return json(200, ApiError.statusObject("Success", null, null, details, 0));
  }

  private ServerResponse deleteCollection(ServerRequest request, Target t) {
    if (!t.type().verbs().contains("deletecollection")) {
      throw methodNotAllowed();
    }
    Predicate<ObjectNode> filter = selectors(request, t.type());
    Cluster.DeleteOptions opts = deleteOptions(request);
    List<ObjectNode> deleted = new ArrayList<>();
    synchronized (cluster.store) {
      for (ObjectNode o : cluster.list(t.type(), t.namespace(), filter)) {
        String ns = t.type().namespaced() ? KubeJson.text(o, "metadata", "namespace") : null;
        String name = KubeJson.text(o, "metadata", "name");
        if (cluster.get(t.type(), ns, name).isPresent()) {
          deleted.add(cluster.delete(t.type(), ns, name, opts).object());
        }
      }
    }
    ObjectNode list = KubeJson.object();
    list.put("kind", t.type().listKind());
    list.put("apiVersion", t.type().apiVersion(t.version()));
    list.putObject("metadata").put("resourceVersion",
        Long.toString(cluster.store.resourceVersion()));
    ArrayNode items = list.putArray("items");
    for (ObjectNode o : deleted) {
      ObjectNode v = Cluster.view(t.type(), t.version(), o);
      v.remove("kind");
      v.remove("apiVersion");
      items.add(v);
    }
    return json(200, list);
  }

  private ServerResponse tokenRequest(ServerRequest request, Target t) {
    if (!request.method().equals("POST")) {
      throw methodNotAllowed();
    }
    JsonNode body = request.bodyIsBlank() ? KubeJson.object() : bodyObject(request,
        BuiltInResources.SERVICE_ACCOUNTS);
    JsonNode spec = body.path("spec");
    long seconds = spec.path("expirationSeconds").asLong(3600);
    if (spec.has("expirationSeconds") && seconds < 600) {
      throw ApiError.invalid(BuiltInResources.AUTHENTICATION, "TokenRequest", t.name(),
          List.of(FieldError.invalid("spec.expirationSeconds", seconds,
              "may not specify a duration less than 10 minutes")));
    }
    if (seconds > (1L << 32)) {
      throw ApiError.invalid(BuiltInResources.AUTHENTICATION, "TokenRequest", t.name(),
          List.of(FieldError.invalid("spec.expirationSeconds", seconds,
              "may not specify a duration larger than 2^32 seconds")));
    }
    List<String> audiences = KubeJson.strings(spec.get("audiences"));
    ServiceAccountTokens.BoundObject bound = null;
    JsonNode ref = spec.get("boundObjectRef");
    Instant now = cluster.now();
    String token;
    synchronized (cluster.store) {
      if (ref != null && ref.isObject()) {
        String kind = ref.path("kind").asText();
        ResourceType rt = switch (kind) {
          case "Pod" -> BuiltInResources.PODS;
          case "Secret" -> BuiltInResources.SECRETS;
          default -> throw ApiError.badRequest("cannot bind token for object of kind "
              + KubeJson.quote(kind));
        };
        String name = ref.path("name").asText();
        ObjectNode obj = cluster.get(rt, t.namespace(), name)
            .orElseThrow(() -> ApiError.notFound("", rt.plural(), name));
        String uid = KubeJson.text(obj, "metadata", "uid");
        String refUid = ref.path("uid").asText("");
        if (!refUid.isEmpty() && !refUid.equals(uid)) {
          throw ApiError.conflict("", rt.plural(), name, "the UID in the bound object reference ("
              + refUid + ") does not match the UID in record. The object might have been deleted "
              + "and then recreated");
        }
        bound = new ServiceAccountTokens.BoundObject(kind, name, uid);
      }
      token = cluster.requestToken(t.namespace(), t.name(), audiences, Duration.ofSeconds(seconds),
          bound);
    }
    ObjectNode out = KubeJson.object();
    out.put("kind", "TokenRequest");
    out.put("apiVersion", "authentication.k8s.io/v1");
    out.putObject("metadata").put("name", t.name()).put("namespace", t.namespace())
        .put("creationTimestamp", KubeJson.time(now));
    ObjectNode outSpec = out.putObject("spec");
    ArrayNode aud = outSpec.putArray("audiences");
    (audiences.isEmpty() ? cluster.apiAudiences : audiences).forEach(aud::add);
    outSpec.put("expirationSeconds", seconds);
    if (bound != null) {
      outSpec.set("boundObjectRef", ref.deepCopy());
    } else {
      outSpec.putNull("boundObjectRef");
    }
    ObjectNode status = out.putObject("status");
    status.put("token", token);
    status.put("expirationTimestamp", KubeJson.time(now.plusSeconds(seconds)));
    return json(201, out);
  }

  private ObjectNode bodyObject(ServerRequest request, ResourceType type) {
    JsonNode body;
    String ct = request.header("Content-Type").orElse("application/json").toLowerCase(Locale.ROOT);
    if (ct.startsWith("application/vnd.kubernetes.protobuf")) {
      return ProtobufBodies.decode(request.body());
    }
    try {
      body = KubeJson.parseJsonOrYaml(request.body(), ct.contains("yaml"));
    } catch (IOException e) {
      throw ApiError.badRequest("Object '" + type.kind() + "' is invalid: cannot decode the "
          + "request body as JSON");
    }
    if (body == null || !body.isObject()) {
      throw ApiError.badRequest("the request body must be a JSON object");
    }
    return (ObjectNode) body;
  }

  private Cluster.WriteOptions writeOptions(ServerRequest request) {
    String manager = request.queryParameter("fieldManager").orElse("");
    if (manager.length() > 128) {
      throw ApiError.invalid("meta.k8s.io", "CreateOptions", "",
          List.of(FieldError.tooLong("fieldManager", "may not be more than 128 bytes")));
    }
    if (manager.isEmpty() && !request.header("Content-Type").orElse("")
        .startsWith(Cluster.APPLY_PATCH)) {
      String agent = request.header("User-Agent").orElse("");
      manager = agent.isEmpty() ? "unknown" : agent.split("/")[0];
    }
    String validation = request.queryParameter("fieldValidation").orElse("Warn");
    if (!List.of("Strict", "Warn", "Ignore").contains(validation)) {
      throw ApiError.badRequest("fieldValidation must be one of \"Ignore\", \"Warn\", or "
          + "\"Strict\", got " + KubeJson.quote(validation));
    }
    boolean dryRun = request.queryParameters().getOrDefault("dryRun", List.of()).contains("All");
    boolean force = request.queryParameter("force").map("true"::equals).orElse(false);
    return new Cluster.WriteOptions(manager, dryRun, validation, force);
  }

  private Cluster.DeleteOptions deleteOptions(ServerRequest request) {
    JsonNode body = request.bodyIsBlank() ? KubeJson.object() : bodyObject(request,
        BuiltInResources.NAMESPACES);
    String policy = request.queryParameter("propagationPolicy")
        .orElse(body.path("propagationPolicy").asText("Background"));
    boolean dryRun = request.queryParameters().getOrDefault("dryRun", List.of()).contains("All")
        || KubeJson.strings(body.get("dryRun")).contains("All");
    return new Cluster.DeleteOptions(body.path("preconditions").path("uid").asText(""),
        body.path("preconditions").path("resourceVersion").asText(""), policy, dryRun);
  }

  private static ServerResponse withWarnings(ServerResponse r, List<String> warnings) {
    ServerResponse out = r;
    for (String w : warnings) {
      out = out.withHeader("Warning", "299 - " + KubeJson.quote(w));
    }
    return out;
  }

  private static ServerResponse json(int status, JsonNode body) {
    return ServerResponse.bytes(status, "application/json",
        KubeJson.write(body).getBytes(StandardCharsets.UTF_8));
  }

  // ------------------------------------------------------------------ in-process access

  /** In-process access for {@code FakeKubernetes}; the same semantics as over HTTP. */
  public InProcessApi local() {
    return new InProcessApi(cluster, authentication);
  }
}
