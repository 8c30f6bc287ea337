package io.secretsync.core.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * ESO's {@code toYaml} and {@code fromYaml}, which go through {@code sigs.k8s.io/yaml}: a value is
 * marshalled to JSON, read back as YAML and emitted by go-yaml v2 in block style (keys in
 * go-yaml's natural order, sequences not indented under their key, multi-line strings as
 * literal blocks, long lines folded at 80 columns). {@code fromYaml} reads through JSON, so
 * numbers become {@code float64}.
 */
final class GoYaml {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final int BEST_WIDTH = 80;

  private GoYaml() {}

  // ---- fromYaml

  static GoMap fromYaml(String text) {
    GoMap result = new GoMap(false);
    JsonNode node;
    try {
      node = YAML.readTree(text);
    } catch (Exception e) {
      result.entries.put("Error", "error converting YAML to JSON: yaml: invalid YAML");
      return result;
    }
    if (node == null || node.isNull() || node.isMissingNode()) {
      return result;
    }
    if (!node.isObject()) {
      String kind = node.isArray() ? "array" : node.isTextual() ? "string" : node.isNumber() ? "number"
          : node.isBoolean() ? "bool" : "value";
      result.entries.put("Error", "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal " + kind
          + " into Go value of type map[string]interface {}");
      return result;
    }
    return (GoMap) fromNode(node);
  }

