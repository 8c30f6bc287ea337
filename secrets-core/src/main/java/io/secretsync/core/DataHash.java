package io.secretsync.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The {@code reconcile.external-secrets.io/data-hash} annotation, computed as ESO computes it:
 * SHA3-224, hex, over Go's {@code %+v} rendering of the Secret's data map
 * ({@code map[key:[104 105] other:[]]}, keys sorted), so Secrets written by ESO and by this
 * library compare equal. The hash is unkeyed: whoever can read the annotation can test guesses of
 * a low-entropy value offline.
 */
final class DataHash {

  private DataHash() {}

  static String of(SecretData data) {
    StringBuilder text = new StringBuilder("map[");
    boolean[] first = {true};
    data.forEach((key, value) -> {
      if (!first[0]) {
        text.append(' ');
      }
      first[0] = false;
      text.append(key).append(":[");
      for (int i = 0; i < value.length; i++) {
        if (i > 0) {
          text.append(' ');
        }
        text.append(value[i] & 0xff);
      }
      text.append(']');
    });
    text.append(']');
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA3-224");
      return HexFormat.of().formatHex(digest.digest(text.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA3-224 is part of every Java 17 runtime", e);
    }
  }

  /** ESO's {@code created-by} label value: SHA3-224 hex of {@code "<namespace>/<name>"}, 56 characters. */
  static String ownerLabel(String namespace, String name) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA3-224");
      return HexFormat.of().formatHex(digest.digest((namespace + "/" + name).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA3-224 is part of every Java 17 runtime", e);
    }
  }
}
