package io.secretsync.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Lease times in the only form the API server parses: six fractional digits. */
class MicroTimeTest {

  @Test
  void alwaysSixFractionalDigitsInUtc() {
    assertEquals("2026-01-10T12:00:00.000000Z", MicroTime.format(Instant.parse("2026-01-10T12:00:00Z")));
    assertEquals("2026-01-10T12:05:30.654321Z", MicroTime.format(Instant.parse("2026-01-10T12:05:30.654321987Z")));
  }

  @Test
  void parsesAnyFractionAndNothingElse() {
    assertEquals(Instant.parse("2026-01-10T12:00:00.123456Z"), MicroTime.parse("2026-01-10T12:00:00.123456Z").orElseThrow());
    assertEquals(Instant.parse("2026-01-10T12:00:00Z"), MicroTime.parse("2026-01-10T12:00:00Z").orElseThrow());
    assertTrue(MicroTime.parse("").isEmpty());
    assertTrue(MicroTime.parse("yesterday").isEmpty());
  }
}
