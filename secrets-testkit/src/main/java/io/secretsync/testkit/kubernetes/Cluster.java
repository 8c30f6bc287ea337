package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The fake cluster's state and its write verbs with the API server's semantics: create, update,
 * merge / strategic / JSON patch, server-side apply, delete with finalizers, status subresources,
 * metadata (uid, resourceVersion, generation, creationTimestamp, managedFields) and validation. The
 * {@link Controllers} and the {@link GarbageCollector} run synchronously inside the writes that
 * trigger them. Thread-safe: every verb runs under the store's monitor.
 */
final class Cluster {
  static final String DEFAULT_AUDIENCE = "https://kubernetes.default.svc.cluster.local";
  private static final String GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  final Clock clock;
  final ObjectStore store;
  final ResourceRegistry registry = new ResourceRegistry();
  final ServiceAccountTokens tokens;
  final List<String> apiAudiences;
  private final Controllers controllers = new Controllers(this);
  private final GarbageCollector garbageCollector = new GarbageCollector(this);
  private volatile String caPem = "";

  /** How a write was asked for: field manager, dry run, field validation, force. */
  record WriteOptions(String fieldManager, boolean dryRun, String fieldValidation, boolean force) {
    static WriteOptions of(String manager) {
      return new WriteOptions(manager, false, "Strict", false);
    }
  }

  /** A write's result: the object as stored (storage version), whether created, warnings. */
  record Written(ObjectNode object, boolean created, List<String> warnings) {}

  Cluster(Clock clock, String issuer, int watchHistory) {
    this.clock = clock;
    this.store = new ObjectStore(watchHistory, 1);
    this.tokens = new ServiceAccountTokens(issuer);
    this.apiAudiences = List.of(issuer.equals(DEFAULT_AUDIENCE) ? DEFAULT_AUDIENCE : issuer);
  }

  void setCaPem(String pem) {
    this.caPem = pem == null ? "" : pem;
  }

  String caPem() {
    return caPem;
  }

  /** Creates the objects of a fresh cluster: default, kube-system, kube-public, kube-node-lease. */
  void bootstrap() {
    controllers.bootstrap();
  }

  Instant now() {
    return clock.instant();
  }

  // ------------------------------------------------------------------ reads

  Optional<ObjectNode> get(ResourceType type, String namespace, String name) {
    return store.get(type.key(), type.namespaced() ? namespace : null, name);
  }

  /** The object as {@code version} of its type (custom resources change only apiVersion). */
  static ObjectNode view(ResourceType type, String version, ObjectNode stored) {
    ObjectNode out = stored.deepCopy();
    out.put("apiVersion", type.apiVersion(version));
    out.put("kind", type.kind());
    return KubeJson.canonical(out);
  }

  List<ObjectNode> list(ResourceType type, String namespace, Predicate<ObjectNode> filter) {
    List<ObjectNode> out = new ArrayList<>();
    for (ObjectNode o : store.list(type.key(), type.namespaced() ? namespace : null)) {
      if (filter.test(o)) {
        out.add(o);
      }
    }
    return out;
  }

  boolean namespaceExists(String namespace) {
    return store.get(BuiltInResources.NAMESPACES.key(), null, namespace).isPresent();
  }

  // ------------------------------------------------------------------ create

