package io.secretsync.testkit.controller;

import static io.secretsync.testkit.controller.ControllerFixture.NAMESPACE;
import static io.secretsync.testkit.controller.ControllerFixture.T0;
import static io.secretsync.testkit.controller.ControllerFixture.es;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.controller.Condition;
import io.secretsync.core.controller.ExternalSecretStatus;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ObjectMeta;
import io.secretsync.core.model.RefreshPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class RefreshScheduleTest {
  private static final Duration HOUR = Duration.ofHours(1);
  private static final List<Duration> INTERVALS = List.of(Duration.ofMinutes(1), Duration.ofMinutes(2),
      Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(15), Duration.ofMinutes(30), HOUR);

  /** What one ExternalSecret of the hour-long run is, and how often it should sync. */
  private record Plan(String name, RefreshPolicy policy, Duration interval, boolean changed) {
    long expectedSyncs(Duration total, Duration changeAt) {
      boolean periodic = policy == RefreshPolicy.PERIODIC && !interval.isZero();
      if (!periodic) {
        return 1 + (changed && policy != RefreshPolicy.CREATED_ONCE ? 1 : 0);
      }
      if (!changed) {
        return 1 + total.dividedBy(interval);
      }
      // the cadence restarts at the change
      return 1 + changeAt.dividedBy(interval) + 1 + total.minus(changeAt).dividedBy(interval);
    }
  }

  @Test
  void fiveHundredExternalSecretsRefreshOnScheduleOverAnHour() {
    try (ControllerFixture fx = new ControllerFixture(b -> b.workers(8))) {
      List<Plan> plans = plans(500);
      for (Plan plan : plans) {
        fx.putSecret(plan.name, "v1");
        fx.controller.applyExternalSecret(build(plan, Map.of()));
      }
      fx.startWithStore();
      Duration changeAt = Duration.ofMinutes(17).plusSeconds(30);

      fx.scheduler.advance(changeAt);
      for (Plan plan : plans) {
        if (plan.changed) {
          fx.controller.applyExternalSecret(build(plan, Map.of("force-sync", "1")));
        }
      }
      fx.scheduler.runPending();
      Instant changedAt = T0.plus(changeAt);
      for (Plan plan : plans) {
        if (plan.changed && plan.policy != RefreshPolicy.CREATED_ONCE) {
          assertEquals(Optional.of(changedAt), status(fx, plan.name).refreshTime(),
              plan.name + " syncs at once when its annotations change");
        }
      }
      fx.scheduler.advance(HOUR.minus(changeAt));

      List<String> off = new ArrayList<>();
      for (Plan plan : plans) {
        long expected = plan.expectedSyncs(HOUR, changeAt);
        int actual = fx.provider.reads("app/" + plan.name);
        if (Math.abs(actual - expected) > 1) {
          off.add(plan + ": expected " + expected + " +-1, synced " + actual);
        }
      }
      assertEquals(List.of(), off);
      assertEquals(1, fx.provider.maxConcurrentReadsOfOneKey());
      assertTrue(plans.stream().allMatch(p -> status(fx, p.name).isReady()));
    }
  }

  @Test
  void realWorkerThreadsKeepTheScheduleAndNeverRunOneExternalSecretTwiceAtOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (ControllerFixture fx = new ControllerFixture(b -> b.workers(8).executor(pool))) {
      fx.provider.spin = true;
      List<Plan> plans = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        plans.add(new Plan("es-" + i, RefreshPolicy.PERIODIC, i % 2 == 0 ? Duration.ofMinutes(1) : Duration.ofMinutes(5),
            false));
      }
      for (Plan plan : plans) {
        fx.putSecret(plan.name, "v1");
        fx.controller.applyExternalSecret(build(plan, Map.of()));
      }
      fx.startWithStore();
      assertTrue(fx.controller.awaitIdle(Duration.ofSeconds(30)));
      for (int second = 0; second < 3600; second++) {
        fx.scheduler.advance(Duration.ofSeconds(1));
        assertTrue(fx.controller.awaitIdle(Duration.ofSeconds(30)), "the workers drain each second's refreshes");
      }
      for (Plan plan : plans) {
        long expected = plan.expectedSyncs(HOUR, Duration.ZERO);
        int actual = fx.provider.reads("app/" + plan.name);
        assertTrue(Math.abs(actual - expected) <= 1, plan + ": expected " + expected + " +-1, synced " + actual);
      }
      assertEquals(1, fx.provider.maxConcurrentReadsOfOneKey());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void refreshesAreSpreadByJitterWithoutDrift() {
    try (ControllerFixture fx = new ControllerFixture()) {
      for (int i = 0; i < 20; i++) {
        fx.putSecret("j" + i, "v");
        fx.controller.applyExternalSecret(es("j" + i).refreshInterval(Duration.ofMinutes(10)).build());
      }
      fx.startWithStore();
      fx.scheduler.advance(Duration.ofMinutes(10).plusSeconds(59));
      Set<Instant> refreshTimes = new HashSet<>();
      for (int i = 0; i < 20; i++) {
        Instant refreshed = status(fx, "j" + i).refreshTime().orElseThrow();
        assertTrue(!refreshed.isBefore(T0.plus(Duration.ofMinutes(10))), "not before the interval: " + refreshed);
        assertTrue(refreshed.isBefore(T0.plus(Duration.ofMinutes(11))), "within 10% jitter: " + refreshed);
        refreshTimes.add(refreshed);
      }
      assertTrue(refreshTimes.size() > 10, "refreshes are spread, not all at once: " + refreshTimes);
      // after ten cycles each is still within one jitter of its cadence
      fx.scheduler.advance(Duration.ofMinutes(90));
      for (int i = 0; i < 20; i++) {
        Instant refreshed = status(fx, "j" + i).refreshTime().orElseThrow();
        assertTrue(!refreshed.isBefore(T0.plus(Duration.ofMinutes(100)))
            && refreshed.isBefore(T0.plus(Duration.ofMinutes(101))), "cadence kept: " + refreshed);
        assertEquals(11, fx.provider.reads("app/j" + i));
      }
    }
  }

  @Test
  void onChangeSyncsOnlyWhenItsSpecLabelsOrAnnotationsChange() {
    try (ControllerFixture fx = new ControllerFixture()) {
      fx.putSecret("oc", "v1");
      ExternalSecret es = es("oc").refreshPolicy(RefreshPolicy.ON_CHANGE).refreshInterval(Duration.ofMinutes(1)).build();
      fx.controller.applyExternalSecret(es);
      fx.startWithStore();
      fx.scheduler.advance(Duration.ofHours(2));
      assertEquals(1, fx.provider.reads("app/oc"));

      fx.controller.applyExternalSecret(es);
      fx.controller.applyExternalSecret(new ExternalSecret(es.metadata().withResourceVersion("42"), es.spec()));
      fx.scheduler.runPending();
      assertEquals(1, fx.provider.reads("app/oc"), "the same object again, or a new resourceVersion alone, is no change");

      fx.putSecret("oc", "v2");
      fx.controller.applyExternalSecret(new ExternalSecret(es.metadata().withLabels(Map.of("team", "a")), es.spec()));
      fx.scheduler.runPending();
      assertEquals(2, fx.provider.reads("app/oc"));
      assertEquals(Optional.of("v2"), fx.targetPassword("oc"));

      fx.controller.applyExternalSecret(new ExternalSecret(es.metadata().withGeneration(2), es.spec()));
      fx.scheduler.runPending();
      assertEquals(3, fx.provider.reads("app/oc"));
    }
  }

  @Test
  void createdOnceSyncsOnceAndIgnoresLaterChanges() {
    try (ControllerFixture fx = new ControllerFixture()) {
      fx.putSecret("once", "v1");
      ExternalSecret es = es("once").refreshPolicy(RefreshPolicy.CREATED_ONCE)
          .refreshInterval(Duration.ofMinutes(1)).build();
      fx.controller.applyExternalSecret(es);
      fx.startWithStore();
      fx.scheduler.runPending();
      fx.putSecret("once", "v2");
      fx.controller.applyExternalSecret(new ExternalSecret(es.metadata().withGeneration(5), es.spec()));
      fx.scheduler.advance(Duration.ofHours(1));
      assertEquals(1, fx.provider.reads("app/once"));
      assertEquals(Optional.of("v1"), fx.targetPassword("once"));
    }
  }

  @Test
  void intervalZeroSyncsOnceAndAgainOnlyOnAChange() {
    try (ControllerFixture fx = new ControllerFixture()) {
      fx.putSecret("zero", "v1");
      ExternalSecret es = es("zero").refreshInterval(Duration.ZERO).build();
      fx.controller.applyExternalSecret(es);
      fx.startWithStore();
      fx.scheduler.advance(Duration.ofHours(3));
      assertEquals(1, fx.provider.reads("app/zero"));
      fx.controller.applyExternalSecret(
          new ExternalSecret(es.metadata().withAnnotations(Map.of("force-sync", "now")), es.spec()));
      fx.scheduler.advance(Duration.ofHours(3));
      assertEquals(2, fx.provider.reads("app/zero"));
    }
  }

  @Test
  void aShorterIntervalTakesEffectAtOnce() {
    try (ControllerFixture fx = new ControllerFixture(b -> b.refreshJitter(0))) {
      fx.putSecret("speed", "v1");
      fx.controller.applyExternalSecret(es("speed").refreshInterval(Duration.ofHours(1)).build());
      fx.startWithStore();
      fx.scheduler.advance(Duration.ofMinutes(10));
      fx.controller.applyExternalSecret(es("speed").refreshInterval(Duration.ofMinutes(1)).build());
      fx.scheduler.advance(Duration.ofMinutes(5));
      assertEquals(1 + 1 + 5, fx.provider.reads("app/speed"));
    }
  }

  @Test
  void resumingFromAWrittenStatusKeepsTheScheduleInsteadOfSyncingEverythingAtOnce() {
    try (ControllerFixture fx = new ControllerFixture(b -> b.refreshJitter(0))) {
      ExternalSecret periodic = es("p").refreshInterval(Duration.ofHours(1)).build();
      ExternalSecret onChange = es("oc").refreshPolicy(RefreshPolicy.ON_CHANGE).build();
      ExternalSecret onChangeEdited = new ExternalSecret(es("oce").build().metadata().withGeneration(3),
          es("oce").refreshPolicy(RefreshPolicy.ON_CHANGE).build().spec());
      ExternalSecret createdOnce = es("co").refreshPolicy(RefreshPolicy.CREATED_ONCE).build();
      ExternalSecret overdue = es("late").refreshInterval(Duration.ofMinutes(10)).build();
      for (String name : List.of("p", "oc", "oce", "co", "late")) {
        fx.putSecret(name, "v");
      }
      Instant tenMinutesAgo = T0.minus(Duration.ofMinutes(10));
      fx.controller.applyExternalSecret(periodic, synced(periodic, tenMinutesAgo));
      fx.controller.applyExternalSecret(onChange, synced(onChange, tenMinutesAgo));
      fx.controller.applyExternalSecret(onChangeEdited, synced(
          new ExternalSecret(onChangeEdited.metadata().withGeneration(2), onChangeEdited.spec()), tenMinutesAgo));
      fx.controller.applyExternalSecret(createdOnce, synced(createdOnce, tenMinutesAgo));
      fx.controller.applyExternalSecret(overdue, synced(overdue, T0.minus(Duration.ofMinutes(11))));
      fx.startWithStore();
      assertFalse(fx.controller.isReady(), "two ExternalSecrets wait for their first sync");
      fx.scheduler.runPending();
      assertTrue(fx.controller.isReady());

      assertEquals(0, fx.provider.reads("app/p"));
      assertEquals(0, fx.provider.reads("app/oc"));
      assertEquals(1, fx.provider.reads("app/oce"), "generation 3 was never synced");
      assertEquals(0, fx.provider.reads("app/co"));
      assertEquals(1, fx.provider.reads("app/late"), "overdue: synced at once");

      fx.scheduler.advance(Duration.ofMinutes(49).plusSeconds(59));
      assertEquals(0, fx.provider.reads("app/p"));
      fx.scheduler.advance(Duration.ofSeconds(1));
      assertEquals(1, fx.provider.reads("app/p"), "due one interval after the written refreshTime");
      assertEquals(0, fx.provider.reads("app/co"));
    }
  }

  private static ExternalSecretStatus synced(ExternalSecret es, Instant at) {
    return new ExternalSecretStatus(Optional.of(Condition.ready(true, "SecretSynced", "secret synced", at)),
        Optional.of(at), es.metadata().generation() + "-" + metadataHash(es), es.targetName());
  }

  /** ESO's hash of labels and annotations: SHA3-224 of Go's %+v of the two maps (both empty here). */
  private static String metadataHash(ExternalSecret es) {
    assertTrue(es.metadata().labels().isEmpty() && es.metadata().annotations().isEmpty());
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA3-224")
          .digest("{annotations:map[] labels:map[]}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static List<Plan> plans(int count) {
    List<Plan> plans = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      boolean changed = i % 7 == 0;
      Plan plan = switch (i % 10) {
        case 7 -> new Plan("es-" + i, RefreshPolicy.ON_CHANGE, Duration.ofMinutes(5), changed);
        case 8 -> new Plan("es-" + i, RefreshPolicy.CREATED_ONCE, Duration.ofMinutes(1), changed);
        case 9 -> new Plan("es-" + i, RefreshPolicy.PERIODIC, Duration.ZERO, changed);
        default -> new Plan("es-" + i, RefreshPolicy.PERIODIC, INTERVALS.get(i % 10), changed);
      };
      plans.add(plan);
    }
    return plans;
  }

  private static ExternalSecret build(Plan plan, Map<String, String> annotations) {
    ExternalSecret es = es(plan.name).refreshPolicy(plan.policy).refreshInterval(plan.interval).build();
    ObjectMeta meta = es.metadata().withAnnotations(annotations);
    return new ExternalSecret(meta, es.spec());
  }

  private static ExternalSecretStatus status(ControllerFixture fx, String name) {
    return fx.controller.status(NAMESPACE, name).orElseThrow();
  }

  @Test
  void aRemovedExternalSecretStopsSyncing() {
    try (ControllerFixture fx = new ControllerFixture()) {
      fx.putSecret("gone", "v1");
      fx.controller.applyExternalSecret(es("gone").refreshInterval(Duration.ofMinutes(1)).build());
      fx.startWithStore();
      fx.scheduler.advance(Duration.ofMinutes(3).plusSeconds(30));
      int before = fx.provider.reads("app/gone");
      fx.controller.removeExternalSecret(NAMESPACE, "gone");
      fx.scheduler.advance(Duration.ofHours(1));
      assertEquals(before, fx.provider.reads("app/gone"));
      assertFalse(fx.controller.status(NAMESPACE, "gone").isPresent());
      assertEquals(Optional.of("v1"), fx.targetPassword("gone"), "deletionPolicy Retain keeps the target");
    }
  }
}
