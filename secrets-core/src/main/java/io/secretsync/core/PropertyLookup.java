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
 *   <li>Otherwise the property is a path in gjson's plain form: dots separate object keys or
 *       array indexes ({@code a.0.b}); a backslash makes the next character literal, so
 *       {@code \.} is a dot inside a key. gjson's wildcards, queries and modifiers
 *       ({@code *}, {@code ?}, {@code #}, {@code |}, {@code @}) are not supported: those characters
 *       are taken literally.
 * </ol>
 *
 * <p>A selected value becomes bytes this way: a string its UTF-8 bytes, an object or array its
 * compact JSON with sorted keys, a number its original text ({@code 1.0} stays {@code 1.0},
 * {@code 1e5} stays {@code 1e5}), a boolean {@code true}/{@code false}, null an empty value.
 *
 * <p>Two deliberate differences from ESO, each fixing an ESO bug: JSON is written without HTML
 * escaping, so {@code <}, {@code >} and {@code &} stay as they are where ESO's {@code json.Marshal}
 * writes {@code \u003c}, {@code \u003e} and {@code \u0026} (ESO issue #2534, fix PR #2537 never
 * merged); and {@link #map} keeps each number's original text where ESO's {@code GetSecretMap}
 * decodes into float64 and prints it with {@code FormatFloat('f', -1)}, so that in ESO {@code 1.0}
 * becomes {@code 1}, {@code 1e5} becomes {@code 100000} and integers above 2^53 lose digits.
 *
 * <p>A missing property fails with {@code cannot find secret data for key: "<property>"} and a
 * hint listing the properties that exist (names only). Stateless and thread-safe.
 */
public final class PropertyLookup {

  private PropertyLookup() {}

  /**
   * The value {@code property} selects in {@code document} (ESO's {@code GetSecret}).
   *
   * @throws PropertyNotFoundException when nothing is at {@code property}
   */
  public static byte[] value(SecretDocument document, String property) {
    if (property.isEmpty()) {
      return document.toCompactJson();
    }
    return toBytes(select(document, property));
  }

  /**
   * The properties of {@code document} as a map of byte values ({@code dataFrom.extract}); with a
   * non-empty {@code property}, the properties of the object it selects (flattened one level).
   * Each value is converted as {@link #value} converts it.
   *
   * @throws PropertyNotFoundException when nothing is at {@code property}, or it is not an object
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
    List<String> reached = new ArrayList<>();
    for (String part : splitPath(property)) {
      JsonNode next = step(current, part);
      if (next == null) {
        throw notFound(document, property, reached, current);
      }
      reached.add(part);
      current = next;
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

  /** Splits on dots; as in gjson, a backslash makes the next character literal ({@code \.} is a dot). */
  static ImmutableList<String> splitPath(String property) {
    List<String> parts = new ArrayList<>();
    StringBuilder part = new StringBuilder();
    for (int i = 0; i < property.length(); i++) {
      char c = property.charAt(i);
      if (c == '\\' && i + 1 < property.length()) {
        part.append(property.charAt(i + 1));
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

  private static PropertyNotFoundException notFound(SecretDocument document, String property, List<String> reached,
      JsonNode at) {
    List<String> hints = new ArrayList<>();
    hints.add(document.keys().isEmpty()
        ? "the secret has no properties"
        : "properties that exist: " + String.join(", ", document.keys()));
    if (!reached.isEmpty()) {
      String path = String.join(".", reached);
      if (at.isObject()) {
        List<String> names = new ArrayList<>();
        at.fieldNames().forEachRemaining(names::add);
        java.util.Collections.sort(names);
        hints.add("keys under " + path + ": " + (names.isEmpty() ? "none" : String.join(", ", names)));
      } else if (at.isArray()) {
        hints.add(path + " is an array of " + at.size() + " elements (indexes 0 to " + (at.size() - 1) + ")");
      } else {
        String type = ExactJson.numberText(at).isPresent() ? "number"
            : at.isTextual() ? "string" : at.isBoolean() ? "boolean" : "null";
        hints.add(path + " is a " + type + ", not an object");
      }
    }
    hints.add("check remoteRef.property; use \\. for a dot inside a key name");
    return new PropertyNotFoundException("cannot find secret data for key: \"" + property + "\"", hints);
  }
}
