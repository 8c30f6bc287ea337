package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.common.collect.ImmutableList;
import io.secretsync.testkit.server.Handler;
import io.secretsync.testkit.server.ServerRequest;
import io.secretsync.testkit.server.ServerResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The fake API server's request handling: authentication, discovery, and the REST verbs on every
 * served type (get, list with label and field selectors, watch, create, replace, merge /
 * strategic-merge / apply patches, delete), the status subresource of custom resources, the
 * service account {@code token} subresource and TokenReview. Thread-safe.
 */
public final class KubeApi implements Handler {
  public static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  static final String SERVER_VERSION = "v1.33.0";

  private final ObjectStore store;
  private final ServiceAccountTokens tokens;
  private final Clock clock;
  private final String adminToken;
  private final String caPem;
  /** Group version path to plural to type. */
  private final Map<String, Map<String, ResourceType>> types = new ConcurrentHashMap<>();

  public KubeApi(Clock clock, String adminToken, String caPem) {
    this.clock = clock;
    this.store = new ObjectStore(clock);
    this.tokens = new ServiceAccountTokens(clock);
    this.adminToken = adminToken;
    this.caPem = caPem;
    for (ResourceType type : builtIns()) {
      register(type);
    }
    for (String ns : List.of("default", "kube-system", "kube-public", "kube-node-lease")) {
      ObjectNode namespace = NODES.objectNode();
      namespace.putObject("metadata").put("name", ns);
      create(type("", "v1", "namespaces"), namespace, "");
    }
  }

