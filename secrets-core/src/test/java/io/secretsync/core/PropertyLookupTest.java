package io.secretsync.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.SecretStoreException.PropertyNotFoundException;
import org.junit.jupiter.api.Test;

class PropertyLookupTest {

  private static SecretDocument doc(String json) {
    return SecretDocument.parseJson(json.getBytes(UTF_8));
  }

  private static String value(String json, String property) {
    return new String(PropertyLookup.value(doc(json), property), UTF_8);
  }

  @Test
  void stringPropertyYieldsItsBytes() {
    assertEquals("A=1\nB=2\n", value("{\"dotenv\":\"A=1\\nB=2\\n\"}", "dotenv"));
  }

  @Test
  void exactTopLevelKeyWinsOverDottedPath() {
    String json = "{\"config.json\":\"flat\",\"config\":{\"json\":\"nested\"}}";
    assertEquals("flat", value(json, "config.json"));
  }

  @Test
  void dottedPathReachesNestedKeys() {
    assertEquals("bar", value("{\"foo\":{\"nested\":{\"x\":\"bar\"}}}", "foo.nested.x"));
  }

  @Test
  void escapedDotIsPartOfTheKeyName() {
    assertEquals("v", value("{\"foo\":{\"a.json\":\"v\"}}", "foo.a\\.json"));
  }

  @Test
  void arrayIndexInPath() {
    assertEquals("second", value("{\"list\":[\"first\",{\"name\":\"second\"}]}", "list.1.name"));
  }

  @Test
  void objectYieldsCompactJsonWithSortedKeys() {
    assertEquals("{\"a\":1,\"b\":[true,null]}", value("{\"o\": { \"b\": [true, null], \"a\": 1 }}", "o"));
  }

  @Test
  void numberKeepsItsOriginalText() {
    assertEquals("1.0", value("{\"n\":1.0}", "n"));
    assertEquals("1e5", value("{\"n\":1e5}", "n"));
    assertEquals("12345678901234567890", value("{\"n\":12345678901234567890}", "n"));
    assertEquals("-0.50", value("{\"o\":{\"n\":-0.50}}", "o.n"));
  }

  @Test
  void booleansAndNull() {
    assertEquals("true", value("{\"b\":true}", "b"));
    assertEquals("false", value("{\"b\":false}", "b"));
    assertEquals("", value("{\"b\":null}", "b"));
  }

  @Test
  void emptyPropertyYieldsWholeSecretSortedWithoutHtmlEscaping() {
    String json = "{\"z\":\"<tag> & more\",\"a\":{\"y\":2.50,\"x\":\"1\"}}";
    assertEquals("{\"a\":{\"x\":\"1\",\"y\":2.50},\"z\":\"<tag> & more\"}", value(json, ""));
  }

  @Test
  void missingPropertyNamesTheExistingOnesButNoValues() {
    PropertyNotFoundException e = assertThrows(PropertyNotFoundException.class,
        () -> value("{\"dotenv\":\"canary-value-4711\",\"other\":\"x\"}", "password"));
    assertEquals("cannot find secret data for key: \"password\"", e.getMessage());
    assertTrue(e.hints().get(0).contains("dotenv, other"), e.hints().toString());
    assertFalse(e.hints().toString().contains("canary-value-4711"));
  }

  @Test
  void pathThroughAScalarIsNotFound() {
    assertThrows(PropertyNotFoundException.class, () -> value("{\"a\":\"text\"}", "a.b"));
  }

  @Test
  void mapExtractsEveryPropertyByTheSameRules() {
    SecretData data = PropertyLookup.map(doc("{\"s\":\"x<y\",\"n\":1.0,\"o\":{\"k\":\"v\"},\"nil\":null}"), "");
    assertEquals("x<y", data.getString("s").orElseThrow());
    assertEquals("1.0", data.getString("n").orElseThrow());
    assertEquals("{\"k\":\"v\"}", data.getString("o").orElseThrow());
    assertEquals("", data.getString("nil").orElseThrow());
  }

