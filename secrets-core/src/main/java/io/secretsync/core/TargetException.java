package io.secretsync.core;

import static java.util.Objects.requireNonNull;

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

  /**
   * The target is immutable and its data would change (ESO: "could not update secret, target is
   * immutable"). Metadata may still change; the data never does.
   */
  public static class ImmutableTargetException extends TargetException {
    private static final long serialVersionUID = 1L;

    public ImmutableTargetException(String message, List<String> hints) {
      super(message, hints, null);
    }
  }

  /**
   * The target is controlled by another object, so this ExternalSecret may not take it over (ESO:
   * "target is owned by another ExternalSecret", or "failed to take ownership of target secret"
   * when the controller is not an ExternalSecret) or delete it.
   */
  public static class OwnershipException extends TargetException {
    private static final long serialVersionUID = 1L;

    private final String ownerKind;
    private final String ownerName;

    public OwnershipException(String message, List<String> hints, String ownerKind, String ownerName) {
      super(message, hints, null);
      this.ownerKind = requireNonNull(ownerKind, "ownerKind");
      this.ownerName = requireNonNull(ownerName, "ownerName");
    }

    /** The controller's kind ({@code ExternalSecret}, {@code Deployment}...); empty when there is no controller. */
    public String ownerKind() {
      return ownerKind;
    }

    /** The controller's name; empty when there is no controller. */
    public String ownerName() {
      return ownerName;
    }
  }
}
