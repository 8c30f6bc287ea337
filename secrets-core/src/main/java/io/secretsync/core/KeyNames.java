package io.secretsync.core;

import io.secretsync.core.model.ConversionStrategy;
import java.util.regex.Pattern;

/** Target key names: ESO's validity rule and its conversion of names from {@code dataFrom}. */
final class KeyNames {

  /** The Kubernetes rule for Secret data keys, as ESO's webhook checks {@code secretKey}. */
  static final Pattern VALID_KEY = Pattern.compile("^[-._a-zA-Z0-9]+$");

  private KeyNames() {}

  /**
   * Converts a name from {@code dataFrom} the way ESO does: each character outside
   * {@code [-._a-zA-Z0-9]} becomes {@code _} (Default) or {@code _U<4 hex>_} (Unicode), so
   * {@code dev/config} becomes {@code dev_config}.
   */
  static String convert(String name, ConversionStrategy strategy) {
    StringBuilder out = new StringBuilder(name.length());
    name.codePoints().forEach(cp -> {
      boolean valid = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')
          || cp == '-' || cp == '.' || cp == '_';
      if (valid) {
        out.appendCodePoint(cp);
      } else if (strategy == ConversionStrategy.UNICODE) {
        out.append(String.format("_U%04x_", cp));
      } else {
        out.append('_');
      }
    });
    return out.toString();
  }
}
