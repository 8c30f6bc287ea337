package io.secretsync.core.template;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The Go values a template works on, as Java objects: {@code null} (nil), {@link String},
 * {@link Long} (Go {@code int}), {@link Double} ({@code float64}), {@link Boolean}, {@link GoMap},
 * {@link GoList}. Conversion of caller data happens once, in {@link #fromJava}.
 */
final class GoValues {

  private GoValues() {}

  /** Go's {@code %T}-style name of a value's type, as text/template names it in errors. */
  static String typeName(Object v) {
    if (v == null) {
      return "<nil>";
    } else if (v instanceof String) {
      return "string";
    } else if (v instanceof Long) {
      return "int";
    } else if (v instanceof Double) {
      return "float64";
    } else if (v instanceof Boolean) {
      return "bool";
    } else if (v instanceof GoMap m) {
      return m.typeName();
    } else if (v instanceof GoList l) {
      return l.typeName();
    } else if (v instanceof Byte) {
      return "uint8";
    }
    return v.getClass().getSimpleName();
  }

  /** text/template's truth: false, 0, nil, and empty strings, maps and slices are false. */
  static boolean isTrue(Object v) {
    if (v == null) {
      return false;
    } else if (v instanceof Boolean b) {
      return b;
    } else if (v instanceof String s) {
      return !s.isEmpty();
    } else if (v instanceof Long l) {
      return l != 0;
    } else if (v instanceof Byte b) {
      return b != 0;
    } else if (v instanceof Double d) {
      return d != 0;
    } else if (v instanceof GoMap m) {
      return !m.entries.isEmpty();
    } else if (v instanceof GoList l) {
      return !l.items.isEmpty();
    }
    return true;
  }

  /**
   * Converts caller data: a {@code Map<String, String>} becomes {@code map[string]string} when every
   * value is a string (ESO's shape), other maps {@code map[string]interface{}}; byte arrays become
   * strings byte for byte; integers {@code int}; other numbers {@code float64}.
   */
  static Object fromJava(Object v) {
    if (v == null || v instanceof String || v instanceof Long || v instanceof Double || v instanceof Boolean
        || v instanceof GoMap || v instanceof GoList) {
      return v;
    } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    } else if (v instanceof Number n) {
      return n.doubleValue();
    } else if (v instanceof byte[] b) {
      return GoStrings.fromBytes(b);
    } else if (v instanceof CharSequence cs) {
      return cs.toString();
    } else if (v instanceof Map<?, ?> map) {
      boolean allStrings = map.values().stream().allMatch(x -> x instanceof CharSequence || x instanceof byte[]);
      GoMap m = new GoMap(allStrings);
      map.forEach((k, x) -> m.entries.put(String.valueOf(k), fromJava(x)));
      return m;
    } else if (v instanceof Collection<?> c) {
      boolean allStrings = !c.isEmpty() && c.stream().allMatch(x -> x instanceof CharSequence);
      return new GoList(allStrings, c.stream().map(GoValues::fromJava).toList());
    } else if (v instanceof Object[] a) {
      return fromJava(List.of(a));
    }
    throw new IllegalArgumentException("a template cannot use a value of type " + v.getClass().getName());
  }
}
