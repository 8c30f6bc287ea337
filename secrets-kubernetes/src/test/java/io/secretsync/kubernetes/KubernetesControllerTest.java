package io.secretsync.kubernetes;

import static io.secretsync.kubernetes.ControllerCluster.await;
import static io.secretsync.kubernetes.ControllerCluster.externalSecret;
import static io.secretsync.kubernetes.ControllerCluster.reasons;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableList;
import io.secretsync.core.SyncResult;
import io.secretsync.core.manifest.ManifestException;
import io.secretsync.vault.VaultStoreProvider;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The facade end to end: FakeVault through the real Vault provider into FakeKubernetes, over loopback HTTPS. */
class KubernetesControllerTest {
  private static ControllerCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new ControllerCluster();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static KubernetesController.Builder controller(String namespace) {
    return KubernetesController.builder(cluster.client).namespace(namespace).provider(new VaultStoreProvider());
  }

  @Test
  void syncOnceSyncsEachExternalSecretWritesEsoStatusAndEventsAndReturnsTheResults() {
    cluster.kube.createNamespace("once");
    cluster.putPassword("once", "db", "pw-db");
    cluster.putPassword("once", "api", "pw-api");
    cluster.kube.apply(externalSecret("once", "db", "1h", "Owner"));
    cluster.kube.apply(externalSecret("once", "api", "0", "Orphan"));
    cluster.kube.apply("apiVersion: external-secrets.io/v1\nkind: ExternalSecret\n"
        + "metadata: {name: broken, namespace: once}\nspec:\n  secretStoreRef: {name: vault, kind: ClusterSecretStore}\n"
        + "  target: {creationPolicy: owner}\n  data:\n  - secretKey: x\n    remoteRef: {key: a}\n");

    ImmutableList<SyncResult> results;
    try (KubernetesController controller = controller("once").build()) {
      results = controller.syncOnce();
    }

    assertEquals(List.of("api", "broken", "db"), results.stream().map(SyncResult::name).toList());
    assertTrue(results.get(0).ready(), results.toString());
    assertEquals(SyncResult.Outcome.CREATED, results.get(2).outcome());
    SyncResult broken = results.get(1);
    assertFalse(broken.ready());
    ManifestException problem = (ManifestException) broken.error().orElseThrow();
    assertEquals("spec.target.creationPolicy", problem.field());
    assertEquals(Optional.of("pw-db"), cluster.password("once", "db-creds"));
    assertEquals(Optional.of("pw-api"), cluster.password("once", "api-creds"));

    JsonNode db = cluster.externalSecretObject("once", "db");
    JsonNode status = db.path("status");
    JsonNode ready = cluster.readyCondition(db);
    assertEquals("True", ready.path("status").asText());
    assertEquals("SecretSynced", ready.path("reason").asText());
    assertEquals("secret synced", ready.path("message").asText());
    Instant.parse(ready.path("lastTransitionTime").asText());
    Instant.parse(status.path("refreshTime").asText());
    assertEquals("db-creds", status.path("binding").path("name").asText());
    assertTrue(status.path("syncedResourceVersion").asText().matches("1-[0-9a-f]{56}"),
        status.path("syncedResourceVersion").asText());

    JsonNode brokenReady = cluster.readyCondition(cluster.externalSecretObject("once", "broken"));
    assertEquals("False", brokenReady.path("status").asText());
    assertEquals("SecretSyncedError", brokenReady.path("reason").asText());
    assertTrue(brokenReady.path("message").asText().startsWith("invalid ExternalSecret: "), brokenReady.toString());
    assertTrue(brokenReady.path("message").asText().contains("spec.target.creationPolicy"), brokenReady.toString());

    JsonNode storeReady = cluster.readyCondition(
        cluster.kube.get("external-secrets.io/v1", "ClusterSecretStore", "", ControllerCluster.STORE).orElseThrow());
    assertEquals("True", storeReady.path("status").asText());
    assertEquals("Valid", storeReady.path("reason").asText());
    assertEquals("store validated", storeReady.path("message").asText());

    List<JsonNode> events = cluster.events("once", "ExternalSecret", "db");
    assertEquals(List.of("Created"), reasons(events));
    JsonNode created = events.get(0);
    assertEquals("Normal", created.path("type").asText());
    assertEquals("secret created", created.path("message").asText());
    assertEquals("external-secrets", created.path("source").path("component").asText());
    assertEquals(1, created.path("count").asInt());
    assertEquals(created.path("firstTimestamp").asText(), created.path("lastTimestamp").asText());
    JsonNode about = created.path("involvedObject");
    assertEquals("external-secrets.io/v1", about.path("apiVersion").asText());
    assertEquals("once", about.path("namespace").asText());
    assertEquals(db.path("metadata").path("uid").asText(), about.path("uid").asText());
    assertTrue(created.path("metadata").path("name").asText().startsWith("db."));
  }

