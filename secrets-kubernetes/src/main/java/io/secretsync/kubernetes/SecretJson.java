package io.secretsync.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.SecretData;
import io.secretsync.core.TargetSecret;
import io.secretsync.core.TargetSecret.OwnerReference;
import java.util.Base64;
import java.util.Map;

/**
 * The JSON of a core/v1 Secret and of the metadata every object shares, to and from
 * {@link TargetSecret}: {@code data} is base64, {@code type} defaults to Opaque, {@code immutable}
 * is sent only when true, {@code resourceVersion} only when known.
 */
final class SecretJson {
  private SecretJson() {}

  /**
   * The Secret as the API returned it.
   *
   * @throws KubernetesApiException when a {@code data} value is not base64 or a field has the wrong type
   */
  static TargetSecret fromJson(JsonNode json) {
    JsonNode meta = json.path("metadata");
    SecretData.Builder data = SecretData.builder();
    for (Map.Entry<String, JsonNode> e : json.path("data").properties()) {
      data.put(e.getKey(), e.getValue().isNull() ? new byte[0] : base64(json, "data", e.getKey(), e.getValue()));
    }
    return new TargetSecret(meta.path("namespace").asText(""), meta.path("name").asText(""),
        json.path("type").asText(TargetSecret.TYPE_OPAQUE), stringMap(meta.path("labels")),
        stringMap(meta.path("annotations")), ownerReferences(meta.path("ownerReferences")),
        json.path("immutable").asBoolean(false), data.build(), meta.path("resourceVersion").asText(""));
  }

  /** A new Secret's JSON: what {@code secret} holds, nothing else. */
  static ObjectNode toJson(TargetSecret secret) {
    ObjectNode json = ApiTransport.object().put("apiVersion", "v1").put("kind", "Secret");
    ObjectNode meta = json.putObject("metadata").put("name", secret.name()).put("namespace", secret.namespace());
    apply(secret, json, meta);
    return json;
  }

  /**
   * {@code current} (a Secret as read, with everything this type does not model: finalizers, uid,
   * other metadata) with the fields of {@code secret} put in, for a replace that loses nothing.
   */
  static ObjectNode replaceInto(ObjectNode current, TargetSecret secret) {
    ObjectNode json = current.deepCopy();
    json.put("apiVersion", "v1").put("kind", "Secret");
    json.remove("stringData");
    ObjectNode meta = json.has("metadata") && json.get("metadata").isObject() ? (ObjectNode) json.get("metadata")
        : json.putObject("metadata");
    meta.remove(java.util.List.of("labels", "annotations", "ownerReferences", "resourceVersion"));
    json.remove(java.util.List.of("type", "immutable", "data"));
    apply(secret, json, meta);
    return json;
  }

  private static void apply(TargetSecret secret, ObjectNode json, ObjectNode meta) {
    if (!secret.labels().isEmpty()) {
      putStrings(meta.putObject("labels"), secret.labels());
    }
    if (!secret.annotations().isEmpty()) {
      putStrings(meta.putObject("annotations"), secret.annotations());
    }
    if (!secret.ownerReferences().isEmpty()) {
      ArrayNode owners = meta.putArray("ownerReferences");
      for (OwnerReference o : secret.ownerReferences()) {
        ObjectNode ref = owners.addObject().put("apiVersion", o.apiVersion()).put("kind", o.kind()).put("name", o.name())
            .put("uid", o.uid());
        if (o.controller()) {
          ref.put("controller", true);
        }
        if (o.blockOwnerDeletion()) {
          ref.put("blockOwnerDeletion", true);
        }
      }
    }
    if (!secret.resourceVersion().isEmpty()) {
      meta.put("resourceVersion", secret.resourceVersion());
    }
    if (!secret.type().isEmpty()) {
      json.put("type", secret.type());
    }
    if (secret.immutable()) {
      json.put("immutable", true);
    }
    ObjectNode data = json.putObject("data");
    secret.data().forEach((key, value) -> data.put(key, Base64.getEncoder().encodeToString(value)));
  }

  /** A base64 value of {@code field} ({@code data} or {@code binaryData}) of {@code json}, a Secret or ConfigMap. */
  static byte[] base64(JsonNode json, String field, String key, JsonNode value) {
    try {
      if (!value.isTextual()) {
        throw new IllegalArgumentException("not a string");
      }
      return Base64.getDecoder().decode(value.textValue());
    } catch (IllegalArgumentException e) {
      JsonNode meta = json.path("metadata");
      throw KubernetesApiException.malformedAnswer(json.path("kind").asText("object") + " "
          + meta.path("namespace").asText("") + "/" + meta.path("name").asText(""),
          field + "[" + key + "] is not base64");
    }
  }

  static ImmutableMap<String, String> stringMap(JsonNode json) {
    ImmutableMap.Builder<String, String> out = ImmutableMap.builder();
    for (Map.Entry<String, JsonNode> e : json.properties()) {
      out.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText());
    }
    return out.buildKeepingLast();
  }

  static void putStrings(ObjectNode into, Map<String, String> values) {
    values.forEach(into::put);
  }

  static ImmutableList<OwnerReference> ownerReferences(JsonNode json) {
    ImmutableList.Builder<OwnerReference> out = ImmutableList.builder();
    for (JsonNode ref : json) {
      out.add(new OwnerReference(ref.path("apiVersion").asText(""), ref.path("kind").asText(""),
          ref.path("name").asText(""), ref.path("uid").asText(""), ref.path("controller").asBoolean(false),
          ref.path("blockOwnerDeletion").asBoolean(false)));
    }
    return out.build();
  }
}
