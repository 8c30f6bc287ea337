package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The JSONPath subset CRD printer columns use: {@code .a.b}, {@code .a[0]}, {@code .a[*]},
 * {@code .a['key.with.dots']} and filters {@code .a[?(@.type=="Ready")].b} (also {@code !=}).
 * Immutable and thread-safe.
 */
final class SimpleJsonPath {
  private sealed interface Step permits Field, Index, All, Filter {}

  private record Field(String name) implements Step {}

  private record Index(int index) implements Step {}

  private record All() implements Step {}

  private record Filter(List<String> path, boolean equal, String value) implements Step {}

  private final List<Step> steps;

  private SimpleJsonPath(List<Step> steps) {
    this.steps = steps;
  }

  /**
   * Parses an expression, with or without braces ({@code {.status}}).
   *
   * @throws IllegalArgumentException naming the position that cannot be parsed
   */
  static SimpleJsonPath parse(String expression) {
    String e = Objects.requireNonNull(expression, "expression").strip();
    if (e.startsWith("{") && e.endsWith("}")) {
      e = e.substring(1, e.length() - 1);
    }
    if (e.startsWith("$")) {
      e = e.substring(1);
    }
    List<Step> steps = new ArrayList<>();
    int i = 0;
    while (i < e.length()) {
      char c = e.charAt(i);
      if (c == '.') {
        int j = i + 1;
        while (j < e.length() && e.charAt(j) != '.' && e.charAt(j) != '[') {
          j++;
        }
        if (j > i + 1) {
          steps.add(new Field(e.substring(i + 1, j)));
        }
        i = j;
      } else if (c == '[') {
        int close = e.indexOf(']', i);
        if (e.startsWith("[?(", i)) {
          close = e.indexOf(")]", i);
          if (close < 0) {
            throw new IllegalArgumentException("unclosed filter at " + i + " in " + expression);
          }
          steps.add(filter(e.substring(i + 3, close), expression));
          i = close + 2;
          continue;
        }
        if (close < 0) {
          throw new IllegalArgumentException("unclosed [ at " + i + " in " + expression);
        }
        String inner = e.substring(i + 1, close).strip();
        if (inner.equals("*")) {
          steps.add(new All());
        } else if (inner.startsWith("'") || inner.startsWith("\"")) {
          steps.add(new Field(inner.substring(1, inner.length() - 1)));
        } else {
          try {
            steps.add(new Index(Integer.parseInt(inner)));
          } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("unsupported subscript [" + inner + "] in "
                + expression);
          }
        }
        i = close + 1;
      } else {
        int j = i;
        while (j < e.length() && e.charAt(j) != '.' && e.charAt(j) != '[') {
          j++;
        }
        steps.add(new Field(e.substring(i, j)));
        i = j;
      }
    }
    return new SimpleJsonPath(List.copyOf(steps));
  }

  private static Filter filter(String text, String expression) {
    boolean equal = !text.contains("!=");
    String[] parts = text.split(equal ? "==" : "!=", 2);
    if (parts.length != 2 || !parts[0].strip().startsWith("@.")) {
      throw new IllegalArgumentException("unsupported filter " + text + " in " + expression);
    }
    List<String> path = List.of(parts[0].strip().substring(2).split("\\."));
    String value = parts[1].strip();
    if (value.length() >= 2 && (value.startsWith("\"") || value.startsWith("'"))) {
      value = value.substring(1, value.length() - 1);
    }
    return new Filter(path, equal, value);
  }

  /** All values the path selects in {@code root}, in document order. */
  List<JsonNode> evaluate(JsonNode root) {
    List<JsonNode> current = List.of(root);
    for (Step step : steps) {
      List<JsonNode> next = new ArrayList<>();
      for (JsonNode n : current) {
        if (step instanceof Field f) {
          if (n.isObject() && n.has(f.name())) {
            next.add(n.get(f.name()));
          }
        } else if (step instanceof Index ix) {
          if (n.isArray()) {
            int k = ix.index() < 0 ? n.size() + ix.index() : ix.index();
            if (k >= 0 && k < n.size()) {
              next.add(n.get(k));
            }
          }
        } else if (step instanceof All) {
          if (n.isArray() || n.isObject()) {
            n.forEach(next::add);
          }
        } else if (step instanceof Filter f && n.isArray()) {
          for (JsonNode el : n) {
            JsonNode v = el;
            for (String p : f.path()) {
              v = v == null ? null : v.get(p);
            }
            boolean matches = v != null && v.isValueNode() && v.asText().equals(f.value());
            if (matches == f.equal()) {
              next.add(el);
            }
          }
        }
      }
      current = next;
    }
    return current;
  }
}