  @Test
  void aSecondPassWithNothingChangedWritesNothing() {
    cluster.kube.createNamespace("again");
    cluster.putPassword("again", "db", "pw-again");
    cluster.kube.apply(externalSecret("again", "db", "1h", "Owner"));
    try (KubernetesController controller = controller("again").build()) {
      assertTrue(controller.syncOnce().get(0).ready());
    }
    int before = cluster.kube.auditLog().entries(e -> true).size();

    ImmutableList<SyncResult> second;
    try (KubernetesController controller = controller("again").build()) {
      second = controller.syncOnce();
    }

    assertEquals(SyncResult.Outcome.UNCHANGED, second.get(0).outcome(), second.toString());
    List<String> writes = cluster.kube.auditLog().entries(e -> true).stream().skip(before)
        .filter(e -> !e.method().equals("GET"))
        .filter(e -> !e.path().endsWith("/token") && !e.path().contains("tokenreviews"))
        .map(e -> e.method() + " " + e.path())
        .toList();
    assertEquals(List.of(), writes, "a pass that changes nothing writes no Secret, status or Event");
  }

  @Test
  void controllerModeSyncsWhatIsCreatedAndChangedWhileItRuns() throws Exception {
    cluster.kube.createNamespace("live");
    cluster.putPassword("live", "db", "pw-1");
    try (KubernetesController controller = controller("live").build()) {
      controller.start();
      assertTrue(controller.isActive());
      cluster.kube.apply(externalSecret("live", "db", "1h", "Owner"));
      await("the target is created", () -> cluster.password("live", "db-creds").equals(Optional.of("pw-1")));
      await("the status is written", () -> cluster.readyCondition(cluster.externalSecretObject("live", "db"))
          .path("reason").asText().equals("SecretSynced"));

      cluster.putPassword("live", "db", "pw-2");
      cluster.kube.apply(externalSecret("live", "db", "1h", "Owner").replace("namespace: live}",
          "namespace: live, annotations: {force-sync: '1'}}"));
      await("a metadata change syncs at once", () -> cluster.password("live", "db-creds").equals(Optional.of("pw-2")));
      await("Updated is recorded", () -> reasons(cluster.events("live", "ExternalSecret", "db")).contains("Updated"));
      assertTrue(controller.isReady());
    }
  }

  @Test
  void aRestartResumesFromTheStatusTheExternalSecretsCarryAndRepairsATargetDeletedMeanwhile() {
    String ns = "resume";
    cluster.kube.createNamespace(ns);
    cluster.putPassword(ns, "kept", "pw-kept");
    cluster.putPassword(ns, "lost", "pw-lost");
    cluster.kube.apply(externalSecret(ns, "kept", "1h", "Owner"));
    cluster.kube.apply(externalSecret(ns, "lost", "1h", "Owner"));
    try (KubernetesController first = controller(ns).build()) {
      first.start();
      for (String name : List.of("kept", "lost")) {
        await(name + " is synced and its status written", () -> cluster.readyCondition(
            cluster.externalSecretObject(ns, name)).path("reason").asText().equals("SecretSynced"));
      }
    }
    assertTrue(cluster.kube.delete("v1", "Secret", ns, "lost-creds"));

    SyncCounter counter = new SyncCounter();
    // one worker: a resync of "kept" would be queued before the repair of "lost"
    try (KubernetesController second = controller(ns).workers(1).listener(counter).build()) {
      second.start();
      await("the deleted target is recreated", () -> cluster.password(ns, "lost-creds").equals(Optional.of("pw-lost")));
      await("its repair is counted", () -> counter.syncs(ns, "lost") == 1);
      assertEquals(0, counter.syncs(ns, "kept"), "an ExternalSecret synced within its interval is not synced again");
      assertTrue(second.status(ns, "kept").orElseThrow().isReady(), "its status is resumed");
    }
  }

  @Test
  void anExternalSecretThatCannotBeReadIsReportedOnceAndTheWatchGoesOn() {
    String ns = "unreadable";
    cluster.kube.createNamespace(ns);
    cluster.putPassword(ns, "good", "pw-good");
    try (KubernetesController controller = controller(ns).build()) {
      controller.start();
      cluster.kube.apply("apiVersion: external-secrets.io/v1\nkind: ExternalSecret\n"
          + "metadata: {name: broken, namespace: " + ns + "}\nspec:\n"
          + "  secretStoreRef: {name: vault, kind: ClusterSecretStore}\n"
          + "  target: {creationPolicy: owner}\n  data:\n  - secretKey: x\n    remoteRef: {key: a}\n");
      await("the broken one says why", () -> cluster.readyCondition(cluster.externalSecretObject(ns, "broken"))
          .path("message").asText().contains("spec.target.creationPolicy"));
      cluster.kube.apply(externalSecret(ns, "good", "1h", "Owner"));
      await("the next one is synced", () -> cluster.password(ns, "good-creds").equals(Optional.of("pw-good")));

      JsonNode ready = cluster.readyCondition(cluster.externalSecretObject(ns, "broken"));
      assertEquals("False", ready.path("status").asText());
      assertEquals("SecretSyncedError", ready.path("reason").asText());
      String statusPath = "/apis/external-secrets.io/v1/namespaces/" + ns + "/externalsecrets/broken/status";
      assertEquals(1, cluster.kube.auditLog().entries(e -> e.path().equals(statusPath)).size(),
          "the status is written once: the write does not feed back through the watch");
    }
  }
}
