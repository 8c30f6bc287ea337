package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The API server's validation of the kinds the fake serves, with apimachinery's messages: names
 * (DNS-1123 subdomain or label, path segments), labels and annotations, Secret and ConfigMap keys and
 * the 1 MiB limit, type-specific Secret keys, immutable Secrets and ConfigMaps, Leases, CRDs.
 */
final class Validation {
  static final int MAX_SECRET_SIZE = 1024 * 1024;
  static final int MAX_ANNOTATIONS_SIZE = 256 * 1024;

  private static final String SUBDOMAIN_FMT =
      "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
  private static final Pattern SUBDOMAIN = Pattern.compile(SUBDOMAIN_FMT);
  private static final String LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  private static final Pattern LABEL = Pattern.compile(LABEL_FMT);
  private static final Pattern CONFIG_KEY = Pattern.compile("[-._a-zA-Z0-9]+");
  private static final String QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
  private static final Pattern QUALIFIED_NAME = Pattern.compile(QUALIFIED_NAME_FMT);
  private static final Pattern LABEL_VALUE = Pattern.compile("(" + QUALIFIED_NAME_FMT + ")?");

  static final String SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case "
      + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character "
      + "(e.g. 'example.com', regex used for validation is '" + SUBDOMAIN_FMT + "')";
  static final String LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case "
      + "alphanumeric characters or '-', and must start and end with an alphanumeric character "
      + "(e.g. 'my-name',  or '123-abc', regex used for validation is '" + LABEL_FMT + "')";
  static final String CONFIG_KEY_MSG = "a valid config key must consist of alphanumeric "
      + "characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used "
      + "for validation is '[-._a-zA-Z0-9]+')";
  private static final String QUALIFIED_NAME_MSG = "name part must consist of alphanumeric "
      + "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
      + "'MyName',  or 'my.name',  or '123-abc', regex used for validation is '"
      + QUALIFIED_NAME_FMT + "')";
  private static final String LABEL_VALUE_MSG = "a valid label must be an empty string or consist "
      + "of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
      + "character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '("
      + QUALIFIED_NAME_FMT + ")?')";

  /** How a kind's names are checked. */
  enum NameRule { SUBDOMAIN, LABEL, PATH_SEGMENT }

  private Validation() {}

  static NameRule nameRule(ResourceType type) {
    if (type == BuiltInResources.NAMESPACES) {
      return NameRule.LABEL;
    }
    if (type.group().equals(BuiltInResources.RBAC)) {
      return NameRule.PATH_SEGMENT;
    }
    return NameRule.SUBDOMAIN;
  }

  /** The name errors of {@code name} under {@code rule}, for field {@code field}. */
  static List<FieldError> name(String name, NameRule rule, String field) {
    List<FieldError> errors = new ArrayList<>();
    switch (rule) {
      case SUBDOMAIN -> {
        if (name.length() > 253) {
          errors.add(FieldError.invalid(field, name, "must be no more than 253 characters"));
        }
        if (!SUBDOMAIN.matcher(name).matches()) {
          errors.add(FieldError.invalid(field, name, SUBDOMAIN_MSG));
        }
      }
      case LABEL -> {
        if (name.length() > 63) {
          errors.add(FieldError.invalid(field, name, "must be no more than 63 characters"));
        }
        if (!LABEL.matcher(name).matches()) {
          errors.add(FieldError.invalid(field, name, LABEL_MSG));
        }
      }
      case PATH_SEGMENT -> {
        if (name.equals(".") || name.equals("..")) {
          errors.add(FieldError.invalid(field, name, "may not be '" + name + "'"));
        }
        for (String bad : List.of("/", "%")) {
          if (name.contains(bad)) {
            errors.add(FieldError.invalid(field, name, "may not contain '" + bad + "'"));
          }
        }
      }
    }
    return errors;
  }

