package io.secretsync.core.controller;

import io.secretsync.core.SyncResult;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreRef;
import java.time.Duration;

/**
 * Observes what the controller does, for metrics and audit ({@link PrometheusMetrics} is one).
 * Every method has an empty default; override what you need. Methods are called from worker and
 * timer threads, never twice at once for one ExternalSecret or store: implementations are
 * thread-safe and quick. An exception thrown by a listener is logged and otherwise ignored.
 * Nothing passed here holds a secret value.
 */
public interface SyncListener {

  /**
   * A sync of {@code es} ended. {@code result} is the engine's, or a failure made by the controller
   * when a store's circuit is open (then no provider request was made). {@code duration} is
   * measured on the controller's clock.
   */
  default void syncFinished(ExternalSecret es, SyncResult result, Duration duration) {}

  /** The status of {@code es} changed (the same status is passed to the {@link StatusSink}). */
  default void externalSecretStatusChanged(ExternalSecret es, ExternalSecretStatus status) {}

  /** {@code es} was removed from the controller and its deletion handled. */
  default void externalSecretRemoved(ExternalSecret es) {}

  /** {@code store} was validated (or its circuit probed); {@code status} is the outcome. */
  default void storeValidated(SecretStoreResource store, StoreStatus status, Duration duration) {}

  /** {@code store} was removed from the controller. */
  default void storeRemoved(SecretStoreResource store) {}

  /**
   * The circuit breaker of the store {@code ref} (for ExternalSecrets in {@code namespace}; empty for
   * a ClusterSecretStore) changed state.
   */
  default void circuitStateChanged(StoreRef ref, String namespace, StoreCircuitBreaker.State state) {}

  /**
   * A provider made one API call. {@code call} is ESO's name where it has one ({@code ReadSecretData},
   * {@code ListSecrets}, {@code Login}...). Reported by stores wrapped with {@link ProviderMetering}
   * and by providers that report their own calls.
   */
  default void providerApiCall(String provider, String call, boolean success) {}
}
