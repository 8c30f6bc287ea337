package io.secretsync.core.controller;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableSet;
import io.secretsync.core.model.DataFromSource;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ExternalSecretData;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import io.secretsync.core.model.StoreRef;

/** Identities of the objects the controller tracks. */
final class Keys {
  private Keys() {}

  /** An ExternalSecret: namespace and name. */
  record EsKey(String namespace, String name) {
    EsKey {
      requireNonNull(namespace, "namespace");
      requireNonNull(name, "name");
    }

    static EsKey of(ExternalSecret es) {
      return new EsKey(es.metadata().namespace(), es.metadata().name());
    }

    @Override
    public String toString() {
      return namespace + "/" + name;
    }
  }

  /** A store: kind, namespace (empty for a ClusterSecretStore) and name. */
  record StoreKey(StoreKind kind, String namespace, String name) {
    StoreKey {
      requireNonNull(kind, "kind");
      namespace = kind == StoreKind.CLUSTER_SECRET_STORE ? "" : requireNonNull(namespace, "namespace");
      requireNonNull(name, "name");
    }

    /** The store {@code ref} names for an ExternalSecret in {@code namespace}. */
    static StoreKey of(StoreRef ref, String namespace) {
      return new StoreKey(ref.kind(), namespace, ref.name());
    }

    static StoreKey of(SecretStoreResource store) {
      return new StoreKey(store.kind(), store.metadata().namespace(), store.metadata().name());
    }

    StoreRef ref() {
      return new StoreRef(name, kind);
    }

    @Override
    public String toString() {
      return kind.wireName() + " \"" + (namespace.isEmpty() ? name : namespace + "/" + name) + "\"";
    }
  }

  /** Every store {@code es} reads from: its secretStoreRef and each entry's sourceRef.storeRef. */
  static ImmutableSet<StoreKey> storesOf(ExternalSecret es) {
    String namespace = es.metadata().namespace();
    ImmutableSet.Builder<StoreKey> keys = ImmutableSet.builder();
    es.spec().secretStoreRef().ifPresent(ref -> keys.add(StoreKey.of(ref, namespace)));
    for (ExternalSecretData entry : es.spec().data()) {
      entry.sourceStoreRef().ifPresent(ref -> keys.add(StoreKey.of(ref, namespace)));
    }
    for (DataFromSource source : es.spec().dataFrom()) {
      source.sourceStoreRef().ifPresent(ref -> keys.add(StoreKey.of(ref, namespace)));
    }
    return keys.build();
  }
}
