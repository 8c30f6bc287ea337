package io.secretsync.kubernetes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * ESO's field manager names for Secret writes: {@code externalsecrets.external-secrets.io/<es-name>},
 * or, when that is longer than 63 characters, {@code externalsecrets.external-secrets.io/sha3/<hex>}
 * with the SHA3-224 of the ExternalSecret's name (ESO's {@code fqdnFor}). Writes on behalf of no
 * ExternalSecret use {@value #DEFAULT}.
 */
final class FieldManagers {
  static final String DEFAULT = "secrets-sync";
  private static final String PREFIX = "externalsecrets.external-secrets.io/";
  private static final int MAX_LENGTH = 63;

  private FieldManagers() {}

  static String forExternalSecret(String name) {
    if (name.isEmpty()) {
      return DEFAULT;
    }
    String manager = PREFIX + name;
    if (manager.length() <= MAX_LENGTH) {
      return manager;
    }
    try {
      byte[] hash = MessageDigest.getInstance("SHA3-224").digest(name.getBytes(StandardCharsets.UTF_8));
      return PREFIX + "sha3/" + HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA3-224 is part of every Java 17 runtime", e);
    }
  }
}
