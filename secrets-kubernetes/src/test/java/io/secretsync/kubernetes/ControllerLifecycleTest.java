package io.secretsync.kubernetes;

import static io.secretsync.kubernetes.ControllerCluster.await;
import static io.secretsync.kubernetes.ControllerCluster.externalSecret;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.kubernetes.KubernetesClient.Lease;
import io.secretsync.testkit.server.FaultInjector.Fault;
import io.secretsync.vault.VaultStoreProvider;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Leader election gating, relist after 410 Gone, and graceful shutdown of the Kubernetes controller. */
class ControllerLifecycleTest {
  private static final String LEASE_NAMESPACE = "secrets-sync";
  private static ControllerCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new ControllerCluster();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static KubernetesController.Builder controller(String ns, SyncCounter counter) {
    return KubernetesController.builder(cluster.client).namespace(ns).provider(new VaultStoreProvider())
        .listener(counter);
  }

  private static KubernetesController elected(String ns, String lease, String identity, SyncCounter counter) {
    return controller(ns, counter).leaderElection(LEASE_NAMESPACE, lease, identity)
        .leaseTimings(Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(200)).build();
  }

  private static void forceSync(String ns, String name, String creationPolicy, String value) {
    cluster.kube.apply(externalSecret(ns, name, "1h", creationPolicy)
        .replace("namespace: " + ns + "}", "namespace: " + ns + ", annotations: {force-sync: '" + value + "'}}"));
  }

  private static String holder(String lease) {
    return cluster.client.getLease(LEASE_NAMESPACE, lease).map(Lease::holderIdentity).orElse("");
  }

  @Test
  void onlyTheLeaseHolderSyncsAndOnCloseTheLeaseIsReleasedAndTheOtherTakesOver() {
    String ns = "lease";
    cluster.kube.createNamespace(ns);
    cluster.putPassword(ns, "db", "pw-1");
    cluster.kube.apply(externalSecret(ns, "db", "1h", "Owner"));
    SyncCounter first = new SyncCounter();
    SyncCounter second = new SyncCounter();
    try (KubernetesController a = elected(ns, "gating", "replica-a", first);
        KubernetesController b = elected(ns, "gating", "replica-b", second)) {
      a.start();
      await("replica-a leads", a::isActive);
      b.start();
      await("replica-a syncs", () -> cluster.password(ns, "db-creds").equals(Optional.of("pw-1")));
      cluster.putPassword(ns, "db", "pw-2");
      forceSync(ns, "db", "Owner", "1");
      await("replica-a syncs the change", () -> cluster.password(ns, "db-creds").equals(Optional.of("pw-2")));
      assertEquals("replica-a", holder("gating"));
      assertTrue(b.isLive());
      assertTrue(b.isReady(), "a replica waiting for the Lease is ready");
      assertFalse(b.isActive());
      assertEquals(0, second.total(), "the replica without the Lease never synced");

      a.close();
      assertNotEquals("replica-a", holder("gating"), "the Lease is released on close");
      await("replica-b takes over", b::isActive);
      assertEquals("replica-b", holder("gating"));
      int aSyncs = first.total();
      cluster.putPassword(ns, "db", "pw-3");
      forceSync(ns, "db", "Owner", "2");
      await("replica-b syncs", () -> cluster.password(ns, "db-creds").equals(Optional.of("pw-3")));
      await("replica-b's sync is counted", () -> second.syncs(ns, "db") >= 1);
      assertEquals(aSyncs, first.total(), "the closed replica did not sync");
    }
  }

  @Test
  void losingTheLeaseStopsSyncing() {
    String ns = "lease-lost";
    cluster.kube.createNamespace(ns);
    cluster.putPassword(ns, "db", "pw-1");
    cluster.kube.apply(externalSecret(ns, "db", "1h", "Owner"));
    SyncCounter counter = new SyncCounter();
    try (KubernetesController a = elected(ns, "stolen", "replica-a", counter)) {
      a.start();
      await("replica-a syncs", () -> cluster.password(ns, "db-creds").equals(Optional.of("pw-1")));

      // another party takes the Lease for an hour: replica-a's renewals conflict until its deadline passes
      Lease lease = cluster.client.getLease(LEASE_NAMESPACE, "stolen").orElseThrow();
      Instant now = Instant.now();
      cluster.client.replaceLease(lease.withSpec("intruder", Duration.ofHours(1), now, now, lease.leaseTransitions() + 1));
      await("replica-a stops", () -> !a.isActive());
      assertFalse(a.isLeader());
      int syncs = counter.total();
      cluster.putPassword(ns, "db", "pw-2");
      forceSync(ns, "db", "Owner", "1");
      assertTrue(cluster.client.getLease(LEASE_NAMESPACE, "stolen").orElseThrow().holderIdentity().equals("intruder"));
      assertFalse(a.isActive());
      assertEquals(syncs, counter.total());
      assertEquals(Optional.of("pw-1"), cluster.password(ns, "db-creds"));
    }
  }

