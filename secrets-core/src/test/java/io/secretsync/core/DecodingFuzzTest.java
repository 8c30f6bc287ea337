package io.secretsync.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.secretsync.core.model.DecodingStrategy;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Every decoding strategy takes any bytes: None keeps them, Base64 and Base64URL decode them or
 * fail with {@link InvalidSecretDataException} (whose message never holds the value), Auto never
 * fails and agrees with the strict decoders where they succeed.
 *
 * <p>Regression mode (the default) replays {@code DecodingFuzzTestInputs/}; fuzz with
 * {@code JAZZER_FUZZ=1 mvn -pl secrets-core test -Dtest=DecodingFuzzTest}.
 */
class DecodingFuzzTest {

  @FuzzTest(maxDuration = "5m")
  void everyStrategyDecodesOrFailsTyped(byte[] value) {
    assertArrayEquals(value, Decoding.decode(value, DecodingStrategy.NONE, "data[0]", "k"));
    Optional<byte[]> std = strategy(value, DecodingStrategy.BASE64);
    Optional<byte[]> url = strategy(value, DecodingStrategy.BASE64URL);
    byte[] auto = Decoding.decode(value, DecodingStrategy.AUTO, "data[0]", "k");
    assertArrayEquals(std.or(() -> url).orElse(value), auto);
  }

  private static Optional<byte[]> strategy(byte[] value, DecodingStrategy strategy) {
    try {
      return Optional.of(Decoding.decode(value, strategy, "data[0]", "k"));
    } catch (InvalidSecretDataException expected) {
      if (value.length >= 8) {
        assertFalse(expected.getMessage().contains(new String(value, StandardCharsets.ISO_8859_1)),
            "the message quotes the value");
      }
      return Optional.empty();
    }
  }
}
