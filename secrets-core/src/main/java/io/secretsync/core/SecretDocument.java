package io.secretsync.core;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableSortedSet;
import java.io.IOException;
import java.util.Map;

/**
 * One secret as a JSON-valued store holds it: a JSON object whose top-level fields are the secret's
 * properties (Vault KV: {@code .data.data}; with metadataPolicy Fetch, the metadata map).
 * Numbers parsed by {@link #parseJson} or {@link ExactJson} keep their original text ({@code 1.0}
 * stays {@code 1.0}, {@code 1e5} stays {@code 1e5}). Immutable; {@code toString} shows property
 * names only.
 */
public final class SecretDocument {

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private final ObjectNode root;

  private SecretDocument(ObjectNode root) {
    this.root = root;
  }

  /**
   * Parses a JSON object, keeping each number's original text. Fails with an
   * {@link IllegalArgumentException} that says what is wrong with the shape, never quoting the input.
   */
  public static SecretDocument parseJson(byte[] json) {
    JsonNode node;
    try {
      node = ExactJson.parse(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("secret is not valid JSON (" + describe(e) + ")");
    }
    return of(node);
  }

  /** Wraps a JSON object node (copied). */
  public static SecretDocument of(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(
          "secret must be a JSON object, found " + (node == null ? "nothing" : node.getNodeType()));
    }
    return new SecretDocument((ObjectNode) node.deepCopy());
  }

  /** A document whose properties are the given strings. */
  public static SecretDocument ofStrings(Map<String, String> properties) {
    ObjectNode node = JSON.createObjectNode();
    properties.forEach((k, v) -> node.put(requireNonNull(k), requireNonNull(v)));
    return new SecretDocument(node);
  }

  /** A document from plain Java values: strings, numbers, booleans, null, lists and maps of them. */
  public static SecretDocument ofMap(Map<String, ?> properties) {
    return of(ExactJson.fromJava(properties));
  }

  /** The value of the top-level property {@code name}, if present. */
  public java.util.Optional<JsonNode> get(String name) {
    return java.util.Optional.ofNullable(root.get(name));
  }

  /** The whole secret as compact JSON with sorted keys (see {@link ExactJson}). */
  public byte[] toCompactJson() {
    return ExactJson.write(root);
  }

  /** The top-level property names, sorted. */
  public ImmutableSortedSet<String> keys() {
    ImmutableSortedSet.Builder<String> keys = ImmutableSortedSet.naturalOrder();
    root.fieldNames().forEachRemaining(keys::add);
    return keys.build();
  }

  /** A copy of the JSON object. */
  public ObjectNode toJson() {
    return root.deepCopy();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretDocument other && root.equals(other.root);
  }

  @Override
  public int hashCode() {
    return root.hashCode();
  }

  @Override
  public String toString() {
    return "SecretDocument" + keys();
  }

  private static String describe(IOException e) {
    if (e instanceof JsonProcessingException jpe && jpe.getLocation() != null) {
      return "at line " + jpe.getLocation().getLineNr() + ", column " + jpe.getLocation().getColumnNr();
    }
    return "unreadable";
  }
}
