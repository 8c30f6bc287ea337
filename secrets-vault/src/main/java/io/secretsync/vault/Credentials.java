package io.secretsync.vault;

import io.secretsync.core.SecretStoreException.AuthenticationException;
import io.secretsync.core.SecretSyncException;
import java.util.List;
import java.util.function.Supplier;

/** Reads a credential from its source, turning failures into authentication errors that name the source. */
final class Credentials {
  private Credentials() {}

  /**
   * Calls {@code source}; fails when it throws or yields nothing.
   *
   * @param what what the credential is, e.g. {@code "the service account JWT"}
   * @param from where it comes from, e.g. {@code "Secret ns/name key token"}
   */
  static String obtain(Supplier<String> source, String what, String from) {
    String value;
    try {
      value = source.get();
    } catch (SecretSyncException e) {
      throw new AuthenticationException("cannot obtain " + what + " from " + from + ": " + e.getMessage(), e.hints(), e);
    } catch (RuntimeException e) {
      throw new AuthenticationException("cannot obtain " + what + " from " + from + ": "
          + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), List.of(), e);
    }
    if (value == null || value.isBlank()) {
      throw new AuthenticationException("cannot obtain " + what + " from " + from + ": it is empty", List.of(), null);
    }
    return value.trim();
  }
}
