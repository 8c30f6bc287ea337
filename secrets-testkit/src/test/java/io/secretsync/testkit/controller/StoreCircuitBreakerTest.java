package io.secretsync.testkit.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.controller.StoreCircuitBreaker;
import io.secretsync.core.controller.StoreCircuitBreaker.State;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StoreCircuitBreakerTest {
  private static final Instant T = Instant.parse("2026-03-02T09:00:00Z");
  private final StoreCircuitBreaker breaker = new StoreCircuitBreaker(StoreCircuitBreaker.Policy.defaults());

  @Test
  void opensAfterThreeConsecutiveFailures() {
    assertFalse(breaker.recordFailure(T, "down"));
    assertFalse(breaker.recordFailure(T, "down"));
    assertTrue(breaker.allowsRequests());
    assertTrue(breaker.recordFailure(T, "down"));
    assertEquals(State.OPEN, breaker.state());
    assertFalse(breaker.allowsRequests());
    assertEquals(T.plusSeconds(5), breaker.openUntil());
    assertEquals(Optional.of("down"), breaker.lastFailure());
  }

  @Test
  void anAnswerInBetweenResetsTheCount() {
    breaker.recordFailure(T, "down");
    breaker.recordFailure(T, "down");
    assertFalse(breaker.recordSuccess(), "already closed");
    assertFalse(breaker.recordFailure(T, "down"));
    assertTrue(breaker.allowsRequests());
    assertEquals(Optional.of("down"), breaker.lastFailure());
  }

  @Test
  void admitsOneProbeWhenItsTimeIsUpAndReopensLongerWhenTheProbeFails() {
    breaker.trip(T, "down");
    assertFalse(breaker.tryProbe(T.plusSeconds(4)));
    assertTrue(breaker.tryProbe(T.plusSeconds(5)));
    assertEquals(State.HALF_OPEN, breaker.state());
    assertFalse(breaker.allowsRequests(), "only the probe");
    assertFalse(breaker.tryProbe(T.plusSeconds(5)), "one probe at a time");

    Instant now = T.plusSeconds(5);
    Duration[] expected = {Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(30)};
    for (Duration open : expected) {
      assertTrue(breaker.recordFailure(now, "still down"));
      assertEquals(now.plus(open), breaker.openUntil());
      now = now.plus(open);
      assertTrue(breaker.tryProbe(now));
    }
    assertTrue(breaker.recordSuccess());
    assertEquals(State.CLOSED, breaker.state());
    assertEquals(Optional.empty(), breaker.lastFailure());

    assertTrue(breaker.trip(now, "down again"));
    assertEquals(now.plusSeconds(5), breaker.openUntil(), "a closed circuit starts over from the shortest opening");
  }

  @Test
  void failuresOfRequestsSentBeforeItOpenedChangeNothing() {
    breaker.trip(T, "down");
    assertFalse(breaker.recordFailure(T.plusSeconds(1), "late"));
    assertEquals(T.plusSeconds(5), breaker.openUntil());
  }
}
