package io.secretsync.testkit.controller;

import static io.secretsync.testkit.controller.ControllerFixture.NAMESPACE;
import static io.secretsync.testkit.controller.ControllerFixture.es;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.SecretStoreException;
import io.secretsync.core.controller.ExternalSecretStatus;
import io.secretsync.core.controller.StoreCircuitBreaker;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.StoreKind;
import io.secretsync.testkit.InMemorySecretStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class StoreOutageTest {
  private static final List<Duration> INTERVALS =
      List.of(Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10));

  private static SecretStoreException down() {
    return new SecretStoreException.UnreachableException("cannot reach Vault at https://vault.example:8200: "
        + "connection refused", List.of("check that Vault is running"), null);
  }

  private static int requests(InMemorySecretStore store) {
    return store.reads() + store.finds() + store.validations();
  }

  /**
   * 200 ExternalSecrets refreshing every 1 to 10 minutes; the store is down for 30 minutes.
   *
   * <p>Bound: with the default circuit (3 failures open it; open 5 s, 10 s, 20 s, then 30 s) the
   * store receives at most the 3 failures that open the circuit, plus one probe per opening: 4 in
   * the first 35 s and 2 a minute after that, so at most 3 + 4 + 2 * 30 = 67 requests in 30
   * minutes. Without the circuit, each ExternalSecret would retry on its own backoff (1 s, 2 s,
   * 4 s... capped at its interval): more than 200 * 30 = 6000 requests.
   */
  @Test
  void aStoreDownForThirtyMinutesCostsABoundedNumberOfRequestsAndEverythingRecoversAtTheNextProbe() {
    try (ControllerFixture fx = new ControllerFixture()) {
      for (int i = 0; i < 200; i++) {
        fx.putSecret("es-" + i, "before-" + i);
        fx.controller.applyExternalSecret(es("es-" + i).refreshInterval(INTERVALS.get(i % 4)).build());
      }
      fx.startWithStore();
      fx.scheduler.advance(Duration.ofMinutes(3));
      Map<String, Optional<String>> before = new HashMap<>();
      for (int i = 0; i < 200; i++) {
        before.put("es-" + i, fx.targetPassword("es-" + i));
        assertEquals(Optional.of("before-" + i), fx.targetPassword("es-" + i));
      }
      int writesBefore = fx.targets.writes().size();

      fx.vault.resetCounters();
      fx.vault.failWith(down());
      for (int i = 0; i < 200; i++) {
        fx.putSecret("es-" + i, "after-" + i);
      }
      for (int minute = 0; minute < 30; minute++) {
        fx.scheduler.advance(Duration.ofMinutes(1));
        for (int i = 0; i < 200; i += 17) {
          assertEquals(before.get("es-" + i), fx.targetPassword("es-" + i), "targets keep their data");
        }
      }
      int outageRequests = requests(fx.vault);
      assertTrue(outageRequests <= 67, "requests during 30 minutes down: " + outageRequests);
      assertTrue(outageRequests >= 30, "the store was probed throughout: " + outageRequests);
      assertEquals(writesBefore, fx.targets.writes().size(), "nothing was written or deleted");
      for (int i = 0; i < 200; i++) {
        assertEquals(before.get("es-" + i), fx.targetPassword("es-" + i));
      }
      assertEquals(StoreCircuitBreaker.State.OPEN, fx.controller.circuitState(StoreKind.CLUSTER_SECRET_STORE, "", "vault"));
      ExternalSecretStatus waiting = fx.controller.status(NAMESPACE, "es-0").orElseThrow();
      assertFalse(waiting.isReady());
      assertEquals("could not get secret data from provider", waiting.ready().orElseThrow().message());
      String lastEvent = last(fx.events.eventsFor("ExternalSecret/" + NAMESPACE + "/es-0")).event().message();
      assertTrue(lastEvent.startsWith("ClusterSecretStore \"vault\" is not ready; last error: cannot reach Vault"),
          lastEvent);

      Instant back = fx.clock.instant();
      fx.vault.clearFailure();
      fx.scheduler.advance(StoreCircuitBreaker.Policy.defaults().maxOpen());
      for (int i = 0; i < 200; i++) {
        ExternalSecretStatus status = fx.controller.status(NAMESPACE, "es-" + i).orElseThrow();
        assertTrue(status.isReady(), "es-" + i + " recovered: " + status);
        assertTrue(!status.refreshTime().orElseThrow().isBefore(back.minusSeconds(1)), "es-" + i + " synced again");
        assertEquals(Optional.of("after-" + i), fx.targetPassword("es-" + i));
      }
      assertEquals(StoreCircuitBreaker.State.CLOSED,
          fx.controller.circuitState(StoreKind.CLUSTER_SECRET_STORE, "", "vault"));
    }
  }

  @Test
  void anExternalSecretWaitingForAMissingStoreSyncsTheMomentTheStoreIsApplied() {
    try (ControllerFixture fx = new ControllerFixture()) {
      fx.putSecret("early", "v1");
      fx.controller.applyExternalSecret(es("early").build());
      fx.controller.start();
      fx.scheduler.advance(Duration.ofMinutes(20));
      ExternalSecretStatus failing = fx.controller.status(NAMESPACE, "early").orElseThrow();
      assertFalse(failing.isReady());
      String failure = last(fx.events.eventsFor("ExternalSecret/" + NAMESPACE + "/early")).event().message();
      assertTrue(failure.contains("ClusterSecretStore \"vault\" not found"), failure);
      assertEquals(Optional.empty(), fx.targetPassword("early"));

      Instant applied = fx.clock.instant();
      fx.controller.applyStore(fx.vaultStore());
      fx.scheduler.runPending();
      ExternalSecretStatus ready = fx.controller.status(NAMESPACE, "early").orElseThrow();
      assertTrue(ready.isReady());
      assertEquals(Optional.of(applied), ready.refreshTime(), "synced at once, not at its next backoff step");
      assertEquals(Optional.of("v1"), fx.targetPassword("early"));
    }
  }

  @Test
  void externalSecretsWaitingForAStoreThatFailsValidationSyncWhenItBecomesReady() {
    try (ControllerFixture fx = new ControllerFixture()) {
      for (int i = 0; i < 5; i++) {
        fx.putSecret("w" + i, "v" + i);
        fx.controller.applyExternalSecret(es("w" + i).refreshInterval(Duration.ofHours(1)).build());
      }
      fx.vault.failWith(new SecretStoreException.AuthenticationException(
          "Vault login failed at auth/kubernetes/login: permission denied", List.of(), null));
      fx.startWithStore();
      fx.scheduler.advance(Duration.ofMinutes(10));
      assertFalse(fx.controller.storeStatus(StoreKind.CLUSTER_SECRET_STORE, "", "vault").orElseThrow().isReady());
      for (int i = 0; i < 5; i++) {
        assertFalse(fx.controller.status(NAMESPACE, "w" + i).orElseThrow().isReady());
      }

      fx.vault.clearFailure();
      Instant probeDue = fx.clock.instant().plus(StoreCircuitBreaker.Policy.defaults().maxOpen());
      fx.scheduler.advanceTo(probeDue);
      assertTrue(fx.controller.storeStatus(StoreKind.CLUSTER_SECRET_STORE, "", "vault").orElseThrow().isReady());
      for (int i = 0; i < 5; i++) {
        ExternalSecretStatus status = fx.controller.status(NAMESPACE, "w" + i).orElseThrow();
        assertTrue(status.isReady());
        Instant synced = status.refreshTime().orElseThrow();
        assertTrue(!synced.isAfter(probeDue), "synced when the store became ready: " + synced);
        assertEquals(Optional.of("v" + i), fx.targetPassword("w" + i));
      }
    }
  }

  @Test
  void aChangedStoreDefinitionResyncsItsFailingExternalSecretsAtOnce() {
    try (ControllerFixture fx = new ControllerFixture()) {
      fx.putSecret("moved", "old");
      fx.controller.applyExternalSecret(es("moved").refreshInterval(Duration.ofHours(1)).build());
      fx.vault.failWith(down());
      fx.startWithStore();
      fx.scheduler.advance(Duration.ofMinutes(7));
      assertFalse(fx.controller.status(NAMESPACE, "moved").orElseThrow().isReady());

      InMemorySecretStore replica = InMemorySecretStore.create("replica-" + UUID.randomUUID());
      replica.put("app/moved", Map.of("password", "from-replica"));
      fx.controller.applyStore(ControllerFixture.clusterStore("vault", replica, Duration.ZERO));
      fx.scheduler.runPending();
      assertTrue(fx.controller.status(NAMESPACE, "moved").orElseThrow().isReady());
      assertEquals(Optional.of("from-replica"), fx.targetPassword("moved"));
    }
  }

  @Test
  void aStoreIsValidatedOnItsOwnScheduleWithOneLiveStore() {
    try (ControllerFixture fx = new ControllerFixture()) {
      fx.putSecret("a", "v");
      fx.controller.applyExternalSecret(es("a").refreshInterval(Duration.ofMinutes(1)).build());
      fx.controller.applyStore(ControllerFixture.clusterStore("vault", fx.vault, Duration.ofMinutes(10)));
      fx.controller.start();
      fx.scheduler.advance(Duration.ofHours(1));
      assertEquals(7, fx.vault.validations(), "at start and every 10 minutes");
      assertEquals(1, fx.provider.storesCreated(), "validation and reads share one store (one token)");

      fx.controller.applyStore(ControllerFixture.clusterStore("vault", fx.vault, Duration.ZERO));
      fx.vault.resetCounters();
      fx.scheduler.advance(Duration.ofHours(1));
      assertEquals(1 + 12, fx.vault.validations(), "at the change and every 5 minutes (ESO's default)");
    }
  }

  @Test
  void aBrokenExternalSecretBacksOffUpToItsRefreshIntervalWithoutTrippingTheStore() {
    try (ControllerFixture fx = new ControllerFixture()) {
      fx.putSecret("fine", "v");
      fx.controller.applyExternalSecret(es("fine").refreshInterval(Duration.ofHours(1)).build());
      ExternalSecret hourly = ExternalSecret.builder(NAMESPACE, "hourly")
          .store(io.secretsync.core.model.StoreRef.clusterSecretStore("vault"))
          .refreshInterval(Duration.ofHours(1))
          .data("password", io.secretsync.core.model.RemoteRef.of("app/missing-hourly", "password")).build();
      ExternalSecret everyMinute = ExternalSecret.builder(NAMESPACE, "minutely")
          .store(io.secretsync.core.model.StoreRef.clusterSecretStore("vault"))
          .refreshInterval(Duration.ofMinutes(1))
          .data("password", io.secretsync.core.model.RemoteRef.of("app/missing-minutely", "password")).build();
      fx.controller.applyExternalSecret(hourly);
      fx.controller.applyExternalSecret(everyMinute);
      fx.startWithStore();
      fx.scheduler.advance(Duration.ofHours(2));

      // 1, 2, 4 ... 256 s, then every 4 to 5 minutes (cap 5 min, 20% jitter)
      int hourlyAttempts = fx.provider.reads("app/missing-hourly");
      assertTrue(hourlyAttempts >= 9 + 22 && hourlyAttempts <= 9 + 29, "attempts in 2 h: " + hourlyAttempts);
      // capped by its 1-minute interval: about one attempt a minute
      int minutelyAttempts = fx.provider.reads("app/missing-minutely");
      assertTrue(minutelyAttempts >= 120 && minutelyAttempts <= 160, "attempts in 2 h: " + minutelyAttempts);
      assertEquals(StoreCircuitBreaker.State.CLOSED,
          fx.controller.circuitState(StoreKind.CLUSTER_SECRET_STORE, "", "vault"),
          "a missing secret says nothing about the store");
      assertEquals(2, fx.provider.reads("app/fine"), "at 0 and after one hour (plus jitter)");
    }
  }

  private static <T> T last(List<T> list) {
    return list.get(list.size() - 1);
  }

  @Test
  void anExternalSecretWaitingForAStoreChangeIsNotRetriedEachTimeOthersSucceed() {
    try (ControllerFixture fx = new ControllerFixture()) {
      var open = fx.vaultStore();
      var onlyApps = new io.secretsync.core.model.SecretStoreResource(open.kind(), open.metadata(), "", open.provider(),
          open.retrySettings(), open.refreshInterval(), com.google.common.collect.ImmutableList.of(
              new io.secretsync.core.model.ClusterStoreCondition(com.google.common.collect.ImmutableMap.of(),
                  com.google.common.collect.ImmutableList.of(NAMESPACE), com.google.common.collect.ImmutableList.of())));
      for (int i = 0; i < 10; i++) {
        fx.putSecret("ok" + i, "v");
        fx.controller.applyExternalSecret(es("ok" + i).refreshInterval(Duration.ofMinutes(1)).build());
      }
      ExternalSecret outsider = ExternalSecret.builder("elsewhere", "outsider")
          .store(io.secretsync.core.model.StoreRef.clusterSecretStore("vault"))
          .data("password", io.secretsync.core.model.RemoteRef.of("app/ok0", "password")).build();
      fx.controller.applyExternalSecret(outsider);
      fx.controller.applyStore(onlyApps);
      fx.controller.start();
      fx.scheduler.advance(Duration.ofHours(1));

      assertFalse(fx.controller.status("elsewhere", "outsider").orElseThrow().isReady());
      double attempts = PrometheusText.parse(fx.metrics.scrape()).value("externalsecret_sync_calls_total",
          Map.of("name", "outsider", "namespace", "elsewhere"));
      assertTrue(attempts <= 25, "its own backoff, not 600 retries driven by the others: " + attempts);

      fx.controller.applyStore(open);
      fx.scheduler.runPending();
      assertTrue(fx.controller.status("elsewhere", "outsider").orElseThrow().isReady(),
          "the store change that admits it syncs it at once");
    }
  }
}
