package io.secretsync.testkit.server;

/**
 * Renders an error answer in the dialect of the faked server (Vault's {@code {"errors":[...]}},
 * Kubernetes' {@code Status}). Must be thread-safe.
 */
@FunctionalInterface
public interface ErrorRenderer {
  /** An answer with {@code status} and {@code message}; an empty message means "no detail". */
  ServerResponse render(int status, String message);

  /** Plain-text bodies: the message, or nothing when it is empty. */
  ErrorRenderer PLAIN_TEXT = (status, message) -> message.isEmpty()
      ? ServerResponse.status(status)
      : ServerResponse.text(status, message + "\n");
}
