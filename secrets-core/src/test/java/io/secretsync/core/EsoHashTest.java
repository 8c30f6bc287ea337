package io.secretsync.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ESO's hashes: SHA3-224 hex over Go's {@code %+v} rendering. */
class EsoHashTest {

  private static String sha3(String text) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA3-224").digest(text.getBytes(UTF_8)));
  }

  @Test
  void dataHashIsOverGosRenderingOfTheDataMapWithSortedKeys() throws Exception {
    SecretData data = SecretData.builder().putString("b", "hi").put("a", new byte[] {0, (byte) 255})
        .put("empty", new byte[0]).build();
    assertEquals(sha3("map[a:[0 255] b:[104 105] empty:[]]"), EsoHash.dataHash(data));
  }

  @Test
  void dataHashOfNoDataIsTheHashOfAnEmptyMap() throws Exception {
    assertEquals(sha3("map[]"), EsoHash.dataHash(SecretData.empty()));
  }

  @Test
  void createdByIsTheHashOfNamespaceSlashName() throws Exception {
    assertEquals(sha3("example-api/example-api-env-file"), EsoHash.createdBy("example-api", "example-api-env-file"));
    assertEquals(56, EsoHash.createdBy("a", "b").length());
  }

  @Test
  void equalDataGivesEqualHashes() {
    assertEquals(EsoHash.dataHash(SecretData.ofStrings(Map.of("k", "v", "l", "w"))),
        EsoHash.dataHash(SecretData.ofStrings(Map.of("l", "w", "k", "v"))));
  }

  @Test
  void keyedHashIsHmacSha3OverTheSameTextAndDependsOnTheKey() throws Exception {
    SecretData data = SecretData.ofStrings(Map.of("password", "hunter2"));
    byte[] key = "0123456789abcdef0123456789abcdef".getBytes(UTF_8);
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA3-224");
    mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA3-224"));
    String expected = HexFormat.of().formatHex(mac.doFinal("map[password:[104 117 110 116 101 114 50]]".getBytes(UTF_8)));

    assertEquals(expected, EsoHash.dataHmac(data, key));
    assertEquals(56, expected.length());
    org.junit.jupiter.api.Assertions.assertNotEquals(EsoHash.dataHash(data), EsoHash.dataHmac(data, key));
    org.junit.jupiter.api.Assertions.assertNotEquals(EsoHash.dataHmac(data, key),
        EsoHash.dataHmac(data, "another-key-of-sixteen-or-more".getBytes(UTF_8)));
  }
}
