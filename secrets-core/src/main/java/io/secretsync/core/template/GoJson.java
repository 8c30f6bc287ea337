package io.secretsync.core.template;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Go's {@code encoding/json} for template values: {@link #marshal} is {@code json.Marshal}
 * (sorted keys, HTML characters escaped as {@code \u003c}, Go's float format), {@link #unmarshal}
 * is {@code json.Unmarshal} into {@code interface{}} (objects become
 * {@code map[string]interface{}}, numbers {@code float64}).
 */
final class GoJson {

  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private GoJson() {}

  /** Thrown for values Go cannot marshal (NaN, infinities). */
  static final class UnsupportedValue extends Exception {
    private static final long serialVersionUID = 1L;

    UnsupportedValue(String message) {
      super(message, null, false, false);
    }
  }

  static String marshal(Object v, boolean escapeHtml) throws UnsupportedValue {
    StringBuilder out = new StringBuilder();
    write(v, out, escapeHtml, null, "");
    return out.toString();
  }

  /** {@code json.MarshalIndent(v, "", indent)}. */
  static String marshalIndent(Object v, String indent) throws UnsupportedValue {
    StringBuilder out = new StringBuilder();
    write(v, out, true, indent, "");
    return out.toString();
  }

  private static void write(Object v, StringBuilder out, boolean html, String indent, String prefix)
      throws UnsupportedValue {
    if (v == null) {
      out.append("null");
    } else if (v instanceof String s) {
      quote(s, out, html);
    } else if (v instanceof Boolean b) {
      out.append(b);
    } else if (v instanceof Long || v instanceof Byte) {
      long l = ((Number) v).longValue();
      out.append(v instanceof Byte ? l & 0xff : l);
    } else if (v instanceof Double d) {
      out.append(formatFloat(d));
    } else if (v instanceof GoMap m) {
      if (m.entries.isEmpty()) {
        out.append("{}");
        return;
      }
      out.append('{');
      boolean first = true;
      String inner = indent == null ? null : prefix + indent;
      for (Map.Entry<String, Object> e : m.entries.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        if (indent != null) {
          out.append('\n').append(inner);
        }
        quote(e.getKey(), out, html);
        out.append(indent == null ? ":" : ": ");
        write(e.getValue(), out, html, indent, inner);
      }
      if (indent != null) {
        out.append('\n').append(prefix);
      }
      out.append('}');
    } else if (v instanceof GoList l) {
      if (l.isNil) {
        out.append("null");
        return;
      }
      if (l.items.isEmpty()) {
        out.append("[]");
        return;
      }
      out.append('[');
      String inner = indent == null ? null : prefix + indent;
      for (int i = 0; i < l.items.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        if (indent != null) {
          out.append('\n').append(inner);
        }
        write(l.items.get(i), out, html, indent, inner);
      }
      if (indent != null) {
        out.append('\n').append(prefix);
      }
      out.append(']');
    } else {
      throw new UnsupportedValue("json: unsupported type: " + GoValues.typeName(v));
    }
  }

  /** Go's float encoding: shortest form, exponent only below 1e-6 or from 1e21, {@code e-7} not {@code e-07}. */
  static String formatFloat(double d) throws UnsupportedValue {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw new UnsupportedValue("json: unsupported value: " + GoFmt.formatFloat(d));
    }
    double abs = Math.abs(d);
    char fmt = 'f';
    if (abs != 0 && (abs < 1e-6 || abs >= 1e21)) {
      fmt = 'e';
    }
    String s = GoFmt.formatFloat(d, fmt, -1);
    if (fmt == 'e') {
      int n = s.length();
      if (n >= 4 && s.charAt(n - 4) == 'e' && s.charAt(n - 3) == '-' && s.charAt(n - 2) == '0') {
        s = s.substring(0, n - 2) + s.charAt(n - 1);
      }
    }
    return s;
  }

  static void quote(String s, StringBuilder out, boolean html) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (GoStrings.isCarriedByte(s, i)) {
        out.append("\\ufffd");
        continue;
      }
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\u2028' -> out.append("\\u2028");
        case '\u2029' -> out.append("\\u2029");
        default -> {
          if (c < 0x20 || (html && (c == '<' || c == '>' || c == '&'))) {
            out.append(String.format("\\u%04x", (int) c));
          } else if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1))) && !(Character.isLowSurrogate(c) && i > 0
              && Character.isHighSurrogate(s.charAt(i - 1)))) {
            out.append("\\ufffd");
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /** Parses one JSON document; throws {@link IllegalArgumentException} (without input text) when invalid. */
  static Object unmarshal(String json) {
    try (JsonParser p = FACTORY.createParser(json)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new IllegalArgumentException("unexpected end of JSON input");
      }
      Object v = read(p, t);
      if (p.nextToken() != null) {
        throw new IllegalArgumentException("invalid character after top-level value");
      }
      return v;
    } catch (IOException e) {
      throw new IllegalArgumentException("invalid JSON");
    }
  }

  private static Object read(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case START_OBJECT: {
        GoMap m = new GoMap(false);
        JsonToken k;
        while ((k = p.nextToken()) == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          m.entries.put(key, read(p, p.nextToken()));
        }
        return m;
      }
      case START_ARRAY: {
        List<Object> items = new ArrayList<>();
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
          items.add(read(p, e));
        }
        return new GoList(false, items);
      }
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT: {
        double d = Double.parseDouble(p.getText());
        if (Double.isInfinite(d)) {
          throw new IllegalArgumentException("number out of range for float64");
        }
        return d;
      }
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new IllegalArgumentException("invalid JSON");
    }
  }
}
