package io.secretsync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/** A store's {@code spec.retrySettings}; absent values leave the provider's defaults. */
public record RetrySettings(Optional<Integer> maxRetries, Optional<Duration> retryInterval) {

  public RetrySettings {
    requireNonNull(maxRetries, "maxRetries");
    requireNonNull(retryInterval, "retryInterval");
  }
}
