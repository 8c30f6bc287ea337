package io.secretsync.core;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableSortedSet;
import java.io.IOException;
import java.util.Map;

/**
 * One secret as a JSON-valued store holds it: a JSON object whose top-level fields are the secret's
 * properties (Vault KV: {@code .data.data}; with metadataPolicy Fetch, the metadata map).
 * Numbers keep their exact decimal value ({@code 1.0} stays {@code 1.0}). Immutable;
 * {@code toString} shows property names only.
 */
public final class SecretDocument {

  private static final ObjectMapper JSON = JsonMapper.builder()
      .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
      .build();

  private final ObjectNode root;

  private SecretDocument(ObjectNode root) {
    this.root = root;
  }

  /**
   * Parses a JSON object. Fails with an {@link IllegalArgumentException} that says what is wrong
   * with the shape, never quoting the input.
   */
  public static SecretDocument parseJson(byte[] json) {
    JsonNode node;
    try {
      node = JSON.readTree(json);
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

  /** The shared mapper configured for exact numbers; for code that builds documents. */
  static ObjectMapper mapper() {
    return JSON;
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
