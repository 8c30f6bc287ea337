package io.secretsync.testkit.controller;

import static io.secretsync.testkit.controller.ControllerFixture.NAMESPACE;
import static io.secretsync.testkit.controller.ControllerFixture.T0;
import static io.secretsync.testkit.controller.ControllerFixture.es;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.SecretStoreException;
import io.secretsync.core.controller.Condition;
import io.secretsync.core.controller.ControllerEvent;
import io.secretsync.core.controller.ExternalSecretStatus;
import io.secretsync.core.controller.StatusSink;
import io.secretsync.core.controller.StoreStatus;
import io.secretsync.core.model.CreationPolicy;
import io.secretsync.core.model.DeletionPolicy;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.StoreKind;
import io.secretsync.core.model.Target;
import io.secretsync.testkit.InMemoryEventSink.Recorded;
import io.secretsync.testkit.InMemorySecretStore;
import io.secretsync.testkit.InMemoryStatusSink;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ControllerReportingTest {
  private static final String APP = "ExternalSecret/" + NAMESPACE + "/app";
  private static final Map<String, String> APP_LABELS = Map.of("name", "app", "namespace", NAMESPACE);
  private static final String SECRET_V1 = "s3cr3t-value-1";
  private static final String SECRET_V2 = "s3cr3t-value-2";

  @Test
  void statusEventsAndMetricsFollowSuccessFailureAndRecovery() {
    try (ControllerFixture fx = new ControllerFixture()) {
      fx.putSecret("app", SECRET_V1);
      ExternalSecret app = es("app").refreshInterval(Duration.ofMinutes(1)).build();
      fx.controller.applyExternalSecret(app);
      fx.startWithStore();
      fx.scheduler.runPending();

      // success: created
      ExternalSecretStatus synced = fx.statuses.externalSecret(NAMESPACE, "app").orElseThrow();
      Condition ready = synced.ready().orElseThrow();
      assertEquals(Condition.READY, ready.type());
      assertEquals(Condition.Status.TRUE, ready.status());
      assertEquals("SecretSynced", ready.reason());
      assertEquals("secret synced", ready.message());
      assertEquals(T0, ready.lastTransitionTime());
      assertEquals(Optional.of(T0), synced.refreshTime());
      assertTrue(synced.syncedResourceVersion().matches("0-[0-9a-f]{56}"), synced.syncedResourceVersion());
      assertEquals("app", synced.bindingName());
      assertEquals(List.of(ControllerEvent.normal("Created", "secret created")), events(fx, APP));
      PrometheusText metrics = PrometheusText.parse(fx.metrics.scrape());
      assertEquals(1, metrics.value("externalsecret_sync_calls_total", APP_LABELS));
      assertEquals(0, metrics.value("externalsecret_sync_calls_error", APP_LABELS));
      assertEquals(1, metrics.value("externalsecret_status_condition", condition("True")));
      assertEquals(0, metrics.value("externalsecret_status_condition", condition("False")));
      assertEquals(1, metrics.value("externalsecret_reconcile_duration_count", APP_LABELS));
      assertEquals(1, metrics.value("externalsecret_provider_api_calls_count",
          Map.of("provider", "memory", "call", "ReadSecretData", "status", "success")));
      assertEquals(1, metrics.value("clustersecretstore_status_condition",
          Map.of("name", "vault", "condition", "Ready", "status", "True")));
      assertEquals(List.of(ControllerEvent.normal("Valid", "store validated")),
          events(fx, "ClusterSecretStore//vault"));
      assertEquals("counter", metrics.type("externalsecret_sync_calls_total"));
      assertEquals("gauge", metrics.type("externalsecret_status_condition"));
      assertEquals("histogram", metrics.type("externalsecret_reconcile_duration"));

      // an unchanged refresh: no event; the status changes only by its refreshTime
      fx.scheduler.advance(Duration.ofSeconds(66));
      ExternalSecretStatus refreshed = fx.statuses.externalSecret(NAMESPACE, "app").orElseThrow();
      assertEquals(T0, refreshed.ready().orElseThrow().lastTransitionTime());
      assertTrue(refreshed.refreshTime().orElseThrow().isAfter(T0));
      assertEquals(1, events(fx, APP).size());
      assertEquals(2, fx.statuses.writesFor(NAMESPACE + "/app").size());

      // changed data: updated
      fx.putSecret("app", SECRET_V2);
      fx.scheduler.advance(Duration.ofSeconds(66));
      assertEquals(Optional.of(SECRET_V2), fx.targetPassword("app"));
      assertEquals(ControllerEvent.normal("Updated", "secret updated"), last(events(fx, APP)));

      // failure: status once, one event despite the retries, the target kept, an error counted per attempt
      fx.vault.failWith(new SecretStoreException.PermissionDeniedException(
          "permission denied reading secret/data/app/app", List.of("grant read on secret/data/app/*"), null));
      fx.scheduler.advance(Duration.ofSeconds(66));
      Instant failedAt = fx.statuses.externalSecret(NAMESPACE, "app").orElseThrow().ready().orElseThrow()
          .lastTransitionTime();
      int writesAfterFailure = fx.statuses.writesFor(NAMESPACE + "/app").size();
      fx.scheduler.advance(Duration.ofMinutes(3));
      ExternalSecretStatus failing = fx.statuses.externalSecret(NAMESPACE, "app").orElseThrow();
      Condition notReady = failing.ready().orElseThrow();
      assertEquals(Condition.Status.FALSE, notReady.status());
      assertEquals("SecretSyncedError", notReady.reason());
      assertEquals("could not get secret data from provider", notReady.message(), "ESO's message; the event has the error");
      assertEquals(failedAt, notReady.lastTransitionTime());
      assertEquals(refreshedAfter(fx), failing.refreshTime(), "refreshTime is the last success");
      assertEquals(writesAfterFailure, fx.statuses.writesFor(NAMESPACE + "/app").size(),
          "repeated identical failures write no status");
      List<ControllerEvent> failures = events(fx, APP).stream().filter(e -> e.reason().equals("UpdateFailed")).toList();
      assertEquals(List.of(ControllerEvent.warning("UpdateFailed", "permission denied reading secret/data/app/app")),
          failures);
      assertEquals(Optional.of(SECRET_V2), fx.targetPassword("app"));
      metrics = PrometheusText.parse(fx.metrics.scrape());
      double errors = metrics.value("externalsecret_sync_calls_error", APP_LABELS);
      assertTrue(errors >= 5, "each retry counts: " + errors);
      assertEquals(metrics.value("externalsecret_sync_calls_total", APP_LABELS), 3 + errors);
      assertEquals(0, metrics.value("externalsecret_status_condition", condition("True")));
      assertEquals(1, metrics.value("externalsecret_status_condition", condition("False")));
      assertEquals(errors, metrics.value("externalsecret_provider_api_calls_count",
          Map.of("provider", "memory", "call", "ReadSecretData", "status", "error")));

      // recovery within one backoff step (capped at the 1-minute interval)
      fx.vault.clearFailure();
      Instant recovered = fx.clock.instant();
      fx.scheduler.advance(Duration.ofMinutes(1));
      ExternalSecretStatus back = fx.statuses.externalSecret(NAMESPACE, "app").orElseThrow();
      assertTrue(back.isReady());
      Instant transition = back.ready().orElseThrow().lastTransitionTime();
      assertTrue(transition.isAfter(recovered.minusSeconds(1)) && !transition.isAfter(recovered.plusSeconds(60)));
      assertEquals(Optional.of(transition), back.refreshTime());
      metrics = PrometheusText.parse(fx.metrics.scrape());
      assertEquals(errors, metrics.value("externalsecret_sync_calls_error", APP_LABELS));
      assertEquals(1, metrics.value("externalsecret_status_condition", condition("True")));
      assertEquals(0, metrics.value("externalsecret_status_condition", condition("False")));
      assertEquals(List.of("Created", "Updated", "UpdateFailed"),
          events(fx, APP).stream().map(ControllerEvent::reason).toList(), "recovery with the same data writes nothing");

      String everything = fx.metrics.scrape() + fx.events.events() + fx.statuses.writes();
      assertFalse(everything.contains(SECRET_V1) || everything.contains(SECRET_V2), "no value is ever reported");
    }
  }

  @Test
  void missingProviderSecretsAndDeletionAreReportedAndTheSeriesDropped() {
    try (ControllerFixture fx = new ControllerFixture()) {
      fx.putSecret("partial", "v");
      ExternalSecret partial = es("partial")
          .data("other", RemoteRef.of("app/does-not-exist", "password"))
          .target(Target.defaults().withPolicies(CreationPolicy.OWNER, DeletionPolicy.DELETE))
          .build();
      fx.controller.applyExternalSecret(partial);
      fx.startWithStore();
      fx.scheduler.runPending();
      String object = "ExternalSecret/" + NAMESPACE + "/partial";
      assertEquals(List.of(
              ControllerEvent.normal("MissingProviderSecret",
                  "secret does not exist at provider using spec.data[1] (key=app/does-not-exist)"),
              ControllerEvent.normal("Created", "secret created")),
          events(fx, object));
      assertTrue(fx.controller.status(NAMESPACE, "partial").orElseThrow().isReady());
      assertTrue(PrometheusText.parse(fx.metrics.scrape())
          .has("externalsecret_sync_calls_total", Map.of("name", "partial")));

      fx.controller.removeExternalSecret(NAMESPACE, "partial");
      fx.scheduler.runPending();
      assertEquals(Optional.empty(), fx.targets.get(NAMESPACE, "partial"));
      assertEquals(ControllerEvent.normal("Deleted", "secret deleted due to DeletionPolicy=Delete"),
          last(events(fx, object)));
      PrometheusText metrics = PrometheusText.parse(fx.metrics.scrape());
      assertFalse(metrics.has("externalsecret_sync_calls_total", Map.of("name", "partial")));
      assertFalse(metrics.has("externalsecret_status_condition", Map.of("name", "partial")));
      assertFalse(metrics.has("externalsecret_reconcile_duration_bucket", Map.of("name", "partial")));
      assertFalse(fx.controller.status(NAMESPACE, "partial").isPresent());
    }
  }

  @Test
  void storeStatusAndEventsFollowValidation() {
    try (ControllerFixture fx = new ControllerFixture()) {
      fx.startWithStore();
      fx.scheduler.runPending();
      String store = "ClusterSecretStore//vault";
      StoreStatus valid = fx.statuses.store("ClusterSecretStore", "", "vault").orElseThrow();
      assertTrue(valid.isReady());
      assertEquals("Valid", valid.ready().reason());

      fx.vault.failWith(new SecretStoreException.UnreachableException("cannot reach Vault: connection refused",
          List.of(), null));
      fx.scheduler.advance(Duration.ofMinutes(5));
      StoreStatus invalid = fx.statuses.store("ClusterSecretStore", "", "vault").orElseThrow();
      assertFalse(invalid.isReady());
      assertEquals("InvalidProviderConfig", invalid.ready().reason());
      assertEquals("unable to validate store: cannot reach Vault: connection refused", invalid.ready().message());
      PrometheusText metrics = PrometheusText.parse(fx.metrics.scrape());
      assertEquals(1, metrics.value("clustersecretstore_status_condition",
          Map.of("name", "vault", "condition", "Ready", "status", "False")));
      assertEquals(1, metrics.value("secretsync_store_circuit_open",
          Map.of("kind", "ClusterSecretStore", "namespace", "", "name", "vault")));

      // probes keep failing for ten minutes: one more status write at most, the warning not repeated within 5 minutes
      fx.scheduler.advance(Duration.ofMinutes(4));
      assertEquals(List.of("Valid", "InvalidProviderConfig"),
          events(fx, store).stream().map(ControllerEvent::reason).toList());

      fx.vault.clearFailure();
      fx.scheduler.advance(Duration.ofSeconds(30));
      assertTrue(fx.statuses.store("ClusterSecretStore", "", "vault").orElseThrow().isReady());
      assertEquals(List.of("Valid", "InvalidProviderConfig", "Valid"),
          events(fx, store).stream().map(ControllerEvent::reason).toList());
      assertEquals(0, PrometheusText.parse(fx.metrics.scrape()).value("secretsync_store_circuit_open",
          Map.of("kind", "ClusterSecretStore", "namespace", "", "name", "vault")));
      assertEquals(3, fx.statuses.writesFor("ClusterSecretStore//vault").size(), "valid, invalid, valid");
    }
  }

  @Test
  void aStoreThatCannotBeCreatedReportsInvalidProviderConfig() {
    try (ControllerFixture fx = new ControllerFixture()) {
      InMemorySecretStore unregistered = InMemorySecretStore.create("elsewhere-" + UUID.randomUUID());
      var definition = ControllerFixture.clusterStore("vault", unregistered, Duration.ZERO);
      // a store definition naming an in-memory store that no longer exists
      var broken = new io.secretsync.core.model.SecretStoreResource(definition.kind(), definition.metadata(), "",
          new io.secretsync.core.model.ProviderConfig(InMemorySecretStore.PROVIDER_NAME,
              io.secretsync.core.model.ConfigNode.of("spec.provider.memory",
                  com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("name", "nowhere"))),
          java.util.Optional.empty(), Duration.ZERO, com.google.common.collect.ImmutableList.of());
      fx.controller.applyStore(broken);
      fx.controller.start();
      fx.scheduler.runPending();
      StoreStatus status = fx.controller.storeStatus(StoreKind.CLUSTER_SECRET_STORE, "", "vault").orElseThrow();
      assertFalse(status.isReady());
      assertTrue(status.ready().message().startsWith("unable to create client: "), status.ready().message());
      assertTrue(status.ready().message().contains("nowhere"), status.ready().message());
      assertEquals(List.of("InvalidProviderConfig"),
          events(fx, "ClusterSecretStore//vault").stream().map(ControllerEvent::reason).toList());
    }
  }

  @Test
  void identicalEventsAreSentOncePerInterval() {
    try (ControllerFixture fx = new ControllerFixture(b -> b.eventInterval(Duration.ofMinutes(10)))) {
      ExternalSecret broken = ExternalSecret.builder(NAMESPACE, "broken")
          .store(io.secretsync.core.model.StoreRef.clusterSecretStore("vault"))
          .refreshInterval(Duration.ofMinutes(1))
          .data("password", RemoteRef.of("app/absent", "password")).build();
      fx.controller.applyExternalSecret(broken);
      fx.startWithStore();
      fx.scheduler.advance(Duration.ofMinutes(25));
      List<Recorded> failures = fx.events.eventsFor("ExternalSecret/" + NAMESPACE + "/broken");
      assertEquals(3, failures.size(), "at 0, 10 and 20 minutes: " + failures);
      assertTrue(fx.provider.reads("app/absent") > 20);
    }
  }

  @Test
  void distinctEventsAboutOneObjectAreBoundedByItsBurst() {
    try (ControllerFixture fx = new ControllerFixture(b -> b.eventInterval(Duration.ofMinutes(50)))) {
      fx.putSecret("flaky", "v");
      fx.controller.applyExternalSecret(es("flaky").refreshInterval(Duration.ofMinutes(1)).build());
      fx.startWithStore();
      fx.scheduler.runPending();
      for (int minute = 0; minute < 20; minute++) {
        fx.vault.failWith(new SecretStoreException.PermissionDeniedException(
            "permission denied (request " + minute + ")", List.of(), null));
        fx.scheduler.advance(Duration.ofMinutes(1));
      }
      long failures = fx.events.eventsFor("ExternalSecret/" + NAMESPACE + "/flaky").stream()
          .filter(e -> e.reason().equals("UpdateFailed")).count();
      // a burst of 10 (one went to Created), then one per 5 minutes (50 min / 10)
      assertTrue(failures >= 9 && failures <= 9 + 4, "UpdateFailed events in 20 minutes: " + failures);
      assertTrue(fx.provider.reads("app/flaky") >= 20);
    }
  }

  @Test
  void aStatusTheSinkFailedToWriteIsOfferedAgainWithTheNextSync() {
    InMemoryStatusSink kept = new InMemoryStatusSink();
    AtomicInteger refusals = new AtomicInteger(1);
    StatusSink flaky = new StatusSink() {
      @Override
      public void externalSecretStatus(ExternalSecret es, ExternalSecretStatus status) {
        if (refusals.getAndDecrement() > 0) {
          throw new IllegalStateException("409 Conflict writing status");
        }
        kept.externalSecretStatus(es, status);
      }

      @Override
      public void storeStatus(io.secretsync.core.model.SecretStoreResource store, StoreStatus status) {
        kept.storeStatus(store, status);
      }
    };
    try (ControllerFixture fx = new ControllerFixture(b -> b.statusSink(flaky).refreshJitter(0))) {
      fx.putSecret("app", SECRET_V1);
      fx.vault.failWith(new SecretStoreException.PermissionDeniedException("permission denied", List.of(), null));
      fx.controller.applyExternalSecret(es("app").refreshInterval(Duration.ofHours(1)).build());
      fx.startWithStore();
      fx.scheduler.runPending();
      assertEquals(Optional.empty(), kept.externalSecret(NAMESPACE, "app"), "the first write failed");
      fx.scheduler.advance(Duration.ofSeconds(1));
      ExternalSecretStatus written = kept.externalSecret(NAMESPACE, "app").orElseThrow();
      assertFalse(written.isReady(), "the same status is written at the next attempt");
      fx.scheduler.advance(Duration.ofSeconds(10));
      assertEquals(1, kept.writesFor(NAMESPACE + "/app").size(), "and then only on a change");
    }
  }

  private static Map<String, String> condition(String status) {
    return Map.of("name", "app", "namespace", NAMESPACE, "condition", "Ready", "status", status);
  }

  private static Optional<Instant> refreshedAfter(ControllerFixture fx) {
    return fx.statuses.writesFor(NAMESPACE + "/app").stream()
        .map(w -> (ExternalSecretStatus) w.status())
        .filter(ExternalSecretStatus::isReady)
        .reduce((a, b) -> b)
        .flatMap(ExternalSecretStatus::refreshTime);
  }

  private static List<ControllerEvent> events(ControllerFixture fx, String object) {
    return fx.events.eventsFor(object).stream().map(Recorded::event).toList();
  }

  private static <T> T last(List<T> list) {
    return list.get(list.size() - 1);
  }
}