  private static List<ResourceType> builtIns() {
    return List.of(
        ResourceType.builtIn("", "v1", "Namespace", "namespaces", false, "ns"),
        ResourceType.builtIn("", "v1", "Secret", "secrets", true),
        ResourceType.builtIn("", "v1", "ConfigMap", "configmaps", true, "cm"),
        ResourceType.builtIn("", "v1", "ServiceAccount", "serviceaccounts", true, "sa"),
        ResourceType.builtIn("", "v1", "Pod", "pods", true, "po"),
        ResourceType.builtIn("", "v1", "Event", "events", true, "ev"),
        ResourceType.builtIn("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false),
        ResourceType.builtIn("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false),
        ResourceType.builtIn("rbac.authorization.k8s.io", "v1", "Role", "roles", true),
        ResourceType.builtIn("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true),
        ResourceType.builtIn("coordination.k8s.io", "v1", "Lease", "leases", true),
        ResourceType.builtIn("events.k8s.io", "v1", "Event", "events", true, "ev"),
        ResourceType.builtIn("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
            false, "crd", "crds"),
        new ResourceType("authentication.k8s.io", "v1", "TokenReview", "tokenreviews", "tokenreview", false,
            ImmutableList.of(), ImmutableList.of("create"), false, false, ImmutableList.of()));
  }

  private void register(ResourceType type) {
    types.computeIfAbsent(type.groupVersionPath(), k -> new ConcurrentHashMap<>()).put(type.plural(), type);
  }

  ResourceType type(String group, String version, String plural) {
    String path = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    return types.getOrDefault(path, Map.of()).get(plural);
  }

  private Map<String, ResourceType> allTypes() {
    Map<String, ResourceType> all = new LinkedHashMap<>();
    types.values().forEach(m -> m.values().forEach(t -> all.putIfAbsent(t.storageKey(), t)));
    return all;
  }

  ObjectStore store() {
    return store;
  }

  ServiceAccountTokens tokens() {
    return tokens;
  }

  public boolean isAdmin(ServerRequest request) {
    return bearer(request).map(adminToken::equals).orElse(false);
  }

  private static Optional<String> bearer(ServerRequest request) {
    return request.header("Authorization").filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
        .map(h -> h.substring(7).trim());
  }

  @Override
  public ServerResponse handle(ServerRequest request) {
    try {
      String path = request.path();
      if (path.equals("/healthz") || path.equals("/livez") || path.equals("/readyz")) {
        return ServerResponse.text(200, "ok");
      }
      Optional<String> token = bearer(request);
      if (token.isEmpty() || !(token.get().equals(adminToken)
          || tokens.verify(token.get(), List.of()).valid())) {
        throw Status.unauthorized();
      }
      if (path.equals("/version")) {
        return ServerResponse.json(200, version());
      }
      if (path.equals("/api")) {
        ObjectNode api = NODES.objectNode().put("kind", "APIVersions");
        api.putArray("versions").add("v1");
        api.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0")
            .put("serverAddress", request.header("Host").orElse("127.0.0.1"));
        return ServerResponse.json(200, api);
      }
      if (path.equals("/apis")) {
        return ServerResponse.json(200, groups());
      }
      if (path.equals("/openapi/v3")) {
        return ServerResponse.json(200, OpenApi.root(types.keySet()));
      }
      if (path.startsWith("/openapi/v3/")) {
        Map<String, ResourceType> served = types.get(path.substring("/openapi/v3".length()));
        if (served == null) {
          throw notFoundPath();
        }
        return ServerResponse.json(200, OpenApi.groupVersion(served.values()));
      }
      if (path.equals("/openapi/v2")) {
        java.util.List<ResourceType> all = new ArrayList<>();
        types.values().forEach(m -> all.addAll(m.values()));
        return ServerResponse.bytes(200, "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
            OpenApiV2.document(all));
      }
      if (path.startsWith("/openapi/")) {
        throw notFoundPath();
      }
      String contentType = request.header("Content-Type").orElse("");
      if (contentType.contains("cbor")) {
        throw Status.unsupportedMediaType(contentType);
      }
      return resource(request);
    } catch (Status.Failure failure) {
      return failure.response();
    } catch (ServerRequest.MalformedJsonException e) {
      return Status.badRequest("the body of the request could not be decoded as JSON").response();
    }
  }

  private ObjectNode version() {
    return NODES.objectNode().put("major", "1").put("minor", "33").put("gitVersion", SERVER_VERSION)
        .put("gitCommit", "0000000000000000000000000000000000000000").put("gitTreeState", "clean")
        .put("buildDate", "2026-01-01T00:00:00Z").put("goVersion", "go1.24").put("compiler", "gc")
        .put("platform", "linux/amd64");
  }

  private ObjectNode groups() {
    Map<String, List<String>> byGroup = new LinkedHashMap<>();
    for (String gv : types.keySet()) {
      if (gv.startsWith("/apis/")) {
        String[] parts = gv.substring(6).split("/");
        byGroup.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(parts[1]);
      }
    }
    ObjectNode list = NODES.objectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
    ArrayNode groups = list.putArray("groups");
    byGroup.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      ObjectNode group = groups.addObject().put("name", e.getKey());
      ArrayNode versions = group.putArray("versions");
      List<String> vs = e.getValue().stream().sorted((a, b) -> a.equals("v1") ? -1 : b.equals("v1") ? 1
          : a.compareTo(b)).toList();
      for (String v : vs) {
        versions.addObject().put("groupVersion", e.getKey() + "/" + v).put("version", v);
      }
      group.putObject("preferredVersion").put("groupVersion", e.getKey() + "/" + vs.get(0)).put("version", vs.get(0));
    });
    return list;
  }

  private ObjectNode resourceList(String groupVersionPath, Map<String, ResourceType> served) {
    String groupVersion = groupVersionPath.startsWith("/api/") ? groupVersionPath.substring(5)
        : groupVersionPath.substring(6);
    ObjectNode list = NODES.objectNode().put("kind", "APIResourceList").put("apiVersion", "v1")
        .put("groupVersion", groupVersion);
    ArrayNode resources = list.putArray("resources");
    served.values().stream().sorted((a, b) -> a.plural().compareTo(b.plural())).forEach(t -> {
      ObjectNode r = resources.addObject().put("name", t.plural()).put("singularName", t.singular())
          .put("namespaced", t.namespaced()).put("kind", t.kind());
      ArrayNode verbs = r.putArray("verbs");
      t.verbs().forEach(verbs::add);
      if (!t.shortNames().isEmpty()) {
        ArrayNode shorts = r.putArray("shortNames");
        t.shortNames().forEach(shorts::add);
      }
      if (t.custom()) {
        r.putArray("categories").add("external-secrets");
      }
      if (t.statusSubresource()) {
        ObjectNode status = resources.addObject().put("name", t.plural() + "/status").put("singularName", "")
            .put("namespaced", t.namespaced()).put("kind", t.kind());
        status.putArray("verbs").add("get").add("patch").add("update");
      }
      if (t.kind().equals("ServiceAccount")) {
        ObjectNode token = resources.addObject().put("name", "serviceaccounts/token").put("singularName", "")
            .put("namespaced", true).put("group", "authentication.k8s.io").put("version", "v1")
            .put("kind", "TokenRequest");
        token.putArray("verbs").add("create");
      }
    });
    return list;
  }

  // ---- resources -------------------------------------------------------------------------------

  private record Target(ResourceType type, String namespace, String name, String subresource) {}

  private ServerResponse resource(ServerRequest request) {
    String path = request.path();
    String prefix;
    String rest;
    String[] s = path.split("/");
    if (path.startsWith("/api/") && s.length >= 3) {
      prefix = "/api/" + s[2];
      rest = path.substring(prefix.length());
    } else if (path.startsWith("/apis/") && s.length >= 4) {
      prefix = "/apis/" + s[2] + "/" + s[3];
      rest = path.substring(prefix.length());
    } else {
      throw notFoundPath();
    }
    Map<String, ResourceType> served = types.get(prefix);
    if (served == null) {
      throw notFoundPath();
    }
    if (rest.isEmpty() || rest.equals("/")) {
      return ServerResponse.json(200, resourceList(prefix, served));
    }
    String[] parts = rest.substring(1).split("/");
    Target target;
    if (parts[0].equals("namespaces") && parts.length >= 3) {
      ResourceType type = served.get(parts[2]);
      if (type == null || !type.namespaced()) {
        throw notFoundPath();
      }
      target = new Target(type, parts[1], parts.length > 3 ? parts[3] : "", parts.length > 4 ? parts[4] : "");
    } else {
      ResourceType type = served.get(parts[0]);
      if (type == null) {
        throw notFoundPath();
      }
      target = new Target(type, "", parts.length > 1 ? parts[1] : "", parts.length > 2 ? parts[2] : "");
    }
    return verb(request, target);
  }

  private static Status.Failure notFoundPath() {
    return new Status.Failure(Status.of(404, "NotFound", "the server could not find the requested resource", null, null));
  }

  private ServerResponse verb(ServerRequest request, Target t) {
    String method = request.method();
    boolean dryRun = request.queryParameter("dryRun").isPresent();
    if (t.name().isEmpty()) {
      switch (method) {
        case "GET" -> {
          if (isTrue(request.queryParameter("watch"))) {
            return watch(request, t);
          }
          return list(request, t);
        }
        case "POST" -> {
          if (t.type().kind().equals("TokenReview")) {
            return ServerResponse.json(201, tokenReview(objectBody(request)));
          }
          ObjectNode body = objectBody(request);
          return ServerResponse.json(201, dryRun ? prepare(t.type(), body, t.namespace(), null)
              : create(t.type(), body, t.namespace()));
        }
        default -> throw Status.methodNotAllowed("the server does not allow this method on the requested resource");
      }
    }
    if (t.subresource().equals("token") && t.type().kind().equals("ServiceAccount") && method.equals("POST")) {
      return ServerResponse.json(201, tokenRequest(t, objectBody(request)));
    }
    if (!t.subresource().isEmpty() && !(t.subresource().equals("status") && t.type().statusSubresource())) {
      throw notFoundPath();
    }
    boolean status = t.subresource().equals("status");
    switch (method) {
      case "GET" -> {
        ObjectNode object = store.get(t.type(), t.namespace(), t.name()).orElseThrow(() -> Status.notFound(t.type(), t.name()));
        return ServerResponse.json(200, object);
      }
      case "PUT" -> {
        ObjectNode body = objectBody(request);
        checkIdentity(t, body);
        return ServerResponse.json(200, dryRun ? body : update(t.type(), body, t.namespace(), status));
      }
      case "PATCH" -> {
        return ServerResponse.json(200, patch(request, t, status, dryRun));
      }
      case "DELETE" -> {
        String precondition = "";
        if (!request.bodyIsBlank()) {
          precondition = request.bodyJson().path("preconditions").path("resourceVersion").asText("");
        }
        if (dryRun) {
          return ServerResponse.json(200, store.get(t.type(), t.namespace(), t.name())
              .orElseThrow(() -> Status.notFound(t.type(), t.name())));
        }
        ObjectNode deleted = store.delete(t.type(), t.namespace(), t.name(), precondition, allTypes());
        if (t.type().kind().equals("CustomResourceDefinition")) {
          unregisterCrd(deleted);
        }
        if (t.type().kind().equals("Namespace")) {
          deleteNamespaceContents(t.name());
        }
        return ServerResponse.json(200, deleted);
      }
      default -> throw Status.methodNotAllowed("the server does not allow this method on the requested resource");
    }
  }

  private static boolean isTrue(Optional<String> value) {
    return value.map(v -> v.equals("1") || v.equalsIgnoreCase("true")).orElse(false);
  }

  private static ObjectNode objectBody(ServerRequest request) {
    if (request.header("Content-Type").orElse("").contains("protobuf")) {
      return Protobuf.decode(request.body());
    }
    JsonNode body = request.bodyJson();
    if (!body.isObject()) {
      throw Status.badRequest("the body of the request must be a JSON object");
    }
    return (ObjectNode) body;
  }

  private void checkIdentity(Target t, ObjectNode body) {
    String name = body.path("metadata").path("name").asText("");
    if (!name.equals(t.name())) {
      throw Status.badRequest("the name of the object (" + name + ") does not match the name on the URL ("
          + t.name() + ")");
    }
  }

  // ---- create / update / patch -----------------------------------------------------------------

  /** Fills in what the API server fills in and validates; returns the object to store. */
  private ObjectNode prepare(ResourceType type, ObjectNode object, String namespace, ObjectNode previous) {
    object.put("apiVersion", type.apiVersion()).put("kind", type.kind());
    ObjectNode meta = object.has("metadata") && object.get("metadata").isObject() ? (ObjectNode) object.get("metadata")
        : object.putObject("metadata");
    if (type.namespaced()) {
      String given = meta.path("namespace").asText("");
      if (!given.isEmpty() && !namespace.isEmpty() && !given.equals(namespace)) {
        throw Status.badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      meta.put("namespace", namespace.isEmpty() ? given : namespace);
      if (store.get(type("", "v1", "namespaces"), "", meta.path("namespace").asText()).isEmpty()) {
        throw Status.notFound(type("", "v1", "namespaces"), meta.path("namespace").asText());
      }
    } else {
      meta.remove("namespace");
    }
    if (meta.path("name").asText("").isEmpty() && meta.has("generateName")) {
      meta.put("name", meta.path("generateName").asText() + Long.toString(Math.abs(System.nanoTime()) % 100000, 36));
    }
    switch (type.kind()) {
      case "Secret" -> {
        if (!object.has("type")) {
          object.put("type", "Opaque");
        }
        JsonNode stringData = object.remove("stringData");
        if (stringData != null && stringData.isObject()) {
          ObjectNode data = object.has("data") && object.get("data").isObject() ? (ObjectNode) object.get("data")
              : object.putObject("data");
          stringData.fields().forEachRemaining(e -> data.put(e.getKey(),
              Base64.getEncoder().encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8))));
        }
      }
      case "Namespace" -> {
        object.putObject("spec").putArray("finalizers").add("kubernetes");
        object.putObject("status").put("phase", "Active");
        ObjectNode labels = meta.has("labels") ? (ObjectNode) meta.get("labels") : meta.putObject("labels");
        labels.put("kubernetes.io/metadata.name", meta.path("name").asText());
      }
      default -> { }
    }
    Validation.check(type, object, previous);
    if (type.kind().equals("CustomResourceDefinition")) {
      crdType(object); // validates the definition
    }
    return object;
  }

