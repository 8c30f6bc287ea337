package io.secretsync.kubernetes;

import static io.secretsync.kubernetes.ControllerCluster.await;
import static io.secretsync.kubernetes.ControllerCluster.externalSecret;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsync.core.controller.ExternalSecretStatus;
import io.secretsync.testkit.TestClock;
import io.secretsync.testkit.TestScheduler;
import io.secretsync.testkit.server.FaultInjector.Fault;
import io.secretsync.vault.VaultStoreProvider;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 7, item 2, end to end: 200 ExternalSecrets on the real Vault provider, Vault answering 503
 * to everything (fault injection in FakeVault) for a simulated 30 minutes. The controller's time
 * runs on a {@link TestScheduler}: its timers and its syncs run on the test thread as the clock is
 * advanced, while the watches, FakeKubernetes and FakeVault are real.
 */
class VaultOutageTest {
  private static final int COUNT = 200;
  private static final List<String> INTERVALS = List.of("1m", "2m", "5m", "10m");
  private static final String NS = "outage";

  /**
   * Bound: the store retries nothing itself ({@code retrySettings.maxRetries: 0}), so each provider
   * call is one HTTP request. With the default circuit (3 failures open it; open 5 s, 10 s, 20 s,
   * then 30 s; a probe is one waiting ExternalSecret's read) Vault receives at most the 3 failures that open the
   * circuit, plus one probe per opening: 4 in the first 35 s and 2 a minute after that, at most
   * 3 + 4 + 2 * 30 = 67 requests in 30 minutes. Without the circuit, each ExternalSecret would
   * retry on its own backoff (capped at its interval): more than 200 * 30 = 6000.
   */
  @Test
  void vaultDownForThirtyMinutesCostsABoundedNumberOfRequestsKeepsEveryTargetAndRecoversInOneStep()
      throws Exception {
    try (ControllerCluster cluster = new ControllerCluster()) {
      cluster.kube.createNamespace(NS);
      cluster.kube.apply(cluster.clusterStore(ControllerCluster.STORE)
          + "  retrySettings: {maxRetries: 0, retryInterval: 10ms}\n");
      for (int i = 0; i < COUNT; i++) {
        cluster.putPassword(NS, "es-" + i, "before-" + i);
        cluster.kube.apply(externalSecret(NS, "es-" + i, INTERVALS.get(i % 4), "Owner"));
      }
      TestClock clock = TestClock.create();
      TestScheduler scheduler = new TestScheduler(clock);
      SyncCounter counter = new SyncCounter();
      try (KubernetesController controller = KubernetesController.builder(cluster.client).namespace(NS)
          .provider(new VaultStoreProvider()).clock(clock).scheduler(scheduler).executor(scheduler.executor())
          .eventInterval(Duration.ofHours(1)).listener(counter).build()) {
        controller.start();
        await("the watches report all " + COUNT, () -> {
          for (int i = 0; i < COUNT; i++) {
            if (controller.status(NS, "es-" + i).isEmpty()) {
              return false;
            }
          }
          return true;
        });
        scheduler.runPending();
        scheduler.advance(Duration.ofMinutes(3));
        for (int i = 0; i < COUNT; i++) {
          assertEquals(Optional.of("before-" + i), cluster.password(NS, "es-" + i + "-creds"));
          assertTrue(controller.status(NS, "es-" + i).orElseThrow().isReady());
        }

        cluster.vault.auditLog().clear();
        cluster.vault.faults().add(Fault.status(503).onPathPrefix("/v1/"));
        for (int i = 0; i < COUNT; i++) {
          cluster.putPassword(NS, "es-" + i, "after-" + i);
        }
        for (int minute = 0; minute < 30; minute++) {
          scheduler.advance(Duration.ofMinutes(1));
          for (int i = minute % 7; i < COUNT; i += 7) {
            assertEquals(Optional.of("before-" + i), cluster.password(NS, "es-" + i + "-creds"), "targets keep their data");
          }
        }
        int outageRequests = cluster.vault.auditLog().entries().size();
        assertTrue(outageRequests <= 67, "Vault requests during 30 minutes down: " + outageRequests);
        assertTrue(outageRequests >= 30, "Vault was probed throughout: " + outageRequests);
        for (int i = 0; i < COUNT; i++) {
          assertEquals(Optional.of("before-" + i), cluster.password(NS, "es-" + i + "-creds"));
          ExternalSecretStatus status = controller.status(NS, "es-" + i).orElseThrow();
          assertTrue(!status.isReady(), "es-" + i + " reports the outage");
        }
        JsonNode failing = cluster.readyCondition(cluster.externalSecretObject(NS, "es-0"));
        assertEquals("False", failing.path("status").asText());
        assertEquals("SecretSyncedError", failing.path("reason").asText());
        List<JsonNode> failures = cluster.events(NS, "ExternalSecret", "es-0").stream()
            .filter(e -> e.path("reason").asText().equals("UpdateFailed")).toList();
        assertTrue(!failures.isEmpty(), "the failure is recorded as an Event");

        cluster.vault.faults().clear();
        scheduler.advance(Duration.ofSeconds(30)); // the longest circuit opening: one backoff step
        for (int i = 0; i < COUNT; i++) {
          assertEquals(Optional.of("after-" + i), cluster.password(NS, "es-" + i + "-creds"), "es-" + i + " recovered");
          assertTrue(controller.status(NS, "es-" + i).orElseThrow().isReady());
        }
        JsonNode recovered = cluster.readyCondition(cluster.externalSecretObject(NS, "es-0"));
        assertEquals("SecretSynced", recovered.path("reason").asText());
      }
    }
  }
}
