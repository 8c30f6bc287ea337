package io.secretsync.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.secretsync.core.TargetSecret;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kubernetes Secret objects as {@code kubectl create --dry-run=client -o yaml|json} prints them:
 * {@code apiVersion}, {@code kind}, {@code metadata} (name, namespace, labels, annotations,
 * ownerReferences), {@code data} in base64, {@code type} and {@code immutable}, every mapping's keys
 * sorted, no server fields (resourceVersion, uid, creationTimestamp). YAML documents are separated by
 * {@code ---}; several objects in JSON are a {@code v1 List}, as kubectl prints them. The output holds
 * Secret values (base64): print it only where the user asked for it. Stateless and thread-safe.
 */
final class SecretObjects {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .build());
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private SecretObjects() {}

  /** The Secret as the Kubernetes API takes it, keys sorted. */
  static ObjectNode toObject(TargetSecret secret) {
    ObjectNode object = NODES.objectNode();
    object.put("apiVersion", "v1");
    if (!secret.data().isEmpty()) {
      ObjectNode data = object.putObject("data");
      secret.data().forEach((key, value) -> data.put(key, Base64.getEncoder().encodeToString(value)));
    }
    if (secret.immutable()) {
      object.put("immutable", true);
    }
    object.put("kind", "Secret");
    ObjectNode meta = object.putObject("metadata");
    putSorted(meta, "annotations", secret.annotations());
    putSorted(meta, "labels", secret.labels());
    meta.put("name", secret.name());
    meta.put("namespace", secret.namespace());
    if (!secret.ownerReferences().isEmpty()) {
      ArrayNode owners = meta.putArray("ownerReferences");
      for (TargetSecret.OwnerReference ref : secret.ownerReferences()) {
        ObjectNode owner = owners.addObject();
        owner.put("apiVersion", ref.apiVersion());
        if (ref.blockOwnerDeletion()) {
          owner.put("blockOwnerDeletion", true);
        }
        if (ref.controller()) {
          owner.put("controller", true);
        }
        owner.put("kind", ref.kind());
        owner.put("name", ref.name());
        owner.put("uid", ref.uid());
      }
    }
    object.put("type", secret.type().isEmpty() ? TargetSecret.TYPE_OPAQUE : secret.type());
    return object;
  }

  /** YAML documents, one per Secret, separated by {@code ---} lines. */
  static String yaml(List<TargetSecret> secrets) {
    StringBuilder out = new StringBuilder();
    for (TargetSecret secret : secrets) {
      if (out.length() > 0) {
        out.append("---\n");
      }
      out.append(write(YAML, toObject(secret)));
    }
    return out.toString();
  }

  /** One Secret as a JSON object, or several as a {@code v1 List}; empty when there are none. */
  static String json(List<TargetSecret> secrets) {
    if (secrets.isEmpty()) {
      return "";
    }
    if (secrets.size() == 1) {
      return write(JSON, toObject(secrets.get(0))) + "\n";
    }
    ObjectNode list = NODES.objectNode();
    list.put("apiVersion", "v1");
    ArrayNode items = list.putArray("items");
    secrets.forEach(s -> items.add(toObject(s)));
    list.put("kind", "List");
    list.putObject("metadata").put("resourceVersion", "");
    return write(JSON, list) + "\n";
  }

  private static void putSorted(ObjectNode parent, String field, Map<String, String> values) {
    if (!values.isEmpty()) {
      ObjectNode node = parent.putObject(field);
      new TreeMap<>(values).forEach(node::put);
    }
  }

  private static String write(ObjectMapper mapper, JsonNode node) {
    try {
      return mapper.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot print a Secret object", e);
    }
  }
}
