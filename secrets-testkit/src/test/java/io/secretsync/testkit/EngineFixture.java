package io.secretsync.testkit;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.google.common.collect.ImmutableList;
import io.secretsync.core.StoreRegistry;
import io.secretsync.core.SyncEngine;
import io.secretsync.core.model.ClusterStoreCondition;
import io.secretsync.core.model.ConfigNode;
import io.secretsync.core.model.ObjectMeta;
import io.secretsync.core.model.ProviderConfig;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * An engine on a fixed clock over an in-memory store registered as ClusterSecretStore
 * {@code vault-example-api} (no conditions), writing into an in-memory writer.
 */
final class EngineFixture implements AutoCloseable {
  static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");

  final InMemorySecretStore vault = InMemorySecretStore.create("vault-" + UUID.randomUUID());
  final InMemoryTargetWriter writer = new InMemoryTargetWriter();
  final StoreRegistry registry;
  final SyncEngine engine;

  EngineFixture() {
    this(StoreRegistry.builder().provider(InMemorySecretStore.provider()).build());
  }

  EngineFixture(StoreRegistry registry) {
    this.registry = registry;
    this.engine = SyncEngine.builder().stores(registry).writer(writer).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    registry.put(clusterStore("vault-example-api", vault));
  }

  static SecretStoreResource clusterStore(String name, InMemorySecretStore store, ClusterStoreCondition... conditions) {
    return new SecretStoreResource(StoreKind.CLUSTER_SECRET_STORE, ObjectMeta.of("", name), "",
        memory(store), Optional.empty(), Duration.ZERO, ImmutableList.copyOf(List.of(conditions)));
  }

  static SecretStoreResource secretStore(String namespace, String name, InMemorySecretStore store) {
    return new SecretStoreResource(StoreKind.SECRET_STORE, ObjectMeta.of(namespace, name), "", memory(store),
        Optional.empty(), Duration.ZERO, ImmutableList.of());
  }

  static ProviderConfig memory(InMemorySecretStore store) {
    return new ProviderConfig(InMemorySecretStore.PROVIDER_NAME, ConfigNode.of("spec.provider.memory",
        JsonNodeFactory.instance.objectNode().put("name", store.name())));
  }

  @Override
  public void close() {
    registry.close();
  }
}
