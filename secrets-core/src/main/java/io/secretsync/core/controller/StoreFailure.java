package io.secretsync.core.controller;

import io.secretsync.core.InvalidConfigException;
import io.secretsync.core.SecretStoreException;

/** What a store error says about the store itself. */
enum StoreFailure {
  /** The store is down or refuses everyone: unreachable, TLS failure, login failure. Counts against its circuit. */
  DOWN,
  /** The store is not usable as defined: missing, not allowed for the namespace, invalid settings. Wait for a change. */
  NOT_READY,
  /** The store answered; the failure is about this secret (missing, no such property, no permission). */
  ANSWERED;

  static StoreFailure of(Throwable error) {
    if (error instanceof SecretStoreException.UnreachableException
        || error instanceof SecretStoreException.TlsException
        || error instanceof SecretStoreException.AuthenticationException) {
      return DOWN;
    }
    if (error instanceof SecretStoreException.InvalidStoreConfigException
        || error instanceof InvalidConfigException
        || (error != null && error.getClass() == SecretStoreException.class)) {
      return NOT_READY;
    }
    return ANSWERED;
  }
}
