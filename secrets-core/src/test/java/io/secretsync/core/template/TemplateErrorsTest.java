package io.secretsync.core.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Malformed templates and failing renders give positioned errors that never contain a value. */
class TemplateErrorsTest {

  static final Map<String, String> DATA = Map.of("password", "hunter2-SECRET", "n", "3");

  static Stream<Arguments> parseErrors() {
    return Stream.of(
        Arguments.of("unclosed action", "line one\n  {{ .password ", 2, 3, "unclosed action"),
        Arguments.of("unknown function", "{{ .password | nosuch }}", 1, 16, "function \"nosuch\" not defined"),
        Arguments.of("unclosed if", "{{ if .password }}x", 1, 20, "unexpected EOF"),
        Arguments.of("unexpected end", "x\n{{ end }}", 2, 4, "unexpected {{end}}"),
        Arguments.of("undefined variable", "{{ $x }}", 1, 4, "undefined variable \"$x\""),
        Arguments.of("unterminated string", "{{ \"abc }}", 1, 4, "unterminated quoted string"),
        Arguments.of("unclosed comment", "{{/* x", 1, 1, "unclosed comment"),
        Arguments.of("non-executable pipeline stage", "{{ .password | \"x\" }}", 1, 16,
            "non executable command in pipeline stage 2"),
        Arguments.of("break outside range", "{{ break }}", 1, 4, "{{break}} outside {{range}}"),
        Arguments.of("bad character", "{{ .pass#word }}", 1, 9, "bad character"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("parseErrors")
  void malformedTemplatesNameLineAndColumn(String what, String text, int line, int column, String reason) {
    TemplateException e = assertThrows(TemplateException.class, () -> Template.parse("tls.crt", text));
    assertEquals("tls.crt", e.templateName());
    assertEquals(line, e.line(), e.getMessage());
    assertEquals(column, e.column(), e.getMessage());
    assertTrue(e.reason().contains(reason), e.getMessage());
    assertTrue(e.getMessage().contains("line " + line + ", column " + column), e.getMessage());
  }

  static Stream<Arguments> renderErrors() {
    return Stream.of(
        Arguments.of("missing key (ESO's missingkey=error)", "{{ .nope }}", 1, 4, "map has no entry for key \"nope\""),
        Arguments.of("wrong argument count", "{{ b64enc .password .password }}", 1, 4,
            "wrong number of args for b64enc: want 1 got 2"),
        Arguments.of("wrong argument count through a pipeline", "{{ .password | replace \"a\" }}", 1, 16,
            "wrong number of args for replace: want 3 got 2"),
        Arguments.of("range over a string", "ok\n{{ range .password }}{{ end }}", 2, 10,
            "range can't iterate over a value of type string"),
        Arguments.of("wrong argument type", "{{ indent .n .password }}", 1, 11,
            "wrong type for value; expected int; got string"),
        Arguments.of("map[string]string is not map[string]interface{} (as in Go)", "{{ hasKey . \"n\" }}", 1, 11,
            "expected map[string]interface {}; got map[string]string"),
        Arguments.of("field of a string", "{{ .password.x }}", 1, 4, "can't evaluate field x in type string"),
        Arguments.of("index out of range", "{{ index (list 1) 3 }}", 1, 4, "index out of range: 3"),
        Arguments.of("incompatible comparison", "{{ eq .n 3 }}", 1, 4, "incompatible types for comparison"),
        Arguments.of("invalid regexp", "{{ regexFind \"(\" .password }}", 1, 4, "invalid regular expression"),
        Arguments.of("PKCS#12 that is not one", "{{ .password | pkcs12key }}", 1, 16, "not a PKCS#12 bundle"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderErrors")
  void failingRendersNameLineAndColumnButNoValue(String what, String text, int line, int column, String reason) {
    Template t = Template.parse("config", text);
    TemplateException e = assertThrows(TemplateException.class, () -> t.render(DATA));
    assertEquals(line, e.line(), e.getMessage());
    assertEquals(column, e.column(), e.getMessage());
    assertTrue(e.reason().contains(reason), e.getMessage());
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
  }

  @Test
  void outputOverTheBoundStops() {
    TemplateOptions small = TemplateOptions.builder().maxOutputBytes(1000).build();
    Template t = Template.parse("big", "{{ range 30 }}{{ $.password }}"
        + "{{ $.password }}{{ $.password }}{{ $.password }}{{ $.password }}{{ end }}", small);
    TemplateException e = assertThrows(TemplateException.class, () -> t.render(DATA));
    assertTrue(e.reason().contains("output exceeds the limit of 1000 bytes"), e.getMessage());
  }

  @Test
  void growingAStringInALoopStops() {
    Template t = Template.parse("grow", "{{ $s := \"xxxxxxxxxxxxxxxx\" }}{{ range 200 }}"
        + "{{ $s = printf \"%s%s\" $s $s }}{{ end }}{{ len $s }}");
    TemplateException e = assertThrows(TemplateException.class, () -> t.render(DATA));
    assertTrue(e.reason().contains("exceeds the limit"), e.getMessage());
  }

  @Test
  void recursionStopsAtTheDepthBound() {
    Template t = Template.parse("rec", "{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}");
    TemplateException e = assertThrows(TemplateException.class, () -> t.render(DATA));
    assertTrue(e.reason().contains("exceeded maximum template depth (100)"), e.getMessage());
  }

  @Test
  void loopsThatPrintNothingStopAtTheEvaluationBudget() {
    Template t = Template.parse("spin", "{{ range 1000000000 }}{{ end }}");
    TemplateException e = assertThrows(TemplateException.class, () -> t.render(DATA));
    assertTrue(e.reason().contains("evaluation budget"), e.getMessage());
  }

  @Test
  void deepNestingIsAParseError() {
    String text = "{{ " + "(".repeat(500) + "1" + ")".repeat(500) + " }}";
    TemplateException e = assertThrows(TemplateException.class, () -> Template.parse("deep", text));
    assertTrue(e.reason().contains("maximum depth"), e.getMessage());
  }
}
