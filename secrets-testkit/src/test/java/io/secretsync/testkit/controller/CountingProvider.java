package io.secretsync.testkit.controller;

import com.google.common.collect.ImmutableMap;
import io.secretsync.core.SecretDocument;
import io.secretsync.core.SecretStore;
import io.secretsync.core.SecretStoreProvider;
import io.secretsync.core.StoreContext;
import io.secretsync.core.model.FindRef;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.testkit.InMemorySecretStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The in-memory provider, with its stores counting reads per key and noticing when one key is read
 * by two threads at once (each read spins briefly so that overlaps are caught). Thread-safe.
 */
final class CountingProvider implements SecretStoreProvider {
  private final SecretStoreProvider delegate = InMemorySecretStore.provider();
  private final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final AtomicInteger maxInFlightPerKey = new AtomicInteger();
  private final AtomicInteger storesCreated = new AtomicInteger();
  volatile boolean spin;

  int reads(String key) {
    AtomicInteger count = reads.get(key);
    return count == null ? 0 : count.get();
  }

  int maxConcurrentReadsOfOneKey() {
    return maxInFlightPerKey.get();
  }

  int storesCreated() {
    return storesCreated.get();
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public void validateConfig(SecretStoreResource store) {
    delegate.validateConfig(store);
  }

  @Override
  public SecretStore newStore(SecretStoreResource store, StoreContext context) {
    storesCreated.incrementAndGet();
    SecretStore inner = delegate.newStore(store, context);
    return new SecretStore() {
      @Override
      public SecretDocument read(RemoteRef.Location location) {
        String key = location.key();
        reads.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        AtomicInteger current = inFlight.computeIfAbsent(key, k -> new AtomicInteger());
        int now = current.incrementAndGet();
        maxInFlightPerKey.accumulateAndGet(now, Math::max);
        try {
          if (spin) {
            for (int i = 0; i < 200; i++) {
              Thread.yield();
            }
          }
          return inner.read(location);
        } finally {
          current.decrementAndGet();
        }
      }

      @Override
      public ImmutableMap<String, SecretDocument> find(FindRef find) {
        return inner.find(find);
      }

      @Override
      public void validate() {
        inner.validate();
      }

      @Override
      public void close() {
        inner.close();
      }
    };
  }
}
