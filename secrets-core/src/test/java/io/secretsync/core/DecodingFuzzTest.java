package io.secretsync.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.secretsync.core.model.DecodingStrategy;
import java.util.Optional;

/**
 * Every decoding strategy takes any bytes: None keeps them, Base64 and Base64URL decode them or
 * fail with {@link InvalidSecretDataException} (whose message is the same whatever the value), Auto never
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
      InvalidSecretDataException other = assertThrows(InvalidSecretDataException.class,
          () -> Decoding.decode(new byte[] {'!'}, strategy, "data[0]", "k"));
      assertEquals(other.getMessage(), expected.getMessage(), "the message depends on the value");
      return Optional.empty();
    }
  }
}
