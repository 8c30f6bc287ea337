package io.secretsync.core;

import java.util.List;

/**
 * A store could not answer. Subclasses say why; the engine keeps the target Secret as it was for
 * every one of them except {@link NoSecretException}, which drives the deletion policy.
 */
public class SecretStoreException extends SecretSyncException {
  private static final long serialVersionUID = 1L;

  public SecretStoreException(String message) {
    super(message);
  }

  public SecretStoreException(String message, List<String> hints, Throwable cause) {
    super(message, hints, cause);
  }

  /** The secret does not exist (or its version is deleted or destroyed). */
  public static class NoSecretException extends SecretStoreException {
    private static final long serialVersionUID = 1L;

    public NoSecretException(String message, List<String> hints) {
      super(message, hints, null);
    }
  }

  /** The secret exists but has no such property; never triggers deletion. */
  public static class PropertyNotFoundException extends SecretStoreException {
    private static final long serialVersionUID = 1L;

    public PropertyNotFoundException(String message, List<String> hints) {
      super(message, hints, null);
    }
  }

  /** The store refused the request: the credentials are valid but lack a permission. */
  public static class PermissionDeniedException extends SecretStoreException {
    private static final long serialVersionUID = 1L;

    public PermissionDeniedException(String message, List<String> hints, Throwable cause) {
      super(message, hints, cause);
    }
  }

  /** Logging in to the store failed. */
  public static class AuthenticationException extends SecretStoreException {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message, List<String> hints, Throwable cause) {
      super(message, hints, cause);
    }
  }

  /** The TLS handshake failed: untrusted CA, wrong host name, expired certificate. */
  public static class TlsException extends SecretStoreException {
    private static final long serialVersionUID = 1L;

    public TlsException(String message, List<String> hints, Throwable cause) {
      super(message, hints, cause);
    }
  }

  /** The store could not be reached, timed out, or answered with a server error. */
  public static class UnreachableException extends SecretStoreException {
    private static final long serialVersionUID = 1L;

    public UnreachableException(String message, List<String> hints, Throwable cause) {
      super(message, hints, cause);
    }
  }

  /** The store's own configuration is invalid; names the field. */
  public static class InvalidStoreConfigException extends SecretStoreException {
    private static final long serialVersionUID = 1L;

    public InvalidStoreConfigException(String message, List<String> hints, Throwable cause) {
      super(message, hints, cause);
    }
  }
}
