package io.secretsync.core;

import io.secretsync.core.model.SecretStoreResource;

/**
 * Makes {@link SecretStore}s for one kind of provider ({@code spec.provider.<name>}). Found with
 * {@link java.util.ServiceLoader}; implementations need a public no-argument constructor and are
 * thread-safe.
 */
public interface SecretStoreProvider {

  /** The provider's key under {@code spec.provider}, e.g. {@code vault}. */
  String name();

  /**
   * Checks the store's settings without any I/O.
   *
   * @throws InvalidConfigException naming the first unknown, missing or contradictory field
   */
  void validateConfig(SecretStoreResource store);

  /**
   * Creates a store for {@code store}; cheap, connects lazily. The caller owns the result and
   * closes it when the store's definition changes or goes away.
   *
   * @throws InvalidConfigException when the settings are invalid
   */
  SecretStore newStore(SecretStoreResource store, StoreContext context);
}
