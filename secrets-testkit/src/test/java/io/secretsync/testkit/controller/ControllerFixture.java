package io.secretsync.testkit.controller;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.google.common.collect.ImmutableList;
import io.secretsync.core.StoreRegistry;
import io.secretsync.core.SyncEngine;
import io.secretsync.core.TargetWriter;
import io.secretsync.core.controller.PrometheusMetrics;
import io.secretsync.core.controller.ProviderMetering;
import io.secretsync.core.controller.SyncController;
import io.secretsync.core.model.ConfigNode;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ObjectMeta;
import io.secretsync.core.model.ProviderConfig;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import io.secretsync.core.model.StoreRef;
import io.secretsync.testkit.InMemoryEventSink;
import io.secretsync.testkit.InMemorySecretStore;
import io.secretsync.testkit.InMemoryStatusSink;
import io.secretsync.testkit.InMemoryTargetWriter;
import io.secretsync.testkit.TestClock;
import io.secretsync.testkit.TestScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * A controller over the real engine, an in-memory store registered as ClusterSecretStore
 * {@code vault} and an in-memory target writer, on a fake clock and a deterministic scheduler.
 */
final class ControllerFixture implements AutoCloseable {
  static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
  static final String NAMESPACE = "apps";

  final TestClock clock = TestClock.at(T0);
  final TestScheduler scheduler = new TestScheduler(clock);
  final InMemorySecretStore vault = InMemorySecretStore.create("vault-" + UUID.randomUUID());
  final InMemoryTargetWriter targets = new InMemoryTargetWriter();
  final CountingProvider provider = new CountingProvider();
  final PrometheusMetrics metrics = PrometheusMetrics.create();
  final InMemoryStatusSink statuses = new InMemoryStatusSink();
  final InMemoryEventSink events = new InMemoryEventSink();
  final StoreRegistry registry;
  final SyncEngine engine;
  final SyncController controller;

  ControllerFixture() {
    this(builder -> builder);
  }

  ControllerFixture(UnaryOperator<SyncController.Builder> configure) {
    this(configure, null);
  }

  ControllerFixture(UnaryOperator<SyncController.Builder> configure, UnaryOperator<TargetWriter> wrapWriter) {
    registry = StoreRegistry.builder().provider(ProviderMetering.wrap(provider, metrics)).build();
    TargetWriter writer = wrapWriter == null ? targets : wrapWriter.apply(targets);
    engine = SyncEngine.builder().stores(registry).writer(writer).clock(clock).build();
    SyncController.Builder builder = SyncController.builder()
        .engine(engine)
        .clock(clock)
        .scheduler(scheduler)
        .executor(scheduler.executor())
        .random(new SplittableRandom(7))
        .statusSink(statuses)
        .eventSink(events)
        .listener(metrics);
    controller = configure.apply(builder).build();
  }

  /** ClusterSecretStore {@code name} backed by {@code store}; validated every {@code refreshInterval} (0: default). */
  static SecretStoreResource clusterStore(String name, InMemorySecretStore store, Duration refreshInterval) {
    return new SecretStoreResource(StoreKind.CLUSTER_SECRET_STORE, ObjectMeta.of("", name), "",
        new ProviderConfig(InMemorySecretStore.PROVIDER_NAME, ConfigNode.of("spec.provider.memory",
            JsonNodeFactory.instance.objectNode().put("name", store.name()))),
        Optional.empty(), refreshInterval, ImmutableList.of());
  }

  SecretStoreResource vaultStore() {
    return clusterStore("vault", vault, Duration.ZERO);
  }

  /** An ExternalSecret {@code name} reading {@code app/<name>} property {@code password} from {@code vault}. */
  static ExternalSecret.Builder es(String name) {
    return ExternalSecret.builder(NAMESPACE, name)
        .store(StoreRef.clusterSecretStore("vault"))
        .data("password", RemoteRef.of("app/" + name, "password"));
  }

  void putSecret(String name, String password) {
    vault.put("app/" + name, Map.of("password", password));
  }

  /** The target's password, or empty when the target does not exist. */
  Optional<String> targetPassword(String name) {
    return targets.get(NAMESPACE, name)
        .flatMap(secret -> secret.data().get("password"))
        .map(bytes -> new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
  }

  void startWithStore() {
    controller.applyStore(vaultStore());
    controller.start();
  }

  @Override
  public void close() {
    controller.close();
  }
}
