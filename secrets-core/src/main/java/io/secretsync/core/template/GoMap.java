package io.secretsync.core.template;

import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Go map with string keys: {@code map[string]string} when {@link #stringValued} (the data ESO
 * passes to a template, and what {@code split} returns), else {@code map[string]interface{}}. Maps
 * are references as in Go: {@code set} changes the map every holder sees. Keys are kept in Go's
 * byte order, which is how Go prints and ranges over them. Not thread-safe; lives for one render.
 */
final class GoMap {

  static final Comparator<String> GO_ORDER = GoMap::compareGo;

  final boolean stringValued;
  final TreeMap<String, Object> entries = new TreeMap<>(GO_ORDER);

  GoMap(boolean stringValued) {
    this.stringValued = stringValued;
  }

  static GoMap ofStrings(Map<String, String> values) {
    GoMap m = new GoMap(true);
    m.entries.putAll(values);
    return m;
  }

  String typeName() {
    return stringValued ? "map[string]string" : "map[string]interface {}";
  }

  /** The zero value of the element type: what {@code index} yields for a missing key. */
  Object zeroElement() {
    return stringValued ? "" : null;
  }

  /** Go string order is UTF-8 byte order, which is code point order. */
  static int compareGo(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
