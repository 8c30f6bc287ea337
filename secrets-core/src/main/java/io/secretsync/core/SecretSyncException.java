package io.secretsync.core;

import com.google.common.collect.ImmutableList;
import java.util.List;

/**
 * The root of the library's typed errors. A message says what failed and where (store, path,
 * role, field), {@link #hints()} say what to do about it; neither ever holds a secret value, a
 * token or a JWT.
 */
public class SecretSyncException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ImmutableList<String> hints;

  public SecretSyncException(String message) {
    this(message, List.of(), null);
  }

  public SecretSyncException(String message, List<String> hints, Throwable cause) {
    super(message, cause);
    this.hints = ImmutableList.copyOf(hints);
  }

  /** What a person can do to fix the problem, most likely first; may be empty. */
  public ImmutableList<String> hints() {
    return hints;
  }
}
