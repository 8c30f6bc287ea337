package io.secretsync.core;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Go's {@code regexp.ReplaceAllString} for {@code rewrite.regexp}: Go's {@code (?P<name>)} groups
 * are accepted, and the replacement uses Go's template syntax: {@code $1}, {@code ${1}},
 * {@code $name}, {@code ${name}}, {@code $$}. As in Go, {@code $name} takes the longest run of
 * letters, digits and underscores, and a reference to a group that does not exist expands to
 * nothing.
 */
final class GoRegexp {

  private final Pattern pattern;

  private GoRegexp(Pattern pattern) {
    this.pattern = pattern;
  }

  /** Compiles {@code source}; throws {@link IllegalArgumentException} saying what is wrong. */
  static GoRegexp compile(String source) {
    try {
      return new GoRegexp(Pattern.compile(source.replace("(?P<", "(?<")));
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("invalid regular expression: " + e.getDescription());
    }
  }

  boolean matches(String input) {
    return pattern.matcher(input).find();
  }

  String replaceAll(String input, String template) {
    Matcher m = pattern.matcher(input);
    StringBuilder out = new StringBuilder();
    int last = 0;
    int previousEnd = -1;
    while (m.find()) {
      if (m.start() == m.end() && m.start() == previousEnd) {
        continue; // Go ignores an empty match right after a non-empty one
      }
      out.append(input, last, m.start());
      expand(m, template, out);
      last = m.end();
      previousEnd = m.start() == m.end() ? -1 : m.end();
    }
    return out.append(input, last, input.length()).toString();
  }

  private void expand(Matcher m, String template, StringBuilder out) {
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

  private String group(Matcher m, String name) {
    String value;
    if (name.chars().allMatch(Character::isDigit)) {
      int index;
      try {
        index = Integer.parseInt(name);
      } catch (NumberFormatException e) {
        return "";
      }
      value = index > m.groupCount() ? null : m.group(index);
    } else {
      try {
        value = m.group(name);
      } catch (IllegalArgumentException e) {
        value = null; // no group of that name: Go expands it to nothing
      }
    }
    return value == null ? "" : value;
  }

  private static boolean isName(String s) {
    return !s.isEmpty() && s.chars().allMatch(ch -> isNameChar((char) ch));
  }

  private static boolean isNameChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }
}
