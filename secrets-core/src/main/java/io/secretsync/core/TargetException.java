package io.secretsync.core;

import java.util.List;

/**
 * Writing the target failed. The message uses ESO's wording where ESO has one (for example
 * "could not update secret, target is immutable"); the target is left as it was.
 */
public class TargetException extends SecretSyncException {
  private static final long serialVersionUID = 1L;

  public TargetException(String message) {
    super(message);
  }

  public TargetException(String message, List<String> hints, Throwable cause) {
    super(message, hints, cause);
  }
}
