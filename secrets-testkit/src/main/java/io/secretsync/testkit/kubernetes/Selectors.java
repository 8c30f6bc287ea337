package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Label selectors ({@code a=b}, {@code a==b}, {@code a!=b}, {@code a}, {@code !a},
 * {@code a in (x,y)}, {@code a notin (x)}) and field selectors ({@code metadata.name=x},
 * {@code metadata.namespace!=y}, and any dotted field path such as
 * {@code involvedObject.name=x}), comma-separated requirements all of which must hold.
 */
final class Selectors {
  private Selectors() {}

  static Predicate<ObjectNode> labels(String selector) {
    Predicate<ObjectNode> all = o -> true;
    for (String requirement : split(selector)) {
      Predicate<JsonNode> r = labelRequirement(requirement.trim());
      all = all.and(o -> r.test(o.path("metadata").path("labels")));
    }
    return all;
  }

  private static Predicate<JsonNode> labelRequirement(String r) {
    if (r.isEmpty()) {
      return l -> true;
    }
    String lower = r.replaceAll("\\s+", " ");
    if (lower.contains(" notin ") || lower.contains(" in ")) {
      boolean notIn = lower.contains(" notin ");
      String[] parts = lower.split(notIn ? " notin " : " in ", 2);
      String key = parts[0].trim();
      Set<String> values = Arrays.stream(parts[1].replace("(", "").replace(")", "").split(","))
          .map(String::trim).collect(Collectors.toSet());
      return l -> notIn != (l.has(key) && values.contains(l.path(key).asText()));
    }
    if (r.contains("!=")) {
      String[] kv = r.split("!=", 2);
      return l -> !l.path(kv[0].trim()).asText("\u0000").equals(kv[1].trim());
    }
    if (r.contains("=")) {
      String[] kv = r.split("==?", 2);
      return l -> l.has(kv[0].trim()) && l.path(kv[0].trim()).asText().equals(kv[1].trim());
    }
    if (r.startsWith("!")) {
      return l -> !l.has(r.substring(1).trim());
    }
    return l -> l.has(r);
  }

  static Predicate<ObjectNode> fields(String selector) {
    Predicate<ObjectNode> all = o -> true;
    for (String requirement : split(selector)) {
      String r = requirement.trim();
      if (r.isEmpty()) {
        continue;
      }
      boolean negate = r.contains("!=");
      String[] kv = r.split(negate ? "!=" : "==?", 2);
      if (kv.length != 2) {
        throw Status.badRequest("invalid field selector: " + r);
      }
      String[] path = kv[0].trim().split("\\.");
      String wanted = kv[1].trim();
      all = all.and(o -> {
        JsonNode node = o;
        for (String p : path) {
          node = node.path(p);
        }
        return negate != node.asText("").equals(wanted);
      });
    }
    return all;
  }

  /** Splits on commas that are not inside parentheses. */
  private static List<String> split(String selector) {
    List<String> out = new java.util.ArrayList<>();
    int depth = 0;
    StringBuilder current = new StringBuilder();
    for (char c : selector.toCharArray()) {
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      }
      if (c == ',' && depth == 0) {
        out.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    out.add(current.toString());
    return out;
  }
}
