package io.secretsync.testkit.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.testkit.server.ServerResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The KV version 2 engine (vault-plugin-secrets-kv): versioned data, metadata with custom_metadata,
 * max_versions, cas, delete_version_after, soft delete, undelete, destroy, subkeys and mount config,
 * with the plugin's status codes, bodies and warnings. Thread-safe (one lock per mount).
 */
final class KvV2Backend implements Backend {
  static final int DEFAULT_MAX_VERSIONS = 10;
  private static final String ROOT_WARNING =
      "Non-listing operations on the root of a K/V v2 mount are not supported.";

  private int maxVersions;
  private boolean casRequired;
  private Duration deleteVersionAfter = Duration.ZERO;
  private final TreeMap<String, Key> keys = new TreeMap<>();

  static final class Key {
    Instant created;
    Instant updated;
    long currentVersion;
    long oldestVersion;
    int maxVersions;
    boolean casRequired;
    Duration deleteVersionAfter = Duration.ZERO;
    Map<String, String> customMetadata;
    Map<String, Object> lastUpdatedBy;
    final TreeMap<Long, Version> versions = new TreeMap<>();
  }

  static final class Version {
    Instant created;
    Instant deletionTime;
    boolean destroyed;
    JsonNode data;
    Map<String, Object> createdBy;
    Map<String, Object> deletedBy;
  }

  @Override
  public String mountType() {
    return "kv";
  }

  @Override
  public synchronized Boolean exists(String path) {
    if (path.startsWith("data/")) {
      return keys.containsKey(path.substring(5));
    }
    if (path.startsWith("metadata/")) {
      return keys.containsKey(path.substring(9));
    }
    return null;
  }

  @Override
  public synchronized ServerResponse handle(Call call) {
    String p = call.path();
    Op op = call.op();
    if (p.equals("config")) {
      return switch (op) {
        case READ -> Reply.ok(configJson(), mountType());
        case CREATE, UPDATE -> writeConfig(call);
        default -> Reply.unsupportedOperation();
      };
    }
    if (op != Op.LIST && List.of("data", "metadata", "delete", "undelete", "destroy").contains(p)) {
      return Reply.raw(404, Reply.envelope(null, null, List.of(ROOT_WARNING), ""));
    }
    if (p.startsWith("data/") && p.length() > 5 && !p.endsWith("/")) {
      String key = p.substring(5);
      return switch (op) {
        case READ -> readData(key, call);
        case CREATE, UPDATE -> writeData(key, call);
        case PATCH -> patchData(key, call);
        case DELETE -> deleteLatest(key, call);
        default -> Reply.unsupportedOperation();
      };
    }
    if (p.startsWith("metadata/")) {
      String key = p.substring(9);
      return switch (op) {
        case READ -> readMetadata(key);
        case LIST -> list(key, call);
        case CREATE, UPDATE -> writeMetadata(key, call);
        case PATCH -> patchMetadata(key, call);
        case DELETE -> {
          keys.remove(key);
          yield Reply.noContent();
        }
      };
    }
    for (String action : List.of("delete/", "undelete/", "destroy/")) {
      if (p.startsWith(action) && p.length() > action.length()) {
        if (!op.isWrite()) {
          return Reply.unsupportedOperation();
        }
        return versionsAction(action, p.substring(action.length()), call);
      }
    }
    if (p.startsWith("subkeys/") && p.length() > 8) {
      return op == Op.READ ? subkeys(p.substring(8), call) : Reply.unsupportedOperation();
    }
    return invalidPath(op);
  }

  private ServerResponse invalidPath(Op op) {
    String verb = switch (op) {
      case CREATE, UPDATE -> "put";
      case PATCH -> "patch";
      case READ -> "get";
      case LIST -> "list";
      case DELETE -> "delete";
    };
    return Reply.raw(404, Reply.envelope(null, null, List.of("Invalid path for a versioned K/V "
        + "secrets engine. See the API docs for the appropriate API endpoints to use. If using the "
        + "Vault CLI, use 'vault kv " + verb + "' for this operation."), ""));
  }

  // ------------------------------------------------------------------ config