  @Test
  void mapOfANestedObjectFlattensOneLevel() {
    SecretData data = PropertyLookup.map(doc("{\"db\":{\"user\":\"u\",\"port\":5432}}"), "db");
    assertEquals("u", data.getString("user").orElseThrow());
    assertEquals("5432", data.getString("port").orElseThrow());
  }

  @Test
  void mapOfAScalarIsAnError() {
    assertThrows(PropertyNotFoundException.class, () -> PropertyLookup.map(doc("{\"a\":\"b\"}"), "a"));
  }

  @Test
  void malformedJsonIsRejectedWithoutQuotingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SecretDocument.parseJson("{\"k\": \"canary-4711\" ".getBytes(UTF_8)));
    assertFalse(e.getMessage().contains("canary-4711"), e.getMessage());
  }

  @Test
  void htmlCharactersAreKeptInEveryJsonForm() {
    String json = "{\"s\":\"a<b>&c\",\"o\":{\"t\":\"<x>\"},\"l\":[\"&\"]}";
    assertEquals("a<b>&c", value(json, "s"));
    assertEquals("{\"t\":\"<x>\"}", value(json, "o"));
    assertEquals("[\"&\"]", value(json, "l"));
    assertEquals("{\"l\":[\"&\"],\"o\":{\"t\":\"<x>\"},\"s\":\"a<b>&c\"}", value(json, ""));
  }

  @Test
  void numbersKeepTheirTextInsideObjectsAndTheWholeSecret() {
    String json = "{\"n\":1.0,\"o\":{\"big\":12345678901234567890,\"e\":1e5}}";
    assertEquals("{\"big\":12345678901234567890,\"e\":1e5}", value(json, "o"));
    assertEquals("{\"n\":1.0,\"o\":{\"big\":12345678901234567890,\"e\":1e5}}", value(json, ""));
  }

  @Test
  void arrayIndexesAndNestedKeysInOnePath() {
    String json = "{\"a\":[{\"b\":\"x\"},{\"b\":[10,20]}]}";
    assertEquals("x", value(json, "a.0.b"));
    assertEquals("20", value(json, "a.1.b.1"));
    assertThrows(PropertyNotFoundException.class, () -> value(json, "a.2.b"));
    assertThrows(PropertyNotFoundException.class, () -> value(json, "a.x"));
  }

  @Test
  void backslashMakesAnyCharacterLiteralAsInGjson() {
    assertEquals("v", value("{\"a.b\":{\"c\\\\d\":\"v\"}}", "a\\.b.c\\\\d"));
  }

  @Test
  void exactKeyWithEscapeCharactersIsStillAnExactKey() {
    assertEquals("v", value("{\"a\\\\.b\":\"v\"}", "a\\.b"));
  }

  @Test
  void missingNestedKeyNamesTheKeysAtTheLevelReachedButNoValues() {
    PropertyNotFoundException e = assertThrows(PropertyNotFoundException.class,
        () -> value("{\"db\":{\"user\":\"canary-u\",\"pass\":\"canary-p\"}}", "db.password"));
    assertEquals("cannot find secret data for key: \"db.password\"", e.getMessage());
    assertTrue(e.hints().contains("keys under db: pass, user"), e.hints().toString());
    assertFalse(e.hints().toString().contains("canary"), e.hints().toString());
  }

  @Test
  void mapKeepsExactNumberTextWhereEsoWouldPrintAFloat() {
    SecretData data = PropertyLookup.map(doc("{\"a\":1.0,\"b\":1e5,\"c\":12345678901234567890,\"d\":true}"), "");
    assertEquals("1.0", data.getString("a").orElseThrow());
    assertEquals("1e5", data.getString("b").orElseThrow());
    assertEquals("12345678901234567890", data.getString("c").orElseThrow());
    assertEquals("true", data.getString("d").orElseThrow());
  }

  @Test
  void mapOfAMissingPropertyIsNotFound() {
    assertThrows(PropertyNotFoundException.class, () -> PropertyLookup.map(doc("{\"a\":{}}"), "b"));
  }

  @Test
  void emptySecretIsAnEmptyObject() {
    assertEquals("{}", value("{}", ""));
    assertTrue(PropertyLookup.map(doc("{}"), "").isEmpty());
  }
}
