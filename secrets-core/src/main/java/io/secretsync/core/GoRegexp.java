package io.secretsync.core;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Go's {@code regexp.ReplaceAllString} for {@code rewrite.regexp}, on {@link java.util.regex}.
 *
 * <p>The pattern is translated where Go's RE2 syntax and Java's differ for the expressions key
 * rewrites use: named groups {@code (?P<name>...)} and {@code (?<name>...)} (Go allows {@code _}
 * in names, Java does not), POSIX classes {@code [[:alpha:]]}, a literal {@code [} or {@code &}
 * inside a class, {@code $} meaning the end of the text (unless {@code (?m)} is set), and {@code .}
 * matching everything but {@code \n}. Constructs RE2 lacks (back references, look-around) are
 * accepted as Java reads them.
 *
 * <p>The replacement uses Go's template syntax: {@code $1}, {@code ${1}}, {@code $name},
 * {@code ${name}}, {@code $$}. As in Go, {@code $name} takes the longest run of letters, digits
 * and {@code _} (so {@code $1x} names the group {@code 1x}, not group 1 followed by {@code x}), a
 * reference to a group that does not exist expands to nothing, a malformed reference is kept as
 * text, and an empty match right after a match is not replaced.
 *
 * <p>Matching is bounded: a pattern that backtracks without end over its input fails with an
 * {@link IllegalArgumentException} instead of running for ever. Used by {@code rewrite.regexp} and
 * by the template functions {@code regexMatch}, {@code regexFind} and {@code regexReplaceAll}.
 * Immutable and thread-safe.
 */
public final class GoRegexp {

  /** Characters a single match or replacement may read before it is abandoned. */
  private static final long MAX_CHAR_READS = 50_000_000L;

  private static final Pattern MULTILINE_FLAG = Pattern.compile("\\(\\?[imsU]*m[imsU]*[:)]");
  /** Go's POSIX classes: what each is inside a Java class, plain and negated. */
  private static final Map<String, String[]> POSIX = Map.ofEntries(
      posix("alnum", "Alnum"), posix("alpha", "Alpha"), posix("ascii", "ASCII"), posix("blank", "Blank"),
      posix("cntrl", "Cntrl"), posix("digit", "Digit"), posix("graph", "Graph"), posix("lower", "Lower"),
      posix("print", "Print"), posix("punct", "Punct"), posix("upper", "Upper"), posix("xdigit", "XDigit"),
      Map.entry("space", new String[] {"\\s", "\\S"}), Map.entry("word", new String[] {"\\w", "\\W"}));

  private final Pattern pattern;
  private final Map<String, Integer> groupNames;

  private GoRegexp(Pattern pattern, Map<String, Integer> groupNames) {
    this.pattern = pattern;
    this.groupNames = Map.copyOf(groupNames);
  }

  /** Compiles {@code source}; throws {@link IllegalArgumentException} saying what is wrong. */
  public static GoRegexp compile(String source) {
    Map<String, Integer> names = new HashMap<>();
    String java = translate(source, names);
    try {
      return new GoRegexp(Pattern.compile(java, Pattern.UNIX_LINES), names);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("invalid regular expression: " + e.getDescription());
    } catch (StackOverflowError e) {
      throw new IllegalArgumentException("invalid regular expression: nested too deeply");
    }
  }

  /** Go's {@code MatchString}: whether the pattern matches anywhere in {@code input}. */
  public boolean find(String input) {
    return matcher(input).find();
  }

  /** Go's {@code FindString}: the leftmost match, or the empty string. */
  public String findFirst(String input) {
    Matcher m = matcher(input);
    return m.find() ? m.group() : "";
  }

  /** Go's {@code ReplaceAllString}: {@code template} may refer to groups as described above. */
  public String replaceAll(String input, String template) {
    return replace(input, template, false);
  }

  /** Go's {@code ReplaceAllLiteralString}: {@code replacement} is inserted as it is. */
  public String replaceAllLiteral(String input, String replacement) {
    return replace(input, replacement, true);
  }

  private String replace(String input, String template, boolean literal) {
    Matcher m = matcher(input);
    StringBuilder out = new StringBuilder();
    int last = 0;
    int lastMatchEnd = -1;
    while (m.find()) {
      boolean emptyAfterMatch = m.start() == m.end() && m.start() == lastMatchEnd;
      out.append(input, last, m.start());
      if (!emptyAfterMatch) {
        if (literal) {
          out.append(template);
        } else {
          expand(m, template, out);
        }
      }
      last = m.end();
      lastMatchEnd = m.end();
    }
    return out.append(input, last, input.length()).toString();
  }

  private Matcher matcher(String input) {
    return pattern.matcher(new BoundedSequence(input, new long[] {0}));
  }

  // ---- pattern translation -----------------------------------------------------------------

  private static String translate(String s, Map<String, Integer> names) {
    boolean multiline = MULTILINE_FLAG.matcher(s).find();
    StringBuilder out = new StringBuilder(s.length() + 8);
    int groups = 0;
    boolean inClass = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        if (s.charAt(i + 1) == 'Q') {
          int end = s.indexOf("\\E", i + 2);
          int stop = end < 0 ? s.length() : end + 2;
          out.append(s, i, stop);
          i = stop - 1;
        } else {
          out.append(c).append(s.charAt(i + 1));
          i++;
        }
        continue;
      }
      if (inClass) {
        if (c == ']') {
          inClass = false;
          out.append(c);
        } else if (c == '[' && s.startsWith("[:", i) && s.indexOf(":]", i + 2) > 0) {
          int end = s.indexOf(":]", i + 2);
          String name = s.substring(i + 2, end);
          boolean negated = name.startsWith("^");
          String[] java = POSIX.get(negated ? name.substring(1) : name);
          if (java == null) {
            throw new IllegalArgumentException("invalid regular expression: invalid character class range [:" + name + ":]");
          }
          out.append(java[negated ? 1 : 0]);
          i = end + 1;
        } else if (c == '[' || c == '&') {
          out.append('\\').append(c);
        } else {
          out.append(c);
        }
        continue;
      }
      switch (c) {
        case '[' -> {
          inClass = true;
          out.append(c);
          if (i + 1 < s.length() && s.charAt(i + 1) == '^') {
            out.append('^');
            i++;
          }
          if (i + 1 < s.length() && s.charAt(i + 1) == ']') {
            out.append("\\]");
            i++;
          }
        }
        case '(' -> {
          int nameStart = s.startsWith("(?P<", i) ? i + 4
              : s.startsWith("(?<", i) && !s.startsWith("(?<=", i) && !s.startsWith("(?<!", i) ? i + 3 : -1;
          if (nameStart > 0) {
            int close = s.indexOf('>', nameStart);
            String name = close < 0 ? "" : s.substring(nameStart, close);
            if (name.isEmpty() || !name.chars().allMatch(ch -> isNameChar((char) ch))) {
              throw new IllegalArgumentException("invalid regular expression: invalid named capture: "
                  + s.substring(i, close < 0 ? s.length() : close + 1));
            }
            groups++;
            if (names.putIfAbsent(name, groups) != null) {
              throw new IllegalArgumentException("invalid regular expression: duplicate capture group name: " + name);
            }
            out.append('(');
            i = close;
          } else {
            if (!s.startsWith("(?", i)) {
              groups++;
            }
            out.append(c);
          }
        }
        case '$' -> out.append(multiline ? "$" : "\\z");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  private static Map.Entry<String, String[]> posix(String go, String java) {
    return Map.entry(go, new String[] {"\\p{" + java + "}", "\\P{" + java + "}"});
  }

  // ---- replacement template ------------------------------------------------------------------

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

  /** Go: an all-ASCII-digit name below 1e8 is a group number, anything else a group name. */
  private String group(Matcher m, String name) {
    int index = -1;
    if (name.length() <= 8 && name.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
      index = Integer.parseInt(name);
    } else {
      index = groupNames.getOrDefault(name, -1);
    }
    if (index < 0 || index > m.groupCount()) {
      return "";
    }
    String value = m.group(index);
    return value == null ? "" : value;
  }

  private static boolean isName(String s) {
    return !s.isEmpty() && s.chars().allMatch(ch -> isNameChar((char) ch));
  }

  private static boolean isNameChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
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
        throw new IllegalArgumentException("regular expression matching took too many steps");
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
