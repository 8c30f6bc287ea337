package io.secretsync.core.template;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Go's RE2 {@code regexp} on Java's engine: {@code (?P<name>)} groups, {@code $} as end of text
 * unless multi-line, Go's {@code $1}/{@code ${name}} replacement syntax. Matching is bounded, so
 * a pathological pattern fails instead of running for ever.
 */
final class GoRegex {

  private static final long MAX_CHAR_READS = 50_000_000L;

  private final Pattern pattern;

  private GoRegex(Pattern pattern) {
    this.pattern = pattern;
  }

  /** Compiles Go syntax; throws {@link Function.Failure} when invalid (without the pattern's text). */
  static GoRegex compile(String source) {
    try {
      return new GoRegex(Pattern.compile(translate(source), Pattern.UNIX_LINES));
    } catch (PatternSyntaxException | StackOverflowError e) {
      throw new Function.Failure("regexp: invalid regular expression");
    }
  }

  /** {@code (?P<} becomes {@code (?<}; outside classes and without the m flag, {@code $} becomes {@code \z}. */
  private static String translate(String re) {
    boolean multiline = re.matches("(?s).*\\(\\?[a-zA-Z]*m[a-zA-Z]*[:)].*");
    StringBuilder out = new StringBuilder(re.length() + 8);
    boolean inClass = false;
    for (int i = 0; i < re.length(); i++) {
      char c = re.charAt(i);
      if (c == '\\' && i + 1 < re.length()) {
        out.append(c).append(re.charAt(++i));
      } else if (!inClass && re.startsWith("(?P<", i)) {
        out.append("(?<");
        i += 3;
      } else if (c == '[') {
        inClass = true;
        out.append(c);
        if (i + 1 < re.length() && re.charAt(i + 1) == '^') {
          out.append('^');
          i++;
        }
        if (i + 1 < re.length() && re.charAt(i + 1) == ']') {
          out.append("\\]");
          i++;
        }
      } else if (c == ']' && inClass) {
        inClass = false;
        out.append(c);
      } else if (c == '[' && inClass) {
        out.append("\\[");
      } else if (c == '$' && !inClass && !multiline) {
        out.append("\\z");
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private Matcher matcher(String input) {
    return pattern.matcher(new BoundedSequence(input, new long[] {0}));
  }

  boolean find(String input) {
    return matcher(input).find();
  }

  /** The leftmost match, or the empty string. */
  String findFirst(String input) {
    Matcher m = matcher(input);
    return m.find() ? m.group() : "";
  }

  /** Go's {@code ReplaceAllString}; {@code literal} is {@code ReplaceAllLiteralString}. */
  String replaceAll(String input, String template, boolean literal) {
    Matcher m = matcher(input);
    StringBuilder out = new StringBuilder();
    int last = 0;
    int previousMatchEnd = -1;
    while (m.find()) {
      if (m.start() == m.end() && m.start() == previousMatchEnd) {
        continue;
      }
      out.append(input, last, m.start());
      if (literal) {
        out.append(template);
      } else {
        expand(m, template, out);
      }
      last = m.end();
      previousMatchEnd = m.end();
    }
    return out.append(input, last, input.length()).toString();
  }

  private static void expand(Matcher m, String template, StringBuilder out) {
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i);
      if (c != '$' || i + 1 >= template.length()) {
        out.append(c);
        i++;
        continue;
      }
      char next = template.charAt(i + 1);
      if (next == '$') {
        out.append('$');
        i += 2;
        continue;
      }
      String name;
      int end;
      if (next == '{') {
        int close = template.indexOf('}', i + 2);
        if (close < 0 || !isName(template.substring(i + 2, close))) {
          out.append(c);
          i++;
          continue;
        }
        name = template.substring(i + 2, close);
        end = close + 1;
      } else {
        end = i + 1;
        while (end < template.length() && isNameChar(template.charAt(end))) {
          end++;
        }
        if (end == i + 1) {
          out.append(c);
          i++;
          continue;
        }
        name = template.substring(i + 1, end);
      }
      out.append(group(m, name));
      i = end;
    }
  }

  private static String group(Matcher m, String name) {
    String value = null;
    if (name.chars().allMatch(Character::isDigit)) {
      try {
        int index = Integer.parseInt(name);
        value = index > m.groupCount() ? null : m.group(index);
      } catch (NumberFormatException e) {
        value = null;
      }
    } else {
      try {
        value = m.group(name);
      } catch (IllegalArgumentException e) {
        value = null;
      }
    }
    return value == null ? "" : value;
  }

  private static boolean isName(String s) {
    return !s.isEmpty() && s.chars().allMatch(ch -> isNameChar((char) ch));
  }

  private static boolean isNameChar(char c) {
    return c == '_' || (c < 0x80 && Character.isLetterOrDigit(c));
  }

  /** A character sequence that fails after too many reads, bounding backtracking. */
  private record BoundedSequence(String s, long[] reads) implements CharSequence {
    @Override
    public int length() {
      return s.length();
    }

    @Override
    public char charAt(int index) {
      if (++reads[0] > MAX_CHAR_READS) {
        throw new Function.Failure("regexp: matching took too many steps");
      }
      return s.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new BoundedSequence(s.substring(start, end), reads);
    }

    @Override
    public String toString() {
      return s;
    }
  }
}
