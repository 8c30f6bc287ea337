package io.secretsync.kubernetes;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Kubernetes {@code MicroTime}: RFC 3339 with exactly six fractional digits, the only form the API
 * server parses for Lease times ({@code 2026-01-10T12:00:00.123456Z}).
 */
final class MicroTime {
  private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX")
      .withZone(ZoneOffset.UTC);

  private MicroTime() {}

  static String format(Instant instant) {
    return FORMAT.format(instant);
  }

  /** The instant of an RFC 3339 time with any number of fractional digits; empty when absent or unreadable. */
  static Optional<Instant> parse(String text) {
    if (text == null || text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(text).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
