package io.secretsync.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsync.core.controller.ControllerEvent;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ObjectMeta;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.StoreRef;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Events as client-go's recorder writes them: a repeat is counted on the Event already recorded. */
class KubernetesEventSinkTest {
  private static FakeKubernetes kube;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    kube = FakeKubernetes.builder().withEsoCrds().start();
    client = TestFiles.adminClient(kube);
    kube.createNamespace("events");
  }

  @AfterAll
  static void stop() {
    client.close();
    kube.close();
  }

  @Test
  void aRepeatedEventIncrementsCountAndLastTimestampAndADifferentOneIsNew() {
    TestClock clock = TestClock.at(Instant.parse("2026-01-10T12:00:00Z"));
    KubernetesEventSink sink = new KubernetesEventSink(client, clock, "replica-1");
    ExternalSecret es = ExternalSecret.builder("events", "db").store(StoreRef.clusterSecretStore("vault"))
        .data("password", RemoteRef.of("db")).build();
    es = new ExternalSecret(es.metadata().withUid("uid-1").withResourceVersion("7"), es.spec());

    sink.externalSecretEvent(es, ControllerEvent.warning(ControllerEvent.UPDATE_FAILED, "vault is down"));
    clock.advance(Duration.ofMinutes(5));
    sink.externalSecretEvent(es, ControllerEvent.warning(ControllerEvent.UPDATE_FAILED, "vault is down"));
    sink.externalSecretEvent(es, ControllerEvent.normal(ControllerEvent.UPDATED, "secret updated"));

    List<JsonNode> events = kube.list("v1", "Event", "events");
    assertEquals(2, events.size(), events.toString());
    JsonNode failed = events.stream().filter(e -> e.path("reason").asText().equals("UpdateFailed")).findFirst()
        .orElseThrow();
    assertEquals(2, failed.path("count").asInt());
    assertEquals("Warning", failed.path("type").asText());
    assertEquals("2026-01-10T12:00:00Z", failed.path("firstTimestamp").asText());
    assertEquals("2026-01-10T12:05:00Z", failed.path("lastTimestamp").asText());
    assertEquals("external-secrets", failed.path("source").path("component").asText());
    assertEquals("replica-1", failed.path("source").path("host").asText());
    JsonNode about = failed.path("involvedObject");
    assertEquals("ExternalSecret", about.path("kind").asText());
    assertEquals("uid-1", about.path("uid").asText());
    assertEquals("7", about.path("resourceVersion").asText());
    JsonNode updated = events.stream().filter(e -> e.path("reason").asText().equals("Updated")).findFirst()
        .orElseThrow();
    assertEquals(1, updated.path("count").asInt());
    assertFalse(updated.path("metadata").path("name").asText().equals(failed.path("metadata").path("name").asText()));

    // the recorded Event expired from the API server: the next repeat is created anew
    kube.delete("v1", "Event", "events", failed.path("metadata").path("name").asText());
    sink.externalSecretEvent(es, ControllerEvent.warning(ControllerEvent.UPDATE_FAILED, "vault is down"));
    assertEquals(1, kube.list("v1", "Event", "events").stream()
        .filter(e -> e.path("reason").asText().equals("UpdateFailed")).count());
  }
}
