package io.secretsync.core.controller;

import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;

/**
 * Where the controller writes status: on Kubernetes, the {@code status} subresource of the
 * ExternalSecret or store. Called only when the status differs from the one last passed for the
 * same object, never twice at once for one object, and from worker threads: implementations are
 * thread-safe. A failure to write is logged and the status is offered again with the next change.
 */
public interface StatusSink {

  /** {@code es} has a new status. */
  void externalSecretStatus(ExternalSecret es, ExternalSecretStatus status);

  /** {@code store} has a new status. */
  void storeStatus(SecretStoreResource store, StoreStatus status);

  /** A sink that writes nothing. */
  static StatusSink none() {
    return new StatusSink() {
      @Override
      public void externalSecretStatus(ExternalSecret es, ExternalSecretStatus status) {}

      @Override
      public void storeStatus(SecretStoreResource store, StoreStatus status) {}
    };
  }
}
