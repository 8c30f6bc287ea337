package io.secretsync.testkit;

import com.google.common.collect.ImmutableList;
import io.secretsync.core.controller.ExternalSecretStatus;
import io.secretsync.core.controller.StatusSink;
import io.secretsync.core.controller.StoreStatus;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Status writes kept in memory, as the API server would hold them: the latest status of each
 * ExternalSecret ({@code namespace/name}) and store ({@code Kind/namespace/name}), and every write in
 * order. Thread-safe.
 */
public final class InMemoryStatusSink implements StatusSink {

  /** One status write. */
  public record Write(String object, Object status) {}

  private final Map<String, ExternalSecretStatus> externalSecrets = new HashMap<>();
  private final Map<String, StoreStatus> stores = new HashMap<>();
  private final List<Write> writes = new ArrayList<>();

  @Override
  public synchronized void externalSecretStatus(ExternalSecret es, ExternalSecretStatus status) {
    String key = es.metadata().namespace() + "/" + es.metadata().name();
    externalSecrets.put(key, status);
    writes.add(new Write(key, status));
  }

  @Override
  public synchronized void storeStatus(SecretStoreResource store, StoreStatus status) {
    String key = storeKey(store.kind().wireName(), store.metadata().namespace(), store.metadata().name());
    stores.put(key, status);
    writes.add(new Write(key, status));
  }

  public synchronized Optional<ExternalSecretStatus> externalSecret(String namespace, String name) {
    return Optional.ofNullable(externalSecrets.get(namespace + "/" + name));
  }

  /** The status of a store; {@code namespace} is empty for a ClusterSecretStore. */
  public synchronized Optional<StoreStatus> store(String kind, String namespace, String name) {
    return Optional.ofNullable(stores.get(storeKey(kind, namespace, name)));
  }

  public synchronized ImmutableList<Write> writes() {
    return ImmutableList.copyOf(writes);
  }

  /** The writes for one object ({@code namespace/name}, or {@code Kind/namespace/name} for a store). */
  public synchronized ImmutableList<Write> writesFor(String object) {
    return writes.stream().filter(w -> w.object().equals(object)).collect(ImmutableList.toImmutableList());
  }

  public synchronized void clear() {
    writes.clear();
  }

  private static String storeKey(String kind, String namespace, String name) {
    return kind + "/" + namespace + "/" + name;
  }
}