  Written create(ResourceType type, String version, String namespace, ObjectNode body,
      WriteOptions opts) {
    synchronized (store) {
      List<String> warnings = fieldWarnings(type, body, opts);
      ObjectNode obj = decode(type, version, namespace, body, opts);
      if (type.statusSubresource() && type != BuiltInResources.NAMESPACES
          && type != BuiltInResources.PODS) {
        obj.remove("status");
      }
      ObjectNode meta = KubeJson.objectField(obj, "metadata");
      if (!KubeJson.text(meta, "resourceVersion").isEmpty()) {
        throw ApiError.badRequest("resourceVersion should not be set on objects to be created");
      }
      if (KubeJson.text(meta, "name").isEmpty() && !KubeJson.text(meta, "generateName").isEmpty()) {
        meta.put("name", generateName(KubeJson.text(meta, "generateName")));
      }
      prepareCreate(type, obj);
      String name = KubeJson.text(meta, "name");
      List<FieldError> errors = Kinds.validateCreate(type, obj);
      if (!errors.isEmpty()) {
        throw ApiError.invalid(type.group(), type.kind(), name, errors);
      }
      String ns = type.namespaced() ? KubeJson.text(meta, "namespace") : null;
      if (type.namespaced() && !namespaceExists(ns)) {
        throw ApiError.notFound("", "namespaces", ns);
      }
      if (store.get(type.key(), ns, name).isPresent()) {
        throw ApiError.alreadyExists(type.group(), type.plural(), name);
      }
      Instant now = now();
      meta.put("uid", UUID.randomUUID().toString());
      meta.put("creationTimestamp", KubeJson.time(now));
      meta.remove("deletionTimestamp");
      meta.remove("deletionGracePeriodSeconds");
      if (type.generation()) {
        meta.put("generation", 1);
      } else {
        meta.remove("generation");
      }
      meta.remove("managedFields");
      if (type == BuiltInResources.CRDS) {
        Kinds.establishCrd(obj, KubeJson.time(now));
      }
      ManagedFields.recordUpdate(obj, null, opts.fieldManager(), type.apiVersion(version), "",
          type.statusSubresource(), false, now);
      return new Written(commitCreate(type, ns, obj, opts.dryRun()), true, warnings);
    }
  }

  private ObjectNode commitCreate(ResourceType type, String ns, ObjectNode obj, boolean dryRun) {
    String name = KubeJson.text(obj, "metadata", "name");
    if (dryRun) {
      return KubeJson.canonical(obj);
    }
    long rv = store.nextResourceVersion();
    ((ObjectNode) obj.get("metadata")).put("resourceVersion", Long.toString(rv));
    ObjectNode stored = KubeJson.canonical(obj);
    store.put(type.key(), ns, name, stored, rv, true);
    controllers.afterCreate(type, stored);
    return stored;
  }

  private String generateName(String prefix) {
    String base = prefix.length() > 58 ? prefix.substring(0, 58) : prefix;
    StringBuilder b = new StringBuilder(base);
    for (int i = 0; i < 5; i++) {
      b.append(GENERATE_ALPHABET.charAt(RANDOM.nextInt(GENERATE_ALPHABET.length())));
    }
    return b.toString();
  }

  /**
   * The body as an object of {@code type} in storage version: kind and apiVersion checked,
   * namespace taken from the URL, unknown fields handled per {@code fieldValidation}.
   */
  private ObjectNode decode(ResourceType type, String version, String namespace, ObjectNode body,
      WriteOptions opts) {
    ObjectNode obj = body.deepCopy();
    String expected = type.apiVersion(version);
    String apiVersion = KubeJson.text(obj, "apiVersion");
    String kind = KubeJson.text(obj, "kind");
    if (!apiVersion.isEmpty() && !apiVersion.equals(expected)) {
      throw ApiError.badRequest("the API version in the data (" + apiVersion + ") does not match "
          + "the expected API version (" + expected + ")");
    }
    if (!kind.isEmpty() && !kind.equals(type.kind())) {
      throw ApiError.badRequest("the kind in the data (" + kind + ") does not match the expected "
          + "kind (" + type.kind() + ")");
    }
    List<String> unknown = Kinds.unknownFields(type, obj);
    if (!unknown.isEmpty() && "Strict".equals(opts.fieldValidation())) {
      List<String> parts = new ArrayList<>();
      unknown.forEach(u -> parts.add("unknown field " + KubeJson.quote(u)));
      throw ApiError.badRequest("strict decoding error: " + String.join(", ", parts));
    }
    for (String u : unknown) {
      if (u.startsWith("metadata.")) {
        ((ObjectNode) obj.get("metadata")).remove(u.substring(9));
      } else {
        obj.remove(u);
      }
    }
    obj.put("apiVersion", type.apiVersion(type.storageVersion()));
    obj.put("kind", type.kind());
    ObjectNode meta = KubeJson.objectField(obj, "metadata");
    if (type.namespaced()) {
      String bodyNs = KubeJson.text(meta, "namespace");
      if (namespace != null) {
        if (!bodyNs.isEmpty() && !bodyNs.equals(namespace)) {
          throw ApiError.badRequest("the namespace of the provided object does not match the "
              + "namespace sent on the request");
        }
        meta.put("namespace", namespace);
      } else if (bodyNs.isEmpty()) {
        meta.put("namespace", "default");
      }
    } else {
      meta.remove("namespace");
    }
    return obj;
  }

