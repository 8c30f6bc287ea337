package io.secretsync.core.template;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Go strings are byte sequences; ours are Java strings. Bytes that are not valid UTF-8 are carried
 * as the lone surrogates U+DC80..U+DCFF (one per byte), so any byte sequence survives a round trip
 * through a template unchanged, binary PKCS#12 bundles included.
 */
final class GoStrings {

  private GoStrings() {}

  /** Decodes {@code bytes} as UTF-8, keeping each invalid byte as U+DC00+byte. */
  static String fromBytes(byte[] bytes) {
    StringBuilder out = new StringBuilder(bytes.length);
    int i = 0;
    while (i < bytes.length) {
      int b = bytes[i] & 0xff;
      if (b < 0x80) {
        out.append((char) b);
        i++;
        continue;
      }
      int len = validSequenceLength(bytes, i);
      if (len == 0) {
        out.append((char) (0xDC00 + b));
        i++;
      } else {
        out.append(new String(bytes, i, len, StandardCharsets.UTF_8));
        i += len;
      }
    }
    return out.toString();
  }

  /** Length of the valid UTF-8 sequence at {@code i}, or 0 (Go's rules: no surrogates, no overlongs). */
  private static int validSequenceLength(byte[] b, int i) {
    int b0 = b[i] & 0xff;
    int n;
    int min;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      n = 2;
      min = 0x80;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      n = 3;
      min = 0x800;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      n = 4;
      min = 0x10000;
    } else {
      return 0;
    }
    if (i + n > b.length) {
      return 0;
    }
    int cp = b0 & (0xff >> (n + 1));
    for (int k = 1; k < n; k++) {
      int c = b[i + k] & 0xff;
      if ((c & 0xC0) != 0x80) {
        return 0;
      }
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return 0;
    }
    return n;
  }

  /** The Go bytes of {@code s}: UTF-8, with carried invalid bytes restored. */
  static byte[] toBytes(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 8);
    int i = 0;
    int runStart = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (isCarriedByte(s, i)) {
        writeUtf8(s, runStart, i, out);
        out.write(c - 0xDC00);
        i++;
        runStart = i;
      } else {
        i += Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)) ? 2 : 1;
      }
    }
    writeUtf8(s, runStart, s.length(), out);
    return out.toByteArray();
  }

  private static void writeUtf8(String s, int from, int to, ByteArrayOutputStream out) {
    if (from < to) {
      byte[] b = s.substring(from, to).getBytes(StandardCharsets.UTF_8);
      out.write(b, 0, b.length);
    }
  }

  /** A lone low surrogate in U+DC80..U+DCFF stands for one invalid byte. */
  static boolean isCarriedByte(String s, int i) {
    char c = s.charAt(i);
    if (c < 0xDC80 || c > 0xDCFF) {
      return false;
    }
    return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
  }

  /** Go's {@code len(s)}: the number of bytes. */
  static int byteLength(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (isCarriedByte(s, i)) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /** Go's {@code unicode.IsSpace}. */
  static boolean isSpace(int cp) {
    switch (cp) {
      case '\t', '\n', 0x0B, '\f', '\r', ' ', 0x85, 0xA0:
        return true;
      default:
        return cp > 0xff && Character.isSpaceChar(cp);
    }
  }

  /** Go's {@code strings.TrimSpace}. */
  static String trimSpace(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isSpace(s.codePointAt(start))) {
      start += Character.charCount(s.codePointAt(start));
    }
    while (end > start && isSpace(s.codePointBefore(end))) {
      end -= Character.charCount(s.codePointBefore(end));
    }
    return s.substring(start, end);
  }

  /** Go's {@code strings.Trim(s, cutset)}. */
  static String trim(String s, String cutset) {
    int start = 0;
    int end = s.length();
    while (start < end && cutset.indexOf(s.codePointAt(start)) >= 0 && !isCarriedByte(s, start)) {
      start += Character.charCount(s.codePointAt(start));
    }
    while (end > start && cutset.indexOf(s.codePointBefore(end)) >= 0 && !isCarriedByte(s, end - 1)) {
      end -= Character.charCount(s.codePointBefore(end));
    }
    return s.substring(start, end);
  }

  /** Go's {@code strings.ToUpper}/{@code ToLower}: simple per-rune case mapping. */
  static String mapCase(String s, boolean upper) {
    StringBuilder out = new StringBuilder(s.length());
    s.codePoints().forEach(cp -> out.appendCodePoint(upper ? Character.toUpperCase(cp) : Character.toLowerCase(cp)));
    return out.toString();
  }

  /** Go's deprecated {@code strings.Title}, which Sprig's {@code title} uses. */
  static String title(String s) {
    StringBuilder out = new StringBuilder(s.length());
    int prev = ' ';
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      out.appendCodePoint(isTitleSeparator(prev) ? Character.toTitleCase(cp) : cp);
      prev = cp;
      i += Character.charCount(cp);
    }
    return out.toString();
  }

  private static boolean isTitleSeparator(int r) {
    if (r <= 0x7F) {
      if (r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_') {
        return false;
      }
      return true;
    }
    if (Character.isLetter(r) || Character.isDigit(r)) {
      return false;
    }
    return isSpace(r);
  }

  /** Go's {@code strings.Split}. */
  static java.util.List<String> split(String s, String sep) {
    java.util.List<String> parts = new java.util.ArrayList<>();
    if (sep.isEmpty()) {
      int i = 0;
      while (i < s.length()) {
        int n = Character.charCount(s.codePointAt(i));
        parts.add(s.substring(i, i + n));
        i += n;
      }
      return parts;
    }
    int from = 0;
    int at;
    while ((at = s.indexOf(sep, from)) >= 0) {
      parts.add(s.substring(from, at));
      from = at + sep.length();
    }
    parts.add(s.substring(from));
    return parts;
  }

  /** Go's {@code strconv.Quote}: printable runes as they are, others escaped. */
  static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    int i = 0;
    while (i < s.length()) {
      if (isCarriedByte(s, i)) {
        out.append(String.format("\\x%02x", s.charAt(i) - 0xDC00));
        i++;
        continue;
      }
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      switch (cp) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case 7 -> out.append("\\a");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case 0x0B -> out.append("\\v");
        default -> {
          if (isPrint(cp)) {
            out.appendCodePoint(cp);
          } else if (cp < ' ' || cp == 0x7f) {
            out.append(String.format("\\x%02x", cp));
          } else if (Character.isSurrogate((char) cp) || cp < 0x10000) {
            out.append(String.format("\\u%04x", cp));
          } else {
            out.append(String.format("\\U%08x", cp));
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /** Go's {@code strconv.IsPrint}: letters, marks, numbers, punctuation, symbols and the ASCII space. */
  static boolean isPrint(int cp) {
    if (cp == ' ') {
      return true;
    }
    if (cp < 0x20 || cp == 0x7f || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    switch (Character.getType(cp)) {
      case Character.UNASSIGNED, Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE,
          Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR:
        return false;
      default:
        return true;
    }
  }
}
