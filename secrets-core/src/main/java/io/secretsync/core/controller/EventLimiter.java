package io.secretsync.core.controller;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Rate-limits Events per object: an identical event (type, reason, message) passes at most once
 * per {@code interval}, and each object has a bucket of {@value #BURST} events that refills by one
 * every {@code interval / BURST}. Guarded by the controller's lock.
 */
final class EventLimiter {
  static final int BURST = 10;

  private final Duration interval;
  private final Duration refill;
  private final Map<Object, Bucket> buckets = new HashMap<>();

  EventLimiter(Duration interval) {
    this.interval = interval;
    this.refill = interval.dividedBy(BURST);
  }

  /** Whether {@code event} about {@code subject} may be sent {@code now}; records it if so. */
  boolean allow(Object subject, ControllerEvent event, Instant now) {
    if (interval.isZero()) {
      return true;
    }
    Bucket bucket = buckets.computeIfAbsent(subject, k -> new Bucket(now));
    bucket.refill(now, refill);
    for (Iterator<Instant> it = bucket.lastSent.values().iterator(); it.hasNext(); ) {
      if (!it.next().plus(interval).isAfter(now)) {
        it.remove();
      }
    }
    if (bucket.lastSent.containsKey(event) || bucket.tokens < 1) {
      return false;
    }
    bucket.tokens--;
    bucket.lastSent.put(event, now);
    return true;
  }

  void forget(Object subject) {
    buckets.remove(subject);
  }

  private static final class Bucket {
    final Map<ControllerEvent, Instant> lastSent = new HashMap<>();
    double tokens = BURST;
    Instant refilledAt;

    Bucket(Instant now) {
      this.refilledAt = now;
    }

    void refill(Instant now, Duration every) {
      if (now.isAfter(refilledAt)) {
        double gained = (double) Duration.between(refilledAt, now).toNanos() / Math.max(1, every.toNanos());
        tokens = Math.min(BURST, tokens + gained);
        refilledAt = now;
      }
    }
  }
}
