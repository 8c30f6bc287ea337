package io.secretsync.testkit.vault;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * JSON as Vault writes it: numbers keep their text, maps come out with sorted keys (Go's encoder),
 * times as RFC 3339 with trailing zeros of the fraction trimmed.
 */
final class VaultJson {
  static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

  private VaultJson() {}

  /** A deep copy with object keys sorted, as Go renders {@code map[string]interface{}}. */
  static JsonNode sorted(JsonNode node) {
    if (node == null) {
      return null;
    }
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      Collections.sort(names);
      ObjectNode out = MAPPER.createObjectNode();
      for (String n : names) {
        out.set(n, sorted(node.get(n)));
      }
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = MAPPER.createArrayNode();
      node.forEach(n -> out.add(sorted(n)));
      return out;
    }
    return node;
  }

  /** Go's {@code time.Time} RFC 3339 rendering with nanoseconds, trailing zeros trimmed; "" for null. */
  static String time(Instant t) {
    if (t == null) {
      return "";
    }
    String base = t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    base = base.substring(0, base.length() - 1);
    int nanos = t.getNano();
    if (nanos == 0) {
      return base + "Z";
    }
    String frac = String.format("%09d", nanos).replaceAll("0+$", "");
    return base + "." + frac + "Z";
  }
}
