package io.secretsync.core.controller;

import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;

/**
 * Where the controller records Events: on Kubernetes, {@code events.k8s.io} objects whose
 * {@code involvedObject} is the ExternalSecret or store. The controller has already rate-limited
 * them: an identical event (same object, reason and message) at most once per
 * {@link SyncController.Builder#eventInterval event interval}, and a bounded burst per object.
 * Called from worker threads: implementations are thread-safe. A failure to record is logged.
 */
public interface EventSink {

  void externalSecretEvent(ExternalSecret es, ControllerEvent event);

  void storeEvent(SecretStoreResource store, ControllerEvent event);

  /** A sink that records nothing. */
  static EventSink none() {
    return new EventSink() {
      @Override
      public void externalSecretEvent(ExternalSecret es, ControllerEvent event) {}

      @Override
      public void storeEvent(SecretStoreResource store, ControllerEvent event) {}
    };
  }
}
