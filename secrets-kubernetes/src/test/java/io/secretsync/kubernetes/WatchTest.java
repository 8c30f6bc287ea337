package io.secretsync.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.SecretData;
import io.secretsync.core.TargetSecret;
import io.secretsync.kubernetes.KubernetesClient.ConfigMap;
import io.secretsync.kubernetes.KubernetesClient.EventType;
import io.secretsync.kubernetes.KubernetesClient.ResourceType;
import io.secretsync.kubernetes.KubernetesClient.Watch;
import io.secretsync.kubernetes.KubernetesClient.WatchEvent;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.server.FaultInjector.Fault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Watches against FakeKubernetes: initial list, changes, resume from the last resourceVersion, relist after 410. */
class WatchTest {
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static FakeKubernetes kube;
  private static KubernetesClient client;

  private final List<String> events = new CopyOnWriteArrayList<>();
  private String ns;

  @BeforeAll
  static void cluster() {
    kube = FakeKubernetes.start();
    client = TestFiles.adminClient(kube);
  }

  @AfterAll
  static void stop() {
    client.close();
    kube.close();
  }

  @BeforeEach
  void namespace() {
    ns = "watch-" + NAMESPACES.incrementAndGet();
    kube.createNamespace(ns);
  }

  private void record(WatchEvent<ObjectNode> event) {
    ObjectNode object = event.object();
    events.add(event.type() + " " + object.path("metadata").path("name").asText() + "="
        + object.path("data").path("v").asText(""));
  }

  @SuppressWarnings("unchecked")
  private Reflector<ObjectNode> watchConfigMaps(Duration serverTimeout) {
    return (Reflector<ObjectNode>) client.startWatch(ResourceType.CONFIG_MAPS, ns, "test=watch", Function.identity(),
        this::record, serverTimeout);
  }

  private void put(String name, String value) {
    var existing = client.getConfigMap(ns, name);
    ConfigMap map = new ConfigMap(ns, name, ImmutableMap.of("test", "watch"), ImmutableMap.of(),
        ImmutableMap.of("v", value), SecretData.empty(), false, existing.map(ConfigMap::resourceVersion).orElse(""));
    if (existing.isPresent()) {
      client.replaceConfigMap(map, "");
    } else {
      client.createConfigMap(map, "");
    }
  }

  @Test
  void existingObjectsThenChangesInOrder() throws InterruptedException {
    put("a", "1");
    put("b", "1");
    try (Watch watch = watchConfigMaps(Reflector.DEFAULT_TIMEOUT)) {
      assertTrue(watch.awaitSynced(Duration.ofSeconds(10)));
      assertEquals(List.of("ADDED a=1", "ADDED b=1"), events.stream().sorted().toList());

      put("a", "2");
      put("c", "1");
      client.deleteConfigMap(ns, "b", "");

      await(() -> events.size() == 5);
      assertEquals(List.of("MODIFIED a=2", "ADDED c=1", "DELETED b=1"), events.subList(2, 5));
    }
  }

  @Test
  void watchEndedByTheServerResumesFromTheLastResourceVersion() throws InterruptedException {
    Reflector<ObjectNode> watch = watchConfigMaps(Duration.ofSeconds(1));
    try {
      assertTrue(watch.awaitSynced(Duration.ofSeconds(10)));
      String path = "/api/v1/namespaces/" + ns + "/configmaps";
      for (int i = 1; i <= 6; i++) {
        put("x", Integer.toString(i));
        Thread.sleep(500);
      }

      await(() -> events.size() >= 6, () -> events.toString());
      assertEquals(List.of("ADDED x=1", "MODIFIED x=2", "MODIFIED x=3", "MODIFIED x=4", "MODIFIED x=5",
          "MODIFIED x=6"), events, "every change once, in order");
      assertEquals(1, watch.lists(), "resumed, never listed again");
      assertTrue(kube.auditLog().count("GET", path) >= 3, "one list and at least two watches: "
          + kube.auditLog().count("GET", path));
    } finally {
      watch.close();
    }
  }

