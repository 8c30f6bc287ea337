package io.secretsync.core.controller;

import static java.util.Objects.requireNonNull;

/**
 * A SecretStore's or ClusterSecretStore's {@code status} as ESO writes it: the {@code Ready}
 * condition, with reason {@code Valid} ("store validated") or {@code InvalidProviderConfig}.
 * Immutable.
 */
public record StoreStatus(Condition ready) {

  /** ESO's store condition reasons. */
  public static final String REASON_VALID = "Valid";
  public static final String REASON_INVALID_PROVIDER_CONFIG = "InvalidProviderConfig";

  public StoreStatus {
    requireNonNull(ready, "ready");
  }

  public boolean isReady() {
    return ready.isTrue();
  }
}
