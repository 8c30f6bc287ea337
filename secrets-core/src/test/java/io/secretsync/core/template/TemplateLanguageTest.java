package io.secretsync.core.template;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Go text/template language, one row per documented behaviour. "go doc" rows come from the
 * text/template package documentation (pkg.go.dev/text/template: Text and spaces, Actions,
 * Arguments, Pipelines, Variables, Functions); "go exec" rows from the behaviour of exec.go that
 * the documentation implies (fmt printing of values, sorted map ranges); "eso" rows from ESO's
 * runtime/template/v2 (data is map[string]string, missingkey=error).
 */
class TemplateLanguageTest {

  static final Map<String, Object> DATA = new TreeMap<>(Map.of(
      "user", "admin", "pass", "s3cr3t", "empty", "", "host", "db.example.com"));

  static Stream<Arguments> rows() {
    return Stream.of(
        // go doc, "Text and spaces": trim markers remove all adjacent white space
        row("go doc: {{- trims before", "a  \n {{- .user }}", "aadmin"),
        row("go doc: -}} trims after", "{{ .user -}}  \n b", "adminb"),
        row("go doc: example from the docs", "{{23 -}} < {{- 45}}", "23<45"),
        row("go doc: -3 is a number, not a trim marker", "{{-3}}", "-3"),
        // go doc, "Actions": comments
        row("go doc: comment", "a{{/* a comment */}}b", "ab"),
        row("go doc: trimmed comment", "a {{- /* c */ -}} b", "ab"),
        // go doc, "Arguments": fields, keys, literals
        row("go doc: map key as field", "{{ .user }}@{{ .host }}", "admin@db.example.com"),
        row("go doc: dot", "{{ with .user }}{{ . }}{{ end }}", "admin"),
        row("go doc: string escapes", "{{ \"a\\tb\\n\\x41\\u00e9\" }}", "a\tb\nAé"),
        row("go doc: raw string", "{{ `a\\n{{` }}", "a\\n{{"),
        row("go doc: numbers", "{{ 42 }} {{ 1.5 }} {{ 0x1F }} {{ 1e3 }} {{ 'a' }}", "42 1.5 31 1000 97"),
        row("go doc: booleans", "{{ true }} {{ false }}", "true false"),
        row("go doc: parenthesized pipeline", "{{ (printf \"%s-%s\" .user .pass) }}", "admin-s3cr3t"),
        row("go doc: field of parenthesized map", "{{ (dict \"a\" \"b\").a }}", "b"),
        row("go doc: index on a key with a dot", "{{ index (dict \"a.b\" \"x\") \"a.b\" }}", "x"),
        // go doc, "Pipelines": the previous value is the last argument
        row("go doc: pipeline value is the last argument", "{{ .user | printf \"%s:%s\" .pass }}", "s3cr3t:admin"),
        row("go doc: chained pipeline", "{{ .user | upper | printf \"<%s>\" }}", "<ADMIN>"),
        // go doc, "Variables"
        row("go doc: declare and use", "{{ $x := .user }}{{ $x }}", "admin"),
        row("go doc: assign", "{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}", "2"),
        row("go doc: $ is the data", "{{ with .user }}{{ $.host }}{{ end }}", "db.example.com"),
        row("go doc: declaration prints nothing", "[{{ $x := .user }}]", "[]"),
        // go doc, "Actions": if / else if / else, with / else with, range
        row("go doc: if true", "{{ if .user }}y{{ else }}n{{ end }}", "y"),
        row("go doc: empty string is false", "{{ if .empty }}y{{ else }}n{{ end }}", "n"),
        row("go doc: zero is false", "{{ if 0 }}y{{ else }}n{{ end }}", "n"),
        row("go doc: empty list is false", "{{ if list }}y{{ else }}n{{ end }}", "n"),
        row("go doc: empty map is false", "{{ if dict }}y{{ else }}n{{ end }}", "n"),
        row("go doc: nil is false", "{{ if (fromJson \"null\") }}y{{ else }}n{{ end }}", "n"),
        row("go doc: else if", "{{ if .empty }}a{{ else if .user }}b{{ else }}c{{ end }}", "b"),
        row("go doc: with else", "{{ with .empty }}a{{ else }}b{{ end }}", "b"),
        row("go doc: else with", "{{ with .empty }}a{{ else with .user }}{{ . }}{{ end }}", "admin"),
        row("go doc: range over a list", "{{ range list 1 2 3 }}{{ . }}{{ end }}", "123"),
        row("go doc: range with index and element", "{{ range $i, $e := list \"a\" \"b\" }}{{ $i }}{{ $e }};{{ end }}",
            "0a;1b;"),
        row("go doc: range with one variable takes the element", "{{ range $e := list \"a\" \"b\" }}{{ $e }}{{ end }}",
            "ab"),
        row("go doc: range over a map visits keys in sorted order", "{{ range $k, $v := . }}{{ $k }},{{ end }}",
            "empty,host,pass,user,"),
        row("go doc: range else on empty", "{{ range list }}x{{ else }}none{{ end }}", "none"),
        row("go doc: range over an integer (Go 1.22)", "{{ range 3 }}{{ . }}{{ end }}", "012"),
        row("go doc: break", "{{ range list 1 2 3 }}{{ if eq . 2 }}{{ break }}{{ end }}{{ . }}{{ end }}", "1"),
        row("go doc: continue", "{{ range list 1 2 3 }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ . }}{{ end }}", "13"),
        row("go doc: variable scope ends with the control structure",
            "{{ $x := \"out\" }}{{ range list 1 }}{{ $x := \"in\" }}{{ end }}{{ $x }}", "out"),
        // go doc, "Nested template definitions"
        row("go doc: define and template", "{{ define \"inner\" }}[{{ . }}]{{ end }}{{ template \"inner\" .user }}", "[admin]"),
        row("go doc: block", "{{ block \"b\" .user }}<{{ . }}>{{ end }}", "<admin>"),
        row("go doc: template without pipeline has nil dot", "{{ define \"inner\" }}{{ . }}{{ end }}{{ template \"inner\" }}",
            "<no value>"),
        // go doc, "Functions": and/or return the deciding argument and short-circuit
        row("go doc: and returns first empty argument", "[{{ and .user .empty .pass }}]", "[]"),
        row("go doc: and returns the last argument", "{{ and .user .pass }}", "s3cr3t"),
        row("go doc: or returns first non-empty argument", "{{ or .empty .user .pass }}", "admin"),
        row("go doc: or returns the last argument", "[{{ or .empty 0 }}]", "[0]"),
        row("go doc: and short-circuits (Go 1.18)", "{{ and false (index (list) 5) }}", "false"),
        row("go doc: or short-circuits (Go 1.18)", "{{ or true (index (list) 5) }}", "true"),
        row("go doc: not", "{{ not .empty }} {{ not .user }}", "true false"),
        row("go doc: len of string, list, map", "{{ len .user }} {{ len (list 1 2) }} {{ len . }}", "5 2 4"),
        row("go doc: len counts bytes", "{{ len \"é\" }}", "2"),
        row("go doc: index of list", "{{ index (list \"a\" \"b\") 1 }}", "b"),
        row("go doc: index of map", "{{ index . \"user\" }}", "admin"),
        row("go exec: index of a missing key in map[string]string is empty", "[{{ index . \"nope\" }}]", "[]"),
        row("go exec: index of a missing key in map[string]interface{} has no value", "{{ index (dict) \"nope\" }}",
            "<no value>"),
        row("go doc: index of nested", "{{ index (dict \"a\" (list 1 2)) \"a\" 1 }}", "2"),
        row("go doc: eq with several arguments", "{{ eq .user \"x\" \"admin\" }} {{ eq 1 2 3 }}", "true false"),
        row("go doc: ne lt le gt ge", "{{ ne 1 2 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt \"b\" \"a\" }} {{ ge 1.5 2.5 }}",
            "true true true true false"),
        row("go doc: print adds spaces between operands when neither is a string", "{{ print 1 2 \"a\" \"b\" 3 }}",
            "1 2ab3"),
        row("go doc: println", "{{ println \"a\" 1 }}", "a 1\n"),
        row("go fmt: printf %s %d %v %q", "{{ printf \"%s|%d|%v|%q\" .user 7 (list 1 \"a\") .pass }}",
            "admin|7|[1 a]|\"s3cr3t\""),
        row("go fmt: printf width, precision, flags", "{{ printf \"%5s|%-5s|%05d|%.2f|%x|%X|%t|%%\" \"a\" \"b\" 42 3.14159 255 \"hi\" true }}",
            "    a|b    |00042|3.14|ff|6869|true|%"),
        row("go fmt: wrong verb and missing argument", "{{ printf \"%d %s\" \"x\" }}", "%!d(string=x) %!s(MISSING)"),
        row("go fmt: extra argument", "{{ printf \"a\" 1 }}", "a%!(EXTRA int=1)"),
        row("go fmt: float64 %v is the shortest form with exponent at 1e21 for %e decisions at 6 digits",
            "{{ 1000000.0 }} {{ 123456.0 }} {{ 0.0001 }} {{ 0.00001 }}", "1e+06 123456 0.0001 1e-05"),
        row("go fmt: maps print sorted", "{{ dict \"b\" 1 \"a\" 2 }}", "map[a:2 b:1]"),
        row("go exec: nil value prints <no value>", "{{ (fromJson \"{\\\"a\\\":null}\").a }}", "<no value>"),
        row("go fmt: nil in print is <nil>", "{{ print (fromJson \"null\") }}", "<nil>"));
  }