  private Map<String, Object> configJson() {
    Map<String, Object> d = new TreeMap<>();
    d.put("cas_required", casRequired);
    d.put("delete_version_after", GoDuration.format(deleteVersionAfter));
    d.put("max_versions", maxVersions);
    return d;
  }

  private ServerResponse writeConfig(Call call) {
    try {
      if (call.has("max_versions")) {
        maxVersions = intField(call, "max_versions");
      }
      if (call.has("cas_required")) {
        casRequired = boolField(call, "cas_required");
      }
      if (call.has("delete_version_after")) {
        deleteVersionAfter = GoDuration.parse(call.field("delete_version_after").orElse(null));
      }
    } catch (GoDuration.InvalidDurationException | IllegalArgumentException e) {
      return Reply.badRequest(e.getMessage());
    }
    return Reply.noContent();
  }

  // ------------------------------------------------------------------ data

  private static Map<String, Object> versionMetadata(Key meta, long version, Version v) {
    Map<String, Object> m = new TreeMap<>();
    m.put("created_time", VaultJson.time(v.created));
    m.put("custom_metadata", meta.customMetadata == null ? null
        : new TreeMap<>(meta.customMetadata));
    m.put("deletion_time", VaultJson.time(v.deletionTime));
    m.put("destroyed", v.destroyed);
    m.put("version", version);
    return m;
  }

  private static boolean deleted(Version v, Instant now) {
    return v.deletionTime != null && !v.deletionTime.isAfter(now);
  }

  private ServerResponse readData(String key, Call call) {
    Key meta = keys.get(key);
    if (meta == null) {
      return Reply.notFound();
    }
    long version;
    try {
      version = call.has("version") ? intField(call, "version") : 0;
    } catch (IllegalArgumentException e) {
      return Reply.badRequest(e.getMessage());
    }
    long v = version > 0 ? version : meta.currentVersion;
    Version ver = meta.versions.get(v);
    if (ver == null) {
      return Reply.notFound();
    }
    Map<String, Object> data = new TreeMap<>();
    data.put("metadata", versionMetadata(meta, v, ver));
    if (deleted(ver, call.now()) || ver.destroyed) {
      data.put("data", null);
      return Reply.raw(404, Reply.envelope(data, null, null, ""));
    }
    data.put("data", VaultJson.sorted(ver.data));
    return Reply.ok(data, mountType());
  }

  private ServerResponse writeData(String key, Call call) {
    JsonNode dataNode = call.data().get("data");
    if (dataNode == null || dataNode.isNull()) {
      return Reply.badRequest("no data provided");
    }
    if (!dataNode.isObject()) {
      return Reply.badRequest("error converting input for field \"data\": expected a map");
    }
    Key meta = keys.get(key);
    boolean created = meta == null;
    if (created) {
      meta = new Key();
    }
    String casError = checkCas(call, meta);
    if (casError != null) {
      return Reply.badRequest(casError);
    }
    if (created) {
      keys.put(key, meta);
    }
    meta.lastUpdatedBy = attribution(call);
    long version = addVersion(meta, dataNode.deepCopy(), call.now());
    return Reply.ok(versionMetadata(meta, version, meta.versions.get(version)), mountType());
  }

  private String checkCas(Call call, Key meta) {
    JsonNode options = call.data().path("options");
    JsonNode cas = options.isObject() ? options.get("cas") : null;
    boolean casGiven = cas != null && !cas.isNull();
    long casValue = 0;
    if (casGiven) {
      try {
        casValue = cas.isNumber() ? cas.asLong() : Long.parseLong(cas.asText().trim());
      } catch (NumberFormatException e) {
        return "error parsing check-and-set parameter";
      }
    }
    if (!casGiven && (casRequired || meta.casRequired)) {
      return "check-and-set parameter required for this call";
    }
    if (casGiven && casValue != meta.currentVersion) {
      return "check-and-set parameter did not match the current version";
    }
    return null;
  }

