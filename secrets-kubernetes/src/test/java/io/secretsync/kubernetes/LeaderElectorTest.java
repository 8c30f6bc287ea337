package io.secretsync.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsync.kubernetes.KubernetesClient.Lease;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two electors on one Lease in FakeKubernetes, as client-go's leader election behaves: rounds are
 * stepped by hand on an injected clock, so what happens within and after the lease duration is
 * exact; one test runs the real background loop.
 */
class LeaderElectorTest {
  private static final String NS = "election";
  private static final Duration LEASE = Duration.ofSeconds(15);
  private static FakeKubernetes kube;
  private static KubernetesClient client;

  private final TestClock clock = TestClock.at(Instant.parse("2026-03-01T10:00:00.123456Z"));
  private final List<String> events = new CopyOnWriteArrayList<>();
  private String lease;
  private int leases;

  @BeforeAll
  static void cluster() {
    kube = FakeKubernetes.start();
    client = TestFiles.adminClient(kube);
    kube.createNamespace(NS);
  }

  @AfterAll
  static void stop() {
    client.close();
    kube.close();
  }

  @BeforeEach
  void freshLease() {
    lease = "controller-" + (++leases) + "-" + System.nanoTime();
    events.clear();
  }

  private LeaderElector elector(String identity) {
    return LeaderElector.builder(client, NS, lease, identity).clock(clock).leaseDuration(LEASE)
        .renewDeadline(Duration.ofSeconds(10)).retryPeriod(Duration.ofSeconds(2))
        .onStartedLeading(() -> events.add(identity + " started"))
        .onStoppedLeading(() -> events.add(identity + " stopped"))
        .onNewLeader(leader -> events.add(identity + " sees " + leader))
        .callbackExecutor(Runnable::run).build();
  }

  private JsonNode spec() {
    return kube.get("/apis/coordination.k8s.io/v1/namespaces/" + NS + "/leases/" + lease).orElseThrow().path("spec");
  }

  @Test
  void firstElectorCreatesTheLeaseAndTheSecondWaits() {
    LeaderElector a = elector("a");
    LeaderElector b = elector("b");

    assertTrue(a.step());
    assertFalse(b.step());

    assertTrue(a.isLeader());
    assertFalse(b.isLeader());
    assertEquals("a", b.leader());
    JsonNode spec = spec();
    assertEquals("a", spec.path("holderIdentity").asText());
    assertEquals(15, spec.path("leaseDurationSeconds").asInt());
    assertEquals("2026-03-01T10:00:00.123456Z", spec.path("acquireTime").asText(), "MicroTime, six digits");
    assertEquals("2026-03-01T10:00:00.123456Z", spec.path("renewTime").asText());
    assertEquals(0, spec.path("leaseTransitions").asInt());
    assertEquals(List.of("a started", "a sees a", "b sees a"), events);
  }

  @Test
  void leaderRenewsKeepingAcquireTimeAndTransitions() {
    LeaderElector a = elector("a");
    a.step();
    String firstVersion = client.getLease(NS, lease).orElseThrow().resourceVersion();

    clock.advance(Duration.ofSeconds(2));
    assertTrue(a.step());

    Lease renewed = client.getLease(NS, lease).orElseThrow();
    assertEquals(Instant.parse("2026-03-01T10:00:02.123456Z"), renewed.renewTime().orElseThrow());
    assertEquals(Instant.parse("2026-03-01T10:00:00.123456Z"), renewed.acquireTime().orElseThrow());
    assertEquals(0, renewed.leaseTransitions());
    assertFalse(firstVersion.equals(renewed.resourceVersion()));
    assertEquals(1, kube.auditLog().entries(e -> e.method().equals("PUT") && e.path().endsWith("/leases/" + lease))
        .size(), "a renewal is one replace at the cached resourceVersion, without reading first");
  }

  @Test
  void aLeaderThatFindsTheLeaseTakenDoesNotOverwriteItAndStopsAtItsRenewDeadline() {
    LeaderElector a = elector("a");
    assertTrue(a.step());
    Lease held = client.getLease(NS, lease).orElseThrow();
    client.replaceLease(held.withSpec("intruder", Duration.ofHours(1), clock.instant(), clock.instant(),
        held.leaseTransitions() + 1));

    for (int round = 1; round <= 5; round++) {
      clock.advance(Duration.ofSeconds(2));
      boolean leading = a.step();
      assertEquals("intruder", client.getLease(NS, lease).orElseThrow().holderIdentity(), "round " + round);
      assertEquals(round < 5, leading, "leads until its renew deadline, round " + round);
    }
    assertTrue(events.contains("a stopped"), events.toString());
  }