  ObjectNode create(ResourceType type, ObjectNode object, String namespace) {
    ObjectNode prepared = prepare(type, object, namespace, null);
    if (type.kind().equals("Secret") && "kubernetes.io/service-account-token".equals(prepared.path("type").asText())) {
      fillServiceAccountToken(prepared);
    }
    ObjectNode created = store.create(type, prepared);
    if (type.kind().equals("CustomResourceDefinition")) {
      crdType(created).forEach(this::register);
      ObjectNode withStatus = created.deepCopy();
      ObjectNode status = withStatus.putObject("status");
      status.putArray("conditions").addObject().put("type", "Established").put("status", "True")
          .put("reason", "InitialNamesAccepted").put("message", "the initial names have been accepted");
      status.set("acceptedNames", created.path("spec").path("names"));
      return store.update(type, withStatus, false);
    }
    return created;
  }

  ObjectNode update(ResourceType type, ObjectNode object, String namespace, boolean statusOnly) {
    String name = object.path("metadata").path("name").asText();
    ObjectNode previous = store.get(type, namespace, name).orElseThrow(() -> Status.notFound(type, name));
    if (statusOnly) {
      object.put("apiVersion", type.apiVersion()).put("kind", type.kind());
      return store.update(type, object, true);
    }
    ObjectNode prepared = prepare(type, object, namespace, previous);
    if (type.kind().equals("Secret") && "kubernetes.io/service-account-token".equals(prepared.path("type").asText())
        && !prepared.path("data").has("token")) {
      fillServiceAccountToken(prepared);
    }
    return store.update(type, prepared, false);
  }

