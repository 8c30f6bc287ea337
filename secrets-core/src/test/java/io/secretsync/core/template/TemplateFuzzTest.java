package io.secretsync.core.template;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random templates, built from fragments of the language and of ESO's functions and cut at random
 * points, parse and render with no exception other than {@link TemplateException}. Seeded, so a
 * failure is reproducible.
 */
class TemplateFuzzTest {

  private static final List<String> FRAGMENTS = List.of(
      "{{", "}}", "{{-", "-}}", " ", "\n", ".", ".a", ".b.c", "$", "$x", ":=", "=", "|", "(", ")", ",",
      "\"s\"", "`r`", "'c'", "1", "-2", "1.5", "0x1F", "1e3", "true", "nil", "if", "else", "end", "range", "with",
      "define", "template", "block", "break", "continue", "\"t\"", "/*", "*/", "and", "or", "not", "len", "index",
      "eq", "lt", "printf", "\"%s %d %v %q\"", "print", "b64enc", "b64dec", "toJson", "fromJson", "toYaml",
      "fromYaml", "upper", "title", "trim", "replace", "split", "splitList", "join", "default", "empty",
      "coalesce", "ternary", "indent", "nindent", "list", "dict", "get", "set", "keys", "hasKey", "pluck", "merge",
      "sha256sum", "regexMatch", "regexFind", "regexReplaceAll", "\"(a+)\"", "\"$1\"", "toString", "atoi",
      "filterPEM", "pkcs12key", "jwkPublicKeyPem", "quote", "squote", "contains", "trimAll", "text ");

  @Test
  void randomTemplatesFailOnlyWithTemplateException() {
    Random random = new Random(20240611L);
    Map<String, Object> data = Map.of("a", "x", "b", "{\"c\":1}", "n", "3");
    TemplateOptions options = TemplateOptions.builder().maxOutputBytes(64 * 1024).build();
    for (int i = 0; i < 4000; i++) {
      StringBuilder text = new StringBuilder();
      int n = 1 + random.nextInt(24);
      for (int k = 0; k < n; k++) {
        text.append(FRAGMENTS.get(random.nextInt(FRAGMENTS.size())));
        if (random.nextInt(3) == 0) {
          text.append(' ');
        }
      }
      String source = text.toString();
      try {
        Template.parse("fuzz", source, options).render(data);
      } catch (TemplateException expected) {
        // the engine's typed error
      } catch (RuntimeException | StackOverflowError e) {
        fail("template " + Lexer.quoteForError(source) + " threw " + e, e);
      }
    }
  }
}
