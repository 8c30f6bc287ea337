package io.secretsync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.InvalidConfigException;
import io.secretsync.core.SecretStore;
import io.secretsync.core.SecretStoreException;
import io.secretsync.core.StoreRegistry;
import io.secretsync.core.SyncResult;
import io.secretsync.core.model.ClusterStoreCondition;
import io.secretsync.core.model.ConfigNode;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ObjectMeta;
import io.secretsync.core.model.ProviderConfig;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Store resolution, ClusterSecretStore conditions and the life of live stores. */
class StoreRegistryTest {
  private final InMemorySecretStore kv = InMemorySecretStore.create("registry-" + UUID.randomUUID());
  private final StoreRegistry registry = StoreRegistry.builder()
      .namespaceLabels(namespace -> namespace.equals("labelled") ? Map.of("team", "a", "env", "prod") : Map.of())
      .build();

  @AfterEach
  void close() {
    registry.close();
  }

  private static ClusterStoreCondition condition(Map<String, String> labels, List<String> namespaces, List<String> regexes) {
    return new ClusterStoreCondition(ImmutableMap.copyOf(labels), ImmutableList.copyOf(namespaces),
        ImmutableList.copyOf(regexes));
  }

  @Test
  void providersAreFoundWithServiceLoader() {
    assertTrue(registry.providerNames().contains(InMemorySecretStore.PROVIDER_NAME), registry.providerNames().toString());
  }

  @Test
  void oneLiveStoreServesEverySyncOfAStore() {
    registry.put(EngineFixture.clusterStore("css", kv));

    SecretStore first = registry.store(StoreRef.clusterSecretStore("css"), "a");
    SecretStore second = registry.store(StoreRef.clusterSecretStore("css"), "b");

    assertSame(first, second);
    assertEquals(1, kv.handlesOpened());
  }

  @Test
  void aChangedSpecClosesTheOldStoreAndTheNextUseOpensANewOne() {
    registry.put(EngineFixture.clusterStore("css", kv));
    SecretStore old = registry.store(StoreRef.clusterSecretStore("css"), "a");
    InMemorySecretStore other = InMemorySecretStore.create("registry-other-" + UUID.randomUUID());

    registry.put(EngineFixture.clusterStore("css", other));

    assertEquals(1, kv.handlesClosed());
    assertThrows(IllegalStateException.class, () -> old.validate());
    registry.store(StoreRef.clusterSecretStore("css"), "a").validate();
    assertEquals(1, other.handlesOpened());
  }

  @Test
  void aNewGenerationOrUidClosesTheStore() {
    SecretStoreResource v1 = withMeta(EngineFixture.clusterStore("css", kv), "uid-1", 1, "10");
    registry.put(v1);
    registry.store(StoreRef.clusterSecretStore("css"), "a");

    registry.put(withMeta(v1, "uid-1", 2, "11"));
    registry.store(StoreRef.clusterSecretStore("css"), "a");
    registry.put(withMeta(v1, "uid-2", 2, "12"));

    assertEquals(2, kv.handlesOpened());
    assertEquals(2, kv.handlesClosed());
  }

  @Test
  void aNewResourceVersionOrNewLabelsKeepTheStore() {
    SecretStoreResource v1 = withMeta(EngineFixture.clusterStore("css", kv), "uid-1", 1, "10");
    registry.put(v1);
    SecretStore live = registry.store(StoreRef.clusterSecretStore("css"), "a");

    SecretStoreResource statusUpdate = withMeta(v1, "uid-1", 1, "11");
    registry.put(new SecretStoreResource(statusUpdate.kind(), statusUpdate.metadata().withLabels(Map.of("x", "y")),
        statusUpdate.controller(), statusUpdate.provider(), statusUpdate.retrySettings(), statusUpdate.refreshInterval(),
        statusUpdate.conditions()));

    assertSame(live, registry.store(StoreRef.clusterSecretStore("css"), "a"));
    assertEquals(0, kv.handlesClosed());
  }

  @Test
  void removeClosesTheStoreAndLaterUsesSayItIsNotFound() {
    registry.put(EngineFixture.clusterStore("css", kv));
    registry.store(StoreRef.clusterSecretStore("css"), "a");

    registry.remove(StoreRef.clusterSecretStore("css"), "ignored");

    assertEquals(1, kv.handlesClosed());
    SecretStoreException e = assertThrows(SecretStoreException.class,
        () -> registry.store(StoreRef.clusterSecretStore("css"), "a"));
    assertEquals("ClusterSecretStore \"css\" not found", e.getMessage());
  }

  @Test
  void closeClosesEveryLiveStore() {
    InMemorySecretStore other = InMemorySecretStore.create("registry-other-" + UUID.randomUUID());
    registry.put(EngineFixture.clusterStore("css", kv));
    registry.put(EngineFixture.secretStore("team", "ss", other));
    registry.store(StoreRef.clusterSecretStore("css"), "a");
    registry.store(StoreRef.secretStore("ss"), "team");

    registry.close();
    registry.close();

    assertEquals(1, kv.handlesClosed());
    assertEquals(1, other.handlesClosed());
    assertThrows(IllegalStateException.class, () -> registry.put(EngineFixture.clusterStore("css", kv)));
  }