  @Test
  void goneAfterAnOutageListsAgainAndReportsTheDifference() throws InterruptedException {
    put("stays", "1");
    put("goes", "1");
    Reflector<ObjectNode> watch = watchConfigMaps(Duration.ofSeconds(1));
    String path = "/api/v1/namespaces/" + ns + "/configmaps";
    try {
      assertTrue(watch.awaitSynced(Duration.ofSeconds(10)));
      kube.auditLog().clear();
      kube.faults().add(Fault.status(503).onPathPrefix(path));
      await(() -> kube.auditLog().entries(e -> e.path().equals(path) && e.status() == 503).size() > 0);

      // while the watch is down (the fault answers it, not in-process calls): changes, then a compaction
      kube.call("PUT", path + "/stays", "{\"metadata\":{\"name\":\"stays\",\"labels\":{\"test\":\"watch\"}},"
          + "\"data\":{\"v\":\"2\"}}", false);
      kube.call("DELETE", path + "/goes", "", false);
      kube.call("POST", path, "{\"metadata\":{\"name\":\"new\",\"labels\":{\"test\":\"watch\"}},"
          + "\"data\":{\"v\":\"1\"}}", false);
      kube.compactWatchHistory();
      kube.faults().clear();

      await(() -> events.size() == 5);
      assertEquals(List.of("ADDED goes=1", "ADDED stays=1"), events.subList(0, 2).stream().sorted().toList());
      assertEquals(List.of("ADDED new=1", "DELETED goes=1", "MODIFIED stays=2"),
          events.subList(2, 5).stream().sorted().toList());
      assertEquals(2, watch.lists());
    } finally {
      kube.faults().clear();
      watch.close();
    }
  }

  @Test
  void secretsByLabelSelectorAsTargetSecrets() throws InterruptedException {
    List<TargetSecret> seen = new CopyOnWriteArrayList<>();
    try (Watch watch = client.watchSecrets(ns, "reconcile.external-secrets.io/managed=true",
        event -> seen.add(event.object()))) {
      assertTrue(watch.awaitSynced(Duration.ofSeconds(10)));
      client.createSecret(new TargetSecret(ns, "unmanaged", "Opaque", ImmutableMap.of(), ImmutableMap.of(),
          ImmutableList.of(), false, SecretData.ofStrings(Map.of("k", "v")), ""), "");
      client.createSecret(new TargetSecret(ns, "managed", "Opaque",
          ImmutableMap.of("reconcile.external-secrets.io/managed", "true"), ImmutableMap.of(), ImmutableList.of(),
          false, SecretData.ofStrings(Map.of("k", "v")), ""), "");

      await(() -> !seen.isEmpty());
      Thread.sleep(200);
      assertEquals(List.of("managed"), seen.stream().map(TargetSecret::name).toList());
      assertEquals("v", seen.get(0).data().getString("k").orElseThrow());
    }
  }

  @Test
  void closedWatchReportsNothingMore() throws InterruptedException {
    Watch watch = watchConfigMaps(Reflector.DEFAULT_TIMEOUT);
    assertTrue(watch.awaitSynced(Duration.ofSeconds(10)));
    put("before", "1");
    await(() -> events.size() == 1);

    watch.close();
    put("after", "1");
    Thread.sleep(300);

    assertEquals(List.of("ADDED before=1"), events);
  }

  @Test
  void listenerFailureDoesNotStopTheWatch() throws InterruptedException {
    List<EventType> types = new CopyOnWriteArrayList<>();
    try (Watch watch = client.watch(ResourceType.CONFIG_MAPS, ns, "test=watch", event -> {
      types.add(event.type());
      if (types.size() == 1) {
        throw new IllegalStateException("listener bug");
      }
    })) {
      assertTrue(watch.awaitSynced(Duration.ofSeconds(10)));
      put("one", "1");
      put("two", "1");
      await(() -> types.size() == 2);
    }
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    await(condition, () -> "");
  }

  private static void await(BooleanSupplier condition, java.util.function.Supplier<String> state)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 20 s " + state.get());
      }
      Thread.sleep(20);
    }
  }
}
