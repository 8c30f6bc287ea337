package io.secretsync.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.model.DecodingStrategy;
import org.junit.jupiter.api.Test;

/** ESO's decoding strategies with Go's base64 rules; cases from ESO's {@code runtime/decoding} tests and Go's decoder. */
class DecodingTest {
  private static final String DECODED = "foo%_?bar";
  private static final String STD = "Zm9vJV8/YmFy";
  private static final String URL = "Zm9vJV8_YmFy";

  private static String decode(String value, DecodingStrategy strategy) {
    return new String(Decoding.decode(value.getBytes(UTF_8), strategy, "spec.data[0].remoteRef", "k"), UTF_8);
  }

  @Test
  void noneKeepsTheValue() {
    assertEquals(STD, decode(STD, DecodingStrategy.NONE));
  }

  @Test
  void base64DecodesTheStandardAlphabet() {
    assertEquals(DECODED, decode(STD, DecodingStrategy.BASE64));
    assertEquals("bar", decode("YmFy", DecodingStrategy.BASE64));
  }

  @Test
  void base64UrlDecodesTheUrlAlphabet() {
    assertEquals(DECODED, decode(URL, DecodingStrategy.BASE64URL));
  }

  @Test
  void eachAlphabetRejectsTheOthersCharacters() {
    assertThrows(InvalidSecretDataException.class, () -> decode(URL, DecodingStrategy.BASE64));
    assertThrows(InvalidSecretDataException.class, () -> decode(STD, DecodingStrategy.BASE64URL));
  }

  @Test
  void paddingIsRequiredAsInGo() {
    assertEquals("a", decode("YQ==", DecodingStrategy.BASE64));
    assertEquals("ab", decode("YWI=", DecodingStrategy.BASE64));
    assertThrows(InvalidSecretDataException.class, () -> decode("YQ", DecodingStrategy.BASE64));
    assertThrows(InvalidSecretDataException.class, () -> decode("YWI", DecodingStrategy.BASE64URL));
    assertThrows(InvalidSecretDataException.class, () -> decode("Y===", DecodingStrategy.BASE64));
    assertThrows(InvalidSecretDataException.class, () -> decode("YQ==YQ==", DecodingStrategy.BASE64));
    assertThrows(InvalidSecretDataException.class, () -> decode("foo", DecodingStrategy.BASE64));
  }

  @Test
  void lineBreaksAreSkippedAsInGo() {
    assertEquals("bar", decode("Ym\r\nFy\n", DecodingStrategy.BASE64));
  }

  @Test
  void emptyValueDecodesToEmpty() {
    assertEquals("", decode("", DecodingStrategy.BASE64));
  }

  @Test
  void autoTriesStandardThenUrlThenKeepsTheRawValue() {
    assertEquals(DECODED, decode(STD, DecodingStrategy.AUTO));
    assertEquals(DECODED, decode(URL, DecodingStrategy.AUTO));
    assertEquals("foo", decode("foo", DecodingStrategy.AUTO));
    assertEquals("not base64!", decode("not base64!", DecodingStrategy.AUTO));
  }

  @Test
  void autoDecodesAPlainWordThatHappensToBeBase64AsEsoDoes() {
    byte[] decoded = Decoding.decode("test".getBytes(UTF_8), DecodingStrategy.AUTO, "w", "k");
    assertEquals(3, decoded.length);
  }

  @Test
  void failureNamesFieldAndKeyButNotTheValue() {
    InvalidSecretDataException e = assertThrows(InvalidSecretDataException.class,
        () -> decode("canary-value-81", DecodingStrategy.BASE64));
    assertEquals("spec.data[0].remoteRef", e.field());
    assertTrue(e.getMessage().contains("the value for key \"k\" is not valid Base64"), e.getMessage());
    assertFalse(e.getMessage().contains("canary-value-81"));
    assertFalse(e.hints().toString().contains("canary-value-81"));
  }
}
