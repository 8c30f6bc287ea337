package io.secretsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.model.ConversionStrategy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ESO's key conversion ({@code esutils.ConvertKeys}) and Kubernetes' Secret key rule. */
class KeyNamesTest {

  @Test
  void defaultReplacesEachInvalidCharacterWithAnUnderscore() {
    assertEquals("dev_config", KeyNames.convert("dev/config", ConversionStrategy.DEFAULT));
    assertEquals("a_b_c.d-e_f", KeyNames.convert("a b:c.d-e_f", ConversionStrategy.DEFAULT));
  }

  @Test
  void unicodeWritesTheCodePointInHex() {
    assertEquals("dev_U002f_config", KeyNames.convert("dev/config", ConversionStrategy.UNICODE));
    assertEquals("a_U0020_b", KeyNames.convert("a b", ConversionStrategy.UNICODE));
    assertEquals("x_U1f511_", KeyNames.convert("x\uD83D\uDD11", ConversionStrategy.UNICODE));
  }

  @Test
  void lettersAndNumbersOutsideAsciiAreKeptAsEsoKeepsThem() {
    assertEquals("café_½", KeyNames.convert("café ½", ConversionStrategy.DEFAULT));
    assertTrue(KeyNames.problem("café").isPresent(), "but Kubernetes refuses them as keys");
  }

  @Test
  void twoNamesConvertingToOneKeyIsACollision() {
    Map<String, byte[]> in = new LinkedHashMap<>();
    in.put("a/b", new byte[] {1});
    in.put("a:b", new byte[] {2});
    InvalidSecretDataException e = assertThrows(InvalidSecretDataException.class,
        () -> KeyNames.convertAll(in, ConversionStrategy.DEFAULT, "spec.dataFrom[0].find"));
    assertEquals("spec.dataFrom[0].find: secret name collision during conversion: a_b", e.getMessage());
  }

  @Test
  void kubernetesKeyRule() {
    for (String ok : List.of(".env", "config.json", "a-b_c.D9", "..a".substring(1), "x".repeat(253))) {
      assertFalse(KeyNames.problem(ok).isPresent(), ok);
    }
    for (String bad : List.of("", "a/b", "a b", ".", "..", "..env", "x".repeat(254), "ключ")) {
      assertTrue(KeyNames.problem(bad).isPresent(), bad);
    }
  }
}