  /** The {@code unknown field "x"} warnings of a Warn-validated write. */
  private static List<String> fieldWarnings(ResourceType type, ObjectNode body,
      WriteOptions opts) {
    if (!"Warn".equals(opts.fieldValidation())) {
      return List.of();
    }
    return Kinds.unknownFields(type, body).stream()
        .map(u -> "unknown field " + KubeJson.quote(u)).toList();
  }

  private void prepareCreate(ResourceType type, ObjectNode obj) {
    if (type == BuiltInResources.SECRETS) {
      Kinds.normalizeSecret(obj);
      controllers.fillServiceAccountToken(obj);
    } else if (type == BuiltInResources.NAMESPACES) {
      Kinds.defaultNamespace(obj);
    } else if (type == BuiltInResources.PODS) {
      ObjectNode status = KubeJson.objectField(obj, "status");
      if (!status.has("phase")) {
        status.put("phase", "Pending");
      }
    }
  }

  void refreshCustomTypes() {
    List<ResourceType> custom = new ArrayList<>();
    for (ObjectNode crd : store.list(BuiltInResources.CRDS.key(), null)) {
      if (crd.path("metadata").has("deletionTimestamp")) {
        continue;
      }
      try {
        custom.add(ResourceRegistry.fromCrd(crd));
      } catch (IllegalArgumentException e) {
        // validation keeps such CRDs out; nothing to serve
      }
    }
    registry.setCustomResources(custom);
  }

  // ------------------------------------------------------------------ update

  /**
   * Replaces an object (PUT). {@code subresource} "status" changes only the status; the main
   * resource of a type with a status subresource keeps its status.
   */
  Written update(ResourceType type, String version, String namespace, String name,
      ObjectNode body, WriteOptions opts, String subresource) {
    synchronized (store) {
      ObjectNode existing = get(type, namespace, name)
          .orElseThrow(() -> ApiError.notFound(type.group(), type.plural(), name));
      String bodyName = KubeJson.text(body, "metadata", "name");
      if (!bodyName.isEmpty() && !bodyName.equals(name)) {
        throw ApiError.badRequest("the name of the object (" + bodyName + ") does not match the "
            + "name on the URL (" + name + ")");
      }
      String rv = KubeJson.text(body, "metadata", "resourceVersion");
      if (!rv.isEmpty() && !rv.equals(KubeJson.text(existing, "metadata", "resourceVersion"))) {
        throw ApiError.modified(type.group(), type.plural(), name);
      }
      List<String> warnings = fieldWarnings(type, body, opts);
      ObjectNode obj = decode(type, version, namespace, body, opts);
      ((ObjectNode) obj.get("metadata")).put("name", name);
      ObjectNode candidate = merge(type, existing, obj, subresource);
      return new Written(finishUpdate(type, version, existing, candidate, opts, subresource,
          false), false, warnings);
    }
  }

