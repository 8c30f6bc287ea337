package io.secretsync.core.controller;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * An ExternalSecret's {@code status} as ESO writes it: the {@code Ready} condition, {@code refreshTime}
 * (the start of the last successful sync, whole seconds), {@code syncedResourceVersion}
 * ({@code <generation>-<hash of labels and annotations>} of the object last synced; empty before the
 * first success) and {@code binding.name} (the target Secret; empty before the first success).
 * Immutable.
 */
public record ExternalSecretStatus(
    Optional<Condition> ready, Optional<Instant> refreshTime, String syncedResourceVersion, String bindingName) {

  public ExternalSecretStatus {
    requireNonNull(ready, "ready");
    requireNonNull(refreshTime, "refreshTime");
    requireNonNull(syncedResourceVersion, "syncedResourceVersion");
    requireNonNull(bindingName, "bindingName");
  }

  /** The status of an ExternalSecret never synced. */
  public static ExternalSecretStatus empty() {
    return new ExternalSecretStatus(Optional.empty(), Optional.empty(), "", "");
  }

  /** Whether the last sync succeeded: a {@code Ready} condition with status True. */
  public boolean isReady() {
    return ready.map(Condition::isTrue).orElse(false);
  }
}
