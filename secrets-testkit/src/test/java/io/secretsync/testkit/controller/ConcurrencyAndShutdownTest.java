package io.secretsync.testkit.controller;

import static io.secretsync.testkit.controller.ControllerFixture.NAMESPACE;
import static io.secretsync.testkit.controller.ControllerFixture.es;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.TargetException;
import io.secretsync.core.TargetSecret;
import io.secretsync.core.TargetWriter;
import io.secretsync.core.controller.ExternalSecretStatus;
import io.secretsync.core.model.ExternalSecret;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConcurrencyAndShutdownTest {

  /** Holds the first write of one target until released; counts writes to it. */
  private static final class GateWriter implements TargetWriter {
    final TargetWriter delegate;
    final String gated;
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicBoolean first = new AtomicBoolean(true);
    final AtomicInteger applies = new AtomicInteger();

    GateWriter(TargetWriter delegate, String gated) {
      this.delegate = delegate;
      this.gated = gated;
    }

    @Override
    public Optional<TargetSecret> read(String namespace, String name) {
      return delegate.read(namespace, name);
    }

    @Override
    public WriteResult apply(String namespace, String name, Planner planner) {
      if (name.equals(gated)) {
        applies.incrementAndGet();
        if (first.compareAndSet(true, false)) {
          entered.countDown();
          try {
            if (!release.await(30, TimeUnit.SECONDS)) {
              throw new TargetException("the test never released the write");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TargetException("could not update secret: interrupted");
          }
        }
      }
      return delegate.apply(namespace, name, planner);
    }
  }

  @Test
  void triggersWhileASyncRunsAreCoalescedIntoOneMoreRunWithTheLatestDefinition() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    GateWriter[] gate = new GateWriter[1];
    try (ControllerFixture fx = new ControllerFixture(b -> b.executor(pool).workers(2),
        writer -> gate[0] = new GateWriter(writer, "slow"))) {
      fx.putSecret("slow", "v1");
      ExternalSecret slow = es("slow").build();
      fx.controller.applyExternalSecret(slow);
      fx.startWithStore();
      assertTrue(gate[0].entered.await(10, TimeUnit.SECONDS));

      for (int round = 1; round <= 3; round++) {
        fx.controller.requestSync(NAMESPACE, "slow");
        fx.controller.applyExternalSecret(
            new ExternalSecret(slow.metadata().withLabels(Map.of("round", Integer.toString(round))), slow.spec()));
        fx.controller.requestSync(NAMESPACE, "slow");
      }
      fx.controller.applyStore(ControllerFixture.clusterStore("vault", fx.vault, Duration.ofMinutes(1)));
      gate[0].release.countDown();
      assertTrue(fx.controller.awaitIdle(Duration.ofSeconds(10)));

      assertEquals(2, gate[0].applies.get(), "the running sync, then one more for everything that came meanwhile");
      assertEquals(1, fx.provider.maxConcurrentReadsOfOneKey());
      TargetSecret target = fx.targets.get(NAMESPACE, "slow").orElseThrow();
      assertEquals("3", target.labels().get("round"), "the second run used the latest definition");
      assertTrue(fx.controller.status(NAMESPACE, "slow").orElseThrow().isReady());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentTriggersFromManyThreadsNeverRunOneExternalSecretTwiceAtOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    ExecutorService triggers = Executors.newFixedThreadPool(4);
    try (ControllerFixture fx = new ControllerFixture(b -> b.executor(pool).workers(8))) {
      fx.provider.spin = true;
      int count = 40;
      List<ExternalSecret> all = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        fx.putSecret("c" + i, "v" + i);
        ExternalSecret es = es("c" + i).refreshInterval(Duration.ofMinutes(1)).build();
        all.add(es);
        fx.controller.applyExternalSecret(es);
      }
      fx.startWithStore();
      int[] lastRound = new int[count];
      List<CompletableFuture<Void>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        done.add(CompletableFuture.runAsync(() -> {
          SplittableRandom random = new SplittableRandom(thread);
          for (int round = 1; round <= 400; round++) {
            int i = thread + 4 * random.nextInt(count / 4);
            ExternalSecret es = all.get(i);
            switch (random.nextInt(3)) {
              case 0 -> fx.controller.requestSync(NAMESPACE, "c" + i);
              case 1 -> {
                fx.controller.applyExternalSecret(new ExternalSecret(
                    es.metadata().withAnnotations(Map.of("round", Integer.toString(round))), es.spec()));
                lastRound[i] = round;
              }
              default -> fx.controller.applyStore(ControllerFixture.clusterStore("vault", fx.vault,
                  Duration.ofMinutes(1 + random.nextInt(3))));
            }
          }
        }, triggers));
      }
      for (CompletableFuture<Void> future : done) {
        future.get(60, TimeUnit.SECONDS);
      }
      assertTrue(fx.controller.awaitIdle(Duration.ofSeconds(30)));

      assertEquals(1, fx.provider.maxConcurrentReadsOfOneKey(), "one ExternalSecret never syncs twice at once");
      for (int i = 0; i < count; i++) {
        if (lastRound[i] > 0) {
          TargetSecret target = fx.targets.get(NAMESPACE, "c" + i).orElseThrow();
          assertEquals(Integer.toString(lastRound[i]), target.annotations().get("round"),
              "c" + i + " ends synced with its last definition");
        }
        assertTrue(fx.controller.status(NAMESPACE, "c" + i).orElseThrow().isReady());
      }
    } finally {
      triggers.shutdownNow();
      pool.shutdownNow();
    }
  }

  @Test
  void closeLetsTheInFlightSyncFinishThenClosesTheStoresAndStopsTheSchedule() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    GateWriter[] gate = new GateWriter[1];
    ControllerFixture fx = new ControllerFixture(b -> b.executor(pool).workers(2),
        writer -> gate[0] = new GateWriter(writer, "busy"));
    try {
      fx.putSecret("busy", "v1");
      fx.controller.applyExternalSecret(es("busy").refreshInterval(Duration.ofMinutes(1)).build());
      fx.startWithStore();
      assertTrue(gate[0].entered.await(10, TimeUnit.SECONDS));

      CompletableFuture<Void> closing = CompletableFuture.runAsync(fx.controller::close);
      assertFalse(closing.isDone(), "close waits for the running sync");
      assertEquals(0, fx.vault.handlesClosed());
      gate[0].release.countDown();
      closing.get(20, TimeUnit.SECONDS);

      assertEquals(Optional.of("v1"), fx.targetPassword("busy"), "the in-flight sync completed its write");
      ExternalSecretStatus status = fx.statuses.externalSecret(NAMESPACE, "busy").orElseThrow();
      assertTrue(status.isReady(), "and reported its status");
      assertEquals(1, fx.vault.handlesOpened());
      assertEquals(1, fx.vault.handlesClosed(), "the stores were closed");
      assertFalse(fx.controller.isLive());

      int reads = fx.provider.reads("app/busy");
      fx.scheduler.advance(Duration.ofHours(1));
      fx.controller.requestSync(NAMESPACE, "busy");
      fx.controller.applyExternalSecret(es("other").build());
      fx.scheduler.runPending();
      assertEquals(reads, fx.provider.reads("app/busy"), "nothing runs after close");
    } finally {
      gate[0].release.countDown();
      fx.close();
      pool.shutdownNow();
    }
  }

  @Test
  void closeInterruptsSyncsThatOutliveTheGracePeriod() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    GateWriter[] gate = new GateWriter[1];
    ControllerFixture fx = new ControllerFixture(b -> b.executor(pool).workers(2).shutdownGrace(Duration.ZERO),
        writer -> gate[0] = new GateWriter(writer, "stuck"));
    try {
      fx.putSecret("stuck", "v1");
      fx.controller.applyExternalSecret(es("stuck").build());
      fx.startWithStore();
      assertTrue(gate[0].entered.await(10, TimeUnit.SECONDS));

      fx.controller.close();

      assertEquals(1, fx.vault.handlesClosed(), "the stores were closed");
      assertEquals(Optional.empty(), fx.targetPassword("stuck"), "the interrupted sync wrote nothing");
      ExternalSecretStatus status = fx.statuses.externalSecret(NAMESPACE, "stuck").orElseThrow();
      assertEquals("could not update secret", status.ready().orElseThrow().message());
      assertEquals("could not update secret: interrupted",
          fx.events.eventsFor("ExternalSecret/" + NAMESPACE + "/stuck").get(0).event().message());
    } finally {
      gate[0].release.countDown();
      pool.shutdownNow();
    }
  }
}
