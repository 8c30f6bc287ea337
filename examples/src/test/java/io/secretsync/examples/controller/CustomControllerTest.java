package io.secretsync.examples.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsync.examples.walkthrough.Walkthrough;
import io.secretsync.kubernetes.KubernetesClient;
import io.secretsync.kubernetes.KubernetesController;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.FakeVault;
import io.secretsync.testkit.Sandbox;
import io.secretsync.testkit.TestClock;
import io.secretsync.testkit.TestScheduler;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The custom controller against a Sandbox set up by the walkthrough (FakeVault and FakeKubernetes
 * over HTTPS on loopback): it syncs the three ExternalSecrets, writes ESO's status, competes for its
 * Lease, and a standby replica takes over and refreshes. Refresh timers run on a {@link TestScheduler};
 * the Lease runs on the system clock with short timings.
 */
class CustomControllerTest {
  private static final List<String[]> TARGETS = List.of(
      new String[] {"example-api", "example-api-env-file", "example-api/env-file", "dotenv", ".env"},
      new String[] {"example-worker", "example-worker-config-file", "example-worker/config-file", "config.json",
          "config.json"},
      new String[] {"example-admin", "example-admin-config-file", "example-admin/config-file", "config",
          "config.yml"});

  private static Sandbox sandbox;
  private static FakeVault vault;
  private static FakeKubernetes cluster;
  private static KubernetesClient kube;

  private final TestScheduler scheduler = new TestScheduler(TestClock.create());
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);

  @BeforeAll
  static void walkthroughWithoutSync() {
    sandbox = Sandbox.start();
    vault = sandbox.vault().orElseThrow();
    cluster = sandbox.kubernetes().orElseThrow();
    Walkthrough.Target target = Walkthrough.Target.of(sandbox);
    new Walkthrough(target, new PrintStream(OutputStream.nullOutputStream())).setUp();
    kube = KubernetesClient.create(target.kubernetes());
  }

  @AfterAll
  static void stop() {
    kube.close();
    sandbox.close();
  }

  @AfterEach
  void noValueWasPrinted() {
    String text = output.toString(StandardCharsets.UTF_8);
    assertFalse(text.contains("change-me"), text);
    assertFalse(text.contains("rotated-"), text);
  }

  private KubernetesController.Builder replica(String leaseName, String identity) {
    return CustomController.configure(kube, Map.of("LEASE_NAME", leaseName), identity, out)
        .clock(scheduler.clock())
        .scheduler(scheduler)
        .leaseTimings(Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(200))
        .shutdownGrace(Duration.ofSeconds(5));
  }

  @Test
  void syncsEveryExternalSecretWritesItsStatusAndServesProbes() throws Exception {
    try (KubernetesController controller = replica("single", "replica-a").build();
        Probes probes = Probes.start(controller, 0)) {
      assertEquals(503, get(probes, "/healthz"), "not started yet");
      controller.start();
      await("this replica leads", controller::isActive);
      assertEquals(Optional.of("replica-a"), leaseHolder("single"));

      for (String[] t : TARGETS) {
        await(t[0] + "'s Secret holds Vault's value", () -> secretMatchesVault(t));
        await(t[0] + "'s ExternalSecret is Ready", () -> ready("ExternalSecret", t[0], t[1], "SecretSynced"));
        await("vault-" + t[0] + " is Valid", () -> ready("ClusterSecretStore", null, "vault-" + t[0], "Valid"));
      }
      JsonNode status = cluster.get("external-secrets.io/v1", "ExternalSecret", "example-api", "example-api-env-file")
          .orElseThrow().path("status");
      assertEquals("secret synced", readyCondition(status).path("message").asText());
      assertFalse(status.path("refreshTime").asText().isEmpty(), status::toString);

      await("ready", controller::isReady);
      assertEquals(200, get(probes, "/healthz"));
      assertEquals(200, get(probes, "/readyz"));
      assertEquals(200, get(probes, "/leader"));
      await("the store validations are reported", () -> {
        scheduler.advance(Duration.ofSeconds(30));
        return output.toString(StandardCharsets.UTF_8).contains("ClusterSecretStore vault-example-api: Valid\n");
      });
    }
    assertEquals(Optional.empty(), leaseHolder("single").filter(h -> !h.isEmpty()), "the Lease is released on close");
  }

  @Test
  void aStandbyTakesOverWhenTheLeaderStopsAndKeepsRefreshing() throws Exception {
    try (KubernetesController first = replica("failover", "replica-a").build();
        KubernetesController second = replica("failover", "replica-b").build()) {
      first.start();
      await("replica-a leads", first::isActive);
      second.start();
      for (String[] t : TARGETS) {
        await(t[0] + " is synced", () -> ready("ExternalSecret", t[0], t[1], "SecretSynced") && secretMatchesVault(t));
      }
      assertEquals(Optional.of("replica-a"), leaseHolder("failover"));
      assertFalse(second.isActive(), "the standby does not sync while replica-a holds the Lease");
      assertTrue(second.isLive(), "a standby is live");

      first.close();
      await("replica-b takes over", second::isActive);
      assertEquals(Optional.of("replica-b"), leaseHolder("failover"));

      String rotated = "PORT=8080\nDATABASE_URL=postgres://api:rotated-password@db.example-api:5432/api\n";
      vault.kv("secret").put("example-api/env-file", Map.of("dotenv", rotated));
      await("the refresh after refreshInterval (2m) brings the rotated value", () -> {
        scheduler.advance(Duration.ofSeconds(15));
        return secretMatchesVault(TARGETS.get(0));
      });
      await("the custom listener reports the update", () -> output.toString(StandardCharsets.UTF_8).contains(
          "example-api/example-api-env-file: synced -> Secret example-api/example-api-env-file (updated, keys [.env])\n"));
    }
  }

  /** The target Secret's single key holds exactly the property's current value in Vault. */
  private static boolean secretMatchesVault(String[] t) {
    Optional<Map<String, byte[]>> data = cluster.secretData(t[0], t[1]);
    Object inVault = vault.kv("secret").get(t[2]).orElseThrow().get(t[3]);
    return data.isPresent() && data.get().keySet().equals(java.util.Set.of(t[4]))
        && new String(data.get().get(t[4]), StandardCharsets.UTF_8).equals(inVault);
  }

  private static boolean ready(String kind, String namespace, String name, String reason) {
    JsonNode condition = cluster.get("external-secrets.io/v1", kind, namespace, name)
        .map(o -> readyCondition(o.path("status"))).orElse(null);
    return condition != null && condition.path("status").asText().equals("True")
        && condition.path("reason").asText().equals(reason);
  }

  private static JsonNode readyCondition(JsonNode status) {
    for (JsonNode condition : status.path("conditions")) {
      if (condition.path("type").asText().equals("Ready")) {
        return condition;
      }
    }
    return null;
  }

  private static Optional<String> leaseHolder(String name) {
    return cluster.get("coordination.k8s.io/v1", "Lease", "external-secrets", name)
        .map(lease -> lease.path("spec").path("holderIdentity").asText(""));
  }

  private static int get(Probes probes, String path) throws Exception {
    HttpResponse<String> answer = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + probes.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    return answer.statusCode();
  }

  /** Waits for {@code condition}, running the timers due meanwhile; fails after 30 s. */
  private void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      scheduler.runPending();
      if (condition.getAsBoolean()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        fail("timed out waiting: " + what + "\noutput:\n" + output.toString(StandardCharsets.UTF_8));
      }
      Thread.sleep(50);
    }
  }
}