  /** The candidate object of a write: server fields kept, status scoped to its subresource. */
  private ObjectNode merge(ResourceType type, ObjectNode existing, ObjectNode obj,
      String subresource) {
    ObjectNode candidate;
    if (subresource.equals("status")) {
      candidate = existing.deepCopy();
      if (obj.has("status")) {
        candidate.set("status", obj.get("status").deepCopy());
      } else {
        candidate.remove("status");
      }
      return candidate;
    }
    candidate = obj;
    if (type.statusSubresource()) {
      if (existing.has("status")) {
        candidate.set("status", existing.get("status").deepCopy());
      } else {
        candidate.remove("status");
      }
    }
    ObjectNode meta = KubeJson.objectField(candidate, "metadata");
    JsonNode oldMeta = existing.get("metadata");
    for (String f : List.of("uid", "creationTimestamp", "generation", "deletionTimestamp",
        "deletionGracePeriodSeconds", "managedFields", "namespace")) {
      if (oldMeta.has(f)) {
        meta.set(f, oldMeta.get(f).deepCopy());
      } else {
        meta.remove(f);
      }
    }
    return candidate;
  }

  /** Validates and stores an updated object; a no-op update changes nothing, as etcd skips it. */
  private ObjectNode finishUpdate(ResourceType type, String version, ObjectNode existing,
      ObjectNode candidate, WriteOptions opts, String subresource, boolean fieldsAlreadyManaged) {
    String name = KubeJson.text(existing, "metadata", "name");
    if (type == BuiltInResources.SECRETS && !subresource.equals("status")) {
      Kinds.normalizeSecret(candidate);
    }
    if (type == BuiltInResources.NAMESPACES) {
      Kinds.defaultNamespace(candidate);
    }
    List<FieldError> errors = Kinds.validateUpdate(type, candidate, existing);
    if (!errors.isEmpty()) {
      throw ApiError.invalid(type.group(), type.kind(), name, errors);
    }
    if (type.generation()) {
      long gen = existing.path("metadata").path("generation").asLong(1);
      ((ObjectNode) candidate.get("metadata")).put("generation",
          Kinds.specChanged(existing, candidate) ? gen + 1 : gen);
    }
    if (!fieldsAlreadyManaged) {
      ManagedFields.recordUpdate(candidate, existing, opts.fieldManager(),
          type.apiVersion(version), subresource, type.statusSubresource(),
          subresource.equals("status"), now());
    }
    if (sameIgnoringVolatile(existing, candidate)) {
      return existing;
    }
    if (opts.dryRun()) {
      return KubeJson.canonical(candidate);
    }
    return commitUpdate(type, existing, candidate, null, null, null);
  }

  private static boolean sameIgnoringVolatile(ObjectNode a, ObjectNode b) {
    ObjectNode x = a.deepCopy();
    ObjectNode y = b.deepCopy();
    for (ObjectNode o : List.of(x, y)) {
      ObjectNode m = (ObjectNode) o.get("metadata");
      m.remove("resourceVersion");
      m.remove("managedFields");
    }
    return x.equals(y);
  }

  /**
   * Stores {@code candidate} as the new state of {@code existing} with a new resourceVersion; when
   * {@code manager} is given, records it as an update by that manager first. Deletes the object
   * instead when it was being deleted and its last finalizer is gone.
   */
  ObjectNode commitUpdate(ResourceType type, ObjectNode existing, ObjectNode candidate,
      String manager, String apiVersion, String subresource) {
    if (manager != null) {
      ManagedFields.recordUpdate(candidate, existing, manager, apiVersion, subresource,
          type.statusSubresource(), false, now());
    }
    String ns = type.namespaced() ? KubeJson.text(existing, "metadata", "namespace") : null;
    String name = KubeJson.text(existing, "metadata", "name");
    long rv = store.nextResourceVersion();
    ObjectNode meta = (ObjectNode) candidate.get("metadata");
    meta.put("resourceVersion", Long.toString(rv));
    ObjectNode stored = KubeJson.canonical(candidate);
    JsonNode finalizers = meta.get("finalizers");
    if (meta.has("deletionTimestamp") && (finalizers == null || finalizers.isEmpty())) {
      reallyDelete(type, ns, name, stored, rv);
      return stored;
    }
    store.put(type.key(), ns, name, stored, rv, false);
    if (type == BuiltInResources.CRDS) {
      refreshCustomTypes();
    }
    return stored;
  }

  // ------------------------------------------------------------------ patch

