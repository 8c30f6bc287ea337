package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** JSON and time helpers shared by the fake API server. */
final class KubeJson {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static final List<String> TOP_ORDER = List.of("kind", "apiVersion", "metadata");
  private static final List<String> METADATA_ORDER = List.of("name", "generateName", "namespace",
      "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
      "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
      "managedFields");
  private static final DateTimeFormatter MICRO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSX").withZone(java.time.ZoneOffset.UTC);

  private KubeJson() {}

  static ObjectNode object() {
    return NODES.objectNode();
  }

  static ArrayNode array() {
    return NODES.arrayNode();
  }

  /** RFC 3339 with seconds precision, as {@code metav1.Time}. */
  static String time(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  /** RFC 3339 with exactly six fractional digits, as {@code metav1.MicroTime}. */
  static String microTime(Instant instant) {
    return MICRO.format(instant.truncatedTo(ChronoUnit.MICROS));
  }

  static Instant parseTime(String text) {
    return Instant.parse(text);
  }

  static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render JSON", e);
    }
  }

  /** Parses a request body: JSON, or YAML when it is not JSON (apply patches may be YAML). */
  static JsonNode parseJsonOrYaml(byte[] body, boolean yamlAllowed) throws IOException {
    String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
    String trimmed = text.strip();
    if (trimmed.startsWith("{") || trimmed.startsWith("[") || !yamlAllowed) {
      return MAPPER.readTree(text);
    }
    return YAML.readTree(text);
  }

  /** The object at a dotted path of field names, or null. */
  static JsonNode at(JsonNode node, String... fields) {
    JsonNode n = node;
    for (String f : fields) {
      if (n == null || !n.isObject()) {
        return null;
      }
      n = n.get(f);
    }
    return n;
  }

  static String text(JsonNode node, String... fields) {
    JsonNode n = at(node, fields);
    return n == null || n.isNull() ? "" : n.isValueNode() ? n.asText() : "";
  }

  /** The object field {@code name} of {@code parent}, created when absent or not an object. */
  static ObjectNode objectField(ObjectNode parent, String name) {
    JsonNode n = parent.get(name);
    if (n instanceof ObjectNode o) {
      return o;
    }
    return parent.putObject(name);
  }

  /**
   * Reorders an object's top-level keys to kind, apiVersion, metadata, rest, and metadata's keys in
   * ObjectMeta field order, as the API server's Go structs render them. Returns a new object.
   */
  static ObjectNode canonical(ObjectNode obj) {
    ObjectNode out = object();
    for (String k : TOP_ORDER) {
      if (obj.has(k)) {
        out.set(k, k.equals("metadata") && obj.get(k).isObject()
            ? orderedMetadata((ObjectNode) obj.get(k)) : obj.get(k));
      }
    }
    for (Map.Entry<String, JsonNode> e : obj.properties()) {
      if (!TOP_ORDER.contains(e.getKey())) {
        out.set(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  private static ObjectNode orderedMetadata(ObjectNode meta) {
    ObjectNode out = object();
    for (String k : METADATA_ORDER) {
      if (meta.has(k)) {
        out.set(k, meta.get(k));
      }
    }
    for (Map.Entry<String, JsonNode> e : meta.properties()) {
      if (!METADATA_ORDER.contains(e.getKey())) {
        out.set(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  /** The string values of an array or single string; empty for anything else. */
  static List<String> strings(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (node.isArray()) {
      node.forEach(n -> out.add(n.asText()));
    } else if (node.isTextual()) {
      out.add(node.asText());
    }
    return out;
  }

  /** A Go {@code %q}-style quoted string (enough for names and keys). */
  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
