package io.secretsync.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.core.SyncResult;
import io.secretsync.core.controller.BackoffPolicy;
import io.secretsync.core.controller.ExternalSecretStatus;
import io.secretsync.core.controller.StoreCircuitBreaker;
import io.secretsync.core.controller.SyncListener;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.FakeVault;
import io.secretsync.testkit.Sandbox;
import io.secretsync.testkit.TestClock;
import io.secretsync.testkit.TestScheduler;
import io.secretsync.testkit.server.FaultInjector.Fault;
import io.secretsync.vault.VaultStoreProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fault matrix: 200 ExternalSecrets kept in sync by the real pipeline (KubernetesController:
 * SyncController, VaultStoreProvider with Kubernetes auth through TokenRequest and Vault's
 * TokenReview, KubernetesSecretWriter, KubernetesPlatformAccess, status and Events in the cluster)
 * over the Sandbox (FakeVault and FakeKubernetes on loopback HTTPS), time driven by a TestScheduler.
 *
 * <p>Each row: every Vault value changes (so every ExternalSecret must write), a fault is injected
 * through the fakes for {@link #FAULT_WINDOW} of controller time (each ExternalSecret refreshes once
 * a minute), then cleared. Asserted for every row:
 * <ul>
 *   <li>no target Secret lost, none wrong: during and after the fault each Secret's data equals,
 *       byte for byte, either the values before the change or after it;
 *   <li>statuses say what happened: the failure the controller recorded (and, while the API server
 *       is up, the Warning Event it wrote) names the fault; a fault the client absorbs leaves every
 *       ExternalSecret Ready;
 *   <li>the requests the fakes received during the fault stay under the bound stated for the row;
 *   <li>after the fault clears, everything is synced (data, and Ready in the status read back from
 *       the cluster) within one backoff step: {@link #BACKOFF_CAP}, which is also the circuit
 *       breaker's longest open time;
 *   <li>no secret value reached a log line (at any level, stack traces included).
 * </ul>
 * The table is printed at the end. Run alone with
 * {@code mvn -B -pl secrets-kubernetes -am verify -Dtest=FaultMatrixTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultMatrixTest {
  static final int SECRETS = 200;
  static final String NS = "apps";
  static final Duration FAULT_WINDOW = Duration.ofSeconds(70);
  static final Duration BACKOFF_CAP = Duration.ofSeconds(30);
  static final int VAULT_RETRIES = 1;
  /** Vault requests one store call may make: the call and its retries, after a login and its retries. */
  static final int VAULT_PER_CALL = 2 * (1 + VAULT_RETRIES);
  /** Kubernetes requests one sync may make beside the write: status, Event, TokenRequest. */
  static final int KUBE_REPORTING = 3;

  private TestClock clock;
  private TestScheduler scheduler;
  private Sandbox sandbox;
  private FakeKubernetes kube;
  private FakeVault vault;
  private KubernetesClient client;
  private KubernetesController controller;
  private final Map<String, SyncResult> lastResult = new ConcurrentHashMap<>();
  private final AtomicInteger syncs = new AtomicInteger();
  private volatile Runnable afterSync = () -> { };
  private int generation;
  private final List<String> table = new ArrayList<>();

  @BeforeAll
  void startCluster() throws InterruptedException {
    clock = TestClock.create();
    scheduler = new TestScheduler(clock);
    sandbox = Sandbox.builder().clock(clock).start();
    kube = sandbox.kubernetes().orElseThrow();
    vault = sandbox.vault().orElseThrow();
    configureClusterAndVault();
    for (int i = 0; i < SECRETS; i++) {
      vault.kv("secret").put(NS + "/es-" + i, Map.of("password", value(0, i)));
      kube.apply(externalSecret(i));
    }
    client = KubernetesClient.create(TestFiles.adminConfig(kube).qps(10_000).burst(10_000).build());
    controller = KubernetesController.builder(client)
        .provider(VaultStoreProvider.withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(500)))
        .clock(clock).scheduler(scheduler).executor(scheduler.executor())
        .backoff(BackoffPolicy.builder().initialDelay(Duration.ofSeconds(1)).multiplier(2).jitter(0)
            .maxDelay(BACKOFF_CAP).build())
        .circuitBreaker(new StoreCircuitBreaker.Policy(3, Duration.ofSeconds(5), BACKOFF_CAP))
        .refreshJitter(0)
        .listener(new SyncListener() {
          @Override
          public void syncFinished(ExternalSecret es, SyncResult result, Duration duration) {
            lastResult.put(es.metadata().name(), result);
            syncs.incrementAndGet();
            afterSync.run();
          }
        })
        .build();
    controller.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!allSynced(0)) {
      if (System.nanoTime() > deadline) {
        fail("the 200 ExternalSecrets did not sync at start: " + describeFirstProblem(0));
      }
      scheduler.runPending();
      Thread.sleep(10);
    }
    scheduler.advance(Duration.ofSeconds(1));
  }

  @AfterAll
  void stopCluster() {
    System.out.println();
    System.out.println("Fault matrix: " + SECRETS + " ExternalSecrets, fault held " + FAULT_WINDOW.toSeconds()
        + " s of controller time, refresh every 60 s, backoff 1 s doubling to " + BACKOFF_CAP.toSeconds() + " s");
    System.out.println(String.format(Locale.ROOT, "%-36s %7s %4s %5s %9s %7s %9s  %s", "fault", "secrets", "lost",
        "wrong", "requests", "bound", "recovery", "what the status said"));
    table.forEach(System.out::println);
    System.out.println();
    if (controller != null) {
      controller.close();
    }
    if (client != null) {
      client.close();
    }
    if (sandbox != null) {
      sandbox.close();
    }
  }

  // ---------------------------------------------------------------------------------------- rows

  @Test
  @Order(1)
  void vaultSealed() {
    run(Row.blocking("Vault sealed (503)", vault::seal, vault::unseal, "sealed", vaultDownBound()));
  }

  @Test
  @Order(2)
  void vaultConnectionRefused() {
    run(Row.blocking("Vault connection refused", vault::stopListening, vault::startListening, "cannot connect",
        vaultDownBound()));
  }

  @Test
  @Order(3)
  void vaultReadTimeout() {
    run(Row.blocking("Vault read timeout (2 s > 0.5 s)", () -> vault.faults().add(Fault.delay(Duration.ofSeconds(2))),
        vault.faults()::clear, "timed out", vaultDownBound()));
  }

  @Test
  @Order(4)
  void vaultConnectionCutMidBody() {
    run(Row.blocking("Vault connection reset mid-body", () -> vault.faults().add(Fault.cutMidBody()),
        vault.faults()::clear, "closed before the whole answer arrived", vaultDownBound()));
  }

  @Test
  @Order(5)
  void vaultMalformedJson() {
    run(Row.blocking("Vault malformed JSON", () -> vault.faults().add(Fault.malformedJson()), vault.faults()::clear,
        "is not JSON", vaultDownBound()));
  }

  @Test
  @Order(6)
  void vaultTruncatedBody() {
    run(Row.blocking("Vault truncated body", () -> vault.faults().add(Fault.truncatedBody()), vault.faults()::clear,
        "closed before the whole answer arrived", vaultDownBound()));
  }

  @Test
  @Order(7)
  void vault429WithRetryAfter() {
    run(Row.blocking("Vault 429 + Retry-After: 1", () -> vault.faults().add(Fault.status(429).withRetryAfter(1)),
        vault.faults()::clear, "429", vaultDownBound()));
  }

  @Test
  @Order(8)
  void vaultHalfOfRequests500() {
    run(Row.absorbed("Vault 500 for 50% of requests", () -> vault.faults().add(Fault.status(500).everyNth(2)),
        vault.faults()::clear, refreshBound(2 * VAULT_PER_CALL + 2 + KUBE_REPORTING, 2)));
  }

  @Test
  @Order(9)
  void vaultTokenRevokedMidPass() {
    AtomicInteger seen = new AtomicInteger();
    int[] revoked = new int[1];
    run(Row.absorbed("Vault token revoked mid-pass", () -> afterSync = () -> {
      if (seen.incrementAndGet() == SECRETS / 2) {
        revoked[0] = vault.revokeLoginTokens("kubernetes");
      }
    }, () -> afterSync = () -> { }, refreshBound(VAULT_PER_CALL + 2 + KUBE_REPORTING, 2)));
    assertEquals(1, revoked[0], "the store's one login token was revoked halfway through the pass");
  }

  @Test
  @Order(10)
  void vaultLoginFailing() {
    run(Row.blocking("Vault login endpoint failing (500)", () -> {
      vault.revokeLoginTokens("kubernetes");
      vault.faults().add(Fault.status(500).onPathPrefix("auth/kubernetes/login"));
    }, vault.faults()::clear, "login", vaultDownBound()));
  }

  @Test
  @Order(11)
  void tokenReviewFailing() {
    run(Row.blocking("TokenReview failing (API 500)", () -> {
      vault.revokeLoginTokens("kubernetes");
      kube.faults().add(Fault.status(500).onPathPrefix("/apis/authentication.k8s.io/v1/tokenreviews"));
    }, kube.faults()::clear, "login", vaultDownBound()));
  }

  @Test
  @Order(12)
  void kubernetesConflictStorm() {
    run(Row.blocking("Kubernetes 409 storm (every PUT)",
        () -> kube.faults().add(Fault.status(409).onMethod("PUT").onPathPrefix(secretsPath())), kube.faults()::clear,
        "conflicts in a row", backoffBound(VAULT_PER_CALL + 2 * KubernetesSecretWriter.DEFAULT_MAX_ATTEMPTS
            + KUBE_REPORTING)));
  }

  @Test
  @Order(13)
  void kubernetes500s() {
    run(Row.blocking("Kubernetes 500 on Secrets", () -> kube.faults().add(Fault.status(500).onPathPrefix(secretsPath())),
        kube.faults()::clear, "500", backoffBound(VAULT_PER_CALL + 1 + KUBE_REPORTING)));
  }

  @Test
  @Order(14)
  void kubernetes429() {
    run(Row.absorbed("Kubernetes 429 burst + Retry-After: 1",
        () -> kube.faults().add(Fault.status(429).withRetryAfter(1).times(6).onPathPrefix(secretsPath())),
        kube.faults()::clear, refreshBound(VAULT_PER_CALL + 2 + KUBE_REPORTING, 1) + 6));
  }

  @Test
  @Order(15)
  void watchClosed() {
    run(Row.absorbed("Kubernetes watches closed", () -> {
      kube.endWatches();
      tamper();
    }, () -> { }, refreshBound(VAULT_PER_CALL + 2 + KUBE_REPORTING, 2)).realTimePerStep(20));
  }

  @Test
  @Order(16)
  void watchGone() {
    run(Row.absorbed("Kubernetes watch 410 Gone (compacted)", () -> {
      tamper();
      kube.compactWatchHistory();
      kube.endWatches();
    }, () -> { }, refreshBound(VAULT_PER_CALL + 2 + KUBE_REPORTING, 2)).realTimePerStep(20));
  }

  @Test
  @Order(17)
  void apiServerDown() {
    // Vault keeps answering: each ExternalSecret reads it (one request, a login at most) per backoff attempt.
    run(Row.blocking("Kubernetes API server down", kube::stopListening, kube::startListening, "cannot reach",
        backoffBound(2)));
  }

  // ------------------------------------------------------------------------------------- runner

  /** One row of the matrix. */
  record Row(String fault, Runnable inject, Runnable clear, boolean absorbed, String evidence, long bound,
      long realMillisPerStep) {
    static Row blocking(String fault, Runnable inject, Runnable clear, String evidence, long bound) {
      return new Row(fault, inject, clear, false, evidence, bound, 0);
    }

    static Row absorbed(String fault, Runnable inject, Runnable clear, long bound) {
      return new Row(fault, inject, clear, true, "", bound, 0);
    }

    Row realTimePerStep(long millis) {
      return new Row(fault, inject, clear, absorbed, evidence, bound, millis);
    }
  }

  /**
   * Vault down: the circuit opens after 3 failed syncs, then one probe per opening (5, 10, 20, 30 s).
   * Every ExternalSecret writes its status and an Event at most twice (failed, then "not ready").
   */
  static long vaultDownBound() {
    long probes = 0;
    long open = 5;
    for (long t = open; t <= FAULT_WINDOW.toSeconds() + BACKOFF_CAP.toSeconds(); t += open, open = Math.min(2 * open,
        BACKOFF_CAP.toSeconds())) {
      probes++;
    }
    return (3 + probes) * VAULT_PER_CALL + SECRETS * 2L * KUBE_REPORTING + 50;
  }

  /** Each ExternalSecret fails on its own: attempts at 0, 1, 3, 7, ... s and every cap after that. */
  static long backoffBound(int requestsPerAttempt) {
    long attempts = 1;
    long t = 0;
    long delay = 1;
    while (t + delay <= FAULT_WINDOW.toSeconds()) {
      t += delay;
      attempts++;
      delay = Math.min(2 * delay, BACKOFF_CAP.toSeconds());
    }
    return SECRETS * attempts * requestsPerAttempt + 50;
  }

  /** Everything syncs at its refresh: {@code refreshes} per ExternalSecret in the window. */
  static long refreshBound(int requestsPerSync, int refreshes) {
    return (long) SECRETS * refreshes * requestsPerSync + 50;
  }

  private void run(Row row) {
    long started = System.nanoTime();
    settle(generation);
    generation++;
    int gen = generation;
    for (int i = 0; i < SECRETS; i++) {
      vault.kv("secret").put(NS + "/es-" + i, Map.of("password", value(gen, i)));
    }
    lastResult.clear();
    LogCapture.clear();
    vault.auditLog().clear();
    kube.auditLog().clear();
    int syncsBefore = syncs.get();
    Problems during = new Problems();
    row.inject.run();
    boolean cleared = false;
    try {
      Instant end = clock.instant().plus(FAULT_WINDOW);
      while (clock.instant().isBefore(end)) {
        scheduler.advance(Duration.ofSeconds(1));
        pause(row.realMillisPerStep);
        if (row.realMillisPerStep == 0) {
          during.check(gen, false);
        }
      }
      scheduler.runPending();
      during.check(gen, row.absorbed);
      long requests = vault.auditLog().entries().size() + kube.auditLog().entries().size();
      String said = row.absorbed ? checkAbsorbed(row, gen) : checkReported(row, gen);
      int syncsDuring = syncs.get() - syncsBefore;

      row.clear.run();
      cleared = true;
      Instant clearedAt = clock.instant();
      Duration recovery = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (recovery == null) {
        scheduler.runPending();
        if (allSynced(gen)) {
          recovery = Duration.between(clearedAt, clock.instant());
          break;
        }
        if (Duration.between(clearedAt, clock.instant()).compareTo(BACKOFF_CAP) >= 0 || System.nanoTime() > deadline) {
          break;
        }
        scheduler.advance(Duration.ofMillis(500));
        pause(Math.max(5, row.realMillisPerStep));
      }
      Problems after = new Problems();
      after.check(gen, true);
      System.out.printf(Locale.ROOT, "fault matrix row \"%s\" took %.1f s%n", row.fault,
          (System.nanoTime() - started) / 1e9);
      table.add(String.format(Locale.ROOT, "%-36s %7d %4d %5d %9d %7d %9s  %s", row.fault, SECRETS,
          Math.max(during.lost, after.lost), Math.max(during.wrong, after.wrong), requests, row.bound,
          recovery == null ? "> " + BACKOFF_CAP.toSeconds() + " s" : recovery.toMillis() / 1000.0 + " s",
          said.length() > 110 ? said.substring(0, 110) + "..." : said));
      assertEquals(0, during.lost, row.fault + ": Secrets lost during the fault: " + during.first);
      assertEquals(0, during.wrong, row.fault + ": Secrets wrong during the fault: " + during.first);
      assertEquals(0, after.lost, row.fault + ": Secrets lost after the fault: " + after.first);
      assertTrue(recovery != null, row.fault + ": not synced again within " + BACKOFF_CAP + " after the fault "
          + "cleared: " + describeFirstProblem(gen));
      assertEquals(0, after.wrong, row.fault + ": Secrets wrong after the fault: " + after.first);
      assertTrue(requests <= row.bound, row.fault + ": " + requests + " requests during the fault, bound "
          + row.bound);
      List<String> leaking = LogCapture.lines().stream().filter(l -> l.contains("Grüße")).limit(3).toList();
      assertEquals(List.of(), leaking, row.fault + ": a secret value reached the logs");
      assertTrue(syncsDuring >= SECRETS, row.fault + ": every ExternalSecret was tried during the fault: "
          + syncsDuring);
    } finally {
      if (!cleared) {
        row.clear.run();
      }
      afterSync = () -> { };
      kube.faults().clear();
      vault.faults().clear();
    }
  }

  /** Lets the controller bring everything to {@code gen} (after an earlier row failed midway). */
  private void settle(int gen) {
    Instant until = clock.instant().plus(Duration.ofMinutes(3));
    while (!allSynced(gen)) {
      if (clock.instant().isAfter(until)) {
        fail("not in sync before the row: " + describeFirstProblem(gen));
      }
      scheduler.advance(Duration.ofSeconds(1));
      pause(5);
    }
  }

  /** A fault the client absorbs: every ExternalSecret synced the new values during it and is Ready. */
  private String checkAbsorbed(Row row, int gen) {
    for (int i = 0; i < SECRETS; i++) {
      ExternalSecretStatus status = controller.status(NS, "es-" + i).orElseThrow();
      assertTrue(status.isReady(), row.fault + ": es-" + i + " not Ready during an absorbed fault: " + status + " "
          + Optional.ofNullable(lastResult.get("es-" + i)).map(SyncResult::message).orElse(""));
      assertEquals(Optional.of(expected(gen, i)), data(i), row.fault + ": es-" + i + " has the new values");
    }
    return "all Ready (absorbed)";
  }

  /** A fault that stops syncs: the ones not synced say so, naming the fault, in status and Event. */
  private String checkReported(Row row, int gen) {
    String said = null;
    int notReady = 0;
    for (int i = 0; i < SECRETS; i++) {
      if (data(i).equals(Optional.of(expected(gen, i)))) {
        continue;
      }
      notReady++;
      ExternalSecretStatus status = controller.status(NS, "es-" + i).orElseThrow();
      assertTrue(!status.isReady(), row.fault + ": es-" + i + " still has old data but says Ready: " + status);
      SyncResult result = lastResult.get("es-" + i);
      assertTrue(result != null && result.failed(), row.fault + ": es-" + i + " has no failed result: " + result);
      String text = result.error().map(e -> e.getMessage() + " " + e.hints()).orElse(result.message());
      Optional<String> refused = Optional.empty();
      if (!text.toLowerCase(Locale.ROOT).contains(row.evidence.toLowerCase(Locale.ROOT))) {
        refused = Optional.of(text); // refused by the open circuit: "... is not ready; last error: ..."
      }
      assertTrue(refused.isEmpty() || text.contains("not ready"), row.fault + ": es-" + i + " failure does not say "
          + "what happened (" + row.evidence + "): " + text);
      if (said == null || refused.isEmpty()) {
        said = text;
      }
    }
    assertTrue(notReady > 0, row.fault + ": the fault blocked nothing");
    assertTrue(said.toLowerCase(Locale.ROOT).contains(row.evidence.toLowerCase(Locale.ROOT)),
        row.fault + ": no failure names the fault (" + row.evidence + "): " + said);
    if (kube.isListening()) {
      String event = lastWarning("es-0");
      assertTrue(event.toLowerCase(Locale.ROOT).contains(row.evidence.toLowerCase(Locale.ROOT))
          || event.contains("not ready"), row.fault + ": the Event for es-0 says " + event);
      JsonNode ready = readyCondition(NS, "es-0");
      assertEquals("False", ready.path("status").asText(), row.fault + ": status in the cluster " + ready);
    }
    return said.replace('\n', ' ');
  }

  /** Lost and wrong Secrets: each must hold exactly the old or (when {@code newOnly}) the new values. */
  final class Problems {
    int lost;
    int wrong;
    String first = "";

    void check(int gen, boolean newOnly) {
      lost = 0;
      wrong = 0;
      for (int i = 0; i < SECRETS; i++) {
        Optional<Map<String, byte[]>> data = kube.secretData(NS, "es-" + i);
        if (data.isEmpty() || !data.get().containsKey("password")) {
          lost++;
          first = first.isEmpty() ? "es-" + i + " lost" : first;
          continue;
        }
        byte[] now = data.get().get("password");
        boolean isNew = bytes(now).equals(expected(gen, i));
        boolean isOld = bytes(now).equals(expected(gen - 1, i));
        if (data.get().size() != 1 || !(isNew || (!newOnly && isOld))) {
          wrong++;
          first = first.isEmpty() ? "es-" + i + " has " + data.get().keySet() + " of " + now.length + " bytes" : first;
        }
      }
    }
  }

  private boolean allSynced(int gen) {
    for (int i = 0; i < SECRETS; i++) {
      if (!data(i).equals(Optional.of(expected(gen, i)))) {
        return false;
      }
      JsonNode ready = readyCondition(NS, "es-" + i);
      if (!ready.path("status").asText().equals("True")) {
        return false;
      }
    }
    return true;
  }

  private String describeFirstProblem(int gen) {
    for (int i = 0; i < SECRETS; i++) {
      if (!data(i).equals(Optional.of(expected(gen, i)))) {
        return "es-" + i + ": data not synced; last result "
            + Optional.ofNullable(lastResult.get("es-" + i)).map(r -> r.message() + " " + r.error().map(
                Throwable::getMessage).orElse("")).orElse("none") + "; status " + controller.status(NS, "es-" + i);
      }
      JsonNode ready = readyCondition(NS, "es-" + i);
      if (!ready.path("status").asText().equals("True")) {
        return "es-" + i + ": Ready condition in the cluster " + ready;
      }
    }
    return "none";
  }

  /** The data as the API holds it, compared as a list of bytes. */
  private Optional<List<Byte>> data(int i) {
    return kube.secretData(NS, "es-" + i).map(d -> d.get("password")).map(FaultMatrixTest::bytes);
  }

  private static List<Byte> expected(int gen, int i) {
    return bytes(value(gen, i).getBytes(StandardCharsets.UTF_8));
  }

  private static List<Byte> bytes(byte[] b) {
    if (b == null) {
      return List.of();
    }
    List<Byte> out = new ArrayList<>(b.length);
    for (byte x : b) {
      out.add(x);
    }
    return out;
  }

  /** A value with multi-byte characters, a quote, a newline and a backslash, distinct per row and secret. */
  static String value(int gen, int i) {
    return "pw-" + gen + "-" + i + "-Grüße-🔑-\"q\"\n\\" + "x".repeat(i % 7);
  }

  private String lastWarning(String name) {
    String last = "";
    for (JsonNode e : kube.list("v1", "Event", NS)) {
      JsonNode about = e.path("involvedObject");
      if (about.path("kind").asText().equals("ExternalSecret") && about.path("name").asText().equals(name)
          && e.path("type").asText().equals("Warning")) {
        last = e.path("message").asText();
      }
    }
    return last;
  }

  private JsonNode readyCondition(String ns, String name) {
    JsonNode object = kube.get("external-secrets.io/v1", "ExternalSecret", ns, name).orElseThrow();
    for (JsonNode c : object.path("status").path("conditions")) {
      if (c.path("type").asText().equals("Ready")) {
        return c;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  /** Edits ten managed Secrets by hand (while the watches are down): the controller must repair them. */
  private void tamper() {
    for (int i = 0; i < SECRETS; i += SECRETS / 10) {
      String path = "/api/v1/namespaces/" + NS + "/secrets/es-" + i;
      ObjectNode secret = kube.get(path).orElseThrow();
      secret.putObject("data").put("password", Base64.getEncoder().encodeToString(
          "edited by hand".getBytes(StandardCharsets.UTF_8)));
      kube.call("PUT", path, secret.toString(), false);
    }
  }

  private static String secretsPath() {
    return "/api/v1/namespaces/" + NS + "/secrets";
  }

  private static void pause(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void configureClusterAndVault() {
    kube.createNamespace("vault-auth");
    kube.createServiceAccount("vault-auth", "vault-auth");
    kube.call("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "{\"metadata\":{\"name\":"
        + "\"vault-auth-tokenreview\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\","
        + "\"name\":\"system:auth-delegator\"},\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"vault-auth\","
        + "\"namespace\":\"vault-auth\"}]}", false);
    kube.call("POST", "/api/v1/namespaces/vault-auth/secrets", "{\"metadata\":{\"name\":\"vault-auth-token\","
        + "\"annotations\":{\"kubernetes.io/service-account.name\":\"vault-auth\"}},"
        + "\"type\":\"kubernetes.io/service-account-token\"}", false);
    String reviewerJwt = new String(Base64.getDecoder().decode(kube.get("/api/v1/namespaces/vault-auth/secrets/"
        + "vault-auth-token").orElseThrow().path("data").path("token").asText()), StandardCharsets.UTF_8);
    kube.createNamespace("external-secrets");
    kube.createServiceAccount("external-secrets", "external-secrets");
    kube.createNamespace(NS);
    vault.kubernetesAuth().enable().config(kube.baseUrl(), kube.caCertificatePem(), reviewerJwt);
    vault.policies().put("apps", "path \"secret/data/" + NS + "/*\" {\n  capabilities = [\"read\"]\n}\n");
    vault.kubernetesAuth().role("apps", Map.of("bound_service_account_names", "external-secrets",
        "bound_service_account_namespaces", "external-secrets", "policies", "apps", "ttl", "1h"));
    String ca = Base64.getEncoder().encodeToString(vault.caCertificatePem().getBytes(StandardCharsets.UTF_8));
    kube.apply("apiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata: {name: vault}\nspec:\n"
        + "  retrySettings: {maxRetries: " + VAULT_RETRIES + ", retryInterval: 10ms}\n"
        + "  provider:\n    vault:\n      server: " + vault.address() + "\n      path: secret\n      version: v2\n"
        + "      caBundle: " + ca + "\n      auth:\n        kubernetes:\n          mountPath: kubernetes\n"
        + "          role: apps\n          serviceAccountRef: {name: external-secrets, namespace: external-secrets}\n");
  }

  private static String externalSecret(int i) {
    return "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: es-" + i + ", namespace: " + NS
        + "}\nspec:\n  refreshInterval: 1m\n  secretStoreRef: {name: vault, kind: ClusterSecretStore}\n"
        + "  target: {name: es-" + i + "}\n"
        + "  data:\n  - secretKey: password\n    remoteRef: {key: " + NS + "/es-" + i + ", property: password}\n";
  }
}
