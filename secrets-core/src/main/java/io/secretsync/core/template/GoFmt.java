package io.secretsync.core.template;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

/** Go's {@code fmt} printing of template values: {@code Sprint}, {@code Sprintln}, {@code Sprintf}. */
final class GoFmt {

  private GoFmt() {}

  /** {@code fmt.Sprint}: spaces between operands when neither is a string. */
  static String sprint(List<Object> args) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < args.size(); i++) {
      Object a = args.get(i);
      if (i > 0 && !(a instanceof String) && !(args.get(i - 1) instanceof String)) {
        out.append(' ');
      }
      out.append(formatV(a));
    }
    return out.toString();
  }

  /** {@code fmt.Sprintln}: spaces between all operands and a final newline. */
  static String sprintln(List<Object> args) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < args.size(); i++) {
      if (i > 0) {
        out.append(' ');
      }
      out.append(formatV(args.get(i)));
    }
    return out.append('\n').toString();
  }

  /** {@code %v}. */
  static String formatV(Object v) {
    return format(v, 'v', new Spec());
  }

  /** Go's {@code %v} of a float64: {@code strconv.FormatFloat(f, 'g', -1, 64)}. */
  static String formatFloat(double d) {
    return formatFloat(d, 'g', -1);
  }

  /** {@code strconv.FormatFloat(d, fmt, prec, 64)} for fmt e, f, g. */
  static String formatFloat(double d, char fmt, int prec) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "+Inf" : "-Inf";
    }
    boolean neg = d < 0 || (d == 0 && 1 / d < 0);
    double abs = Math.abs(d);
    String digits;
    int dp;
    boolean shortest = prec < 0;
    if (abs == 0) {
      digits = "0";
      dp = 1;
      if (!shortest && fmt == 'e') {
        digits = "0".repeat(prec + 1);
      }
    } else {
      BigDecimal exact = new BigDecimal(abs);
      BigDecimal rounded;
      if (shortest) {
        rounded = null;
        for (int p = 1; p <= 17; p++) {
          BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
          if (r.doubleValue() == abs) {
            rounded = r;
            break;
          }
        }
        if (rounded == null) {
          rounded = exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
        }
      } else if (fmt == 'e') {
        rounded = exact.round(new MathContext(prec + 1, RoundingMode.HALF_EVEN));
      } else if (fmt == 'f') {
        rounded = exact.setScale(prec, RoundingMode.HALF_EVEN);
      } else {
        rounded = exact.round(new MathContext(prec == 0 ? 1 : prec, RoundingMode.HALF_EVEN));
      }
      BigDecimal stripped = rounded.stripTrailingZeros();
      String unscaled = stripped.unscaledValue().toString();
      digits = unscaled;
      dp = unscaled.length() - stripped.scale();
      if (!shortest && fmt == 'e' && digits.length() < prec + 1) {
        digits = digits + "0".repeat(prec + 1 - digits.length());
      }
      if (stripped.signum() == 0) {
        digits = "0";
        dp = 1;
      }
    }
    String body;
    switch (fmt) {
      case 'e' -> body = fmtE(digits, dp, shortest ? digits.length() - 1 : prec);
      case 'f' -> body = fmtF(digits, dp, shortest ? Math.max(digits.length() - dp, 0) : prec);
      default -> {
        int eprec = shortest ? 6 : (prec == 0 ? 1 : prec);
        if (!shortest && eprec > digits.length() && digits.length() >= dp) {
          eprec = digits.length();
        }
        int exp = dp - 1;
        if (exp < -4 || exp >= eprec) {
          body = fmtE(digits, dp, (shortest ? digits.length() : Math.min(digits.length(), eprec)) - 1);
        } else {
          body = fmtF(digits, dp, Math.max((shortest ? digits.length() : Math.min(digits.length(), eprec)) - dp, 0));
        }
      }
    }
    return neg ? "-" + body : body;
  }

  private static String fmtE(String digits, int dp, int prec) {
    StringBuilder out = new StringBuilder();
    out.append(digits.charAt(0));
    if (prec > 0) {
      out.append('.');
      for (int i = 1; i <= prec; i++) {
        out.append(i < digits.length() ? digits.charAt(i) : '0');
      }
    }
    int exp = digits.equals("0") ? 0 : dp - 1;
    out.append('e').append(exp < 0 ? '-' : '+');
    int a = Math.abs(exp);
    if (a < 10) {
      out.append('0');
    }
    return out.append(a).toString();
  }

  private static String fmtF(String digits, int dp, int prec) {
    StringBuilder out = new StringBuilder();
    if (dp > 0) {
      for (int i = 0; i < dp; i++) {
        out.append(i < digits.length() ? digits.charAt(i) : '0');
      }
    } else {
      out.append('0');
    }
    if (prec > 0) {
      out.append('.');
      for (int i = 0; i < prec; i++) {
        int j = dp + i;
        out.append(j >= 0 && j < digits.length() ? digits.charAt(j) : '0');
      }
    }
    return out.toString();
  }

  /** {@code fmt.Sprintf} with the verbs templates use: v s q d x X o b c t e f g U and %%. */
  static String sprintf(String format, List<Object> args) {
    StringBuilder out = new StringBuilder();
    int argNum = 0;
    boolean reordered = false;
    int i = 0;
    int n = format.length();
    while (i < n) {
      char c = format.charAt(i);
      if (c != '%') {
        out.append(c);
        i++;
        continue;
      }
      i++;
      Spec spec = new Spec();
      flags:
      while (i < n) {
        switch (format.charAt(i)) {
          case '+' -> spec.plus = true;
          case '-' -> {
            spec.minus = true;
            spec.zero = false;
          }
          case '#' -> spec.sharp = true;
          case ' ' -> spec.space = true;
          case '0' -> spec.zero = !spec.minus;
          default -> {
            break flags;
          }
        }
        i++;
      }
      // explicit argument index
      if (i < n && format.charAt(i) == '[') {
        int close = format.indexOf(']', i);
        if (close > i) {
          try {
            argNum = Integer.parseInt(format.substring(i + 1, close)) - 1;
            reordered = true;
          } catch (NumberFormatException e) {
            out.append("%!(BADINDEX)");
          }
          i = close + 1;
        }
      }
      if (i < n && format.charAt(i) == '*') {
        i++;
        if (argNum < args.size() && args.get(argNum) instanceof Long w) {
          spec.width = (int) Math.min(Math.abs(w), 1_000_000);
          if (w < 0) {
            spec.minus = true;
            spec.zero = false;
          }
        } else {
          out.append("%!(BADWIDTH)");
        }
        argNum++;
      } else {
        int start = i;
        while (i < n && Character.isDigit(format.charAt(i))) {
          i++;
        }
        if (i > start) {
          spec.width = (int) Math.min(Long.parseLong(format.substring(start, Math.min(i, start + 7))), 1_000_000);
        }
      }
      if (i < n && format.charAt(i) == '.') {
        i++;
        if (i < n && format.charAt(i) == '*') {
          i++;
          if (argNum < args.size() && args.get(argNum) instanceof Long p) {
            spec.prec = (int) Math.max(-1, Math.min(p, 1_000_000));
          } else {
            out.append("%!(BADPREC)");
          }
          argNum++;
        } else {
          int start = i;
          while (i < n && Character.isDigit(format.charAt(i))) {
            i++;
          }
          spec.prec = i > start ? (int) Math.min(Long.parseLong(format.substring(start, Math.min(i, start + 7))), 1_000_000) : 0;
        }
      }
      if (i < n && format.charAt(i) == '[') {
        int close = format.indexOf(']', i);
        if (close > i) {
          try {
            argNum = Integer.parseInt(format.substring(i + 1, close)) - 1;
            reordered = true;
          } catch (NumberFormatException e) {
            out.append("%!(BADINDEX)");
          }
          i = close + 1;
        }
      }
      if (i >= n) {
        out.append("%!(NOVERB)");
        break;
      }
      int verb = format.codePointAt(i);
      i += Character.charCount(verb);
      if (verb == '%') {
        out.append('%');
        continue;
      }
      if (argNum < 0 || argNum >= args.size()) {
        out.append("%!").appendCodePoint(verb).append("(MISSING)");
        continue;
      }
      Object arg = args.get(argNum++);
      out.append(pad(format(arg, verb, spec), spec, arg));
    }
    if (!reordered && argNum < args.size()) {
      out.append("%!(EXTRA ");
      for (int k = argNum; k < args.size(); k++) {
        if (k > argNum) {
          out.append(", ");
        }
        Object a = args.get(k);
        out.append(a == null ? "<nil>" : GoValues.typeName(a) + "=" + formatV(a));
      }
      out.append(')');
    }
    return out.toString();
  }

  /** Formatting options of one verb. */
  static final class Spec {
    boolean plus;
    boolean minus;
    boolean sharp;
    boolean space;
    boolean zero;
    int width = -1;
    int prec = -1;
  }

  private static String pad(String s, Spec spec, Object arg) {
    int len = s.codePointCount(0, s.length());
    if (spec.width <= len) {
      return s;
    }
    int fill = spec.width - len;
    if (spec.minus) {
      return s + " ".repeat(fill);
    }
    if (spec.zero && (arg instanceof Long || arg instanceof Double)) {
      int signLen = !s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+' || s.charAt(0) == ' ') ? 1 : 0;
      return s.substring(0, signLen) + "0".repeat(fill) + s.substring(signLen);
    }
    return " ".repeat(fill) + s;
  }

  private static String bad(int verb, Object arg) {
    StringBuilder b = new StringBuilder("%!").appendCodePoint(verb).append('(');
    if (arg == null) {
      return b.append("<nil>)").toString();
    }
    return b.append(GoValues.typeName(arg)).append('=').append(formatV(arg)).append(')').toString();
  }

  static String format(Object arg, int verb, Spec spec) {
    if (arg == null) {
      return verb == 'v' ? "<nil>" : bad(verb, null);
    }
    if (arg instanceof GoList l) {
      if (verb == 'T') {
        return l.typeName();
      }
      StringBuilder b = new StringBuilder("[");
      for (int k = 0; k < l.items.size(); k++) {
        if (k > 0) {
          b.append(' ');
        }
        b.append(format(l.items.get(k), verb, spec));
      }
      return b.append(']').toString();
    }
    if (arg instanceof GoMap m) {
      if (verb == 'T') {
        return m.typeName();
      }
      StringBuilder b = new StringBuilder("map[");
      boolean first = true;
      for (Map.Entry<String, Object> e : m.entries.entrySet()) {
        if (!first) {
          b.append(' ');
        }
        first = false;
        b.append(format(e.getKey(), verb, spec)).append(':').append(format(e.getValue(), verb, spec));
      }
      return b.append(']').toString();
    }
    if (verb == 'T') {
      return GoValues.typeName(arg);
    }
    if (arg instanceof String s) {
      return switch (verb) {
        case 'v', 's' -> spec.prec >= 0 ? truncate(s, spec.prec) : s;
        case 'q' -> spec.sharp && s.indexOf('`') < 0 && isBackquotable(s) ? "`" + s + "`" : GoStrings.quote(s);
        case 'x', 'X' -> hex(GoStrings.toBytes(s), verb == 'X', spec);
        default -> bad(verb, arg);
      };
    }
    if (arg instanceof Boolean b) {
      return verb == 'v' || verb == 't' ? b.toString() : bad(verb, arg);
    }
    if (arg instanceof Long || arg instanceof Byte) {
      long v = ((Number) arg).longValue();
      if (arg instanceof Byte) {
        v = v & 0xff;
      }
      return switch (verb) {
        case 'v', 'd' -> sign(Long.toString(v), v >= 0, spec);
        case 'x' -> sign((v < 0 ? "-" : "") + (spec.sharp ? "0x" : "") + Long.toHexString(Math.abs(v)), v >= 0, spec);
        case 'X' -> sign((v < 0 ? "-" : "") + (spec.sharp ? "0X" : "")
            + Long.toHexString(Math.abs(v)).toUpperCase(java.util.Locale.ROOT), v >= 0, spec);
        case 'o' -> sign((v < 0 ? "-" : "") + (spec.sharp ? "0" : "") + Long.toOctalString(Math.abs(v)), v >= 0, spec);
        case 'b' -> sign((v < 0 ? "-" : "") + Long.toBinaryString(Math.abs(v)), v >= 0, spec);
        case 'c' -> validRune(v) ? new String(Character.toChars((int) v)) : "\uFFFD";
        case 'q' -> "'" + quoteRune(v) + "'";
        case 'U' -> String.format("U+%04X", v);
        default -> bad(verb, arg);
      };
    }
    if (arg instanceof Double d) {
      return switch (verb) {
        case 'v', 'g' -> sign(formatFloat(d, 'g', spec.prec), d >= 0 || Double.isNaN(d), spec);
        case 'e' -> sign(formatFloat(d, 'e', spec.prec < 0 ? 6 : spec.prec), d >= 0, spec);
        case 'f', 'F' -> sign(formatFloat(d, 'f', spec.prec < 0 ? 6 : spec.prec), d >= 0, spec);
        default -> bad(verb, arg);
      };
    }
    return bad(verb, arg);
  }

  private static boolean isBackquotable(String s) {
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c == '\uFEFF' || (c < ' ' && c != '\t') || c == 0x7f || GoStrings.isCarriedByte(s, k)) {
        return false;
      }
    }
    return true;
  }

  private static boolean validRune(long v) {
    return v >= 0 && v <= 0x10FFFF && !(v >= 0xD800 && v <= 0xDFFF);
  }

  private static String quoteRune(long v) {
    if (!validRune(v)) {
      return "\uFFFD";
    }
    if (v == '\'') {
      return "\\'";
    }
    String q = GoStrings.quote(new String(Character.toChars((int) v)));
    String inner = q.substring(1, q.length() - 1);
    return inner.equals("\\\"") ? "\"" : inner;
  }

  private static String truncate(String s, int runes) {
    int cps = s.codePointCount(0, s.length());
    return cps <= runes ? s : s.substring(0, s.offsetByCodePoints(0, runes));
  }

  private static String sign(String s, boolean nonNegative, Spec spec) {
    if (nonNegative && !s.startsWith("+")) {
      if (spec.plus) {
        return "+" + s;
      }
      if (spec.space) {
        return " " + s;
      }
    }
    return s;
  }

  private static String hex(byte[] b, boolean upper, Spec spec) {
    StringBuilder out = new StringBuilder();
    for (int k = 0; k < b.length; k++) {
      if (spec.space && k > 0) {
        out.append(' ');
      }
      if (spec.sharp && (spec.space || k == 0)) {
        out.append(upper ? "0X" : "0x");
      }
      String h = String.format("%02x", b[k] & 0xff);
      out.append(upper ? h.toUpperCase(java.util.Locale.ROOT) : h);
    }
    return out.toString();
  }
}
