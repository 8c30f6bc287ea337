package io.secretsync.testkit.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.controller.BackoffPolicy;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffPolicyTest {
  private final SplittableRandom random = new SplittableRandom(1);

  @Test
  void doublesFromOneSecondUpToTheRefreshIntervalOrFiveMinutes() {
    BackoffPolicy noJitter = BackoffPolicy.builder().jitter(0).build();
    Duration hour = Duration.ofHours(1);
    assertEquals(Duration.ofSeconds(1), noJitter.delay(1, hour, random));
    assertEquals(Duration.ofSeconds(2), noJitter.delay(2, hour, random));
    assertEquals(Duration.ofSeconds(256), noJitter.delay(9, hour, random));
    assertEquals(Duration.ofMinutes(5), noJitter.delay(10, hour, random));
    assertEquals(Duration.ofMinutes(5), noJitter.delay(5000, hour, random));
    assertEquals(Duration.ofSeconds(30), noJitter.delay(10, Duration.ofSeconds(30), random));
    assertEquals(Duration.ofMinutes(5), noJitter.delay(10, Duration.ZERO, random), "interval 0: the 5-minute cap");
  }

  @Test
  void aConfiguredMaximumReplacesTheDefaultCap() {
    BackoffPolicy policy = BackoffPolicy.builder().jitter(0).maxDelay(Duration.ofMinutes(30)).build();
    assertEquals(Duration.ofMinutes(30), policy.cap(Duration.ofMinutes(1)));
    assertEquals(Duration.ofSeconds(1024), policy.delay(11, Duration.ofMinutes(1), random));
    assertEquals(Duration.ofMinutes(30), policy.delay(12, Duration.ofMinutes(1), random));
  }

  @Test
  void jitterOnlyShortensADelayByAtMostItsFraction() {
    BackoffPolicy policy = BackoffPolicy.defaults();
    boolean varied = false;
    Duration first = policy.delay(10, Duration.ofHours(1), random);
    for (int i = 0; i < 1000; i++) {
      Duration delay = policy.delay(10, Duration.ofHours(1), random);
      assertTrue(delay.compareTo(Duration.ofMinutes(4)) >= 0 && delay.compareTo(Duration.ofMinutes(5)) <= 0,
          delay.toString());
      varied |= !delay.equals(first);
    }
    assertTrue(varied);
  }

  @Test
  void rejectsNonsense() {
    assertThrows(IllegalArgumentException.class, () -> BackoffPolicy.builder().jitter(1.5));
    assertThrows(IllegalArgumentException.class, () -> BackoffPolicy.builder().initialDelay(Duration.ZERO));
    assertThrows(IllegalArgumentException.class,
        () -> BackoffPolicy.builder().initialDelay(Duration.ofMinutes(2)).maxDelay(Duration.ofMinutes(1)).build());
    assertThrows(IllegalArgumentException.class, () -> BackoffPolicy.defaults().delay(0, Duration.ZERO, random));
  }
}