  @Test
  void aSecretStoreIsFoundOnlyInItsOwnNamespace() {
    registry.put(EngineFixture.secretStore("team", "ss", kv));

    registry.store(StoreRef.secretStore("ss"), "team");
    SecretStoreException e = assertThrows(SecretStoreException.class,
        () -> registry.store(StoreRef.secretStore("ss"), "other"));

    assertEquals("SecretStore \"ss\" not found in namespace \"other\"", e.getMessage());
    assertTrue(e.hints().get(0).contains("ClusterSecretStore"), e.hints().toString());
  }

  @Test
  void clusterStoreWithoutConditionsServesEveryNamespace() {
    registry.put(EngineFixture.clusterStore("css", kv));

    registry.store(StoreRef.clusterSecretStore("css"), "anything");
  }

  @Test
  void clusterStoreConditionsAreOredAndRegexesUnanchored() {
    SecretStoreResource store = EngineFixture.clusterStore("css", kv,
        condition(Map.of(), List.of("example-api"), List.of()),
        condition(Map.of(), List.of(), List.of("worker")),
        condition(Map.of("team", "a"), List.of(), List.of()));
    registry.put(store);

    assertTrue(registry.admits(store, "example-api"));
    assertTrue(registry.admits(store, "example-worker-2"), "regexes are unanchored");
    assertTrue(registry.admits(store, "labelled"), "namespaceSelector matchLabels");
    assertTrue(!registry.admits(store, "example-admin"));
  }

  @Test
  void aDeniedNamespaceGetsEsosMessage() {
    registry.put(EngineFixture.clusterStore("css", kv, condition(Map.of("team", "b"), List.of("x"), List.of("^y$"))));

    SecretStoreException e = assertThrows(SecretStoreException.class,
        () -> registry.store(StoreRef.clusterSecretStore("css"), "labelled"));

    assertEquals("using cluster store \"css\" is not allowed from namespace \"labelled\": denied by spec.condition",
        e.getMessage());
  }

  @Test
  void aDeniedNamespaceFailsTheSyncWithoutReading() {
    kv.put("k", Map.of("p", "v"));
    registry.put(EngineFixture.clusterStore("css", kv, condition(Map.of(), List.of("allowed"), List.of())));
    InMemoryTargetWriter writer = new InMemoryTargetWriter();
    var engine = io.secretsync.core.SyncEngine.builder().stores(registry).writer(writer).build();

    SyncResult result = engine.sync(ExternalSecret.builder("denied", "es").store(StoreRef.clusterSecretStore("css"))
        .data("p", RemoteRef.of("k", "p")).build());

    assertEquals("could not get secret data from provider", result.message());
    assertTrue(result.error().orElseThrow().getMessage().contains("denied by spec.condition"));
    assertEquals(0, kv.reads());
    assertTrue(writer.writes().isEmpty());
  }

  @Test
  void anUnknownProviderIsRefusedNamingTheField() {
    SecretStoreResource store = new SecretStoreResource(io.secretsync.core.model.StoreKind.CLUSTER_SECRET_STORE,
        ObjectMeta.of("", "css"), "", new ProviderConfig("aws", ConfigNode.of("spec.provider.aws",
            JsonNodeFactory.instance.objectNode())), java.util.Optional.empty(), Duration.ZERO, ImmutableList.of());

    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> registry.put(store));

    assertEquals("spec.provider.aws", e.field());
    assertTrue(e.getMessage().contains("installed: memory"), e.getMessage());
    assertTrue(registry.definitions().isEmpty());
  }

  @Test
  void invalidProviderSettingsAreRefusedAtPut() {
    SecretStoreResource store = new SecretStoreResource(io.secretsync.core.model.StoreKind.CLUSTER_SECRET_STORE,
        ObjectMeta.of("", "css"), "", new ProviderConfig("memory", ConfigNode.of("spec.provider.memory",
            JsonNodeFactory.instance.objectNode().put("nmae", "typo"))), java.util.Optional.empty(), Duration.ZERO,
        ImmutableList.of());

    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> registry.put(store));

    assertEquals("spec.provider.memory.nmae", e.field());
  }

  @Test
  void concurrentSyncsShareOneLiveStore() throws Exception {
    kv.put("k", Map.of("p", "v"));
    registry.put(EngineFixture.clusterStore("css", kv));
    InMemoryTargetWriter writer = new InMemoryTargetWriter();
    var engine = io.secretsync.core.SyncEngine.builder().stores(registry).writer(writer).build();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<SyncResult>> results = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        String ns = "ns-" + (i % 8);
        String name = "es-" + i;
        results.add(pool.submit(() -> engine.sync(ExternalSecret.builder(ns, name)
            .store(StoreRef.clusterSecretStore("css")).data("p", RemoteRef.of("k", "p")).build())));
      }
      for (Future<SyncResult> result : results) {
        assertTrue(result.get(30, TimeUnit.SECONDS).ready());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, kv.handlesOpened());
    assertEquals(64, writer.secrets().size());
  }

  private static SecretStoreResource withMeta(SecretStoreResource store, String uid, long generation, String rv) {
    return new SecretStoreResource(store.kind(), store.metadata().withUid(uid).withGeneration(generation)
        .withResourceVersion(rv), store.controller(), store.provider(), store.retrySettings(), store.refreshInterval(),
        store.conditions());
  }
}
