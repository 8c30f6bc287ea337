package io.secretsync.core;

import io.secretsync.core.model.DecodingStrategy;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * ESO's decoding strategies for fetched values ({@code runtime/decoding}), with Go's base64 rules:
 * padding is required, only the encoding's alphabet is accepted, and CR and LF are skipped.
 * Stateless and thread-safe.
 */
final class Decoding {

  private Decoding() {}

  /**
   * Decodes {@code value} by {@code strategy}: None keeps it; Base64 and Base64URL decode it or
   * fail; Auto tries standard base64, then base64url, then keeps the raw bytes (so a plain value
   * that happens to be valid base64, such as {@code test}, is decoded, as in ESO).
   *
   * @throws InvalidSecretDataException naming {@code where} and {@code key}, never the value
   */
  static byte[] decode(byte[] value, DecodingStrategy strategy, String where, String key) {
    return switch (strategy) {
      case NONE -> value;
      case BASE64 -> strict(value, false).orElseThrow(() -> failure(where, key, "Base64"));
      case BASE64URL -> strict(value, true).orElseThrow(() -> failure(where, key, "Base64URL"));
      case AUTO -> strict(value, false).or(() -> strict(value, true)).orElse(value);
    };
  }

  private static InvalidSecretDataException failure(String where, String key, String strategy) {
    return new InvalidSecretDataException(where,
        "the value for key \"" + key + "\" is not valid " + strategy + " (decodingStrategy: " + strategy + ")",
        List.of("store the value " + (strategy.equals("Base64") ? "base64" : "base64url")
            + "-encoded with padding, or set decodingStrategy to None or Auto"));
  }

  /** Go's {@code StdEncoding}/{@code URLEncoding.DecodeString}: padded input of the alphabet only. */
  static Optional<byte[]> strict(byte[] value, boolean url) {
    StringBuilder text = new StringBuilder(value.length);
    for (byte b : value) {
      char c = (char) (b & 0xff);
      if (c == '\r' || c == '\n') {
        continue;
      }
      boolean alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || (url ? (c == '-' || c == '_') : (c == '+' || c == '/'));
      if (!alphabet && c != '=') {
        return Optional.empty();
      }
      text.append(c);
    }
    if (text.length() % 4 != 0) {
      return Optional.empty();
    }
    int pad = text.indexOf("=");
    if (pad >= 0) {
      String tail = text.substring(pad);
      if (!(tail.equals("=") || tail.equals("==")) || pad % 4 < 2) {
        return Optional.empty();
      }
    }
    try {
      return Optional.of((url ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text.toString()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
