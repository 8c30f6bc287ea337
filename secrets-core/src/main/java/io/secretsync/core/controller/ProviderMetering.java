package io.secretsync.core.controller;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableMap;
import io.secretsync.core.SecretDocument;
import io.secretsync.core.SecretStore;
import io.secretsync.core.SecretStoreException;
import io.secretsync.core.SecretStoreProvider;
import io.secretsync.core.StoreContext;
import io.secretsync.core.model.FindRef;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.SecretStoreResource;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports the calls the stores of a provider make, as ESO's
 * {@code externalsecret_provider_api_calls_count}: each {@code read} as {@code ReadSecretData},
 * each {@code find} as {@code ListSecrets}, each {@code validate} as {@code ValidateStore}, with
 * status error when the store failed (a secret the store reports missing counts as success: the
 * store answered). Register the wrapped provider with the store registry in place of the original.
 */
public final class ProviderMetering {
  private static final Logger log = LoggerFactory.getLogger(ProviderMetering.class);

  public static final String CALL_READ = "ReadSecretData";
  public static final String CALL_LIST = "ListSecrets";
  public static final String CALL_VALIDATE = "ValidateStore";

  private ProviderMetering() {}

  /** {@code provider}, whose stores report every call to {@code listener}. */
  public static SecretStoreProvider wrap(SecretStoreProvider provider, SyncListener listener) {
    requireNonNull(provider, "provider");
    requireNonNull(listener, "listener");
    return new SecretStoreProvider() {
      @Override
      public String name() {
        return provider.name();
      }

      @Override
      public void validateConfig(SecretStoreResource store) {
        provider.validateConfig(store);
      }

      @Override
      public SecretStore newStore(SecretStoreResource store, StoreContext context) {
        return new MeteredStore(provider.name(), provider.newStore(store, context), listener);
      }

      @Override
      public String toString() {
        return "Metered(" + provider + ")";
      }
    };
  }

  private record MeteredStore(String provider, SecretStore delegate, SyncListener listener) implements SecretStore {
    @Override
    public SecretDocument read(RemoteRef.Location location) {
      return call(CALL_READ, () -> delegate.read(location));
    }

    @Override
    public ImmutableMap<String, SecretDocument> find(FindRef find) {
      return call(CALL_LIST, () -> delegate.find(find));
    }

    @Override
    public void validate() {
      call(CALL_VALIDATE, () -> {
        delegate.validate();
        return null;
      });
    }

    @Override
    public void close() {
      delegate.close();
    }

    private <T> T call(String name, Supplier<T> body) {
      boolean success = false;
      try {
        T value = body.get();
        success = true;
        return value;
      } catch (SecretStoreException.NoSecretException e) {
        success = true;
        throw e;
      } finally {
        try {
          listener.providerApiCall(provider, name, success);
        } catch (RuntimeException e) {
          log.warn("listener {} failed on a provider call: {}", listener, e.toString());
        }
      }
    }
  }
}
