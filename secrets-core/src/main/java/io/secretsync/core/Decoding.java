package io.secretsync.core;

import io.secretsync.core.model.DecodingStrategy;
import java.util.Base64;
import java.util.List;

/** ESO's decoding strategies for fetched values. Stateless and thread-safe. */
final class Decoding {

  private Decoding() {}

  /**
   * Decodes {@code value} by {@code strategy}. Base64 and Base64URL fail on invalid input with a
   * message naming {@code where} (never the value); Auto tries standard base64, then base64url
   * (both with padding, as Go's StdEncoding and URLEncoding require), then keeps the raw bytes.
   */
  static byte[] decode(byte[] value, DecodingStrategy strategy, String where) {
    return switch (strategy) {
      case NONE -> value;
      case BASE64 -> strict(value, false)
          .orElseThrow(() -> failure(where, "Base64"));
      case BASE64URL -> strict(value, true)
          .orElseThrow(() -> failure(where, "Base64URL"));
      case AUTO -> strict(value, false).or(() -> strict(value, true)).orElse(value);
    };
  }

  private static SecretSyncException failure(String where, String strategy) {
    return new SecretSyncException(where + ": value is not valid " + strategy + " (decodingStrategy: " + strategy + ")",
        List.of("store the value base64-encoded, or set decodingStrategy to None or Auto"), null);
  }

  /** Go-strict decoding: padded, only the alphabet's characters (Go ignores CR and LF). */
  private static java.util.Optional<byte[]> strict(byte[] value, boolean url) {
    StringBuilder text = new StringBuilder(value.length);
    for (byte b : value) {
      char c = (char) (b & 0xff);
      if (c == '\r' || c == '\n') {
        continue;
      }
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '='
          || (url ? (c == '-' || c == '_') : (c == '+' || c == '/'));
      if (!ok) {
        return java.util.Optional.empty();
      }
      text.append(c);
    }
    if (text.length() % 4 != 0) {
      return java.util.Optional.empty();
    }
    int firstPad = text.indexOf("=");
    if (firstPad >= 0 && (firstPad < text.length() - 2 || text.substring(firstPad).replace("=", "").length() > 0)) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of((url ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text.toString()));
    } catch (IllegalArgumentException e) {
      return java.util.Optional.empty();
    }
  }
}
