package io.secretsync.kubernetes;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.SecretData;
import io.secretsync.core.TargetSecret;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A small Kubernetes API client over OkHttp and Jackson: Secrets (as {@link TargetSecret}),
 * ConfigMaps, service account tokens (TokenRequest), Leases, namespaces' labels, and any resource
 * (custom resources with their status subresource) as JSON objects; get, list, create, replace,
 * patch (merge, strategic merge, JSON patch, server-side apply), delete and watch.
 *
 * <p>Every request goes through the configuration's client-side rate limit (a token bucket) and
 * carries its credentials; an error answer becomes a {@link KubernetesApiException} with the
 * {@code Status} reason, message and causes. Watches run on their own thread, resume from the last
 * resourceVersion when the server ends them, and list again after 410 Gone.
 *
 * <pre>{@code
 * try (KubernetesClient kube = KubernetesClient.create(KubernetesConfig.fromEnvironment())) {
 *   Optional<TargetSecret> secret = kube.getSecret("apps", "db-creds");
 * }
 * }</pre>
 *
 * <p>Thread-safe; share one client per API server. {@link #close()} stops its watches and releases
 * its connections.
 */
public final class KubernetesClient implements AutoCloseable {

  private final ApiTransport transport;
  private final List<Reflector<?>> watches = new java.util.concurrent.CopyOnWriteArrayList<>();

  private KubernetesClient(ApiTransport transport) {
    this.transport = transport;
  }

  /** A client whose waits before retries go to {@code sleeper} (tests). */
  static KubernetesClient create(KubernetesConfig config, ApiTransport.Sleeper sleeper) {
    return new KubernetesClient(new ApiTransport(requireNonNull(config, "config"), sleeper));
  }

  /** A client for {@code config}. */
  public static KubernetesClient create(KubernetesConfig config) {
    return new KubernetesClient(new ApiTransport(requireNonNull(config, "config")));
  }

  /** A client for {@link KubernetesConfig#fromEnvironment()}: in a pod the in-cluster configuration, else the kubeconfig. */
  public static KubernetesClient fromEnvironment() {
    return create(KubernetesConfig.fromEnvironment());
  }

  public KubernetesConfig config() {
    return transport.config();
  }

  /** The default namespace of the configuration. */
  public String namespace() {
    return transport.config().namespace();
  }

  // ---- any resource ----------------------------------------------------------------------------

  /** The object {@code namespace/name} of {@code type} ({@code namespace} empty for cluster-scoped types), if it exists. */
  public Optional<ObjectNode> get(ResourceType type, String namespace, String name) {
    try {
      ApiTransport.Call call = new ApiTransport.Call("GET", type.path(namespace, name, ""));
      return Optional.of(object(call, transport.send(call)));
    } catch (KubernetesApiException e) {
      if (e.isNotFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** The objects of {@code type} in {@code namespace} (empty: all namespaces), optionally by label selector. */
  public ObjectList list(ResourceType type, String namespace, String labelSelector) {
    ApiTransport.Call call = new ApiTransport.Call("GET", type.path(namespace, "", ""))
        .query("labelSelector", labelSelector);
    JsonNode answer = object(call, transport.send(call));
    ImmutableList.Builder<ObjectNode> items = ImmutableList.builder();
    String kind = answer.path("kind").asText("");
    JsonNode list = answer.path("items");
    if (!list.isMissingNode() && !list.isNull() && !list.isArray()) {
      throw KubernetesApiException.malformedAnswer(call.describe(), "items is a JSON " + list.getNodeType()
          + ", not an array");
    }
    for (JsonNode item : list) {
      if (!item.isObject()) {
        throw KubernetesApiException.malformedAnswer(call.describe(), "an item is a JSON " + item.getNodeType()
            + ", not an object");
      }
      ObjectNode copy = (ObjectNode) item;
      if (!copy.has("kind") && kind.endsWith("List")) {
        copy.put("kind", kind.substring(0, kind.length() - 4));
        copy.put("apiVersion", type.apiVersion());
      }
      items.add(copy);
    }
    return new ObjectList(items.build(), answer.path("metadata").path("resourceVersion").asText(""));
  }

  /** Creates {@code object} (its {@code metadata.namespace} says where) and returns it as stored. */
  public ObjectNode create(ResourceType type, ObjectNode object, String fieldManager) {
    String namespace = object.path("metadata").path("namespace").asText("");
    ApiTransport.Call call = new ApiTransport.Call("POST", type.path(namespace, "", ""))
        .query("fieldManager", fieldManager).body(object);
    return object(call, transport.send(call));
  }

  /**
   * Replaces {@code object} (PUT). With {@code metadata.resourceVersion} set, the server refuses a
   * stale one: {@link KubernetesApiException#isConflict()}.
   */
  public ObjectNode replace(ResourceType type, ObjectNode object, String fieldManager) {
    ApiTransport.Call call = new ApiTransport.Call("PUT", type.path(namespaceOf(object), nameOf(object), ""))
        .query("fieldManager", fieldManager).body(object);
    return object(call, transport.send(call));
  }

  /** Replaces the status subresource of {@code object} (its {@code status}; resourceVersion as for {@link #replace}). */
  public ObjectNode replaceStatus(ResourceType type, ObjectNode object, String fieldManager) {
    ApiTransport.Call call = new ApiTransport.Call("PUT", type.path(namespaceOf(object), nameOf(object), "status"))
        .query("fieldManager", fieldManager).body(object);
    return object(call, transport.send(call));
  }

  /**
   * Patches {@code namespace/name}. An {@link PatchType#APPLY apply} patch needs a
   * {@code fieldManager}; {@code force} takes fields over from other managers (apply only).
   */
  public ObjectNode patch(ResourceType type, String namespace, String name, PatchType patchType, JsonNode patch,
      String fieldManager, boolean force) {
    checkArgument(!force || patchType == PatchType.APPLY, "force is only allowed for apply patches");
    checkArgument(patchType != PatchType.APPLY || !fieldManager.isEmpty(), "an apply patch needs a fieldManager");
    ApiTransport.Call call = new ApiTransport.Call("PATCH", type.path(namespace, name, ""))
        .query("fieldManager", fieldManager).body(patch).contentType(patchType.contentType());
    if (force) {
      call.query("force", "true");
    }
    return object(call, transport.send(call));
  }

  /** Merge-patches the status subresource of {@code namespace/name}. */
  public ObjectNode patchStatus(ResourceType type, String namespace, String name, JsonNode mergePatch,
      String fieldManager) {
    ApiTransport.Call call = new ApiTransport.Call("PATCH", type.path(namespace, name, "status"))
        .query("fieldManager", fieldManager).body(mergePatch).contentType(PatchType.MERGE.contentType());
    return object(call, transport.send(call));
  }

  /**
   * Deletes {@code namespace/name}; with a non-empty {@code resourceVersion} only if it is still at
   * that version (else {@link KubernetesApiException#isConflict()}).
   *
   * @throws KubernetesApiException {@link KubernetesApiException#isNotFound()} when it does not exist
   */
  public void delete(ResourceType type, String namespace, String name, String resourceVersion) {
    ApiTransport.Call call = new ApiTransport.Call("DELETE", type.path(namespace, name, ""));
    if (!resourceVersion.isEmpty()) {
      ObjectNode options = ApiTransport.object().put("kind", "DeleteOptions").put("apiVersion", "v1");
      options.putObject("preconditions").put("resourceVersion", resourceVersion);
      call.body(options);
    }
    transport.send(call);
  }

  /**
   * Watches {@code type} in {@code namespace} (empty: all), optionally by label selector: lists,
   * reports every object as {@code ADDED}, then reports changes as they happen. When the server ends
   * the watch it resumes from the last resourceVersion seen; after 410 Gone it lists again and
   * reports the difference (changed objects as {@code MODIFIED}, vanished ones as {@code DELETED}).
   * Failures are retried with backoff. {@code listener} is called on the watch's own thread, one
   * event at a time.
   */
  public Watch watch(ResourceType type, String namespace, String labelSelector,
      Consumer<WatchEvent<ObjectNode>> listener) {
    return startWatch(type, namespace, labelSelector, Function.identity(), listener, Reflector.DEFAULT_TIMEOUT);
  }

  <T> Watch startWatch(ResourceType type, String namespace, String labelSelector, Function<ObjectNode, T> mapper,
      Consumer<WatchEvent<T>> listener, Duration watchTimeout) {
    Reflector<T> reflector = new Reflector<>(this, transport, type, namespace, labelSelector, mapper, listener,
        watchTimeout, watches::remove);
    watches.add(reflector);
    reflector.start();
    return reflector;
  }

  // ---- Secrets ---------------------------------------------------------------------------------

  /** The Secret {@code namespace/name}, if it exists. */
  public Optional<TargetSecret> getSecret(String namespace, String name) {
    return get(ResourceType.SECRETS, namespace, name).map(SecretJson::fromJson);
  }

  /** The Secrets in {@code namespace}, optionally by label selector. */
  public ImmutableList<TargetSecret> listSecrets(String namespace, String labelSelector) {
    return list(ResourceType.SECRETS, namespace, labelSelector).items().stream().map(SecretJson::fromJson)
        .collect(ImmutableList.toImmutableList());
  }

  /** Creates {@code secret} and returns it as stored. */
  public TargetSecret createSecret(TargetSecret secret, String fieldManager) {
    return SecretJson.fromJson(create(ResourceType.SECRETS, SecretJson.toJson(secret), fieldManager));
  }

  /**
   * Replaces the Secret with {@code secret} (PUT, with its resourceVersion when set). As with any
   * replace, what {@link TargetSecret} does not hold (finalizers, for one) is not sent and so is
   * removed; use {@link #patchSecret} to change only some fields.
   */
  public TargetSecret replaceSecret(TargetSecret secret, String fieldManager) {
    return SecretJson.fromJson(replace(ResourceType.SECRETS, SecretJson.toJson(secret), fieldManager));
  }

  /** Patches the Secret {@code namespace/name}. */
  public TargetSecret patchSecret(String namespace, String name, PatchType patchType, JsonNode patch,
      String fieldManager) {
    return SecretJson.fromJson(patch(ResourceType.SECRETS, namespace, name, patchType, patch, fieldManager, false));
  }

  /** Deletes the Secret; see {@link #delete}. */
  public void deleteSecret(String namespace, String name, String resourceVersion) {
    delete(ResourceType.SECRETS, namespace, name, resourceVersion);
  }

  /** Watches Secrets; see {@link #watch}. */
  public Watch watchSecrets(String namespace, String labelSelector, Consumer<WatchEvent<TargetSecret>> listener) {
    return startWatch(ResourceType.SECRETS, namespace, labelSelector, SecretJson::fromJson, listener,
        Reflector.DEFAULT_TIMEOUT);
  }

  // ---- ConfigMaps ------------------------------------------------------------------------------

  /** The ConfigMap {@code namespace/name}, if it exists. */
  public Optional<ConfigMap> getConfigMap(String namespace, String name) {
    return get(ResourceType.CONFIG_MAPS, namespace, name).map(ConfigMap::fromJson);
  }

  /** The ConfigMaps in {@code namespace}, optionally by label selector. */
  public ImmutableList<ConfigMap> listConfigMaps(String namespace, String labelSelector) {
    return list(ResourceType.CONFIG_MAPS, namespace, labelSelector).items().stream().map(ConfigMap::fromJson)
        .collect(ImmutableList.toImmutableList());
  }

  /** Creates {@code configMap} and returns it as stored. */
  public ConfigMap createConfigMap(ConfigMap configMap, String fieldManager) {
    return ConfigMap.fromJson(create(ResourceType.CONFIG_MAPS, configMap.toJson(), fieldManager));
  }

  /** Replaces the ConfigMap (PUT, with its resourceVersion when set). */
  public ConfigMap replaceConfigMap(ConfigMap configMap, String fieldManager) {
    return ConfigMap.fromJson(replace(ResourceType.CONFIG_MAPS, configMap.toJson(), fieldManager));
  }

  /** Deletes the ConfigMap; see {@link #delete}. */
  public void deleteConfigMap(String namespace, String name, String resourceVersion) {
    delete(ResourceType.CONFIG_MAPS, namespace, name, resourceVersion);
  }

  // ---- service account tokens, namespaces ------------------------------------------------------

  /**
   * A new token for service account {@code namespace/name} from the TokenRequest API, for
   * {@code audiences} (empty: the API server's own) and lifetime {@code expiration} (the server may
   * shorten it; at least 10 minutes).
   */
  public ServiceAccountToken requestServiceAccountToken(String namespace, String name, List<String> audiences,
      Duration expiration) {
    ObjectNode request = ApiTransport.object().put("apiVersion", "authentication.k8s.io/v1").put("kind", "TokenRequest");
    ObjectNode spec = request.putObject("spec");
    ArrayNode aud = spec.putArray("audiences");
    audiences.forEach(aud::add);
    spec.put("expirationSeconds", expiration.getSeconds());
    JsonNode answer = transport.send(new ApiTransport.Call("POST",
        ResourceType.SERVICE_ACCOUNTS.path(namespace, name, "token")).body(request));
    String token = answer.path("status").path("token").asText("");
    if (token.isEmpty()) {
      throw new KubernetesApiException("POST " + String.join("/", ResourceType.SERVICE_ACCOUNTS.path(namespace, name,
          "token")), 0, "", "the TokenRequest answer holds no token", List.of(), List.of(), null);
    }
    Instant expires = MicroTime.parse(answer.path("status").path("expirationTimestamp").asText(""))
        .orElse(Instant.EPOCH);
    return new ServiceAccountToken(token, expires);
  }

  /** The labels of namespace {@code name}; empty when it has none or does not exist. */
  public ImmutableMap<String, String> namespaceLabels(String name) {
    return get(ResourceType.NAMESPACES, "", name).map(n -> SecretJson.stringMap(n.path("metadata").path("labels")))
        .orElse(ImmutableMap.of());
  }

  // ---- Leases ----------------------------------------------------------------------------------

  /** The Lease {@code namespace/name}, if it exists. */
  public Optional<Lease> getLease(String namespace, String name) {
    return get(ResourceType.LEASES, namespace, name).map(Lease::new);
  }

  /** Creates {@code lease}; {@link KubernetesApiException#isAlreadyExists()} when another was first. */
  public Lease createLease(Lease lease) {
    return new Lease(create(ResourceType.LEASES, lease.json(), ""));
  }

  /** Replaces {@code lease} at its resourceVersion; {@link KubernetesApiException#isConflict()} when it changed. */
  public Lease replaceLease(Lease lease) {
    return new Lease(replace(ResourceType.LEASES, lease.json(), ""));
  }

  /** Stops every watch of this client and releases its connections. */
  @Override
  public void close() {
    for (Reflector<?> watch : List.copyOf(watches)) {
      watch.close();
    }
    transport.close();
  }

  @Override
  public String toString() {
    return "KubernetesClient{" + transport.config() + "}";
  }

  private static ObjectNode object(ApiTransport.Call call, JsonNode json) {
    if (!json.isObject()) {
      throw KubernetesApiException.malformedAnswer(call.describe(), "a JSON " + json.getNodeType()
          + " where an object belongs");
    }
    return (ObjectNode) json;
  }

  private static String namespaceOf(ObjectNode object) {
    return object.path("metadata").path("namespace").asText("");
  }

  private static String nameOf(ObjectNode object) {
    String name = object.path("metadata").path("name").asText("");
    checkArgument(!name.isEmpty(), "metadata.name is required");
    return name;
  }

  // ---- value types -----------------------------------------------------------------------------

  /**
   * A kind of resource: API group ({@code ""} for core), version, plural, and whether it lives in
   * namespaces. Constants for the types this library uses; build others for your own resources.
   */
  public record ResourceType(String group, String version, String plural, boolean namespaced) {
    public static final ResourceType SECRETS = new ResourceType("", "v1", "secrets", true);
    public static final ResourceType CONFIG_MAPS = new ResourceType("", "v1", "configmaps", true);
    public static final ResourceType SERVICE_ACCOUNTS = new ResourceType("", "v1", "serviceaccounts", true);
    public static final ResourceType NAMESPACES = new ResourceType("", "v1", "namespaces", false);
    public static final ResourceType LEASES = new ResourceType("coordination.k8s.io", "v1", "leases", true);
    public static final ResourceType EXTERNAL_SECRETS =
        new ResourceType("external-secrets.io", "v1", "externalsecrets", true);
    public static final ResourceType SECRET_STORES = new ResourceType("external-secrets.io", "v1", "secretstores", true);
    public static final ResourceType CLUSTER_SECRET_STORES =
        new ResourceType("external-secrets.io", "v1", "clustersecretstores", false);

    public ResourceType {
      requireNonNull(group, "group");
      checkArgument(!version.isEmpty(), "version is required");
      checkArgument(!plural.isEmpty(), "plural is required");
    }

    /** {@code v1} for the core group, {@code group/version} otherwise. */
    public String apiVersion() {
      return group.isEmpty() ? version : group + "/" + version;
    }

    /** The path segments of a collection ({@code name} empty) or an object, and a subresource. */
    List<String> path(String namespace, String name, String subresource) {
      List<String> path = new ArrayList<>();
      if (group.isEmpty()) {
        path.add("api");
      } else {
        path.add("apis");
        path.add(group);
      }
      path.add(version);
      if (namespaced && !namespace.isEmpty()) {
        path.add("namespaces");
        path.add(namespace);
      }
      path.add(plural);
      if (!name.isEmpty()) {
        path.add(name);
        if (!subresource.isEmpty()) {
          path.add(subresource);
        }
      }
      return path;
    }
  }

  /** The content type of a PATCH. */
  public enum PatchType {
    /** RFC 7386 JSON merge patch: {@code null} removes a field. */
    MERGE("application/merge-patch+json"),
    /** Kubernetes strategic merge patch (built-in types only). */
    STRATEGIC_MERGE("application/strategic-merge-patch+json"),
    /** RFC 6902 JSON patch (a list of operations). */
    JSON_PATCH("application/json-patch+json"),
    /** Server-side apply: the fields this field manager owns; needs a field manager. */
    APPLY("application/apply-patch+yaml");

    private final String contentType;

    PatchType(String contentType) {
      this.contentType = contentType;
    }

    public String contentType() {
      return contentType;
    }
  }

  /** A list answer: the items (each with kind and apiVersion) and the list's resourceVersion. */
  public record ObjectList(ImmutableList<ObjectNode> items, String resourceVersion) {
    public ObjectList {
      items = ImmutableList.copyOf(items);
      requireNonNull(resourceVersion, "resourceVersion");
    }
  }

  /**
   * A token from the TokenRequest API and when it expires. A credential: {@code toString} does not
   * show it.
   */
  public record ServiceAccountToken(String token, Instant expirationTimestamp) {
    public ServiceAccountToken {
      requireNonNull(token, "token");
      requireNonNull(expirationTimestamp, "expirationTimestamp");
    }

    @Override
    public String toString() {
      return "ServiceAccountToken{expires=" + expirationTimestamp + "}";
    }
  }

  /** One change seen by a watch. */
  public record WatchEvent<T>(EventType type, T object) {
    public WatchEvent {
      requireNonNull(type, "type");
      requireNonNull(object, "object");
    }
  }

  /** The kinds of watch event reported to listeners. */
  public enum EventType {
    ADDED,
    MODIFIED,
    DELETED
  }

  /** A running watch. Thread-safe. */
  public interface Watch extends AutoCloseable {

    /** Waits until the first list has been reported; true when it has. */
    boolean awaitSynced(Duration timeout) throws InterruptedException;

    /** The resourceVersion the watch would resume from. */
    String resourceVersion();

    /** Stops the watch; no event is reported after this returns. */
    @Override
    void close();
  }

  /**
   * A core/v1 ConfigMap: string {@code data} and bytes {@code binaryData}. Immutable.
   */
  public record ConfigMap(String namespace, String name, ImmutableMap<String, String> labels,
      ImmutableMap<String, String> annotations, ImmutableMap<String, String> data, SecretData binaryData,
      boolean immutable, String resourceVersion) {
    public ConfigMap {
      requireNonNull(namespace, "namespace");
      requireNonNull(name, "name");
      labels = ImmutableMap.copyOf(labels);
      annotations = ImmutableMap.copyOf(annotations);
      data = ImmutableMap.copyOf(data);
      requireNonNull(binaryData, "binaryData");
      requireNonNull(resourceVersion, "resourceVersion");
    }

    /** A new ConfigMap with string data only. */
    public static ConfigMap of(String namespace, String name, Map<String, String> data) {
      return new ConfigMap(namespace, name, ImmutableMap.of(), ImmutableMap.of(), ImmutableMap.copyOf(data),
          SecretData.empty(), false, "");
    }

    /** The value of {@code key} from {@code data} (as UTF-8) or {@code binaryData}. */
    public Optional<byte[]> value(String key) {
      String text = data.get(key);
      if (text != null) {
        return Optional.of(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      return binaryData.get(key);
    }

    static ConfigMap fromJson(JsonNode json) {
      JsonNode meta = json.path("metadata");
      SecretData.Builder binary = SecretData.builder();
      for (Map.Entry<String, JsonNode> e : json.path("binaryData").properties()) {
        binary.put(e.getKey(), SecretJson.base64(json, "binaryData", e.getKey(), e.getValue()));
      }
      return new ConfigMap(meta.path("namespace").asText(""), meta.path("name").asText(""),
          SecretJson.stringMap(meta.path("labels")), SecretJson.stringMap(meta.path("annotations")),
          SecretJson.stringMap(json.path("data")), binary.build(), json.path("immutable").asBoolean(false),
          meta.path("resourceVersion").asText(""));
    }

    ObjectNode toJson() {
      ObjectNode json = ApiTransport.object().put("apiVersion", "v1").put("kind", "ConfigMap");
      ObjectNode meta = json.putObject("metadata").put("name", name).put("namespace", namespace);
      if (!labels.isEmpty()) {
        SecretJson.putStrings(meta.putObject("labels"), labels);
      }
      if (!annotations.isEmpty()) {
        SecretJson.putStrings(meta.putObject("annotations"), annotations);
      }
      if (!resourceVersion.isEmpty()) {
        meta.put("resourceVersion", resourceVersion);
      }
      if (!data.isEmpty()) {
        SecretJson.putStrings(json.putObject("data"), data);
      }
      if (!binaryData.isEmpty()) {
        ObjectNode binary = json.putObject("binaryData");
        binaryData.forEach((k, v) -> binary.put(k, Base64.getEncoder().encodeToString(v)));
      }
      if (immutable) {
        json.put("immutable", true);
      }
      return json;
    }
  }

  /**
   * A {@code coordination.k8s.io/v1} Lease: its holder, duration, acquire and renew times and the
   * number of transitions. Immutable; {@link #withSpec} keeps the rest of the object (labels,
   * annotations, owner references) as read.
   */
  public static final class Lease {
    private final ObjectNode json;

    Lease(ObjectNode json) {
      this.json = json.deepCopy();
    }

    /** A Lease not yet stored, with an empty spec. */
    public static Lease of(String namespace, String name) {
      ObjectNode json = ApiTransport.object().put("apiVersion", "coordination.k8s.io/v1").put("kind", "Lease");
      json.putObject("metadata").put("name", name).put("namespace", namespace);
      json.putObject("spec");
      return new Lease(json);
    }

    public String namespace() {
      return json.path("metadata").path("namespace").asText("");
    }

    public String name() {
      return json.path("metadata").path("name").asText("");
    }

    /** Empty for a Lease not yet stored. */
    public String resourceVersion() {
      return json.path("metadata").path("resourceVersion").asText("");
    }

    /** The holder's identity; empty when nobody holds it (never held, or released). */
    public String holderIdentity() {
      return json.path("spec").path("holderIdentity").asText("");
    }

    public Optional<Duration> leaseDuration() {
      JsonNode seconds = json.path("spec").path("leaseDurationSeconds");
      return seconds.isNumber() ? Optional.of(Duration.ofSeconds(seconds.asLong())) : Optional.empty();
    }

    public Optional<Instant> acquireTime() {
      return MicroTime.parse(json.path("spec").path("acquireTime").asText(""));
    }

    public Optional<Instant> renewTime() {
      return MicroTime.parse(json.path("spec").path("renewTime").asText(""));
    }

    public int leaseTransitions() {
      return json.path("spec").path("leaseTransitions").asInt(0);
    }

    /** A copy with all five spec fields set, as client-go writes them on every update; times in MicroTime. */
    public Lease withSpec(String holderIdentity, Duration leaseDuration, Instant acquireTime, Instant renewTime,
        int leaseTransitions) {
      ObjectNode copy = json.deepCopy();
      ObjectNode spec = copy.putObject("spec");
      spec.put("holderIdentity", holderIdentity);
      spec.put("leaseDurationSeconds", (int) leaseDuration.getSeconds());
      spec.put("acquireTime", MicroTime.format(acquireTime));
      spec.put("renewTime", MicroTime.format(renewTime));
      spec.put("leaseTransitions", leaseTransitions);
      JsonNode old = json.path("spec");
      for (String keep : List.of("strategy", "preferredHolder")) {
        if (old.has(keep)) {
          spec.set(keep, old.get(keep));
        }
      }
      return new Lease(copy);
    }

    ObjectNode json() {
      return json.deepCopy();
    }

    /** Whether the spec (holder, duration, times, transitions) equals {@code other}'s. */
    boolean sameRecord(Lease other) {
      return json.path("spec").equals(other.json.path("spec"));
    }

    @Override
    public String toString() {
      return "Lease{" + namespace() + "/" + name() + ", holder=" + holderIdentity() + ", duration="
          + leaseDuration().map(Duration::toString).orElse("-") + ", renewTime="
          + renewTime().map(Instant::toString).orElse("-") + ", transitions=" + leaseTransitions() + ", rv="
          + resourceVersion() + "}";
    }
  }
}
