package io.secretsync.core.controller;

import io.secretsync.core.InvalidConfigException;
import io.secretsync.core.controller.Keys.StoreKey;
import io.secretsync.core.model.SecretStoreResource;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One store as the controller sees it: its definition when it was applied through the controller
 * (otherwise the entry only holds the circuit and the ExternalSecrets waiting for the store), its
 * circuit breaker, validation timer and status. Fields are guarded by the controller's lock.
 */
final class StoreEntry extends Dispatcher.Job {
  final StoreKey key;
  private final Consumer<StoreEntry> body;

  /** The definition applied through the controller; null when none. */
  SecretStoreResource definition;
  /** Why the applied definition could not be registered; null when it was. */
  InvalidConfigException configError;
  StoreCircuitBreaker breaker;
  StoreStatus status;
  /** Whether the sink accepted {@link #status}; when not, the next status is written even if equal. */
  boolean statusWritten = true;
  final Set<EsEntry> waiting = new LinkedHashSet<>();
  /**
   * The waiting ExternalSecret whose sync is the probe of this half-open circuit (a real provider
   * request: a store's validate() may answer from what it holds without asking the provider); null
   * when none.
   */
  EsEntry trial;
  /** Whether the next probe must be validate(): a trial sync ended without telling whether the store answers. */
  boolean validateNext;

  StoreEntry(StoreKey key, StoreCircuitBreaker breaker, Consumer<StoreEntry> body) {
    this.key = key;
    this.breaker = breaker;
    this.body = body;
  }

  @Override
  void run() {
    body.accept(this);
  }

  boolean applied() {
    return definition != null;
  }

  @Override
  public String toString() {
    return key.toString();
  }
}
