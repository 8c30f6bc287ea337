package io.secretsync.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableList;
import io.secretsync.core.SecretStoreException.PropertyNotFoundException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Vault-style property lookup over a {@link SecretDocument}, for any JSON-valued store; the rules
 * are ESO's Vault provider's:
 *
 * <ol>
 *   <li>An empty property selects the whole secret, as compact JSON with sorted keys.
 *   <li>A property that is exactly a top-level key wins, even if it contains dots.
 *   <li>Otherwise the property is a path: dots separate object keys (or array indexes);
 *       {@code \.} is a literal dot inside a key.
 * </ol>
 *
 * <p>A selected value becomes bytes this way: a string its UTF-8 bytes, an object or array its
 * compact JSON, a number its original text ({@code 1.0} stays {@code 1.0}), a boolean
 * {@code true}/{@code false}, null an empty value. Two deliberate differences from ESO: JSON is
 * written without HTML escaping (ESO issue #2534), and {@link #map} keeps each number's text where
 * ESO's extract goes through float64 ({@code 1.0} would become {@code 1}).
 *
 * <p>A missing property fails with {@code cannot find secret data for key: "<property>"} and a
 * hint listing the properties that exist (names only). Stateless and thread-safe.
 */
public final class PropertyLookup {

  private PropertyLookup() {}

  /** The value {@code property} selects in {@code document}. */
  public static byte[] value(SecretDocument document, String property) {
    if (property.isEmpty()) {
      return document.toCompactJson();
    }
    return toBytes(select(document, property));
  }

  /**
   * The properties of {@code document} as a map of byte values ({@code dataFrom.extract}); with a
   * non-empty {@code property}, the properties of the object it selects.
   */
  public static SecretData map(SecretDocument document, String property) {
    JsonNode object = property.isEmpty() ? document.toJson() : select(document, property);
    if (!object.isObject()) {
      throw new PropertyNotFoundException(
          "cannot extract a map from property \"" + property + "\": it is not a JSON object",
          List.of("point extract.property at a nested object, or leave it empty to extract the whole secret"));
    }
    SecretData.Builder data = SecretData.builder();
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      data.put(field.getKey(), toBytes(field.getValue()));
    }
    return data.build();
  }

  /** The JSON value {@code property} selects, by the rules above. */
  public static JsonNode select(SecretDocument document, String property) {
    Optional<JsonNode> exact = document.get(property);
    if (exact.isPresent()) {
      return exact.get();
    }
    JsonNode current = document.toJson();
    for (String part : splitPath(property)) {
      current = step(current, part);
      if (current == null) {
        throw notFound(document, property);
      }
    }
    return current;
  }

  /** Converts one JSON value to bytes by the rules above. */
  public static byte[] toBytes(JsonNode value) {
    Optional<String> number = ExactJson.numberText(value);
    if (number.isPresent()) {
      return number.get().getBytes(StandardCharsets.UTF_8);
    }
    if (value.isTextual()) {
      return value.textValue().getBytes(StandardCharsets.UTF_8);
    }
    if (value.isNull() || value.isMissingNode()) {
      return new byte[0];
    }
    if (value.isBoolean()) {
      return (value.booleanValue() ? "true" : "false").getBytes(StandardCharsets.UTF_8);
    }
    return ExactJson.write(value);
  }

  private static JsonNode step(JsonNode current, String part) {
    if (current.isObject()) {
      return current.get(part);
    }
    if (current.isArray() && !part.isEmpty() && part.chars().allMatch(Character::isDigit) && part.length() < 10) {
      return current.get(Integer.parseInt(part));
    }
    return null;
  }

  /** Splits on dots not preceded by a backslash; {@code \.} becomes a dot, other escapes stay as they are. */
  static ImmutableList<String> splitPath(String property) {
    List<String> parts = new ArrayList<>();
    StringBuilder part = new StringBuilder();
    for (int i = 0; i < property.length(); i++) {
      char c = property.charAt(i);
      if (c == '\\' && i + 1 < property.length()) {
        char next = property.charAt(i + 1);
        part.append(next == '.' ? "." : "\\" + next);
        i++;
      } else if (c == '.') {
        parts.add(part.toString());
        part.setLength(0);
      } else {
        part.append(c);
      }
    }
    parts.add(part.toString());
    return ImmutableList.copyOf(parts);
  }

  private static PropertyNotFoundException notFound(SecretDocument document, String property) {
    String existing = document.keys().isEmpty()
        ? "the secret has no properties"
        : "properties that exist: " + String.join(", ", document.keys());
    return new PropertyNotFoundException("cannot find secret data for key: \"" + property + "\"",
        List.of(existing, "check remoteRef.property; use \\. for a dot inside a key name"));
  }
}
