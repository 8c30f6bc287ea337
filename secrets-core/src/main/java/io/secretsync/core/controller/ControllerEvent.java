package io.secretsync.core.controller;

import static java.util.Objects.requireNonNull;

/**
 * A Kubernetes Event about an ExternalSecret or a store, with ESO's reasons and messages.
 * Messages never hold a secret value. Immutable.
 */
public record ControllerEvent(Type type, String reason, String message) {

  /** The target Secret was created ("secret created"). */
  public static final String CREATED = "Created";
  /** The target Secret was written because its content changed ("secret updated"); never for an unchanged refresh. */
  public static final String UPDATED = "Updated";
  /** The target Secret was deleted ("secret deleted due to DeletionPolicy=Delete"). */
  public static final String DELETED = "Deleted";
  /** A sync failed; the message is the error. The target was left as it was. */
  public static final String UPDATE_FAILED = "UpdateFailed";
  /** An entry was skipped because the provider has no such secret ("secret does not exist at provider using spec.data[0] (key=k)"). */
  public static final String MISSING_PROVIDER_SECRET = "MissingProviderSecret";
  /** A store passed validation ("store validated"). */
  public static final String VALID = "Valid";
  /** A store failed validation or could not be created; the message is the error. */
  public static final String INVALID_PROVIDER_CONFIG = "InvalidProviderConfig";

  public ControllerEvent {
    requireNonNull(type, "type");
    requireNonNull(reason, "reason");
    requireNonNull(message, "message");
  }

  public static ControllerEvent normal(String reason, String message) {
    return new ControllerEvent(Type.NORMAL, reason, message);
  }

  public static ControllerEvent warning(String reason, String message) {
    return new ControllerEvent(Type.WARNING, reason, message);
  }

  /** An Event's {@code type}, with its wire text. */
  public enum Type {
    NORMAL("Normal"),
    WARNING("Warning");

    private final String wireName;

    Type(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }
  }
}
