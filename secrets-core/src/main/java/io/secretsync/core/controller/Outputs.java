package io.secretsync.core.controller;

import com.google.common.collect.ImmutableList;
import io.secretsync.core.SyncResult;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreRef;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The status sink, event sink and listeners, each call guarded so that one failing does not stop the others. */
final class Outputs {
  private static final Logger log = LoggerFactory.getLogger(Outputs.class);

  private final StatusSink status;
  private final EventSink events;
  private final ImmutableList<SyncListener> listeners;

  Outputs(StatusSink status, EventSink events, List<SyncListener> listeners) {
    this.status = status;
    this.events = events;
    this.listeners = ImmutableList.copyOf(listeners);
  }

  /** Writes and announces a new status; false when the sink failed (it is then offered again). */
  boolean externalSecretStatus(ExternalSecret es, ExternalSecretStatus newStatus) {
    boolean written = guard("status sink", es, () -> status.externalSecretStatus(es, newStatus));
    each(es, l -> l.externalSecretStatusChanged(es, newStatus));
    return written;
  }

  void externalSecretEvent(ExternalSecret es, ControllerEvent event) {
    guard("event sink", es, () -> events.externalSecretEvent(es, event));
  }

  void syncFinished(ExternalSecret es, SyncResult result, Duration took) {
    each(es, l -> l.syncFinished(es, result, took));
  }

  void externalSecretRemoved(ExternalSecret es) {
    each(es, l -> l.externalSecretRemoved(es));
  }

  /** Writes a new store status; false when the sink failed (it is then offered again). */
  boolean storeStatus(SecretStoreResource store, StoreStatus newStatus) {
    return guard("status sink", store, () -> status.storeStatus(store, newStatus));
  }

  void storeEvent(SecretStoreResource store, ControllerEvent event) {
    guard("event sink", store, () -> events.storeEvent(store, event));
  }

  void storeValidated(SecretStoreResource store, StoreStatus newStatus, Duration took) {
    each(store, l -> l.storeValidated(store, newStatus, took));
  }

  void storeRemoved(SecretStoreResource store) {
    each(store, l -> l.storeRemoved(store));
  }

  void circuitStateChanged(StoreRef ref, String namespace, StoreCircuitBreaker.State state) {
    each(ref, l -> l.circuitStateChanged(ref, namespace, state));
  }

  private void each(Object subject, Consumer<SyncListener> call) {
    for (SyncListener listener : listeners) {
      guard("listener " + listener.getClass().getName(), subject, () -> call.accept(listener));
    }
  }

  private static boolean guard(String what, Object subject, Runnable call) {
    try {
      call.run();
      return true;
    } catch (RuntimeException e) {
      log.warn("{} failed for {}: {}", what, subject, e.toString());
      return false;
    }
  }
}