  @Test
  void whenTheLeaderStopsRenewingTheOtherTakesOverWithinTheLeaseDuration() {
    LeaderElector a = elector("a");
    LeaderElector b = elector("b");
    a.step();
    b.step();

    // a stops renewing (stuck, partitioned); b keeps trying every retry period
    for (int second = 2; second < 15; second += 2) {
      clock.advance(Duration.ofSeconds(2));
      assertFalse(b.step(), "the lease is still valid at +" + second + "s");
    }
    clock.advance(Duration.ofSeconds(2));
    assertTrue(b.step(), "taken over once 15 s passed without a renewal");

    JsonNode spec = spec();
    assertEquals("b", spec.path("holderIdentity").asText());
    assertEquals(1, spec.path("leaseTransitions").asInt());
    assertEquals("2026-03-01T10:00:16.123456Z", spec.path("acquireTime").asText());

    // a comes back: it finds b holding the Lease and stops leading
    assertFalse(a.step());
    assertFalse(a.isLeader());
    assertTrue(events.contains("a stopped"), events.toString());
    assertEquals("b", spec().path("holderIdentity").asText());
  }

  @Test
  void aRenewedLeaseIsNotTakenOver() {
    LeaderElector a = elector("a");
    LeaderElector b = elector("b");
    a.step();
    b.step();

    for (int i = 0; i < 20; i++) {
      clock.advance(Duration.ofSeconds(2));
      assertTrue(a.step());
      assertFalse(b.step());
    }

    assertEquals("a", spec().path("holderIdentity").asText());
    assertEquals(0, spec().path("leaseTransitions").asInt());
  }

  @Test
  void cleanShutdownReleasesTheLeaseAtOnce() {
    LeaderElector a = elector("a");
    LeaderElector b = elector("b");
    a.step();
    b.step();

    a.close();

    JsonNode released = spec();
    assertEquals("", released.path("holderIdentity").asText());
    assertTrue(released.has("holderIdentity"), "holderIdentity is sent as an empty string");
    assertEquals(1, released.path("leaseDurationSeconds").asInt());
    assertTrue(events.contains("a stopped"));
    assertFalse(a.isLeader());
    assertTrue(b.step(), "no waiting for the lease duration after a release");
    assertEquals("b", spec().path("holderIdentity").asText());
    assertEquals(1, spec().path("leaseTransitions").asInt());
  }

  @Test
  void leaderThatCannotRenewStopsLeadingAfterTheRenewDeadline() {
    LeaderElector a = elector("a");
    a.step();
    String leases = "/apis/coordination.k8s.io/v1/namespaces/" + NS + "/leases/" + lease;
    kube.faults().add(io.secretsync.testkit.server.FaultInjector.Fault.status(503).onPathPrefix(leases));
    try {
      clock.advance(Duration.ofSeconds(2));
      assertTrue(a.step(), "still leading 2 s after the last renewal");
      clock.advance(Duration.ofSeconds(6));
      assertTrue(a.step(), "still leading 8 s after the last renewal");
      clock.advance(Duration.ofSeconds(2));
      assertFalse(a.step(), "stops at the 10 s renew deadline, before anyone may take over at 15 s");
      assertEquals(List.of("a started", "a sees a", "a stopped"), events);
    } finally {
      kube.faults().clear();
    }
  }

  @Test
  void configurationFollowsClientGosConstraints() {
    LeaderElector.Builder builder = LeaderElector.builder(client, NS, lease, "x");

    assertThrows(IllegalArgumentException.class, () -> builder.leaseDuration(Duration.ofSeconds(10))
        .renewDeadline(Duration.ofSeconds(10)).build());
    assertThrows(IllegalArgumentException.class, () -> builder.leaseDuration(Duration.ofSeconds(15))
        .renewDeadline(Duration.ofSeconds(2)).retryPeriod(Duration.ofSeconds(2)).build());
    assertThrows(IllegalArgumentException.class, () -> builder.leaseDuration(Duration.ofMillis(15_500))
        .renewDeadline(Duration.ofSeconds(10)).retryPeriod(Duration.ofSeconds(2)).build());
  }

  @Test
  void backgroundLoopsElectExactlyOneAndHandOverOnClose() throws InterruptedException {
    List<String> leaders = new CopyOnWriteArrayList<>();
    LeaderElector a = LeaderElector.builder(client, NS, lease, "a").leaseDuration(Duration.ofSeconds(3))
        .renewDeadline(Duration.ofSeconds(2)).retryPeriod(Duration.ofMillis(100))
        .onStartedLeading(() -> leaders.add("a")).build();
    LeaderElector b = LeaderElector.builder(client, NS, lease, "b").leaseDuration(Duration.ofSeconds(3))
        .renewDeadline(Duration.ofSeconds(2)).retryPeriod(Duration.ofMillis(100))
        .onStartedLeading(() -> leaders.add("b")).build();
    a.start();
    b.start();
    try {
      await(() -> a.isLeader() || b.isLeader());
      Thread.sleep(300); // several rounds: the other must not lead meanwhile
      assertTrue(a.isLeader() ^ b.isLeader(), "exactly one leads");
      LeaderElector first = a.isLeader() ? a : b;
      LeaderElector second = first == a ? b : a;

      first.close();

      await(() -> second.isLeader() && leaders.size() == 2);
      assertEquals(List.of(first.identity(), second.identity()), leaders);
    } finally {
      a.close();
      b.close();
    }
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 20 s");
      }
      Thread.sleep(20);
    }
  }
}
