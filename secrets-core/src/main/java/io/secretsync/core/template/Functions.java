package io.secretsync.core.template;

import static io.secretsync.core.template.Function.Param.ANY;
import static io.secretsync.core.template.Function.Param.BOOL;
import static io.secretsync.core.template.Function.Param.INT;
import static io.secretsync.core.template.Function.Param.MAP;
import static io.secretsync.core.template.Function.Param.STRING;

import com.google.common.collect.ImmutableMap;
import io.secretsync.core.GoRegexp;
import io.secretsync.core.template.Function.Failure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The functions a template can call: Go's builtins, the Sprig functions ESO users rely on, and
 * ESO's own ({@link PemFunctions}). Signatures follow the Go originals so that argument checks and
 * error texts match; the pipeline value is the last argument.
 */
final class Functions {

  private Functions() {}

  /** A function result larger than this fails before it is built. */
  static final long MAX_RESULT = 64L * 1024 * 1024;

  static final ImmutableMap<String, Function> ALL;

  static {
    Map<String, Function> m = new java.util.LinkedHashMap<>();
    builtins(m);
    strings(m);
    collections(m);
    encodings(m);
    PemFunctions.register(m);
    ALL = ImmutableMap.copyOf(m);
  }

  private static void put(Map<String, Function> m, Function f) {
    m.put(f.name(), f);
  }

  private static String str(Object o) {
    return (String) o;
  }