  private long addVersion(Key meta, JsonNode data, Instant now) {
    Version v = new Version();
    v.created = now;
    v.data = data;
    v.createdBy = meta.lastUpdatedBy;
    Duration dva = meta.deleteVersionAfter.isZero() ? deleteVersionAfter : meta.deleteVersionAfter;
    if (!deleteVersionAfter.isNegative() && dva.compareTo(Duration.ZERO) > 0) {
      v.deletionTime = now.plus(dva);
    }
    meta.currentVersion++;
    meta.versions.put(meta.currentVersion, v);
    meta.updated = now;
    if (meta.created == null) {
      meta.created = now;
    }
    int max = Math.max(meta.maxVersions, maxVersions);
    if (max <= 0) {
      max = DEFAULT_MAX_VERSIONS;
    }
    if (meta.currentVersion - meta.oldestVersion >= max) {
      long deleteUpTo = meta.currentVersion - max;
      for (long i = meta.oldestVersion; i <= deleteUpTo; i++) {
        meta.versions.remove(i);
      }
      meta.oldestVersion = deleteUpTo + 1;
    }
    return meta.currentVersion;
  }

  private ServerResponse patchData(String key, Call call) {
    JsonNode patch = call.data().get("data");
    if (patch == null || patch.isNull()) {
      return Reply.badRequest("no data provided");
    }
    Key meta = keys.get(key);
    if (meta == null || !meta.versions.containsKey(meta.currentVersion)) {
      return Reply.raw(404, null);
    }
    Version current = meta.versions.get(meta.currentVersion);
    if (deleted(current, call.now()) || current.destroyed) {
      Map<String, Object> flat = versionMetadata(meta, meta.currentVersion, current);
      return Reply.raw(404, Reply.envelope(flat, null, null, ""));
    }
    String casError = checkCas(call, meta);
    if (casError != null) {
      return Reply.badRequest(casError);
    }
    JsonNode merged = mergePatch(current.data.deepCopy(), patch);
    meta.lastUpdatedBy = attribution(call);
    long version = addVersion(meta, merged, call.now());
    return Reply.ok(versionMetadata(meta, version, meta.versions.get(version)), mountType());
  }

