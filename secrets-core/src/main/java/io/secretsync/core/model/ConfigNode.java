package io.secretsync.core.model;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import io.secretsync.core.InvalidConfigException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A read-only view of one node of a provider's configuration ({@code spec.provider.<name>}) that
 * knows its own path, so every accessor fails with an {@link InvalidConfigException} naming the
 * field, e.g. {@code spec.provider.vault.auth.kubernetes.role: required}. Providers parse their
 * settings through it once, when a store is created. Immutable and thread-safe.
 */
public final class ConfigNode {

  private final String path;
  private final JsonNode node;

  private ConfigNode(String path, JsonNode node) {
    this.path = path;
    this.node = node;
  }

  /** Wraps {@code node}, found at {@code path}; the node is copied. */
  public static ConfigNode of(String path, JsonNode node) {
    return new ConfigNode(requireNonNull(path), requireNonNull(node).deepCopy());
  }

  /** A node that is absent at {@code path}. */
  public static ConfigNode missing(String path) {
    return new ConfigNode(requireNonNull(path), MissingNode.getInstance());
  }

  /** The dotted path of this node from the manifest's root, e.g. {@code spec.provider.vault.auth}. */
  public String path() {
    return path;
  }

  public boolean isPresent() {
    return !node.isMissingNode() && !node.isNull();
  }

  public boolean has(String field) {
    JsonNode child = node.get(field);
    return child != null && !child.isNull();
  }

  /** The child object {@code field}; absent children are returned as missing nodes. */
  public ConfigNode child(String field) {
    JsonNode child = node.path(field);
    if (!child.isMissingNode() && !child.isNull() && !child.isObject()) {
      throw invalid(field, "must be an object");
    }
    return new ConfigNode(path + "." + field, child);
  }

  /** The field names set on this object, sorted. */
  public ImmutableSet<String> fieldNames() {
    Set<String> names = new TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return ImmutableSet.copyOf(names);
  }

  /** Fails naming the first field of this object that is not in {@code allowed}. */
  public ConfigNode requireOnly(Set<String> allowed) {
    for (String name : fieldNames()) {
      if (!allowed.contains(name)) {
        throw invalid(name, "unknown field; allowed here: " + String.join(", ", new TreeSet<>(allowed)));
      }
    }
    return this;
  }

  public Optional<String> string(String field) {
    JsonNode child = node.get(field);
    if (child == null || child.isNull()) {
      return Optional.empty();
    }
    if (!child.isValueNode() || child.isBinary()) {
      throw invalid(field, "must be a string");
    }
    return Optional.of(child.asText());
  }

  public String requiredString(String field) {
    return string(field).filter(s -> !s.isEmpty()).orElseThrow(() -> invalid(field, "required"));
  }

  public Optional<Boolean> bool(String field) {
    JsonNode child = node.get(field);
    if (child == null || child.isNull()) {
      return Optional.empty();
    }
    if (child.isBoolean()) {
      return Optional.of(child.booleanValue());
    }
    if (child.isTextual() && (child.asText().equals("true") || child.asText().equals("false"))) {
      return Optional.of(Boolean.parseBoolean(child.asText()));
    }
    throw invalid(field, "must be true or false");
  }

  public Optional<Integer> integer(String field) {
    JsonNode child = node.get(field);
    if (child == null || child.isNull()) {
      return Optional.empty();
    }
    if (child.canConvertToInt() && child.isIntegralNumber()) {
      return Optional.of(child.intValue());
    }
    if (child.isTextual()) {
      try {
        return Optional.of(Integer.parseInt(child.asText().trim()));
      } catch (NumberFormatException e) {
        // fall through to the error below
      }
    }
    throw invalid(field, "must be an integer");
  }

  /** A Go duration ({@code 30s}, {@code 1h0m0s}) or, as ESO accepts for some fields, a number of seconds. */
  public Optional<Duration> duration(String field) {
    JsonNode child = node.get(field);
    if (child == null || child.isNull()) {
      return Optional.empty();
    }
    if (child.isIntegralNumber()) {
      return Optional.of(Duration.ofSeconds(child.longValue()));
    }
    try {
      return Optional.of(GoDuration.parse(child.asText()));
    } catch (IllegalArgumentException e) {
      throw invalid(field, e.getMessage());
    }
  }

  public ImmutableList<String> stringList(String field) {
    JsonNode child = node.get(field);
    if (child == null || child.isNull()) {
      return ImmutableList.of();
    }
    if (!child.isArray()) {
      throw invalid(field, "must be a list of strings");
    }
    ImmutableList.Builder<String> values = ImmutableList.builder();
    for (int i = 0; i < child.size(); i++) {
      JsonNode item = child.get(i);
      if (!item.isValueNode()) {
        throw invalid(field + "[" + i + "]", "must be a string");
      }
      values.add(item.asText());
    }
    return values.build();
  }

  public ImmutableMap<String, String> stringMap(String field) {
    JsonNode child = node.get(field);
    if (child == null || child.isNull()) {
      return ImmutableMap.of();
    }
    if (!child.isObject()) {
      throw invalid(field, "must be a map of strings");
    }
    ImmutableMap.Builder<String, String> values = ImmutableMap.builder();
    for (Iterator<Map.Entry<String, JsonNode>> it = child.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      if (!entry.getValue().isValueNode()) {
        throw invalid(field + "." + entry.getKey(), "must be a string");
      }
      values.put(entry.getKey(), entry.getValue().asText());
    }
    return values.buildOrThrow();
  }

  /** The list of objects at {@code field}, each with its indexed path ({@code ...conditions[0]}). */
  public ImmutableList<ConfigNode> objectList(String field) {
    JsonNode child = node.get(field);
    if (child == null || child.isNull()) {
      return ImmutableList.of();
    }
    if (!child.isArray()) {
      throw invalid(field, "must be a list");
    }
    ImmutableList.Builder<ConfigNode> values = ImmutableList.builder();
    for (int i = 0; i < child.size(); i++) {
      if (!child.get(i).isObject()) {
        throw invalid(field + "[" + i + "]", "must be an object");
      }
      values.add(new ConfigNode(path + "." + field + "[" + i + "]", child.get(i)));
    }
    return values.build();
  }

  /** An error naming {@code path.field}; for providers' own checks. */
  public InvalidConfigException invalid(String field, String problem) {
    return new InvalidConfigException(path + "." + field, problem);
  }

  /** A copy of the underlying JSON, for code that walks the tree itself. */
  public JsonNode toJson() {
    return node.deepCopy();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfigNode other && path.equals(other.path) && node.equals(other.node);
  }

  @Override
  public int hashCode() {
    return path.hashCode() * 31 + node.hashCode();
  }

  /** Field names only: configuration may hold inline credentials. */
  @Override
  public String toString() {
    return "ConfigNode{" + path + " " + fieldNames() + "}";
  }
}
