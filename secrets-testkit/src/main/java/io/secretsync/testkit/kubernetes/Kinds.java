package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the API server's registry strategies do per kind: defaulting on create and update
 * ({@code stringData} merged into a Secret's {@code data}, {@code type: Opaque}, a Namespace's phase,
 * finalizer and name label, a CRD's status), validation, and the fields a strict decoder knows.
 */
final class Kinds {
  private static final Set<String> OBJECT_META = Set.of("name", "generateName", "namespace",
      "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
      "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
      "managedFields");
  private static final Map<String, Set<String>> TOP_LEVEL = Map.ofEntries(
      Map.entry("Secret", Set.of("data", "stringData", "type", "immutable")),
      Map.entry("ConfigMap", Set.of("data", "binaryData", "immutable")),
      Map.entry("Namespace", Set.of("spec", "status")),
      Map.entry("ServiceAccount", Set.of("secrets", "imagePullSecrets",
          "automountServiceAccountToken")),
      Map.entry("Pod", Set.of("spec", "status")),
      Map.entry("ClusterRole", Set.of("rules", "aggregationRule")),
      Map.entry("Role", Set.of("rules")),
      Map.entry("ClusterRoleBinding", Set.of("subjects", "roleRef")),
      Map.entry("RoleBinding", Set.of("subjects", "roleRef")),
      Map.entry("Lease", Set.of("spec")),
      Map.entry("CustomResourceDefinition", Set.of("spec", "status")));

  private Kinds() {}

  /**
   * The unknown fields of {@code obj} for a strict decoder: top-level fields and metadata fields of
   * built-in kinds. Custom resources keep unknown fields (their schemas preserve them).
   */
  static List<String> unknownFields(ResourceType type, ObjectNode obj) {
    List<String> unknown = new ArrayList<>();
    if (type.custom()) {
      return unknown;
    }
    Set<String> known = TOP_LEVEL.get(type.kind());
    if (known != null) {
      obj.fieldNames().forEachRemaining(f -> {
        if (!f.equals("apiVersion") && !f.equals("kind") && !f.equals("metadata")
            && !known.contains(f)) {
          unknown.add(f);
        }
      });
    }
    JsonNode meta = obj.get("metadata");
    if (meta != null && meta.isObject()) {
      meta.fieldNames().forEachRemaining(f -> {
        if (!OBJECT_META.contains(f)) {
          unknown.add("metadata." + f);
        }
      });
    }
    return unknown;
  }

  /**
   * Normalizes a Secret as the API server decodes it: {@code stringData} merged into {@code data}
   * (base64) and dropped, {@code type} defaulted to Opaque, base64 checked.
   *
   * @throws ApiError 400 when a {@code data} value is not base64
   */
  static void normalizeSecret(ObjectNode secret) {
    JsonNode data = secret.get("data");
    if (data != null && !data.isNull() && !data.isObject()) {
      throw ApiError.badRequest("Secret in version \"v1\" cannot be handled as a Secret: json: "
          + "cannot unmarshal " + data.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
          + " into Go struct field Secret.data of type map[string][]uint8");
    }
    if (data != null && data.isObject()) {
      for (Map.Entry<String, JsonNode> e : data.properties()) {
        if (e.getValue().isNull()) {
          continue;
        }
        String v = e.getValue().asText();
        try {
          Base64.getDecoder().decode(v);
        } catch (IllegalArgumentException ex) {
          throw ApiError.badRequest("Secret in version \"v1\" cannot be handled as a Secret: "
              + "illegal base64 data at input byte " + firstBadByte(v));
        }
      }
    }
    JsonNode stringData = secret.remove("stringData");
    if (stringData != null && stringData.isObject() && !stringData.isEmpty()) {
      ObjectNode d = KubeJson.objectField(secret, "data");
      stringData.properties().forEach(e -> d.put(e.getKey(), Base64.getEncoder()
          .encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8))));
    }
    if (secret.has("data") && secret.get("data").isObject()) {
      ObjectNode d = (ObjectNode) secret.get("data");
      List<String> nulls = new ArrayList<>();
      d.properties().forEach(e -> {
        if (e.getValue().isNull()) {
          nulls.add(e.getKey());
        }
      });
      nulls.forEach(d::remove);
    }
    if (KubeJson.text(secret, "type").isEmpty()) {
      secret.put("type", "Opaque");
    }
  }

  private static int firstBadByte(String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '+' || c == '/' || c == '=';
      if (!ok) {
        return i;
      }
    }
    return v.length();
  }

  /** A Namespace's defaults: phase Active, the kubernetes finalizer, the name label. */
  static void defaultNamespace(ObjectNode ns) {
    String name = KubeJson.text(ns, "metadata", "name");
    ObjectNode labels = KubeJson.objectField(KubeJson.objectField(ns, "metadata"), "labels");
    labels.put("kubernetes.io/metadata.name", name);
    ObjectNode spec = KubeJson.objectField(ns, "spec");
    if (!spec.has("finalizers")) {
      spec.putArray("finalizers").add("kubernetes");
    }
    ObjectNode status = KubeJson.objectField(ns, "status");
    if (!status.has("phase")) {
      status.put("phase", "Active");
    }
  }

  /** A CRD's status once established: accepted names, conditions, stored versions. */
  static void establishCrd(ObjectNode crd, String now) {
    ObjectNode status = crd.putObject("status");
    status.set("acceptedNames", crd.path("spec").path("names").deepCopy());
    ArrayNode conditions = status.putArray("conditions");
    ObjectNode names = conditions.addObject();
    names.put("lastTransitionTime", now);
    names.put("message", "no conflicts found");
    names.put("reason", "NoConflicts");
    names.put("status", "True");
    names.put("type", "NamesAccepted");
    ObjectNode established = conditions.addObject();
    established.put("lastTransitionTime", now);
    established.put("message", "the initial names have been accepted");
    established.put("reason", "InitialNamesAccepted");
    established.put("status", "True");
    established.put("type", "Established");
    ArrayNode stored = status.putArray("storedVersions");
    for (JsonNode v : crd.path("spec").path("versions")) {
      if (v.path("storage").asBoolean(false)) {
        stored.add(v.path("name").asText());
      }
    }
  }

  /** Kind-specific validation on create. */
  static List<FieldError> validateCreate(ResourceType type, ObjectNode obj) {
    List<FieldError> errors = new ArrayList<>(Validation.metadata(obj, type));
    errors.addAll(validateSpec(type, obj));
    return errors;
  }

  /** Kind-specific validation on update, including immutability. */
  static List<FieldError> validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old) {
    List<FieldError> errors = new ArrayList<>(Validation.metadata(obj, type));
    errors.addAll(validateSpec(type, obj));
    if (type == BuiltInResources.SECRETS) {
      errors.addAll(Validation.secretUpdate(obj, old));
    } else if (type == BuiltInResources.CONFIG_MAPS) {
      errors.addAll(Validation.configMapUpdate(obj, old));
    } else if (type == BuiltInResources.CRDS) {
      String oldScope = KubeJson.text(old, "spec", "scope");
      if (!oldScope.equals(KubeJson.text(obj, "spec", "scope"))) {
        errors.add(FieldError.invalid("spec.scope", KubeJson.text(obj, "spec", "scope"),
            "field is immutable"));
      }
    }
    return errors;
  }

  private static List<FieldError> validateSpec(ResourceType type, ObjectNode obj) {
    if (type == BuiltInResources.SECRETS) {
      return Validation.secret(obj);
    }
    if (type == BuiltInResources.CONFIG_MAPS) {
      return Validation.configMap(obj);
    }
    if (type == BuiltInResources.LEASES) {
      return Validation.lease(obj);
    }
    if (type == BuiltInResources.CRDS) {
      return Validation.crd(obj);
    }
    if (type == BuiltInResources.CLUSTER_ROLE_BINDINGS || type == BuiltInResources.ROLE_BINDINGS) {
      List<FieldError> errors = new ArrayList<>();
      if (KubeJson.text(obj, "roleRef", "name").isEmpty()) {
        errors.add(FieldError.required("roleRef.name", ""));
      }
      String kind = KubeJson.text(obj, "roleRef", "kind");
      List<String> kinds = type == BuiltInResources.ROLE_BINDINGS
          ? List.of("ClusterRole", "Role") : List.of("ClusterRole");
      if (!kinds.contains(kind)) {
        errors.add(FieldError.notSupported("roleRef.kind", kind, kinds));
      }
      return errors;
    }
    if (type == BuiltInResources.PODS) {
      JsonNode containers = KubeJson.at(obj, "spec", "containers");
      if (containers == null || !containers.isArray() || containers.isEmpty()) {
        return List.of(FieldError.required("spec.containers", ""));
      }
    }
    return List.of();
  }

  /** Whether a write to a custom resource changed more than metadata and status. */
  static boolean specChanged(ObjectNode before, ObjectNode after) {
    ObjectNode a = before.deepCopy();
    ObjectNode b = after.deepCopy();
    for (ObjectNode o : List.of(a, b)) {
      o.remove("metadata");
      o.remove("status");
      o.remove("apiVersion");
      o.remove("kind");
    }
    return !a.equals(b);
  }
}
