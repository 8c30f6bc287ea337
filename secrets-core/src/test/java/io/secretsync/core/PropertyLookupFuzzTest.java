package io.secretsync.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.secretsync.core.SecretStoreException.PropertyNotFoundException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Any property path over any JSON secret selects a value or fails with
 * {@link PropertyNotFoundException}; any bytes given as a secret parse or fail with
 * {@link IllegalArgumentException} (the documented contract of {@link SecretDocument#parseJson}).
 * The input is the property, a newline, then the secret's JSON.
 *
 * <p>Regression mode (the default) replays {@code PropertyLookupFuzzTestInputs/}; fuzz with
 * {@code JAZZER_FUZZ=1 mvn -pl secrets-core test -Dtest=PropertyLookupFuzzTest}.
 */
class PropertyLookupFuzzTest {

  @FuzzTest(maxDuration = "5m")
  void anyPathSelectsOrFailsWithPropertyNotFound(byte[] input) {
    int newline = indexOf(input, (byte) '\n');
    String property = new String(input, 0, Math.max(newline, 0), StandardCharsets.UTF_8);
    byte[] json = newline < 0 ? input : Arrays.copyOfRange(input, newline + 1, input.length);
    SecretDocument document;
    try {
      document = SecretDocument.parseJson(json);
    } catch (IllegalArgumentException notJson) {
      return;
    }
    try {
      byte[] value = PropertyLookup.value(document, property);
      if (!property.isEmpty()) {
        assertArrayEquals(value, PropertyLookup.toBytes(PropertyLookup.select(document, property)));
      }
    } catch (PropertyNotFoundException expected) {
      expected.getMessage();
    }
    try {
      PropertyLookup.map(document, property);
    } catch (PropertyNotFoundException expected) {
      expected.getMessage();
    }
    document.toCompactJson();
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