  /** Metadata checks common to all kinds: name, labels, annotations. */
  static List<FieldError> metadata(ObjectNode obj, ResourceType type) {
    List<FieldError> errors = new ArrayList<>();
    String name = KubeJson.text(obj, "metadata", "name");
    if (name.isEmpty()) {
      errors.add(FieldError.required("metadata.name", "name or generateName is required"));
    } else {
      errors.addAll(name(name, nameRule(type), "metadata.name"));
    }
    JsonNode labels = KubeJson.at(obj, "metadata", "labels");
    if (labels != null && labels.isObject()) {
      for (Map.Entry<String, JsonNode> e : labels.properties()) {
        errors.addAll(qualifiedName(e.getKey(), "metadata.labels"));
        String v = e.getValue().asText();
        if (v.length() > 63) {
          errors.add(FieldError.invalid("metadata.labels", v, "must be no more than 63 "
              + "characters"));
        }
        if (!LABEL_VALUE.matcher(v).matches()) {
          errors.add(FieldError.invalid("metadata.labels", v, LABEL_VALUE_MSG));
        }
      }
    }
    JsonNode annotations = KubeJson.at(obj, "metadata", "annotations");
    if (annotations != null && annotations.isObject()) {
      long total = 0;
      for (Map.Entry<String, JsonNode> e : annotations.properties()) {
        errors.addAll(qualifiedName(e.getKey().toLowerCase(java.util.Locale.ROOT),
            "metadata.annotations"));
        total += e.getKey().length() + e.getValue().asText().length();
      }
      if (total > MAX_ANNOTATIONS_SIZE) {
        errors.add(FieldError.tooLong("metadata.annotations", "may not be more than "
            + MAX_ANNOTATIONS_SIZE + " bytes"));
      }
    }
    return errors;
  }

  private static List<FieldError> qualifiedName(String key, String field) {
    List<FieldError> errors = new ArrayList<>();
    String[] parts = key.split("/", -1);
    String name = parts[parts.length - 1];
    if (parts.length > 2) {
      errors.add(FieldError.invalid(field, key, "a qualified name must consist of alphanumeric "
          + "characters, '-', '_' or '.', and must start and end with an alphanumeric character "
          + "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '"
          + QUALIFIED_NAME_FMT + "') with an optional DNS subdomain prefix and '/' (e.g. "
          + "'example.com/MyName')"));
      return errors;
    }
    if (parts.length == 2) {
      if (parts[0].isEmpty()) {
        errors.add(FieldError.invalid(field, key, "prefix part must be non-empty"));
      } else if (!SUBDOMAIN.matcher(parts[0]).matches()) {
        errors.add(FieldError.invalid(field, key, "prefix part " + SUBDOMAIN_MSG));
      }
    }
    if (name.isEmpty()) {
      errors.add(FieldError.invalid(field, key, "name part must be non-empty"));
    } else {
      if (name.length() > 63) {
        errors.add(FieldError.invalid(field, key, "name part must be no more than 63 "
            + "characters"));
      }
      if (!QUALIFIED_NAME.matcher(name).matches()) {
        errors.add(FieldError.invalid(field, key, QUALIFIED_NAME_MSG));
      }
    }
    return errors;
  }

  /** A Secret or ConfigMap key: {@code IsConfigMapKey}. */
  static List<FieldError> configKey(String key, String field) {
    List<FieldError> errors = new ArrayList<>();
    if (key.length() > 253) {
      errors.add(FieldError.invalid(field, key, "must be no more than 253 characters"));
    }
    if (!CONFIG_KEY.matcher(key).matches()) {
      errors.add(FieldError.invalid(field, key, CONFIG_KEY_MSG));
    }
    if (key.equals(".")) {
      errors.add(FieldError.invalid(field, key, "must not be '.'"));
    } else if (key.equals("..")) {
      errors.add(FieldError.invalid(field, key, "must not be '..'"));
    } else if (key.startsWith("..")) {
      errors.add(FieldError.invalid(field, key, "must not start with '..'"));
    }
    return errors;
  }

