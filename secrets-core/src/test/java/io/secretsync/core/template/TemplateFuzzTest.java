package io.secretsync.core.template;

import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random templates, built from fragments of the language and of ESO's functions and cut at random
 * points, parse and render with no exception other than {@link TemplateException}. Seeded, so a
 * failure is reproducible.
 *
 * <p>The coverage-guided target {@link #anyTemplateFailsOnlyWithTemplateException} replays
 * {@code TemplateFuzzTestInputs/} in regression mode (the default); fuzz with
 * {@code JAZZER_FUZZ=1 mvn -pl secrets-core test -Dtest=TemplateFuzzTest#anyTemplateFailsOnlyWithTemplateException}.
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

  private static final Map<String, Object> DATA = Map.of(
      "a", "x", "b", "{\"c\":1}", "n", "3", "list", "a,b,c", "yaml", "k: v\nl: [1, 2]\n",
      "bin", new byte[] {0, (byte) 0xff, 'A'});
  private static final TemplateOptions STRICT = TemplateOptions.builder().maxOutputBytes(64 * 1024).build();
  private static final TemplateOptions LENIENT = STRICT.toBuilder()
      .missingKey(TemplateOptions.MissingKey.NO_VALUE).build();

  /**
   * Any text, parsed and rendered over string data, either renders within the output bound or
   * fails with {@link TemplateException}; both missing-key modes.
   */
  @FuzzTest(maxDuration = "5m")
  void anyTemplateFailsOnlyWithTemplateException(byte[] input) {
    String source = new String(input, StandardCharsets.UTF_8);
    for (TemplateOptions options : List.of(STRICT, LENIENT)) {
      Template template;
      try {
        template = Template.parse("fuzz", source, options);
      } catch (TemplateException expected) {
        return;
      }
      try {
        String out = template.render(DATA);
        if (out.length() > options.maxOutputBytes()) {
          fail("output of " + out.length() + " chars exceeds the bound");
        }
      } catch (TemplateException expected) {
        expected.getMessage();
      }
    }
  }

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