  @Test
  void aWatchThatExpiresDuringAnOutageListsAgainAndAppliesWhatItMissed() {
    String ns = "relist";
    cluster.kube.createNamespace(ns);
    cluster.putPassword(ns, "keep", "keep-1");
    cluster.putPassword(ns, "goes", "goes-1");
    cluster.putPassword(ns, "new", "new-1");
    cluster.kube.apply(externalSecret(ns, "keep", "1h", "Owner"));
    cluster.kube.apply(externalSecret(ns, "goes", "1h", "Owner"));
    String path = "/apis/external-secrets.io/v1/namespaces/" + ns + "/externalsecrets";
    SyncCounter counter = new SyncCounter();
    try (KubernetesController controller = controller(ns, counter).watchTimeout(Duration.ofSeconds(1)).build()) {
      controller.start();
      await("both synced", () -> counter.syncs(ns, "keep") == 1 && counter.syncs(ns, "goes") == 1);
      await("statuses written", () -> controller.status(ns, "goes").isPresent()
          && cluster.readyCondition(cluster.externalSecretObject(ns, "goes")).path("status").asText().equals("True"));

      cluster.kube.auditLog().clear();
      cluster.kube.faults().add(Fault.status(503).onPathPrefix(path));
      try {
        await("the watch is down", () -> !cluster.kube.auditLog()
            .entries(e -> e.path().equals(path) && e.status() == 503).isEmpty());
        // while the watch is down: a change, a deletion and a creation, then the history is compacted
        cluster.putPassword(ns, "keep", "keep-2");
        forceSync(ns, "keep", "Owner", "1");
        assertTrue(cluster.kube.delete("external-secrets.io/v1", "ExternalSecret", ns, "goes"));
        cluster.kube.apply(externalSecret(ns, "new", "1h", "Owner"));
        cluster.kube.compactWatchHistory();
      } finally {
        cluster.kube.faults().clear();
      }

      await("the new one is synced", () -> cluster.password(ns, "new-creds").equals(Optional.of("new-1")));
      await("the changed one is synced", () -> cluster.password(ns, "keep-creds").equals(Optional.of("keep-2")));
      await("the deleted one is gone from the controller", () -> controller.status(ns, "goes").isEmpty());
      assertTrue(cluster.kube.auditLog().entries(e -> e.path().equals(path) && e.status() == 200).size() >= 1,
          "listed again");
    }
  }

  @Test
  void closeLetsAnInFlightSyncFinishBeforeItReturns() throws Exception {
    String ns = "graceful";
    cluster.kube.createNamespace(ns);
    cluster.putPassword(ns, "db", "pw-1");
    cluster.kube.apply(externalSecret(ns, "db", "1h", "Owner"));
    SyncCounter counter = new SyncCounter();
    KubernetesController controller = controller(ns, counter).shutdownGrace(Duration.ofSeconds(30)).build();
    try {
      controller.start();
      await("synced", () -> counter.syncs(ns, "db") == 1);

      cluster.putPassword(ns, "db", "pw-2");
      cluster.vault.faults().add(Fault.delay(Duration.ofMillis(1500)).onPathPrefix("/v1/secret/data/" + ns + "/db")
          .times(1));
      forceSync(ns, "db", "Owner", "1");
      await("the read is in flight", () -> cluster.vault.faults().active().isEmpty());
    } finally {
      controller.close();
    }
    assertEquals(2, counter.syncs(ns, "db"), "the in-flight sync finished");
    assertEquals(Optional.of("pw-2"), cluster.password(ns, "db-creds"));
    assertFalse(controller.isLive());
    assertEquals("SecretSynced", cluster.readyCondition(cluster.externalSecretObject(ns, "db")).path("reason").asText());
  }
}