  static Arguments row(String source, String template, String expected) {
    return Arguments.of(source, template, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void rendersAsGoDoes(String source, String template, String expected) {
    assertEquals(expected, Template.parse("t", template).render(DATA), source);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("missingKeyRows")
  void missingKeyFollowsTheOption(String source, TemplateOptions.MissingKey policy, String expected) {
    TemplateOptions options = TemplateOptions.builder().missingKey(policy).build();
    assertEquals(expected, Template.parse("t", "{{ .nope }}", options).render(Map.of("a", "b")), source);
  }

  static Stream<Arguments> missingKeyRows() {
    // go doc, Template.Option: missingkey=default prints "<no value>"; ESO's rewrite.transform uses the default
    return Stream.of(Arguments.of("go doc: missingkey=default", TemplateOptions.MissingKey.NO_VALUE, "<no value>"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("delimiterRows")
  void customDelimiters(String source, String template, String expected) {
    TemplateOptions options = TemplateOptions.builder().delimiters("[[", "]]").build();
    assertEquals(expected, Template.parse("t", template, options).render(DATA), source);
  }

  static Stream<Arguments> delimiterRows() {
    // eso: --template-left-delimiter / --template-right-delimiter; go doc: Template.Delims
    return Stream.of(Arguments.of("eso: custom delimiters", "{{ x }} [[ .user ]] [[- \" y\" ]]", "{{ x }} admin y"));
  }

  @org.junit.jupiter.api.Test
  void binaryValuesPassThroughByteForByte() {
    byte[] binary = {0, (byte) 0xff, (byte) 0xfe, 'a', (byte) 0xc3, (byte) 0xa9, (byte) 0x80};
    byte[] out = Template.parse("t", "{{ .bin }}").renderBytes(Map.of("bin", binary));
    org.junit.jupiter.api.Assertions.assertArrayEquals(binary, out);
    assertEquals(java.util.Base64.getEncoder().encodeToString(binary),
        Template.parse("t", "{{ .bin | b64enc }}").render(Map.of("bin", binary)));
    assertEquals("7", Template.parse("t", "{{ len .bin }}").render(Map.of("bin", binary)));
  }

  @org.junit.jupiter.api.Test
  void parsedTemplateRendersManyTimesIndependently() {
    Template t = Template.parse("t", "{{ $d := dict }}{{ $_ := set $d \"k\" .v }}{{ toJson $d }}");
    assertEquals("{\"k\":\"1\"}", t.render(Map.of("v", "1")));
    assertEquals("{\"k\":\"2\"}", t.render(Map.of("v", "2")));
    assertEquals(List.of(), List.of());
  }
}
