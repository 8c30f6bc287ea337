package io.secretsync.examples.embedded;

import com.google.common.collect.ImmutableMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parses the text of a {@code .env} file into variables, as the walkthrough stores one in Vault
 * ({@code vault kv put secret/example-api/env-file dotenv=@.env}).
 *
 * <p>The format is the common one: one {@code NAME=value} per line; blank lines and lines starting
 * with {@code #} are skipped; an optional {@code export } prefix is ignored; a value in double quotes
 * may hold {@code \n}, {@code \t}, {@code \"} and {@code \\} escapes; a value in single quotes is
 * taken literally; an unquoted value is trimmed and ends at {@code " #"}. A later line for the same
 * name wins. Errors name the line number, never the line's value. Stateless.
 */
public final class DotEnv {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");

  private DotEnv() {}

  /**
   * The variables of {@code text}, in the order they first appear.
   *
   * @throws IllegalArgumentException naming the line that is not {@code NAME=value}
   */
  public static ImmutableMap<String, String> parse(String text) {
    Map<String, String> variables = new LinkedHashMap<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("export ")) {
        line = line.substring("export ".length()).stripLeading();
      }
      int equals = line.indexOf('=');
      String name = equals < 0 ? line : line.substring(0, equals).strip();
      if (equals < 0 || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("line " + (i + 1) + " of the .env is not NAME=value"
            + (NAME.matcher(name).matches() ? " (no '=' after " + name + ")" : ""));
      }
      variables.put(name, value(line.substring(equals + 1).strip(), i + 1, name));
    }
    return ImmutableMap.copyOf(variables);
  }

  private static String value(String raw, int lineNumber, String name) {
    if (raw.startsWith("'")) {
      int end = raw.indexOf('\'', 1);
      if (end < 0) {
        throw unterminated(lineNumber, name);
      }
      return raw.substring(1, end);
    }
    if (raw.startsWith("\"")) {
      StringBuilder out = new StringBuilder();
      for (int i = 1; i < raw.length(); i++) {
        char c = raw.charAt(i);
        if (c == '"') {
          return out.toString();
        }
        if (c == '\\' && i + 1 < raw.length()) {
          char next = raw.charAt(++i);
          out.append(switch (next) {
            case 'n' -> '\n';
            case 't' -> '\t';
            case 'r' -> '\r';
            default -> next;
          });
        } else {
          out.append(c);
        }
      }
      throw unterminated(lineNumber, name);
    }
    int comment = raw.indexOf(" #");
    return (comment < 0 ? raw : raw.substring(0, comment)).strip();
  }

  private static IllegalArgumentException unterminated(int lineNumber, String name) {
    return new IllegalArgumentException("line " + lineNumber + " of the .env: the quoted value of " + name
        + " has no closing quote");
  }
}