  private static int intArg(Object o) {
    long l = (Long) o;
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, l));
  }

  // ---- Go text/template builtins

  private static void builtins(Map<String, Function> m) {
    put(m, Function.variadic("and", ANY, a -> null, ANY));
    put(m, Function.variadic("or", ANY, a -> null, ANY));
    put(m, Function.of("not", a -> !GoValues.isTrue(a.get(0)), ANY));
    put(m, Function.of("len", a -> length(a.get(0)), ANY));
    put(m, Function.variadic("index", ANY, Functions::index, ANY));
    put(m, Function.variadic("print", ANY, GoFmt::sprint));
    put(m, Function.variadic("println", ANY, GoFmt::sprintln));
    put(m, Function.variadic("printf", ANY, a -> GoFmt.sprintf(str(a.get(0)), a.subList(1, a.size())), STRING));
    put(m, Function.variadic("eq", ANY, Functions::eq, ANY));
    put(m, Function.of("ne", a -> !(Boolean) eq(a), ANY, ANY));
    put(m, Function.of("lt", a -> compare(a.get(0), a.get(1)) < 0, ANY, ANY));
    put(m, Function.of("le", a -> compare(a.get(0), a.get(1)) <= 0, ANY, ANY));
    put(m, Function.of("gt", a -> compare(a.get(0), a.get(1)) > 0, ANY, ANY));
    put(m, Function.of("ge", a -> compare(a.get(0), a.get(1)) >= 0, ANY, ANY));
  }

  private static Object length(Object v) {
    if (v == null) {
      throw new Failure("len of untyped nil");
    } else if (v instanceof String s) {
      return (long) GoStrings.byteLength(s);
    } else if (v instanceof GoMap map) {
      return (long) map.entries.size();
    } else if (v instanceof GoList list) {
      return (long) list.items.size();
    }
    throw new Failure("len of type " + GoValues.typeName(v));
  }

  private static Object index(List<Object> a) {
    Object item = a.get(0);
    if (item == null) {
      throw new Failure("index of untyped nil");
    }
    for (Object idx : a.subList(1, a.size())) {
      if (item == null) {
        throw new Failure("index of nil pointer");
      }
      if (item instanceof GoMap map) {
        if (idx == null) {
          throw new Failure("value is nil; should be of type string");
        }
        if (!(idx instanceof String key)) {
          throw new Failure("value has type " + GoValues.typeName(idx) + "; should be string");
        }
        item = map.entries.containsKey(key) ? map.entries.get(key) : map.zeroElement();
      } else if (item instanceof GoList || item instanceof String) {
        if (idx == null) {
          throw new Failure("cannot index slice/array with nil");
        }
        if (!(idx instanceof Long) && !(idx instanceof Byte)) {
          throw new Failure("cannot index slice/array with type " + GoValues.typeName(idx));
        }
        long x = ((Number) idx).longValue();
        if (item instanceof GoList list) {
          if (x < 0 || x >= list.items.size()) {
            throw new Failure("index out of range: " + x);
          }
          item = list.items.get((int) x);
        } else {
          byte[] bytes = GoStrings.toBytes((String) item);
          if (x < 0 || x >= bytes.length) {
            throw new Failure("index out of range: " + x);
          }
          item = bytes[(int) x];
        }
      } else {
        throw new Failure("can't index item of type " + GoValues.typeName(item));
      }
    }
    return item;
  }

  private enum Kind { BOOL, INT, UINT, FLOAT, STRING, OTHER, NIL }

  private static Kind kind(Object v) {
    if (v == null) {
      return Kind.NIL;
    } else if (v instanceof Boolean) {
      return Kind.BOOL;
    } else if (v instanceof Long) {
      return Kind.INT;
    } else if (v instanceof Byte) {
      return Kind.UINT;
    } else if (v instanceof Double) {
      return Kind.FLOAT;
    } else if (v instanceof String) {
      return Kind.STRING;
    }
    return Kind.OTHER;
  }

  private static long integer(Object v) {
    return v instanceof Byte b ? b & 0xff : (Long) v;
  }

  /** Go's {@code eq}: true when the first argument equals any of the others. */
  private static Object eq(List<Object> a) {
    if (a.size() < 2) {
      throw new Failure("missing argument for comparison");
    }
    Object first = a.get(0);
    Kind k1 = kind(first);
    for (Object other : a.subList(1, a.size())) {
      Kind k2 = kind(other);
      boolean truth;
      if (k1 != k2) {
        if ((k1 == Kind.INT || k1 == Kind.UINT) && (k2 == Kind.INT || k2 == Kind.UINT)) {
          truth = integer(first) == integer(other);
        } else if (k1 == Kind.NIL || k2 == Kind.NIL) {
          truth = false;
        } else if (k1 == Kind.OTHER || k2 == Kind.OTHER) {
          throw new Failure("non-comparable types " + GoValues.typeName(first) + " and " + GoValues.typeName(other));
        } else {
          throw new Failure("incompatible types for comparison");
        }
      } else {
        truth = switch (k1) {
          case NIL -> true;
          case BOOL, STRING -> first.equals(other);
          case INT, UINT -> integer(first) == integer(other);
          case FLOAT -> ((Double) first).doubleValue() == (Double) other;
          case OTHER -> throw new Failure("non-comparable type " + GoValues.typeName(first));
        };
      }
      if (truth) {
        return true;
      }
    }
    return false;
  }

  private static int compare(Object a, Object b) {
    Kind k1 = kind(a);
    Kind k2 = kind(b);
    if (k1 == Kind.BOOL || k1 == Kind.NIL || k1 == Kind.OTHER || k2 == Kind.BOOL || k2 == Kind.NIL
        || k2 == Kind.OTHER) {
      throw new Failure("invalid type for comparison");
    }
    boolean ints = (k1 == Kind.INT || k1 == Kind.UINT) && (k2 == Kind.INT || k2 == Kind.UINT);
    if (ints) {
      return Long.compare(integer(a), integer(b));
    }
    if (k1 != k2) {
      throw new Failure("incompatible types for comparison");
    }
    return switch (k1) {
      case FLOAT -> Double.compare((Double) a, (Double) b);
      case STRING -> GoMap.compareGo((String) a, (String) b);
      default -> throw new Failure("invalid type for comparison");
    };
  }

  // ---- Sprig: strings

  private static void strings(Map<String, Function> m) {
    put(m, Function.of("upper", a -> GoStrings.mapCase(str(a.get(0)), true), STRING));
    put(m, Function.of("lower", a -> GoStrings.mapCase(str(a.get(0)), false), STRING));
    put(m, Function.of("title", a -> GoStrings.title(str(a.get(0))), STRING));
    put(m, Function.of("trim", a -> GoStrings.trimSpace(str(a.get(0))), STRING));
    put(m, Function.of("trimAll", a -> GoStrings.trim(str(a.get(1)), str(a.get(0))), STRING, STRING));
    put(m, Function.of("trimall", a -> GoStrings.trim(str(a.get(1)), str(a.get(0))), STRING, STRING));
    put(m, Function.of("trimPrefix", a -> {
      String s = str(a.get(1));
      return s.startsWith(str(a.get(0))) ? s.substring(str(a.get(0)).length()) : s;
    }, STRING, STRING));
    put(m, Function.of("trimSuffix", a -> {
      String s = str(a.get(1));
      return s.endsWith(str(a.get(0))) ? s.substring(0, s.length() - str(a.get(0)).length()) : s;
    }, STRING, STRING));
    put(m, Function.of("contains", a -> str(a.get(1)).contains(str(a.get(0))), STRING, STRING));
    put(m, Function.of("hasPrefix", a -> str(a.get(1)).startsWith(str(a.get(0))), STRING, STRING));
    put(m, Function.of("hasSuffix", a -> str(a.get(1)).endsWith(str(a.get(0))), STRING, STRING));
    put(m, Function.variadic("quote", ANY, a -> {
      List<String> out = new ArrayList<>();
      for (Object o : a) {
        if (o != null) {
          out.add(GoStrings.quote(strval(o)));
        }
      }
      return String.join(" ", out);
    }));
    put(m, Function.variadic("squote", ANY, a -> {
      List<String> out = new ArrayList<>();
      for (Object o : a) {
        if (o != null) {
          out.add("'" + GoFmt.formatV(o) + "'");
        }
      }
      return String.join(" ", out);
    }));
    put(m, Function.variadic("cat", ANY, a -> {
      List<String> out = new ArrayList<>();
      for (Object o : a) {
        if (o != null) {
          out.add(GoFmt.formatV(o));
        }
      }
      return String.join(" ", out);
    }));
    put(m, Function.of("replace", a -> replace(str(a.get(2)), str(a.get(0)), str(a.get(1))), STRING, STRING,
        STRING));
    put(m, Function.of("indent", a -> indent(intArg(a.get(0)), str(a.get(1))), INT, STRING));
    put(m, Function.of("nindent", a -> "\n" + indent(intArg(a.get(0)), str(a.get(1))), INT, STRING));
    put(m, Function.of("repeat", a -> {
      int n = intArg(a.get(0));
      if (n < 0) {
        throw new Failure("strings: negative Repeat count");
      }
      checkSize((long) n * str(a.get(1)).length());
      return str(a.get(1)).repeat(n);
    }, INT, STRING));
    put(m, Function.of("nospace", a -> str(a.get(0)).codePoints()
        .filter(c -> !GoStrings.isSpace(c))
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString(), STRING));
    put(m, Function.of("trunc", a -> {
      long c = (Long) a.get(0);
      String s = str(a.get(1));
      byte[] b = GoStrings.toBytes(s);
      if (c < 0 && b.length + c > 0) {
        return GoStrings.fromBytes(java.util.Arrays.copyOfRange(b, (int) (b.length + c), b.length));
      }
      if (c >= 0 && b.length > c) {
        return GoStrings.fromBytes(java.util.Arrays.copyOf(b, (int) c));
      }
      return s;
    }, INT, STRING));
    put(m, Function.of("split", a -> {
      GoMap out = new GoMap(true);
      List<String> parts = GoStrings.split(str(a.get(1)), str(a.get(0)));
      for (int i = 0; i < parts.size(); i++) {
        out.entries.put("_" + i, parts.get(i));
      }
      return out;
    }, STRING, STRING));
    put(m, Function.of("splitList", a -> new GoList(true, GoStrings.split(str(a.get(1)), str(a.get(0)))), STRING,
        STRING));
    put(m, Function.of("join", a -> String.join(str(a.get(0)), strslice(a.get(1))), STRING, ANY));
    put(m, Function.of("toString", a -> strval(a.get(0)), ANY));
    put(m, Function.of("atoi", a -> atoi(str(a.get(0))), STRING));
    put(m, Function.of("regexMatch", a -> {
      try {
        return regex(a.get(0), r -> r.find(str(a.get(1))));
      } catch (Failure e) {
        return false;
      }
    }, STRING, STRING));
    put(m, Function.of("mustRegexMatch", a -> regex(a.get(0), r -> r.find(str(a.get(1)))), STRING, STRING));
    put(m, Function.of("regexFind", a -> regex(a.get(0), r -> r.findFirst(str(a.get(1)))), STRING, STRING));
    put(m, Function.of("mustRegexFind", a -> regex(a.get(0), r -> r.findFirst(str(a.get(1)))), STRING,
        STRING));
    put(m, Function.of("regexReplaceAll",
        a -> regex(a.get(0), r -> r.replaceAll(str(a.get(1)), str(a.get(2)))), STRING, STRING, STRING));
    put(m, Function.of("mustRegexReplaceAll",
        a -> regex(a.get(0), r -> r.replaceAll(str(a.get(1)), str(a.get(2)))), STRING, STRING, STRING));
    put(m, Function.of("regexReplaceAllLiteral",
        a -> regex(a.get(0), r -> r.replaceAllLiteral(str(a.get(1)), str(a.get(2)))), STRING, STRING, STRING));
  }

  /** Runs {@code op} on a Go regular expression; an invalid one or a runaway match fails without quoting it. */
  private static Object regex(Object source, java.util.function.Function<GoRegexp, Object> op) {
    GoRegexp compiled;
    try {
      compiled = GoRegexp.compile(str(source));
    } catch (IllegalArgumentException e) {
      throw new Failure("regexp: invalid regular expression");
    }
    try {
      return op.apply(compiled);
    } catch (IllegalArgumentException e) {
      throw new Failure("regexp: matching took too many steps");
    }
  }

  private static void checkSize(long size) {
    if (size > MAX_RESULT) {
      throw new Failure("result would be larger than " + MAX_RESULT + " bytes");
    }
  }

  private static String replace(String src, String old, String replacement) {
    if (old.isEmpty()) {
      checkSize((long) (src.length() + 1) * (replacement.length() + 1));
      StringBuilder out = new StringBuilder(replacement);
      src.codePoints().forEach(c -> out.appendCodePoint(c).append(replacement));
      return out.toString();
    }
    return src.replace(old, replacement);
  }

  private static String indent(int spaces, String v) {
    if (spaces < 0) {
      throw new Failure("strings: negative Repeat count");
    }
    long lines = v.chars().filter(c -> c == '\n').count() + 1;
    checkSize(v.length() + lines * spaces);
    String pad = " ".repeat(spaces);
    return pad + v.replace("\n", "\n" + pad);
  }

  /** Sprig's {@code strval}. */
  static String strval(Object v) {
    return v instanceof String s ? s : GoFmt.formatV(v);
  }

  /** Sprig's {@code strslice}: a slice's non-nil elements as strings, or the value itself. */
  private static List<String> strslice(Object v) {
    List<String> out = new ArrayList<>();
    if (v instanceof GoList l) {
      for (Object o : l.items) {
        if (o != null) {
          out.add(strval(o));
        }
      }
    } else if (v != null) {
      out.add(strval(v));
    }
    return out;
  }

  /** {@code strconv.Atoi}, with Sprig's 0 on error. */
  private static long atoi(String s) {
    String t = s.startsWith("+") || s.startsWith("-") ? s.substring(1) : s;
    if (t.isEmpty() || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return 0;
    }
    try {
      return Long.parseLong(s.startsWith("+") ? t : s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  // ---- Sprig: defaults, lists and dicts

  /** Sprig's {@code empty}. */
  static boolean empty(Object v) {
    return !GoValues.isTrue(v);
  }

  private static void collections(Map<String, Function> m) {
    put(m, Function.variadic("default", ANY, a -> a.size() < 2 || empty(a.get(1)) ? a.get(0) : a.get(1), ANY));
    put(m, Function.of("empty", a -> empty(a.get(0)), ANY));
    put(m, Function.variadic("coalesce", ANY, a -> {
      for (Object o : a) {
        if (!empty(o)) {
          return o;
        }
      }
      return null;
    }));
    put(m, Function.variadic("all", ANY, a -> a.stream().noneMatch(Functions::empty)));
    put(m, Function.variadic("any", ANY, a -> a.stream().anyMatch(o -> !empty(o))));
    put(m, Function.of("ternary", a -> (Boolean) a.get(2) ? a.get(0) : a.get(1), ANY, ANY, BOOL));
    put(m, Function.variadic("list", ANY, a -> new GoList(false, a)));
    put(m, Function.variadic("tuple", ANY, a -> new GoList(false, a)));
    put(m, Function.variadic("dict", ANY, a -> {
      GoMap d = new GoMap(false);
      for (int i = 0; i < a.size(); i += 2) {
        d.entries.put(strval(a.get(i)), i + 1 < a.size() ? a.get(i + 1) : "");
      }
      return d;
    }));
    put(m, Function.of("get", a -> {
      GoMap d = (GoMap) a.get(0);
      return d != null && d.entries.containsKey(str(a.get(1))) ? d.entries.get(str(a.get(1))) : "";
    }, MAP, STRING));
    put(m, Function.of("set", a -> {
      GoMap d = (GoMap) a.get(0);
      if (d == null) {
        throw new Failure("assignment to entry in nil map");
      }
      d.entries.put(str(a.get(1)), a.get(2));
      return d;
    }, MAP, STRING, ANY));
    put(m, Function.of("unset", a -> {
      GoMap d = (GoMap) a.get(0);
      if (d != null) {
        d.entries.remove(str(a.get(1)));
      }
      return d;
    }, MAP, STRING));
    put(m, Function.of("hasKey", a -> a.get(0) != null && ((GoMap) a.get(0)).entries.containsKey(str(a.get(1))),
        MAP, STRING));
    put(m, Function.variadic("keys", MAP, a -> {
      List<String> out = new ArrayList<>();
      for (Object o : a) {
        if (o != null) {
          out.addAll(((GoMap) o).entries.keySet());
        }
      }
      return new GoList(true, out);
    }));
    put(m, Function.variadic("pluck", MAP, a -> {
      List<Object> out = new ArrayList<>();
      String key = str(a.get(0));
      for (Object o : a.subList(1, a.size())) {
        if (o != null && ((GoMap) o).entries.containsKey(key)) {
          out.add(((GoMap) o).entries.get(key));
        }
      }
      return new GoList(false, out);
    }, STRING));
    put(m, Function.variadic("merge", MAP, a -> {
      GoMap dst = a.get(0) == null ? new GoMap(false) : (GoMap) a.get(0);
      for (Object src : a.subList(1, a.size())) {
        if (src != null) {
          merge(dst, (GoMap) src, 0);
        }
      }
      return dst;
    }, MAP));
  }

  /** mergo's {@code Merge} without overwrite: fills missing or empty keys, merging nested maps. */
  private static void merge(GoMap dst, GoMap src, int depth) {
    if (depth > 100) {
      throw new Failure("maps nested too deeply to merge");
    }
    for (Map.Entry<String, Object> e : src.entries.entrySet()) {
      Object sv = e.getValue();
      if (sv == null) {
        continue;
      }
      Object dv = dst.entries.get(e.getKey());
      if (sv instanceof GoMap sm && dv instanceof GoMap dm) {
        merge(dm, sm, depth + 1);
        continue;
      }
      if (dv != null && !empty(dv) && (sv instanceof GoMap || sv instanceof GoList)) {
        continue;
      }
      if (!dst.entries.containsKey(e.getKey()) || empty(dv)) {
        dst.entries.put(e.getKey(), sv);
      }
    }
  }

  // ---- Sprig: encodings, hashes, JSON and YAML

  private static void encodings(Map<String, Function> m) {
    put(m, Function.of("b64enc", a -> Base64.getEncoder().encodeToString(GoStrings.toBytes(str(a.get(0)))), STRING));
    put(m, Function.of("b64dec", a -> base64Decode(str(a.get(0))), STRING));
    put(m, Function.of("sha1sum", a -> digest("SHA-1", str(a.get(0))), STRING));
    put(m, Function.of("sha256sum", a -> digest("SHA-256", str(a.get(0))), STRING));
    put(m, Function.of("sha512sum", a -> digest("SHA-512", str(a.get(0))), STRING));
    put(m, Function.of("toJson", a -> {
      try {
        return GoJson.marshal(a.get(0), true);
      } catch (GoJson.UnsupportedValue e) {
        return "";
      }
    }, ANY));
    put(m, Function.of("mustToJson", a -> {
      try {
        return GoJson.marshal(a.get(0), true);
      } catch (GoJson.UnsupportedValue e) {
        throw new Failure(e.getMessage());
      }
    }, ANY));
    put(m, Function.of("toRawJson", a -> {
      try {
        return GoJson.marshal(a.get(0), false);
      } catch (GoJson.UnsupportedValue e) {
        throw new Failure(e.getMessage());
      }
    }, ANY));
    put(m, Function.of("toPrettyJson", a -> {
      try {
        return GoJson.marshalIndent(a.get(0), "  ");
      } catch (GoJson.UnsupportedValue e) {
        return "";
      }
    }, ANY));
    put(m, Function.of("fromJson", a -> {
      try {
        return GoJson.unmarshal(str(a.get(0)));
      } catch (IllegalArgumentException e) {
        return null;
      }
    }, STRING));
    put(m, Function.of("mustFromJson", a -> {
      try {
        return GoJson.unmarshal(str(a.get(0)));
      } catch (IllegalArgumentException e) {
        throw new Failure(e.getMessage());
      }
    }, STRING));
    put(m, Function.of("toYaml", a -> {
      try {
        return GoYaml.toYaml(a.get(0));
      } catch (GoJson.UnsupportedValue e) {
        return "";
      }
    }, ANY));
    put(m, Function.of("fromYaml", a -> GoYaml.fromYaml(str(a.get(0))), STRING));
  }

  private static String digest(String algorithm, String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(GoStrings.toBytes(s)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Go's {@code base64.StdEncoding.DecodeString}, with Sprig's habit of returning the error text. */
  static String base64Decode(String s) {
    byte[] src = GoStrings.toBytes(s);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(src.length * 3 / 4 + 3);
    int si = 0;
    while (true) {
      int[] dbuf = new int[4];
      int dlen = 4;
      String err = null;
      int j = 0;
      for (; j < 4; j++) {
        if (si == src.length) {
          if (j == 0) {
            return GoStrings.fromBytes(out.toByteArray());
          }
          return "illegal base64 data at input byte " + (si - j);
        }
        int in = src[si] & 0xff;
        si++;
        int val = decodeChar(in);
        if (val >= 0) {
          dbuf[j] = val;
          continue;
        }
        if (in == '\n' || in == '\r') {
          j--;
          continue;
        }
        if (in != '=') {
          return "illegal base64 data at input byte " + (si - 1);
        }
        if (j < 2) {
          return "illegal base64 data at input byte " + (si - 1);
        }
        if (j == 2) {
          while (si < src.length && (src[si] == '\n' || src[si] == '\r')) {
            si++;
          }
          if (si == src.length) {
            return "illegal base64 data at input byte " + src.length;
          }
          if (src[si] != '=') {
            return "illegal base64 data at input byte " + (si - 1);
          }
          si++;
        }
        while (si < src.length && (src[si] == '\n' || src[si] == '\r')) {
          si++;
        }
        if (si < src.length) {
          err = "illegal base64 data at input byte " + si;
        }
        dlen = j;
        break;
      }
      int val = dbuf[0] << 18 | dbuf[1] << 12 | dbuf[2] << 6 | dbuf[3];
      if (dlen >= 2) {
        out.write(val >> 16);
      }
      if (dlen >= 3) {
        out.write((val >> 8) & 0xff);
      }
      if (dlen == 4) {
        out.write(val & 0xff);
      }
      if (err != null) {
        return err;
      }
      if (dlen < 4) {
        return GoStrings.fromBytes(out.toByteArray());
      }
    }
  }

  private static int decodeChar(int c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    } else if (c == '+') {
      return 62;
    } else if (c == '/') {
      return 63;
    }
    return -1;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
