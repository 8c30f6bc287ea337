package io.secretsync.testkit;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.secretsync.core.StoreRegistry;
import io.secretsync.core.SyncEngine;
import io.secretsync.core.model.ConfigNode;
import io.secretsync.core.model.ObjectMeta;
import io.secretsync.core.model.ProviderConfig;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** An engine over an in-memory store registered as ClusterSecretStore {@code vault-example-api}. */
final class EngineFixture implements AutoCloseable {
  final InMemorySecretStore vault = InMemorySecretStore.create("vault-" + UUID.randomUUID());
  final InMemoryTargetWriter writer = new InMemoryTargetWriter();
  final StoreRegistry registry = StoreRegistry.builder().provider(InMemorySecretStore.provider()).build();
  final SyncEngine engine = SyncEngine.builder().stores(registry).writer(writer).build();

  EngineFixture() {
    registry.put(clusterStore("vault-example-api", vault));
  }

  static SecretStoreResource clusterStore(String name, InMemorySecretStore store) {
    return new SecretStoreResource(StoreKind.CLUSTER_SECRET_STORE, ObjectMeta.of("", name), "",
        new ProviderConfig(InMemorySecretStore.PROVIDER_NAME, ConfigNode.of("spec.provider.memory",
            JsonNodeFactory.instance.objectNode().put("name", store.name()))),
        Optional.empty(), Duration.ZERO, com.google.common.collect.ImmutableList.of());
  }

  @Override
  public void close() {
    registry.close();
  }
}