  /** {@code ValidateSecret} on an object whose {@code data} holds base64 values. */
  static List<FieldError> secret(ObjectNode secret) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode data = secret.get("data");
    long total = 0;
    if (data != null && data.isObject()) {
      for (Map.Entry<String, JsonNode> e : data.properties()) {
        errors.addAll(configKey(e.getKey(), "data[" + e.getKey() + "]"));
        total += decodedLength(e.getValue());
      }
    }
    if (total > MAX_SECRET_SIZE) {
      errors.add(FieldError.tooLong("data", "may not be more than " + MAX_SECRET_SIZE + " bytes"));
    }
    String type = KubeJson.text(secret, "type");
    switch (type) {
      case "kubernetes.io/service-account-token" -> {
        if (KubeJson.text(secret, "metadata", "annotations",
            "kubernetes.io/service-account.name").isEmpty()) {
          errors.add(FieldError.required(
              "metadata.annotations[kubernetes.io/service-account.name]", ""));
        }
      }
      case "kubernetes.io/dockercfg" -> requireKey(secret, ".dockercfg", errors);
      case "kubernetes.io/dockerconfigjson" -> requireKey(secret, ".dockerconfigjson", errors);
      case "kubernetes.io/basic-auth" -> {
        if (!hasKey(secret, "username") && !hasKey(secret, "password")) {
          errors.add(FieldError.required("data[username]", ""));
          errors.add(FieldError.required("data[password]", ""));
        }
      }
      case "kubernetes.io/ssh-auth" -> {
        if (!hasKey(secret, "ssh-privatekey")
            || decodedLength(secret.path("data").get("ssh-privatekey")) == 0) {
          errors.add(FieldError.required("data[ssh-privatekey]", ""));
        }
      }
      case "kubernetes.io/tls" -> {
        requireKey(secret, "tls.crt", errors);
        requireKey(secret, "tls.key", errors);
      }
      default -> { }
    }
    return errors;
  }

  private static boolean hasKey(ObjectNode secret, String key) {
    JsonNode data = secret.get("data");
    return data != null && data.has(key);
  }

  private static void requireKey(ObjectNode secret, String key, List<FieldError> errors) {
    if (!hasKey(secret, key)) {
      errors.add(FieldError.required("data[" + key + "]", ""));
    }
  }

  static long decodedLength(JsonNode value) {
    if (value == null || !value.isTextual()) {
      return 0;
    }
    try {
      return Base64.getDecoder().decode(value.asText()).length;
    } catch (IllegalArgumentException e) {
      return value.asText().length();
    }
  }

  /** {@code ValidateSecretUpdate}: type and immutable data. */
  static List<FieldError> secretUpdate(ObjectNode next, ObjectNode old) {
    List<FieldError> errors = new ArrayList<>();
    String oldType = KubeJson.text(old, "type");
    String newType = KubeJson.text(next, "type");
    if (!oldType.equals(newType)) {
      errors.add(FieldError.invalid("type", newType, "field is immutable"));
    }
    immutable(next, old, List.of("data"), errors);
    return errors;
  }

  /** {@code ValidateConfigMap}. */
  static List<FieldError> configMap(ObjectNode cm) {
    List<FieldError> errors = new ArrayList<>();
    long total = 0;
    JsonNode data = cm.get("data");
    JsonNode binary = cm.get("binaryData");
    if (data != null && data.isObject()) {
      for (Map.Entry<String, JsonNode> e : data.properties()) {
        errors.addAll(configKey(e.getKey(), "data[" + e.getKey() + "]"));
        if (binary != null && binary.has(e.getKey())) {
          errors.add(FieldError.invalid("data[" + e.getKey() + "]", e.getKey(),
              "duplicate of key present in binaryData"));
        }
        total += e.getValue().asText().getBytes(StandardCharsets.UTF_8).length;
      }
    }
    if (binary != null && binary.isObject()) {
      for (Map.Entry<String, JsonNode> e : binary.properties()) {
        errors.addAll(configKey(e.getKey(), "binaryData[" + e.getKey() + "]"));
        total += decodedLength(e.getValue());
      }
    }
    if (total > MAX_SECRET_SIZE) {
      errors.add(FieldError.tooLong("[]", "may not be more than " + MAX_SECRET_SIZE + " bytes"));
    }
    return errors;
  }

  static List<FieldError> configMapUpdate(ObjectNode next, ObjectNode old) {
    List<FieldError> errors = new ArrayList<>();
    immutable(next, old, List.of("data", "binaryData"), errors);
    return errors;
  }

  private static void immutable(ObjectNode next, ObjectNode old, List<String> fields,
      List<FieldError> errors) {
    if (!old.path("immutable").asBoolean(false)) {
      return;
    }
    if (!next.path("immutable").asBoolean(false)) {
      errors.add(FieldError.forbidden("immutable",
          "field is immutable when `immutable` is set"));
    }
    for (String f : fields) {
      if (!Objects.equals(emptyToNull(old.get(f)), emptyToNull(next.get(f)))) {
        errors.add(FieldError.forbidden(f, "field is immutable when `immutable` is set"));
      }
    }
  }

  private static JsonNode emptyToNull(JsonNode n) {
    return n == null || n.isNull() || (n.isObject() && n.isEmpty()) ? null : n;
  }

  /** Lease spec checks. */
  static List<FieldError> lease(ObjectNode lease) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode spec = lease.path("spec");
    JsonNode duration = spec.get("leaseDurationSeconds");
    if (duration != null && !duration.isNull() && duration.asLong() <= 0) {
      errors.add(FieldError.invalid("spec.leaseDurationSeconds", duration.asLong(),
          "must be greater than 0"));
    }
    JsonNode transitions = spec.get("leaseTransitions");
    if (transitions != null && !transitions.isNull() && transitions.asLong() < 0) {
      errors.add(FieldError.invalid("spec.leaseTransitions", transitions.asLong(),
          "must be greater than or equal to 0"));
    }
    if (!KubeJson.text(spec, "preferredHolder").isEmpty()
        && KubeJson.text(spec, "strategy").isEmpty()) {
      errors.add(FieldError.forbidden("spec.preferredHolder",
          "may only be specified if `strategy` is defined"));
    }
    for (String f : List.of("acquireTime", "renewTime")) {
      String t = KubeJson.text(spec, f);
      if (!t.isEmpty()) {
        try {
          KubeJson.parseTime(t);
        } catch (java.time.format.DateTimeParseException e) {
          errors.add(FieldError.invalid("spec." + f, t, "must be an RFC 3339 time with "
              + "microseconds"));
        }
      }
    }
    return errors;
  }

  /** The CRD checks the fake needs to serve the CRD safely. */
  static List<FieldError> crd(ObjectNode crd) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode spec = crd.path("spec");
    String group = KubeJson.text(spec, "group");
    String plural = KubeJson.text(spec, "names", "plural");
    if (group.isEmpty()) {
      errors.add(FieldError.required("spec.group", ""));
    } else if (!group.contains(".")) {
      errors.add(FieldError.invalid("spec.group", group, "should be a domain with at least one "
          + "dot"));
    }
    if (plural.isEmpty()) {
      errors.add(FieldError.required("spec.names.plural", ""));
    }
    if (KubeJson.text(spec, "names", "kind").isEmpty()) {
      errors.add(FieldError.required("spec.names.kind", ""));
    }
    String name = KubeJson.text(crd, "metadata", "name");
    if (!plural.isEmpty() && !group.isEmpty() && !name.equals(plural + "." + group)) {
      errors.add(FieldError.invalid("metadata.name", name,
          "must be spec.names.plural+\".\"+spec.group"));
    }
    String scope = KubeJson.text(spec, "scope");
    if (!scope.equals("Namespaced") && !scope.equals("Cluster")) {
      errors.add(FieldError.notSupported("spec.scope", scope, List.of("Cluster", "Namespaced")));
    }
    JsonNode versions = spec.get("versions");
    if (versions == null || !versions.isArray() || versions.isEmpty()) {
      errors.add(FieldError.invalid("spec.versions", null, "must have exactly one version "
          + "marked as storage version"));
    } else {
      int storage = 0;
      for (JsonNode v : versions) {
        if (v.path("storage").asBoolean(false)) {
          storage++;
        }
      }
      if (storage != 1) {
        errors.add(FieldError.invalid("spec.versions", versions, "must have exactly one "
            + "version marked as storage version"));
      }
    }
    return errors;
  }
}
