package io.secretsync.core;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * ESO's hashes on a target Secret, computed byte for byte as ESO computes them
 * ({@code esutils.ObjectHash}: SHA3-224, lower-case hex, of Go's {@code %+v} rendering), so that a
 * Secret written by ESO and by this library carry equal values and either can take over from the
 * other without a rewrite. Stateless and thread-safe.
 */
final class EsoHash {

  private EsoHash() {}

  /**
   * The {@code reconcile.external-secrets.io/data-hash} annotation: the hash of the Secret's data
   * rendered as Go prints a {@code map[string][]byte}: keys sorted, each value as its decimal bytes,
   * e.g. {@code map[.env:[104 105] other:[]]}. The hash is unkeyed, as ESO's: whoever can read the
   * annotation can test guesses of a low-entropy value offline.
   */
  static String dataHash(SecretData data) {
    return sha3(goRendering(data));
  }

  /**
   * The keyed form of {@link #dataHash}: HMAC-SHA3-224 with {@code key} over the same text, also 56
   * hex characters. Without the key the value tells nothing about the data.
   */
  static String dataHmac(SecretData data, byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA3-224");
      mac.init(new SecretKeySpec(key, "HmacSHA3-224"));
      return HexFormat.of().formatHex(mac.doFinal(goRendering(data).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA3-224 is part of every Java 17 runtime", e);
    }
  }

  /** Go's {@code %+v} of a {@code map[string][]byte}: keys sorted, each value as its decimal bytes. */
  private static String goRendering(SecretData data) {
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
    return text.append(']').toString();
  }

  /** The {@code reconcile.external-secrets.io/created-by} label: the hash of {@code "<namespace>/<name>"}, 56 characters. */
  static String createdBy(String namespace, String name) {
    return sha3(namespace + "/" + name);
  }

  private static String sha3(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA3-224");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA3-224 is part of every Java 17 runtime", e);
    }
  }
}