  static final String JSON_PATCH = "application/json-patch+json";
  static final String MERGE_PATCH = "application/merge-patch+json";
  static final String STRATEGIC_PATCH = "application/strategic-merge-patch+json";
  static final String APPLY_PATCH = "application/apply-patch+yaml";

  /** PATCH with one of the four patch types; apply may create (then {@code created}). */
  Written patch(ResourceType type, String version, String namespace, String name,
      String contentType, byte[] body, WriteOptions opts, String subresource) {
    String ct = contentType == null ? "" : contentType.split(";")[0].strip();
    boolean apply = ct.equals(APPLY_PATCH);
    List<String> accepted = type.custom()
        ? List.of(JSON_PATCH, MERGE_PATCH, APPLY_PATCH)
        : List.of(JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, APPLY_PATCH);
    if (!accepted.contains(ct)) {
      throw ApiError.unsupportedMediaType("the body of the request was in an unknown format - "
          + "accepted media types include: " + String.join(", ", accepted));
    }
    if (opts.force() && !apply) {
      throw ApiError.invalid("meta.k8s.io", "PatchOptions", "",
          List.of(FieldError.forbidden("force", "may not be specified for non-apply patch")));
    }
    if (apply && (opts.fieldManager() == null || opts.fieldManager().isEmpty())) {
      throw ApiError.invalid("meta.k8s.io", "PatchOptions", "",
          List.of(FieldError.required("fieldManager", "is required for apply patch")));
    }
    JsonNode patch;
    try {
      patch = KubeJson.parseJsonOrYaml(body, apply);
    } catch (java.io.IOException e) {
      throw ApiError.badRequest("error decoding patch: invalid character in the request body");
    }
    synchronized (store) {
      Optional<ObjectNode> existing = get(type, namespace, name);
      if (apply) {
        return applyPatch(type, version, namespace, name, existing.orElse(null), patch, opts,
            subresource);
      }
      ObjectNode current = existing
          .orElseThrow(() -> ApiError.notFound(type.group(), type.plural(), name));
      ObjectNode external = view(type, version, current);
      JsonNode patched;
      try {
        patched = switch (ct) {
          case JSON_PATCH -> JsonPatch.apply(external, patch);
          case MERGE_PATCH -> MergePatch.apply(external, patch);
          default -> {
            if (!patch.isObject()) {
              throw ApiError.badRequest("unable to decode the strategic merge patch: not an "
                  + "object");
            }
            yield StrategicMergePatch.apply(type.kind(), external, (ObjectNode) patch);
          }
        };
      } catch (IllegalArgumentException e) {
        throw ApiError.of(422, "Invalid", "the server rejected our request due to an error in "
            + "our request: " + e.getMessage(), null);
      }
      if (!patched.isObject()) {
        throw ApiError.badRequest("the patched object is not a JSON object");
      }
      ObjectNode p = (ObjectNode) patched;
      String rv = KubeJson.text(p, "metadata", "resourceVersion");
      if (!rv.isEmpty() && !rv.equals(KubeJson.text(current, "metadata", "resourceVersion"))) {
        throw ApiError.modified(type.group(), type.plural(), name);
      }
      if (!KubeJson.text(p, "metadata", "name").equals(name)) {
        throw ApiError.badRequest("the name of the object (" + KubeJson.text(p, "metadata",
            "name") + ") does not match the name on the URL (" + name + ")");
      }
      ObjectNode obj = decode(type, version, namespace, p, opts);
      ObjectNode candidate = merge(type, current, obj, subresource);
      return new Written(finishUpdate(type, version, current, candidate, opts, subresource,
          false), false, List.of());
    }
  }