  private static Object fromNode(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    } else if (n.isObject()) {
      GoMap m = new GoMap(false);
      Iterator<Map.Entry<String, JsonNode>> it = n.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        m.entries.put(e.getKey(), fromNode(e.getValue()));
      }
      return m;
    } else if (n.isArray()) {
      List<Object> items = new ArrayList<>();
      n.forEach(x -> items.add(fromNode(x)));
      return new GoList(false, items);
    } else if (n.isBoolean()) {
      return n.booleanValue();
    } else if (n.isNumber()) {
      return n.doubleValue();
    } else if (n.isBinary()) {
      return n.asText();
    }
    return n.asText();
  }

  // ---- toYaml

  /** Marshals {@code v} like {@code sigs.k8s.io/yaml.Marshal}, without the final newline. */
  static String toYaml(Object v) throws GoJson.UnsupportedValue {
    Object y = toYamlValue(v);
    StringBuilder out = new StringBuilder();
    if (y instanceof GoMap m && !m.entries.isEmpty()) {
      writeMap(m, 0, out);
    } else if (y instanceof GoList l && !l.items.isEmpty()) {
      writeList(l, 0, out);
    } else {
      out.append(scalar(y, 0, 0)).append('\n');
    }
    String s = out.toString();
    return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }

  /** What go-yaml sees after the JSON round trip: numbers as their JSON text, typed int or float. */
  private record Num(String text) {}

  private static Object toYamlValue(Object v) throws GoJson.UnsupportedValue {
    if (v instanceof GoMap m) {
      GoMap out = new GoMap(false);
      for (Map.Entry<String, Object> e : m.entries.entrySet()) {
        out.entries.put(e.getKey(), toYamlValue(e.getValue()));
      }
      return out;
    } else if (v instanceof GoList l) {
      if (l.isNil) {
        return null;
      }
      List<Object> items = new ArrayList<>();
      for (Object o : l.items) {
        items.add(toYamlValue(o));
      }
      return new GoList(false, items);
    } else if (v instanceof Double d) {
      String json = GoJson.formatFloat(d);
      if (json.contains(".") || json.contains("e")) {
        return new Num(GoFmt.formatFloat(Double.parseDouble(json), 'g', -1));
      }
      BigInteger big = new BigInteger(json);
      if (big.bitLength() < 64 || (big.signum() > 0 && big.bitLength() <= 64)) {
        return new Num(json);
      }
      return new Num(GoFmt.formatFloat(big.doubleValue(), 'g', -1));
    } else if (v instanceof Long || v instanceof Byte) {
      long l = ((Number) v).longValue();
      return new Num(Long.toString(v instanceof Byte ? l & 0xff : l));
    } else if (v == null || v instanceof String || v instanceof Boolean) {
      return v;
    }
    throw new GoJson.UnsupportedValue("json: unsupported type: " + GoValues.typeName(v));
  }

  private static List<String> sortedKeys(GoMap m) {
    List<String> keys = new ArrayList<>(m.entries.keySet());
    try {
      keys.sort(NATURAL);
    } catch (IllegalArgumentException e) {
      keys = new ArrayList<>(m.entries.keySet());
    }
    return keys;
  }

  /** go-yaml v2's key order: letters by code point, runs of digits by numeric value. */
  private static final Comparator<String> NATURAL = (a, b) -> {
    int[] ar = a.codePoints().toArray();
    int[] br = b.codePoints().toArray();
    for (int i = 0; i < ar.length && i < br.length; i++) {
      if (ar[i] == br[i]) {
        continue;
      }
      boolean al = Character.isLetter(ar[i]);
      boolean bl = Character.isLetter(br[i]);
      if (al && bl) {
        return Integer.compare(ar[i], br[i]);
      }
      if (al || bl) {
        return bl ? -1 : 1;
      }
      long an = 0;
      long bn = 0;
      if (ar[i] == '0' || br[i] == '0') {
        for (int j = i - 1; j >= 0 && Character.isDigit(ar[j]); j--) {
          if (ar[j] != '0') {
            an = 1;
            bn = 1;
            break;
          }
        }
      }
      int ai = i;
      while (ai < ar.length && Character.isDigit(ar[ai])) {
        an = an * 10 + (ar[ai] - '0');
        ai++;
      }
      int bi = i;
      while (bi < br.length && Character.isDigit(br[bi])) {
        bn = bn * 10 + (br[bi] - '0');
        bi++;
      }
      if (an != bn) {
        return Long.compare(an, bn);
      }
      if (ai != bi) {
        return Integer.compare(ai, bi);
      }
      return Integer.compare(ar[i], br[i]);
    }
    return Integer.compare(ar.length, br.length);
  };

  private static void writeMap(GoMap m, int indent, StringBuilder out) {
    boolean first = true;
    for (String key : sortedKeys(m)) {
      if (!first || out.length() == 0 || out.charAt(out.length() - 1) == '\n') {
        if (!first) {
          out.append(" ".repeat(indent));
        }
      }
      first = false;
      String k = scalar(key, indent, indent);
      out.append(k).append(':');
      writeValue(m.entries.get(key), indent, indent + 2, indent + k.length() + 2, out, false);
    }
  }

  private static void writeList(GoList l, int indent, StringBuilder out) {
    boolean first = true;
    for (Object item : l.items) {
      if (!first) {
        out.append(" ".repeat(indent));
      }
      first = false;
      out.append('-');
      writeValue(item, indent, indent + 2, indent + 2, out, true);
    }
  }

  /**
   * Writes a value after {@code key:} or {@code -}. Nested maps go on the next lines (or, in a
   * sequence, on the same line); sequences under a key are not indented.
   */
  private static void writeValue(Object v, int parentIndent, int childIndent, int column, StringBuilder out,
      boolean inSequence) {
    if (v instanceof GoMap m && !m.entries.isEmpty()) {
      if (inSequence) {
        out.append(' ');
        writeMap(m, childIndent, out);
      } else {
        out.append('\n').append(" ".repeat(childIndent));
        writeMap(m, childIndent, out);
      }
    } else if (v instanceof GoList l && !l.items.isEmpty()) {
      if (inSequence) {
        out.append(' ');
        writeList(l, childIndent, out);
      } else {
        out.append('\n').append(" ".repeat(parentIndent));
        writeList(l, parentIndent, out);
      }
    } else {
      out.append(' ').append(scalar(v, childIndent, column)).append('\n');
    }
  }

  private static final Pattern INT = Pattern.compile("[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|[0-9][0-9_]*)");
  private static final Pattern FLOAT = Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  private static final Pattern SPECIAL_FLOAT = Pattern.compile("[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");
  private static final Pattern BASE60 = Pattern.compile("[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\\.[0-9_]*)?");
  private static final Pattern TIMESTAMP = Pattern.compile("[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?");
  private static final java.util.Set<String> NON_STRING_WORDS = java.util.Set.of(
      "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
      "on", "On", "ON", "off", "Off", "OFF", "~", "null", "Null", "NULL", "", "<<");

  /** Whether go-yaml would read {@code s}, unquoted, as something other than a string. */
  private static boolean resolvesToNonString(String s) {
    return NON_STRING_WORDS.contains(s) || INT.matcher(s).matches() || FLOAT.matcher(s).matches()
        || SPECIAL_FLOAT.matcher(s).matches() || BASE60.matcher(s).matches() || TIMESTAMP.matcher(s).matches();
  }

  private static String scalar(Object v, int indent, int column) {
    if (v == null) {
      return "null";
    } else if (v instanceof Boolean b) {
      return b.toString();
    } else if (v instanceof Num n) {
      return n.text();
    } else if (v instanceof GoMap) {
      return "{}";
    } else if (v instanceof GoList) {
      return "[]";
    }
    return string((String) v, indent, column);
  }

  private static String string(String s, int indent, int column) {
    boolean special = hasSpecialCharacters(s);
    if (s.contains("\n")) {
      return blockAllowed(s) ? literal(s, indent) : doubleQuoted(s, indent, column);
    }
    if (resolvesToNonString(s) || special) {
      return doubleQuoted(s, indent, column);
    }
    if (plainAllowed(s)) {
      return fold(s, indent, column, false);
    }
    return "'" + fold(s.replace("'", "''"), indent, column + 1, false) + "'";
  }

  private static boolean isPrintable(int c) {
    return c == 0x0A || (c >= 0x20 && c <= 0x7E) || c == 0x85 || (c >= 0xA0 && c <= 0xD7FF)
        || (c >= 0xE000 && c <= 0xFFFD && c != 0xFEFF) || (c >= 0x10000 && c <= 0x10FFFF);
  }

  private static boolean hasSpecialCharacters(String s) {
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      if (!isPrintable(c) || GoStrings.isCarriedByte(s, i)) {
        return true;
      }
      i += Character.charCount(c);
    }
    return false;
  }

  private static boolean blockAllowed(String s) {
    if (hasSpecialCharacters(s)) {
      return false;
    }
    if (s.endsWith(" ")) {
      return false;
    }
    // a space followed by a break, or a break followed by a space at line start is fine in literal style,
    // but a space right before a line break is not
    return !s.contains(" \n");
  }

  private static boolean plainAllowed(String s) {
    if (s.isEmpty() || s.startsWith(" ") || s.endsWith(" ") || s.contains("\n")) {
      return false;
    }
    char first = s.charAt(0);
    if ("#,[]{}&*!|>'\"%@`".indexOf(first) >= 0) {
      return false;
    }
    if ((first == '-' || first == '?' || first == ':') && (s.length() == 1 || s.charAt(1) == ' ')) {
      return false;
    }
    if (s.startsWith("---") || s.startsWith("...")) {
      return false;
    }
    if (s.contains(": ") || s.contains(" #") || s.endsWith(":")) {
      return false;
    }
    return true;
  }

  /** Folds at spaces once past column 80, as go-yaml's emitter does for flow scalars. */
  private static String fold(String s, int indent, int column, boolean unused) {
    StringBuilder out = new StringBuilder();
    int col = column;
    boolean prevSpace = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ' ' && !prevSpace && col > BEST_WIDTH && i + 1 < s.length() && s.charAt(i + 1) != ' ' && i != 0) {
        out.append('\n').append(" ".repeat(indent));
        col = indent;
        prevSpace = true;
        continue;
      }
      out.append(c);
      col++;
      prevSpace = c == ' ';
    }
    return out.toString();
  }

  private static String literal(String s, int indent) {
    StringBuilder out = new StringBuilder("|");
    if (s.startsWith(" ") || s.startsWith("\n")) {
      out.append(2);
    }
    String chomp;
    if (!s.endsWith("\n")) {
      chomp = "-";
    } else if (s.length() >= 2 && s.charAt(s.length() - 2) == '\n') {
      chomp = "+";
    } else {
      chomp = "";
    }
    out.append(chomp);
    String body = s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    if (chomp.equals("+")) {
      body = s.substring(0, s.length() - 1);
    }
    String pad = " ".repeat(indent);
    for (String line : body.split("\n", -1)) {
      out.append('\n');
      if (!line.isEmpty()) {
        out.append(pad).append(line);
      }
    }
    return out.toString();
  }

  private static String doubleQuoted(String s, int indent, int column) {
    StringBuilder out = new StringBuilder("\"");
    int col = column + 1;
    boolean prevSpace = false;
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      int n = Character.charCount(c);
      String piece;
      if (GoStrings.isCarriedByte(s, i)) {
        piece = String.format("\\x%02X", s.charAt(i) - 0xDC00);
      } else {
        piece = switch (c) {
          case 0 -> "\\0";
          case 7 -> "\\a";
          case '\b' -> "\\b";
          case '\t' -> "\\t";
          case '\n' -> "\\n";
          case 0x0B -> "\\v";
          case '\f' -> "\\f";
          case '\r' -> "\\r";
          case 0x1B -> "\\e";
          case '"' -> "\\\"";
          case '\\' -> "\\\\";
          case 0x85 -> "\\N";
          case 0xA0 -> "\\_";
          case 0x2028 -> "\\L";
          case 0x2029 -> "\\P";
          default -> {
            if (isPrintable(c) && c != 0xFEFF) {
              yield new String(Character.toChars(c));
            } else if (c <= 0xFF) {
              yield String.format("\\x%02X", c);
            } else if (c <= 0xFFFF) {
              yield String.format("\\u%04X", c);
            } else {
              yield String.format("\\U%08X", c);
            }
          }
        };
      }
      if (c == ' ' && !prevSpace && col > BEST_WIDTH && i != 0 && i + n < s.length()) {
        out.append('\n').append(" ".repeat(indent));
        col = indent;
        if (s.charAt(i + 1) == ' ') {
          out.append('\\');
          col++;
        }
        prevSpace = true;
        i += n;
        continue;
      }
      out.append(piece);
      col += piece.length();
      prevSpace = c == ' ';
      i += n;
    }
    return out.append('"').toString();
  }
}
