package io.secretsync.core.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.model.WireEnum;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A YAML mapping of a manifest together with its dotted path ({@code spec.data[0].remoteRef}).
 * Its accessors check types as strictly as the Kubernetes API server checks a custom resource
 * against its schema (a string field holds a string, not a number; a boolean is a YAML boolean)
 * and throw a {@link FieldProblem} naming the field. A {@code null} value counts as absent, as it
 * does for the API server. Values are never quoted in problems, except enum spellings.
 */
final class Node {

  private final String path;
  private final JsonNode json;

  private Node(String path, JsonNode json) {
    this.path = path;
    this.json = json;
  }

  /** The document root (or a {@code List} item, whose fields get {@code prefix}). */
  static Node root(String prefix, JsonNode json) {
    return new Node(prefix, json);
  }

  String path() {
    return path;
  }

  JsonNode json() {
    return json;
  }

  /** The path of {@code field} in this mapping. */
  String pathOf(String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  boolean has(String field) {
    JsonNode child = json.get(field);
    return child != null && !child.isNull();
  }

  FieldProblem problem(String field, String problem, String fix) {
    return new FieldProblem(pathOf(field), problem, fix);
  }

  /** A problem with this mapping as a whole. */
  FieldProblem problemHere(String problem, String fix) {
    return new FieldProblem(path.isEmpty() ? "(document)" : path, problem, fix);
  }

  /** Fails on the first field (in document order) that is not in {@code allowed}. */
  Node allowOnly(Set<String> allowed) {
    for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        throw problem(name, "unknown field",
            "remove it or correct its spelling (fields allowed here: " + String.join(", ", new TreeSet<>(allowed))
                + ")");
      }
    }
    return this;
  }

  /** Fails when {@code field} is set: a field ESO has that this library does not implement. */
  void unsupported(String field, String fix) {
    if (has(field)) {
      throw problem(field, "not supported", fix);
    }
  }

  Optional<Node> optObject(String field) {
    JsonNode child = json.get(field);
    if (child == null || child.isNull()) {
      return Optional.empty();
    }
    if (!child.isObject()) {
      throw problem(field, "must be a mapping (key: value pairs), found " + describe(child), "write it as a mapping");
    }
    return Optional.of(new Node(pathOf(field), child));
  }

  Node object(String field) {
    return optObject(field).orElseThrow(() -> problem(field, "required", "add it"));
  }

  Optional<String> optString(String field) {
    JsonNode child = json.get(field);
    if (child == null || child.isNull()) {
      return Optional.empty();
    }
    return Optional.of(text(pathOf(field), child));
  }

  /** A string that must be present and not empty. */
  String requiredString(String field, String fix) {
    return optString(field).filter(s -> !s.isEmpty()).orElseThrow(() -> problem(field, "required", fix));
  }

  Optional<Boolean> optBoolean(String field) {
    JsonNode child = json.get(field);
    if (child == null || child.isNull()) {
      return Optional.empty();
    }
    if (!child.isBoolean()) {
      throw problem(field, "must be true or false, found " + describe(child),
          child.isTextual() ? "remove the quotes" : "write true or false");
    }
    return Optional.of(child.booleanValue());
  }

  /** A whole number, or empty; {@code min} is the smallest value allowed. */
  Optional<Long> optInteger(String field, long min, long max) {
    JsonNode child = json.get(field);
    if (child == null || child.isNull()) {
      return Optional.empty();
    }
    if (!child.isIntegralNumber()) {
      throw problem(field, "must be a whole number, found " + describe(child),
          child.isTextual() ? "remove the quotes" : "write a whole number");
    }
    if (!child.canConvertToLong() || child.longValue() < min || child.longValue() > max) {
      throw problem(field, "must be between " + min + " and " + max, "use a value in that range");
    }
    return Optional.of(child.longValue());
  }

  /** The value of an enum field, spelled exactly as ESO's CRD spells it, or {@code fallback} when unset. */
  <E extends Enum<E> & WireEnum> E enumValue(String field, Class<E> type, E fallback) {
    Optional<String> value = optString(field);
    if (value.isEmpty() || value.get().isEmpty()) {
      return fallback;
    }
    return WireEnum.parse(type, value.get()).orElseThrow(() -> problem(field,
        "\"" + value.get() + "\" is not one of " + WireEnum.allowed(type), "use one of these values, spelled exactly"));
  }

  /** The mappings of a list field, each with its indexed path. */
  ImmutableList<Node> objectList(String field) {
    JsonNode child = list(field);
    ImmutableList.Builder<Node> items = ImmutableList.builder();
    for (int i = 0; i < child.size(); i++) {
      String itemPath = pathOf(field) + "[" + i + "]";
      JsonNode item = child.get(i);
      if (!item.isObject()) {
        throw new FieldProblem(itemPath, "must be a mapping (key: value pairs), found " + describe(item),
            "write each item as a mapping");
      }
      items.add(new Node(itemPath, item));
    }
    return items.build();
  }

  ImmutableList<String> stringList(String field) {
    JsonNode child = list(field);
    ImmutableList.Builder<String> items = ImmutableList.builder();
    for (int i = 0; i < child.size(); i++) {
      items.add(text(pathOf(field) + "[" + i + "]", child.get(i)));
    }
    return items.build();
  }

  /** A map of strings in document order (labels, annotations, tags, template data). */
  ImmutableMap<String, String> stringMap(String field) {
    JsonNode child = json.get(field);
    if (child == null || child.isNull()) {
      return ImmutableMap.of();
    }
    if (!child.isObject()) {
      throw problem(field, "must be a mapping of strings, found " + describe(child), "write it as key: value pairs");
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : child.properties()) {
      String entryPath = pathOf(field) + "." + entry.getKey();
      if (entry.getValue().isNull()) {
        throw new FieldProblem(entryPath, "must be a string, found null", "give it a value, \"\" for an empty one");
      }
      values.put(entry.getKey(), text(entryPath, entry.getValue()));
    }
    return ImmutableMap.copyOf(values);
  }

  private JsonNode list(String field) {
    JsonNode child = json.get(field);
    if (child == null || child.isNull()) {
      return JsonNodeFactory.instance.arrayNode();
    }
    if (!child.isArray()) {
      throw problem(field, "must be a list, found " + describe(child), "write it as a list (items starting with -)");
    }
    return child;
  }

  private static String text(String path, JsonNode value) {
    if (!value.isTextual()) {
      throw new FieldProblem(path, "must be a string, found " + describe(value),
          value.isValueNode() ? "put the value in quotes" : "write a single string");
    }
    return value.textValue();
  }

  /** What a node is, in YAML's words; never its value. */
  static String describe(JsonNode node) {
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isBoolean()) {
      return "a boolean";
    }
    if (node.isNumber()) {
      return "a number";
    }
    if (node.isArray()) {
      return "a list";
    }
    if (node.isObject()) {
      return "a mapping";
    }
    if (node.isNull()) {
      return "null";
    }
    return "a " + node.getNodeType().name().toLowerCase(Locale.ROOT);
  }

}
