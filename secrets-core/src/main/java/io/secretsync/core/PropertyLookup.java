package io.secretsync.core;

/**
 * Vault-style property lookup over a {@link SecretDocument}, usable by any JSON-valued store.
 * (Implementation follows in the sync engine work; see the class's tests for the rules.)
 */
public final class PropertyLookup {
  private PropertyLookup() {}

  /** The value of {@code property} in {@code document}; the whole document as JSON when empty. */
  public static byte[] value(SecretDocument document, String property) {
    throw new UnsupportedOperationException("property lookup is not implemented yet");
  }

  /** The properties of {@code document} (or of the object at {@code property}) as a map. */
  public static SecretData map(SecretDocument document, String property) {
    throw new UnsupportedOperationException("property lookup is not implemented yet");
  }
}
