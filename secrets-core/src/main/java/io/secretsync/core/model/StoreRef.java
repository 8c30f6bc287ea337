package io.secretsync.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

/** {@code secretStoreRef} / {@code sourceRef.storeRef}: which store to read from. */
public record StoreRef(String name, StoreKind kind) {

  public StoreRef {
    requireNonNull(name, "name");
    checkArgument(!name.isEmpty(), "store name must not be empty");
    requireNonNull(kind, "kind");
  }

  public static StoreRef secretStore(String name) {
    return new StoreRef(name, StoreKind.SECRET_STORE);
  }

  public static StoreRef clusterSecretStore(String name) {
    return new StoreRef(name, StoreKind.CLUSTER_SECRET_STORE);
  }

  @Override
  public String toString() {
    return kind.wireName() + "/" + name;
  }
}
