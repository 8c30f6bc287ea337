package io.secretsync.core.template;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Sprig functions ESO exposes, one row per documented behaviour. "sprig doc" rows come from
 * masterminds.github.io/sprig (strings.md, defaults.md, dicts.md, lists.md, encoding.md,
 * regex.md, conversion.md, crypto.md); "sprig code" rows from ESO's vendored copy
 * (runtime/template/v2/sprig), where the docs are silent; "go json" from encoding/json's
 * documented escaping of &lt;, &gt; and &amp;; "eso" rows from ESO's template_test.go.
 */
class TemplateFunctionsTest {

  static final Map<String, Object> DATA = new TreeMap<>(Map.of(
      "user", "admin", "pass", "s3cr3t", "empty", "", "json", "{\"a\":1,\"b\":[true,null,\"x\"]}",
      "yaml", "foo: bar\nn: 2\n", "spaced", "  hi  "));

  static Stream<Arguments> rows() {
    return Stream.of(
        row("sprig doc: b64enc", "{{ \"hello\" | b64enc }}", "aGVsbG8="),
        row("sprig doc: b64dec", "{{ \"aGVsbG8=\" | b64dec }}", "hello"),
        row("sprig code: b64dec returns the error text", "{{ \"a\" | b64dec }}", "illegal base64 data at input byte 0"),
        row("go json: toJson escapes HTML characters", "{{ list \"<a&b>\" | toJson }}", "[\"\\u003ca\\u0026b\\u003e\"]"),
        row("go json: toJson sorts keys", "{{ dict \"b\" 1 \"a\" \"x\" | toJson }}", "{\"a\":\"x\",\"b\":1}"),
        row("eso: fromJson & toYaml", "{{ .json | fromJson | toYaml }}", "a: 1\nb:\n- true\n- null\n- x"),
        row("go json: fromJson numbers are float64", "{{ (.json | fromJson).a | printf \"%T\" }}", "float64"),
        row("sprig code: fromJson of invalid JSON is nil", "{{ \"{\" | fromJson }}", "<no value>"),
        row("eso: fromYaml & toJson", "{{ .yaml | fromYaml | toJson }}", "{\"foo\":\"bar\",\"n\":2}"),
        row("eso: toYaml quotes strings that read as other types", "{{ dict \"a\" \"true\" \"b\" \"1\" \"c\" \"\" | toYaml }}",
            "a: \"true\"\nb: \"1\"\nc: \"\""),
        row("sprig doc: upper lower title", "{{ upper \"hello\" }} {{ lower \"HELLO\" }} {{ title \"hello world\" }}",
            "HELLO hello Hello World"),
        row("sprig doc: trim", "[{{ .spaced | trim }}]", "[hi]"),
        row("sprig doc: trimAll", "{{ trimAll \"$\" \"$5.00$\" }}", "5.00"),
        row("sprig doc: trimPrefix trimSuffix", "{{ trimPrefix \"-\" \"-hello\" }} {{ trimSuffix \"-\" \"hello-\" }}",
            "hello hello"),
        row("sprig doc: quote squote", "{{ quote \"a\" }} {{ squote \"b\" }} {{ quote \"a\\\"b\" }}", "\"a\" 'b' \"a\\\"b\""),
        row("sprig doc: replace", "{{ \"I Am Henry VIII\" | replace \" \" \"-\" }}", "I-Am-Henry-VIII"),
        row("sprig doc: split returns _0, _1", "{{ $a := split \"$\" \"foo$bar$baz\" }}{{ $a._0 }}{{ $a._2 }}", "foobaz"),
        row("sprig doc: splitList", "{{ splitList \"$\" \"foo$bar$baz\" }}", "[foo bar baz]"),
        row("sprig doc: join", "{{ list \"a\" 1 \"c\" | join \"-\" }}", "a-1-c"),
        row("sprig doc: contains hasPrefix hasSuffix",
            "{{ contains \"cat\" \"catch\" }} {{ hasPrefix \"cat\" \"catch\" }} {{ hasSuffix \"cat\" \"catch\" }}",
            "true true false"),
        row("sprig doc: default", "{{ .empty | default \"foo\" }} {{ .user | default \"foo\" }}", "foo admin"),
        row("sprig doc: empty", "{{ empty .empty }} {{ empty 0 }} {{ empty .user }}", "true true false"),
        row("sprig doc: coalesce", "{{ coalesce 0 .empty \"x\" }}", "x"),
        row("sprig doc: ternary", "{{ true | ternary \"foo\" \"bar\" }} {{ false | ternary \"foo\" \"bar\" }}", "foo bar"),
        row("sprig doc: indent", "{{ indent 4 \"a\\nb\" }}", "    a\n    b"),
        row("sprig doc: nindent", "{{ nindent 2 \"a\" }}", "\n  a"),
        row("sprig doc: list", "{{ list 1 2 3 }}", "[1 2 3]"),
        row("sprig doc: dict get set", "{{ $d := dict \"a\" 1 }}{{ $_ := set $d \"b\" 2 }}{{ get $d \"b\" }}{{ get $d \"z\" }}",
            "2"),
        row("sprig doc: keys (sorted here; Go's order is random)", "{{ keys (dict \"b\" 1 \"a\" 2) | join \",\" }}",
            "a,b"),
        row("sprig doc: hasKey", "{{ hasKey (dict \"a\" 1) \"a\" }} {{ hasKey (dict) \"a\" }}", "true false"),
        row("sprig doc: pluck", "{{ pluck \"name\" (dict \"name\" \"a\") (dict \"x\" 1) (dict \"name\" \"b\") }}", "[a b]"),
        row("sprig doc: merge keeps the destination's values",
            "{{ merge (dict \"a\" 1 \"n\" (dict \"x\" 1)) (dict \"a\" 2 \"b\" 3 \"n\" (dict \"y\" 2)) | toJson }}",
            "{\"a\":1,\"b\":3,\"n\":{\"x\":1,\"y\":2}}"),
        row("sprig doc: sha256sum", "{{ sha256sum \"Hello world!\" }}",
            "c0535e4be2b79ffd93291305436bf889314e4a3faec05ecffcbb7df31ad9e51a"),
        row("sprig doc: regexMatch", "{{ regexMatch \"^[a-z]+@[a-z]+\\\\.com$\" \"test@acme.com\" }}", "true"),
        row("go regexp: $ is end of text without the m flag", "{{ regexMatch \"c$\" \"abc\\n\" }}", "false"),
        row("sprig doc: regexFind", "{{ regexFind \"[a-zA-Z][1-9]\" \"abcd1234\" }}", "d1"),
        row("sprig doc: regexReplaceAll with $1",
            "{{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"${1}W\" }}", "-W-xxW-"),
        row("go regexp: $1W is the group named 1W, which does not exist",
            "{{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"$1W\" }}", "---"),
        row("go regexp: named groups", "{{ regexReplaceAll \"(?P<k>[a-z]+)=(?P<v>[0-9]+)\" \"a=1\" \"${v}:${k}\" }}", "1:a"),
        row("sprig doc: toString", "{{ toString 42 }} {{ toString (list 1) }}", "42 [1]"),
        row("sprig doc: atoi", "{{ atoi \"42\" }} {{ atoi \"x\" }}", "42 0"),
        row("sprig code: printf of a string from split", "{{ printf \"%s\" (split \",\" \"a,b\")._1 }}", "b"));
  }

  static Arguments row(String source, String template, String expected) {
    return Arguments.of(source, template, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void behavesAsSprigDocuments(String source, String template, String expected) {
    assertEquals(expected, Template.parse("t", template).render(DATA), source);
  }
}
