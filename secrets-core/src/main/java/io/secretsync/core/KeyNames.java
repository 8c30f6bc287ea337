package io.secretsync.core;

import io.secretsync.core.model.ConversionStrategy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Target key names: the Kubernetes rule for Secret data keys, and ESO's conversion of the names
 * {@code dataFrom} produces ({@code runtime/esutils} {@code ConvertKeys}). Stateless and thread-safe.
 */
final class KeyNames {

  /** The character rule for Secret data keys (Kubernetes {@code IsConfigMapKey}), as ESO's webhook checks {@code secretKey}. */
  static final Pattern VALID_KEY = Pattern.compile("^[-._a-zA-Z0-9]+$");

  /** The longest key Kubernetes accepts (a DNS subdomain's length). */
  static final int MAX_KEY_LENGTH = 253;

  private KeyNames() {}

  /**
   * Converts a name from {@code dataFrom} the way ESO does: every character that is not a Unicode
   * letter or number, {@code -}, {@code .} or {@code _} becomes {@code _} (Default) or
   * {@code _U<hex code point, at least 4 digits>_} (Unicode). So {@code dev/config} becomes
   * {@code dev_config}, or {@code dev_U002f_config}. As in ESO, letters outside ASCII are kept;
   * the target validation then rejects them with a message naming the key.
   */
  static String convert(String name, ConversionStrategy strategy) {
    StringBuilder out = new StringBuilder(name.length());
    name.codePoints().forEach(cp -> {
      if (Character.isLetter(cp) || isNumber(cp) || cp == '-' || cp == '.' || cp == '_') {
        out.appendCodePoint(cp);
      } else if (strategy == ConversionStrategy.UNICODE) {
        out.append(String.format("_U%04x_", cp));
      } else {
        out.append('_');
      }
    });
    return out.toString();
  }

  /**
   * Converts every key of {@code entries}, keeping their order.
   *
   * @throws InvalidSecretDataException when two names convert to the same key (ESO: "secret name
   *     collision during conversion")
   */
  static Map<String, byte[]> convertAll(Map<String, byte[]> entries, ConversionStrategy strategy, String where) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    entries.forEach((key, value) -> {
      String converted = convert(key, strategy);
      if (out.put(converted, value) != null) {
        throw new InvalidSecretDataException(where, "secret name collision during conversion: " + converted,
            java.util.List.of("add a rewrite to this dataFrom entry that gives the colliding names distinct keys"));
      }
    });
    return out;
  }

  /** Why {@code key} is not a valid Secret data key, or empty when it is (Kubernetes' rule, in its words). */
  static Optional<String> problem(String key) {
    if (key.length() > MAX_KEY_LENGTH) {
      return Optional.of("must be no more than " + MAX_KEY_LENGTH + " characters");
    }
    if (!VALID_KEY.matcher(key).matches()) {
      return Optional.of("a valid key must consist of alphanumeric characters, '-', '_' or '.'");
    }
    if (key.equals(".") || key.equals("..")) {
      return Optional.of("must not be '" + key + "'");
    }
    if (key.startsWith("..")) {
      return Optional.of("must not start with '..'");
    }
    return Optional.empty();
  }

  /** Go's {@code unicode.IsNumber}: categories Nd, Nl and No. */
  private static boolean isNumber(int cp) {
    int type = Character.getType(cp);
    return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
        || type == Character.OTHER_NUMBER;
  }
}