  private ObjectNode patch(ServerRequest request, Target t, boolean status, boolean dryRun) {
    String contentType = request.header("Content-Type").orElse("").split(";")[0].trim();
    JsonNode patch;
    try {
      patch = contentType.equals("application/apply-patch+yaml") ? YAML.readTree(request.body())
          : JSON.readTree(request.body());
    } catch (IOException e) {
      throw Status.badRequest("the body of the request could not be decoded");
    }
    Optional<ObjectNode> current = store.get(t.type(), t.namespace(), t.name());
    switch (contentType) {
      case "application/merge-patch+json", "application/strategic-merge-patch+json" -> {
        ObjectNode base = current.orElseThrow(() -> Status.notFound(t.type(), t.name()));
        ObjectNode merged = (ObjectNode) mergePatch(base, patch);
        return dryRun ? merged : update(t.type(), merged, t.namespace(), status);
      }
      case "application/apply-patch+yaml" -> {
        if (request.queryParameter("fieldManager").isEmpty()) {
          throw Status.badRequest("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required "
              + "for apply patch");
        }
        if (!patch.isObject()) {
          throw Status.badRequest("the body of an apply patch must be an object");
        }
        if (current.isEmpty()) {
          ObjectNode object = ((ObjectNode) patch).deepCopy();
          return dryRun ? prepare(t.type(), object, t.namespace(), null) : create(t.type(), object, t.namespace());
        }
        ObjectNode merged = (ObjectNode) mergePatch(current.get(), patch);
        return dryRun ? merged : update(t.type(), merged, t.namespace(), status);
      }
      default -> throw Status.unsupportedMediaType(contentType);
    }
  }