  /** RFC 7386 JSON merge patch. */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode out = target != null && target.isObject() ? (ObjectNode) target
        : VaultJson.MAPPER.createObjectNode();
    patch.properties().forEach(e -> {
      if (e.getValue().isNull()) {
        out.remove(e.getKey());
      } else {
        out.set(e.getKey(), mergePatch(out.get(e.getKey()), e.getValue()));
      }
    });
    return out;
  }

  private ServerResponse deleteLatest(String key, Call call) {
    Key meta = keys.get(key);
    if (meta != null) {
      Version v = meta.versions.get(meta.currentVersion);
      if (v != null && !v.destroyed && !(v.deletionTime != null
          && v.deletionTime.isBefore(call.now()))) {
        v.deletionTime = call.now();
        v.deletedBy = attribution(call);
        meta.lastUpdatedBy = v.deletedBy;
      }
    }
    return Reply.noContent();
  }

  private ServerResponse versionsAction(String action, String key, Call call) {
    List<Long> versions;
    try {
      versions = versionList(call.field("versions").orElse(null));
    } catch (IllegalArgumentException e) {
      return Reply.badRequest(e.getMessage());
    }
    if (versions.isEmpty()) {
      return Reply.badRequest(action.equals("destroy/") ? "no version number provided"
          : "No version number provided");
    }
    Key meta = keys.get(key);
    if (meta == null) {
      return Reply.noContent();
    }
    Map<String, Object> who = attribution(call);
    for (long n : versions) {
      Version v = meta.versions.get(n);
      if (v == null) {
        continue;
      }
      switch (action) {
        case "delete/" -> {
          if (!v.destroyed && (v.deletionTime == null || v.deletionTime.isAfter(call.now()))) {
            v.deletionTime = call.now();
            v.deletedBy = who;
          }
        }
        case "undelete/" -> {
          if (!v.destroyed) {
            Duration dva = meta.deleteVersionAfter.isZero() ? deleteVersionAfter
                : meta.deleteVersionAfter;
            v.deletionTime = dva.compareTo(Duration.ZERO) > 0 ? call.now().plus(dva) : null;
            v.deletedBy = null;
          }
        }
        default -> {
          v.destroyed = true;
          v.data = null;
        }
      }
    }
    meta.lastUpdatedBy = who;
    return Reply.noContent();
  }

  private static List<Long> versionList(JsonNode node) {
    List<Long> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    List<String> parts = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(n -> parts.add(n.asText()));
    } else {
      for (String s : node.asText().split(",")) {
        parts.add(s);
      }
    }
    for (String s : parts) {
      if (s.isBlank()) {
        continue;
      }
      try {
        out.add(Long.parseLong(s.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("error converting input " + s
            + " for field \"versions\": cannot parse '' as int: strconv.ParseInt: parsing \""
            + s.trim() + "\": invalid syntax");
      }
    }
    return out;
  }

  private ServerResponse subkeys(String key, Call call) {
    Key meta = keys.get(key);
    if (meta == null) {
      return Reply.notFound();
    }
    long version;
    int depth;
    try {
      version = call.has("version") ? intField(call, "version") : 0;
      depth = call.has("depth") ? intField(call, "depth") : 0;
    } catch (IllegalArgumentException e) {
      return Reply.badRequest(e.getMessage());
    }
    long v = version > 0 ? version : meta.currentVersion;
    Version ver = meta.versions.get(v);
    if (ver == null) {
      return Reply.notFound();
    }
    Map<String, Object> data = new TreeMap<>();
    data.put("metadata", versionMetadata(meta, v, ver));
    if (deleted(ver, call.now()) || ver.destroyed) {
      data.put("subkeys", null);
      return Reply.raw(404, Reply.envelope(data, null, null, ""));
    }
    data.put("subkeys", subkeysOf(ver.data, depth, 1));
    return Reply.ok(data, mountType());
  }

  private static Map<String, Object> subkeysOf(JsonNode node, int depth, int level) {
    Map<String, Object> out = new TreeMap<>();
    node.properties().forEach(e -> {
      JsonNode v = e.getValue();
      out.put(e.getKey(), v.isObject() && (depth == 0 || level < depth)
          ? subkeysOf(v, depth, level + 1) : null);
    });
    return out;
  }

  // ------------------------------------------------------------------ metadata

  private ServerResponse readMetadata(String key) {
    Key meta = keys.get(key);
    if (meta == null) {
      return Reply.notFound();
    }
    return Reply.ok(metadataJson(meta), mountType());
  }

  static Map<String, Object> metadataJson(Key meta) {
    Map<String, Object> versions = new TreeMap<>();
    meta.versions.forEach((n, v) -> {
      Map<String, Object> m = new TreeMap<>();
      m.put("created_by", v.createdBy);
      m.put("created_time", VaultJson.time(v.created));
      m.put("deleted_by", v.deletedBy);
      m.put("deletion_time", VaultJson.time(v.deletionTime));
      m.put("destroyed", v.destroyed);
      versions.put(Long.toString(n), m);
    });
    Map<String, Object> d = new TreeMap<>();
    d.put("cas_required", meta.casRequired);
    d.put("created_time", VaultJson.time(meta.created));
    d.put("current_version", meta.currentVersion);
    d.put("custom_metadata", meta.customMetadata == null ? null
        : new TreeMap<>(meta.customMetadata));
    d.put("delete_version_after", GoDuration.format(meta.deleteVersionAfter));
    d.put("last_updated_by", meta.lastUpdatedBy);
    d.put("max_versions", meta.maxVersions);
    d.put("oldest_version", meta.oldestVersion);
    d.put("updated_time", VaultJson.time(meta.updated));
    d.put("versions", versions);
    return d;
  }

  private ServerResponse list(String prefix, Call call) {
    boolean excludeDeleted = call.text("exclude_deleted").equals("true");
    TreeSet<String> out = new TreeSet<>();
    for (Map.Entry<String, Key> e : keys.tailMap(prefix, true).entrySet()) {
      String k = e.getKey();
      if (!k.startsWith(prefix)) {
        break;
      }
      String rest = k.substring(prefix.length());
      if (rest.isEmpty()) {
        continue;
      }
      int slash = rest.indexOf('/');
      if (slash >= 0) {
        out.add(rest.substring(0, slash + 1));
      } else {
        if (excludeDeleted) {
          Version v = e.getValue().versions.get(e.getValue().currentVersion);
          if (v != null && v.deletionTime != null) {
            continue;
          }
        }
        out.add(rest);
      }
    }
    if (out.isEmpty()) {
      return Reply.notFound();
    }
    return Reply.ok(Map.of("keys", new ArrayList<>(out)), mountType());
  }

  private ServerResponse writeMetadata(String key, Call call) {
    if (key.isEmpty()) {
      return Reply.badRequest("missing path");
    }
    boolean any = call.has("max_versions") || call.has("cas_required")
        || call.has("delete_version_after") || call.has("custom_metadata");
    if (!any) {
      return Reply.noContent();
    }
    Map<String, String> custom = null;
    if (call.has("custom_metadata")) {
      Object parsed = parseCustomMetadata(call.data().get("custom_metadata"));
      if (parsed instanceof String error) {
        return Reply.badRequest(error);
      }
      @SuppressWarnings("unchecked")
      Map<String, String> cm = (Map<String, String>) parsed;
      custom = cm;
    }
    Key meta = keys.get(key);
    Key target = meta != null ? meta : new Key();
    try {
      applyMetadataFields(target, call);
    } catch (GoDuration.InvalidDurationException | IllegalArgumentException e) {
      return Reply.badRequest(e.getMessage());
    }
    if (custom != null) {
      target.customMetadata = custom;
    }
    if (meta == null) {
      target.created = call.now();
      target.updated = call.now();
      keys.put(key, target);
    }
    if (call.has("cas_required") && casRequired && !target.casRequired) {
      return Reply.warnings(List.of("\"cas_required\" set to false, but is mandated by backend "
          + "config. This value will be ignored."), mountType());
    }
    return Reply.noContent();
  }

  private void applyMetadataFields(Key target, Call call)
      throws GoDuration.InvalidDurationException {
    if (call.has("max_versions")) {
      target.maxVersions = intField(call, "max_versions");
    }
    if (call.has("cas_required")) {
      target.casRequired = boolField(call, "cas_required");
    }
    if (call.has("delete_version_after")) {
      target.deleteVersionAfter = GoDuration.parse(call.field("delete_version_after").orElse(null));
    }
  }

  private ServerResponse patchMetadata(String key, Call call) {
    Key meta = keys.get(key);
    if (meta == null) {
      return Reply.raw(404, null);
    }
    Map<String, String> custom = null;
    JsonNode cmNode = call.data().get("custom_metadata");
    if (cmNode != null && !cmNode.isNull()) {
      if (!cmNode.isObject()) {
        return Reply.badRequest("custom_metadata validation failed: expected a map");
      }
      Map<String, String> merged = new LinkedHashMap<>(meta.customMetadata == null ? Map.of()
          : meta.customMetadata);
      cmNode.properties().forEach(e -> {
        if (e.getValue().isNull()) {
          merged.remove(e.getKey());
        } else {
          merged.put(e.getKey(), e.getValue().asText());
        }
      });
      String error = validateCustomMetadata(merged);
      if (error != null) {
        return Reply.badRequest(error);
      }
      custom = merged;
    }
    try {
      applyMetadataFields(meta, call);
    } catch (GoDuration.InvalidDurationException | IllegalArgumentException e) {
      return Reply.badRequest(e.getMessage());
    }
    if (custom != null) {
      meta.customMetadata = custom;
    }
    meta.updated = call.now();
    return Reply.noContent();
  }

  /** A map, or the error text. */
  private static Object parseCustomMetadata(JsonNode node) {
    if (node == null || node.isNull()) {
      return new LinkedHashMap<String, String>();
    }
    if (!node.isObject()) {
      return "custom_metadata validation failed: expected a map";
    }
    Map<String, String> out = new LinkedHashMap<>();
    node.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    String error = validateCustomMetadata(out);
    return error != null ? error : out;
  }

  private static String validateCustomMetadata(Map<String, String> cm) {
    String prefix = "custom_metadata validation failed";
    List<String> errors = new ArrayList<>();
    if (cm.size() > 64) {
      errors.add(prefix + ": payload must contain at most 64 keys, provided " + cm.size());
      return Policy.multiError(errors);
    }
    for (Map.Entry<String, String> e : cm.entrySet()) {
      int keyLen = e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      int valueLen = e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      if (keyLen == 0 || keyLen > 128) {
        errors.add(prefix + ": length of key \"" + e.getKey() + "\" is " + keyLen
            + " but must be 0 < len(key) <= 128");
      }
      if (valueLen == 0 || valueLen > 512) {
        errors.add(prefix + ": length of value for key \"" + e.getKey() + "\" is " + valueLen
            + " but must be 0 < len(value) <= 512");
      }
    }
    return errors.isEmpty() ? null : Policy.multiError(errors);
  }

  // ------------------------------------------------------------------ helpers

  private static Map<String, Object> attribution(Call call) {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("actor", call.token() == null ? "" : call.token().displayName);
    a.put("operation", call.op().goName);
    if (call.token() != null && !call.token().entityId.isEmpty()) {
      a.put("entity_id", call.token().entityId);
    }
    return a;
  }

  private static int intField(Call call, String name) {
    JsonNode n = call.field(name).orElse(null);
    if (n == null) {
      return 0;
    }
    if (n.isIntegralNumber()) {
      return n.asInt();
    }
    try {
      return Integer.parseInt(n.asText().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("error converting input " + n.asText() + " for field \""
          + name + "\": cannot parse '' as int: strconv.ParseInt: parsing \"" + n.asText()
          + "\": invalid syntax");
    }
  }

  private static boolean boolField(Call call, String name) {
    JsonNode n = call.field(name).orElse(null);
    if (n == null) {
      return false;
    }
    if (n.isBoolean()) {
      return n.asBoolean();
    }
    String s = n.asText().trim();
    return switch (s) {
      case "true", "1", "t", "T", "TRUE", "True" -> true;
      case "false", "0", "f", "F", "FALSE", "False", "" -> false;
      default -> throw new IllegalArgumentException("error converting input " + s
          + " for field \"" + name + "\": cannot parse '' as bool: strconv.ParseBool: parsing \""
          + s + "\": invalid syntax");
    };
  }

  // ------------------------------------------------------------------ Java API

  /** Writes a new version as a client with {@code actor} would; returns the version number. */
  synchronized long put(String key, JsonNode data, Instant now) {
    Key meta = keys.computeIfAbsent(key, k -> new Key());
    Map<String, Object> who = new LinkedHashMap<>();
    who.put("actor", "root");
    who.put("operation", meta.currentVersion == 0 ? "create" : "update");
    meta.lastUpdatedBy = who;
    return addVersion(meta, data.deepCopy(), now);
  }

  /** The data of the current version if it is neither deleted nor destroyed. */
  synchronized Optional<JsonNode> get(String key, Instant now) {
    Key meta = keys.get(key);
    if (meta == null) {
      return Optional.empty();
    }
    Version v = meta.versions.get(meta.currentVersion);
    if (v == null || v.destroyed || deleted(v, now)) {
      return Optional.empty();
    }
    return Optional.of(v.data.deepCopy());
  }

  synchronized void softDelete(String key, Instant now) {
    Key meta = keys.get(key);
    if (meta != null && meta.versions.containsKey(meta.currentVersion)) {
      meta.versions.get(meta.currentVersion).deletionTime = now;
    }
  }

  synchronized void deleteAll(String key) {
    keys.remove(key);
  }

  synchronized Optional<Long> currentVersion(String key) {
    Key meta = keys.get(key);
    return meta == null ? Optional.empty() : Optional.of(meta.currentVersion);
  }

  synchronized void setCustomMetadata(String key, Map<String, String> custom, Instant now) {
    Key meta = keys.computeIfAbsent(key, k -> {
      Key m = new Key();
      m.created = now;
      m.updated = now;
      return m;
    });
    meta.customMetadata = new LinkedHashMap<>(custom);
  }
}