  private Written applyPatch(ResourceType type, String version, String namespace, String name,
      ObjectNode existing, JsonNode patch, WriteOptions opts, String subresource) {
    if (!patch.isObject()) {
      throw ApiError.badRequest("error decoding YAML: the apply configuration is not an object");
    }
    ObjectNode config = ((ObjectNode) patch).deepCopy();
    if (KubeJson.text(config, "apiVersion").isEmpty() || KubeJson.text(config, "kind").isEmpty()) {
      throw ApiError.badRequest("invalid object type: " + KubeJson.text(config, "apiVersion")
          + ", Kind=" + KubeJson.text(config, "kind"));
    }
    String bodyName = KubeJson.text(config, "metadata", "name");
    if (!bodyName.equals(name)) {
      throw ApiError.badRequest("the name of the object (" + bodyName + ") does not match the "
          + "name on the URL (" + name + ")");
    }
    ObjectNode decoded = decode(type, version, namespace, config, opts);
    if (type == BuiltInResources.SECRETS) {
      Kinds.normalizeSecret(decoded);
      if (!config.has("type")) {
        decoded.remove("type");
      }
    }
    ObjectNode live = existing == null ? null : existing.deepCopy();
    boolean statusOnly = subresource.equals("status");
    ManagedFields.ApplyResult result = ManagedFields.apply(live, decoded, opts.fieldManager(),
        type.apiVersion(version), subresource, opts.force(), type.statusSubresource(), statusOnly,
        now());
    if (!result.conflicts().isEmpty()) {
      ObjectNode details = KubeJson.object();
      ArrayNode causes = details.putArray("causes");
      for (ManagedFields.Conflict c : result.conflicts()) {
        causes.addObject().put("reason", "FieldManagerConflict")
            .put("message", "conflict with " + c.owner().describe())
            .put("field", c.path().toString());
      }
      throw ApiError.of(409, "Conflict", ManagedFields.conflictMessage(result.conflicts()),
          details);
    }
    ObjectNode obj = result.object();
    obj.put("apiVersion", type.apiVersion(type.storageVersion()));
    obj.put("kind", type.kind());
    if (existing == null) {
      if (statusOnly) {
        throw ApiError.notFound(type.group(), type.plural(), name);
      }
      ObjectNode meta = KubeJson.objectField(obj, "metadata");
      meta.put("name", name);
      if (type.namespaced()) {
        meta.put("namespace", namespace);
      }
      JsonNode managed = meta.remove("managedFields");
      prepareCreate(type, obj);
      List<FieldError> errors = Kinds.validateCreate(type, obj);
      if (!errors.isEmpty()) {
        throw ApiError.invalid(type.group(), type.kind(), name, errors);
      }
      if (type.namespaced() && !namespaceExists(namespace)) {
        throw ApiError.notFound("", "namespaces", namespace);
      }
      Instant now = now();
      meta.put("uid", UUID.randomUUID().toString());
      meta.put("creationTimestamp", KubeJson.time(now));
      if (type.generation()) {
        meta.put("generation", 1);
      }
      if (managed != null) {
        meta.set("managedFields", managed);
      }
      if (type == BuiltInResources.CRDS) {
        Kinds.establishCrd(obj, KubeJson.time(now));
      }
      return new Written(commitCreate(type, type.namespaced() ? namespace : null, obj,
          opts.dryRun()), true, List.of());
    }
    ObjectNode candidate = obj;
    if (!statusOnly && type.statusSubresource()) {
      if (existing.has("status")) {
        candidate.set("status", existing.get("status").deepCopy());
      } else {
        candidate.remove("status");
      }
    }
    return new Written(finishUpdate(type, version, existing, candidate, opts, subresource, true),
        false, List.of());
  }

  // ------------------------------------------------------------------ delete

  /** How a delete was asked for. */
  record DeleteOptions(String preconditionUid, String preconditionResourceVersion,
      String propagationPolicy, boolean dryRun) {
    static final DeleteOptions DEFAULT = new DeleteOptions("", "", "Background", false);
  }

  /**
   * Deletes an object. With finalizers it only gets a deletionTimestamp (returned, still present);
   * otherwise it is removed, dependents are garbage collected (or orphaned), a Namespace takes its
   * objects along, a CRD its custom resources. Returns the last state and whether it is gone.
   */
  record Deleted(ObjectNode object, boolean gone) {}