  /** RFC 7386 JSON merge patch; strategic merge and apply are approximated by it (see FakeKubernetes). */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : NODES.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().startsWith("$")) {
        continue; // strategic merge directives
      }
      if (e.getValue().isNull()) {
        result.remove(e.getKey());
      } else {
        result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
      }
    }
    return result;
  }

  private void fillServiceAccountToken(ObjectNode secret) {
    ObjectNode meta = (ObjectNode) secret.get("metadata");
    String ns = meta.path("namespace").asText();
    String saName = meta.path("annotations").path("kubernetes.io/service-account.name").asText();
    Optional<ObjectNode> sa = store.get(type("", "v1", "serviceaccounts"), ns, saName);
    if (sa.isEmpty()) {
      return; // the token controller fills in the Secret only once the service account exists
    }
    String uid = sa.get().path("metadata").path("uid").asText();
    ((ObjectNode) meta.path("annotations")).put("kubernetes.io/service-account.uid", uid);
    ObjectNode data = secret.has("data") && secret.get("data").isObject() ? (ObjectNode) secret.get("data")
        : secret.putObject("data");
    String token = tokens.issue(ns, saName, uid, List.of(ServiceAccountTokens.DEFAULT_AUDIENCE), Optional.empty(),
        Optional.of(meta.path("name").asText()));
    data.put("token", b64(token));
    data.put("ca.crt", b64(caPem));
    data.put("namespace", b64(ns));
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  // ---- tokens ------------------------------------------------------------------------------------

  private ObjectNode tokenRequest(Target t, JsonNode body) {
    ObjectNode sa = store.get(t.type(), t.namespace(), t.name()).orElseThrow(() -> Status.notFound(t.type(), t.name()));
    List<String> audiences = new ArrayList<>();
    body.path("spec").path("audiences").forEach(a -> audiences.add(a.asText()));
    if (audiences.isEmpty()) {
      audiences.add(ServiceAccountTokens.DEFAULT_AUDIENCE);
    }
    long seconds = body.path("spec").path("expirationSeconds").asLong(3600);
    if (seconds < 600) {
      throw Status.invalid(type("", "v1", "serviceaccounts"), t.name(), List.<String[]>of(new String[] {
          "FieldValueInvalid", "spec.expirationSeconds", "Invalid value: " + seconds
              + ": may not specify a duration less than 10 minutes"}));
    }
    String token = tokens.issue(t.namespace(), t.name(), sa.path("metadata").path("uid").asText(), audiences,
        Optional.of(Duration.ofSeconds(seconds)), Optional.empty());
    ObjectNode response = NODES.objectNode().put("kind", "TokenRequest").put("apiVersion", "authentication.k8s.io/v1");
    response.putObject("metadata").put("name", t.name()).put("namespace", t.namespace())
        .put("creationTimestamp", Instant.now(clock).toString());
    ObjectNode spec = response.putObject("spec");
    ArrayNode aud = spec.putArray("audiences");
    audiences.forEach(aud::add);
    spec.put("expirationSeconds", seconds);
    spec.putNull("boundObjectRef");
    response.putObject("status").put("token", token)
        .put("expirationTimestamp", Instant.now(clock).plusSeconds(seconds).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    return response;
  }

  private ObjectNode tokenReview(JsonNode body) {
    String token = body.path("spec").path("token").asText("");
    List<String> audiences = new ArrayList<>();
    body.path("spec").path("audiences").forEach(a -> audiences.add(a.asText()));
    ObjectNode review = NODES.objectNode().put("kind", "TokenReview").put("apiVersion", "authentication.k8s.io/v1");
    review.putObject("metadata").put("creationTimestamp", (String) null);
    review.set("spec", body.path("spec").deepCopy());
    ObjectNode status = review.putObject("status");
    ServiceAccountTokens.Verified checked = token.isEmpty()
        ? ServiceAccountTokens.Verified.invalid("token is required") : tokens.verify(token, audiences);
    ServiceAccountTokens.Verified verified = checked;
    if (checked.valid() && store.get(type("", "v1", "serviceaccounts"), checked.namespace(), checked.name())
        .filter(sa -> sa.path("metadata").path("uid").asText().equals(checked.uid())).isEmpty()) {
      verified = ServiceAccountTokens.Verified.invalid("invalid bearer token, service account "
          + verified.namespace() + "/" + verified.name() + " has been deleted or recreated");
    }
    if (!verified.valid()) {
      status.put("authenticated", false);
      status.putObject("user");
      status.put("error", verified.error());
      return review;
    }
    status.put("authenticated", true);
    ObjectNode user = status.putObject("user");
    user.put("username", "system:serviceaccount:" + verified.namespace() + ":" + verified.name());
    user.put("uid", verified.uid());
    user.putArray("groups").add("system:serviceaccounts").add("system:serviceaccounts:" + verified.namespace())
        .add("system:authenticated");
    ArrayNode aud = status.putArray("audiences");
    verified.audiences().forEach(aud::add);
    return review;
  }

  // ---- CRDs ----------------------------------------------------------------------------------

  private List<ResourceType> crdType(ObjectNode crd) {
    JsonNode spec = crd.path("spec");
    String group = spec.path("group").asText("");
    JsonNode names = spec.path("names");
    String plural = names.path("plural").asText("");
    String kind = names.path("kind").asText("");
    if (group.isEmpty() || plural.isEmpty() || kind.isEmpty() || !spec.path("versions").isArray()) {
      throw Status.invalid(type("apiextensions.k8s.io", "v1", "customresourcedefinitions"),
          crd.path("metadata").path("name").asText(), List.<String[]>of(new String[] {"FieldValueRequired", "spec",
              "Required value: group, names.plural, names.kind and versions are required"}));
    }
    List<ResourceType> out = new ArrayList<>();
    for (JsonNode v : spec.path("versions")) {
      if (!v.path("served").asBoolean(true)) {
        continue;
      }
      ImmutableList.Builder<String> shorts = ImmutableList.builder();
      names.path("shortNames").forEach(s -> shorts.add(s.asText()));
      ImmutableList.Builder<String[]> columns = ImmutableList.builder();
      v.path("additionalPrinterColumns").forEach(c -> columns.add(new String[] {c.path("name").asText(),
          c.path("type").asText(), c.path("jsonPath").asText()}));
      out.add(new ResourceType(group, v.path("name").asText(), kind, plural,
          names.path("singular").asText(kind.toLowerCase(java.util.Locale.ROOT)),
          spec.path("scope").asText("Namespaced").equals("Namespaced"), shorts.build(), ResourceType.ALL_VERBS,
          v.path("subresources").has("status"), true, columns.build()));
    }
    return out;
  }

  private void unregisterCrd(ObjectNode crd) {
    for (ResourceType type : crdType(crd)) {
      Map<String, ResourceType> served = types.get(type.groupVersionPath());
      if (served != null) {
        served.remove(type.plural());
        if (served.isEmpty()) {
          types.remove(type.groupVersionPath());
        }
      }
    }
  }

  private void deleteNamespaceContents(String namespace) {
    for (ResourceType type : allTypes().values()) {
      if (type.namespaced()) {
        for (ObjectNode o : store.list(type, namespace, x -> true)) {
          try {
            store.delete(type, namespace, o.path("metadata").path("name").asText(), "", allTypes());
          } catch (Status.Failure alreadyGone) {
            // removed meanwhile by garbage collection
          }
        }
      }
    }
  }

  /** Installs the ESO CRDs, as the Helm chart does with installCRDs. */
  public void installEsoCrds() {
    ResourceType crds = type("apiextensions.k8s.io", "v1", "customresourcedefinitions");
    for (ObjectNode crd : EsoCrds.all()) {
      if (store.get(crds, "", crd.path("metadata").path("name").asText()).isEmpty()) {
        create(crds, crd, "");
      }
    }
  }

  // ---- list, watch, table ----------------------------------------------------------------------

  private ServerResponse list(ServerRequest request, Target t) {
    Predicate<ObjectNode> filter = Selectors.labels(request.queryParameter("labelSelector").orElse(""))
        .and(Selectors.fields(request.queryParameter("fieldSelector").orElse("")));
    long revision = store.revision();
    List<ObjectNode> items = store.list(t.type(), t.namespace(), filter);
    if (request.header("Accept").orElse("").contains("as=Table")) {
      return ServerResponse.json(200, Tables.table(t.type(), items, revision, clock));
    }
    ObjectNode list = NODES.objectNode().put("kind", t.type().kind() + "List").put("apiVersion", t.type().apiVersion());
    list.putObject("metadata").put("resourceVersion", Long.toString(revision));
    ArrayNode array = list.putArray("items");
    items.forEach(array::add);
    return ServerResponse.json(200, list);
  }

  private ServerResponse watch(ServerRequest request, Target t) {
    Predicate<ObjectNode> filter = Selectors.labels(request.queryParameter("labelSelector").orElse(""))
        .and(Selectors.fields(request.queryParameter("fieldSelector").orElse("")))
        .and(o -> t.namespace().isEmpty() || t.namespace().equals(o.path("metadata").path("namespace").asText("")));
    String from = request.queryParameter("resourceVersion").orElse("");
    long fromRevision = from.isEmpty() || from.equals("0") ? 0 : parseRevision(from);
    long timeoutSeconds = request.queryParameter("timeoutSeconds").map(Long::parseLong).orElse(1800L);
    List<ObjectNode> initial = fromRevision == 0 ? store.list(t.type(), t.namespace(), filter) : List.of();
    BlockingQueue<ObjectStore.Event> queue;
    try {
      queue = store.watch(t.type(), fromRevision == 0 ? store.revision() : fromRevision);
    } catch (Status.Failure gone) {
      ObjectNode event = NODES.objectNode().put("type", "ERROR");
      event.set("object", gone.status);
      return ServerResponse.bytes(200, "application/json", (event + "\n").getBytes(StandardCharsets.UTF_8));
    }
    boolean bookmarks = isTrue(request.queryParameter("allowWatchBookmarks"));
    return ServerResponse.streaming(200, "application/json", sink -> {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
      long nextBookmark = System.nanoTime();
      try {
        for (ObjectNode o : initial) {
          sink.writeChunk(event("ADDED", o));
        }
        while (sink.isOpen() && System.nanoTime() < deadline) {
          if (bookmarks && System.nanoTime() >= nextBookmark) {
            sink.writeChunk(event("BOOKMARK", bookmark(t.type(), store.revision())));
            nextBookmark = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOOKMARK_SECONDS);
          }
          ObjectStore.Event e = queue.poll(200, TimeUnit.MILLISECONDS);
          if (e != null && e.object() != null && filter.test(e.object())) {
            sink.writeChunk(event(e.type(), e.object()));
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        store.unwatch(t.type(), queue);
      }
    });
  }

  /** How often a watch that allows bookmarks gets one while idle. */
  static final long BOOKMARK_SECONDS = 5;

  /** A BOOKMARK event's object: only the kind and the resourceVersion the client may resume from. */
  private static ObjectNode bookmark(ResourceType type, long revision) {
    ObjectNode object = NODES.objectNode().put("kind", type.kind()).put("apiVersion", type.apiVersion());
    object.putObject("metadata").put("resourceVersion", Long.toString(revision));
    return object;
  }

  private static long parseRevision(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw Status.badRequest("invalid resource version: " + value);
    }
  }

  private static byte[] event(String type, ObjectNode object) {
    ObjectNode event = NODES.objectNode().put("type", type);
    event.set("object", object);
    return (event + "\n").getBytes(StandardCharsets.UTF_8);
  }
}