  Deleted delete(ResourceType type, String namespace, String name, DeleteOptions opts) {
    synchronized (store) {
      ObjectNode existing = get(type, namespace, name)
          .orElseThrow(() -> ApiError.notFound(type.group(), type.plural(), name));
      String uid = KubeJson.text(existing, "metadata", "uid");
      String rv = KubeJson.text(existing, "metadata", "resourceVersion");
      if (!opts.preconditionUid().isEmpty() && !opts.preconditionUid().equals(uid)) {
        throw ApiError.conflict(type.group(), type.plural(), name, "Precondition failed: UID in "
            + "precondition: " + opts.preconditionUid() + ", UID in object meta: " + uid);
      }
      if (!opts.preconditionResourceVersion().isEmpty()
          && !opts.preconditionResourceVersion().equals(rv)) {
        throw ApiError.conflict(type.group(), type.plural(), name, "Precondition failed: "
            + "ResourceVersion in precondition: " + opts.preconditionResourceVersion()
            + ", ResourceVersion in object meta: " + rv);
      }
      if (opts.dryRun()) {
        return new Deleted(existing, true);
      }
      JsonNode finalizers = existing.path("metadata").get("finalizers");
      if (finalizers != null && finalizers.isArray() && !finalizers.isEmpty()) {
        if (existing.path("metadata").has("deletionTimestamp")) {
          return new Deleted(existing, false);
        }
        ObjectNode marked = existing.deepCopy();
        ((ObjectNode) marked.get("metadata")).put("deletionTimestamp", KubeJson.time(now()));
        ((ObjectNode) marked.get("metadata")).put("deletionGracePeriodSeconds", 0);
        return new Deleted(commitUpdate(type, existing, marked, null, null, null), false);
      }
      String ns = type.namespaced() ? namespace : null;
      long next = store.nextResourceVersion();
      ObjectNode last = existing.deepCopy();
      ((ObjectNode) last.get("metadata")).put("resourceVersion", Long.toString(next));
      reallyDelete(type, ns, name, KubeJson.canonical(last), next);
      if ("Orphan".equals(opts.propagationPolicy())) {
        garbageCollector.orphan(uid);
      } else {
        garbageCollector.collect();
      }
      return new Deleted(last, true);
    }
  }

  private void reallyDelete(ResourceType type, String ns, String name, ObjectNode last, long rv) {
    store.remove(type.key(), ns, name, last, rv);
    if (type == BuiltInResources.NAMESPACES) {
      for (ResourceType t : registry.all()) {
        if (!t.namespaced()) {
          continue;
        }
        for (ObjectNode o : store.list(t.key(), name)) {
          removeNow(t, o);
        }
      }
    } else if (type == BuiltInResources.CRDS) {
      ResourceType custom = null;
      for (ResourceType t : registry.all()) {
        if (t.custom() && (t.plural() + "." + t.group()).equals(name)) {
          custom = t;
        }
      }
      if (custom != null) {
        for (ObjectNode o : store.list(custom.key(), null)) {
          removeNow(custom, o);
        }
      }
      refreshCustomTypes();
    }
  }

  private void removeNow(ResourceType t, ObjectNode o) {
    long rv = store.nextResourceVersion();
    ObjectNode last = o.deepCopy();
    ((ObjectNode) last.get("metadata")).put("resourceVersion", Long.toString(rv));
    store.remove(t.key(), t.namespaced() ? KubeJson.text(o, "metadata", "namespace") : null,
        KubeJson.text(o, "metadata", "name"), last, rv);
  }

  // ------------------------------------------------------------------ tokens

  /** Issues a TokenRequest token for a service account that must exist. */
  String requestToken(String namespace, String serviceAccount, List<String> audiences,
      Duration lifetime, ServiceAccountTokens.BoundObject bound) {
    ObjectNode sa = get(BuiltInResources.SERVICE_ACCOUNTS, namespace, serviceAccount)
        .orElseThrow(() -> ApiError.notFound("", "serviceaccounts", serviceAccount));
    return tokens.issue(namespace, serviceAccount, KubeJson.text(sa, "metadata", "uid"),
        audiences.isEmpty() ? apiAudiences : audiences, now(), lifetime, bound);
  }
}
