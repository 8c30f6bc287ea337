package io.secretsync.kubernetes;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.function.LongSupplier;

/**
 * Client-side rate limiting as client-go's token bucket: up to {@code burst} requests at once,
 * refilled at {@code qps} per second. A caller {@link #reserve() reserves} a slot and waits the
 * returned time before sending, so callers are served in order. Time comes from an injected
 * nanosecond source. Thread-safe.
 */
final class TokenBucket {
  private final double qps;
  private final int burst;
  private final LongSupplier nanoTime;
  private double tokens; // guarded by this
  private long last; // guarded by this

  TokenBucket(double qps, int burst, LongSupplier nanoTime) {
    checkArgument(qps > 0 && burst >= 1, "qps > 0 and burst >= 1");
    this.qps = qps;
    this.burst = burst;
    this.nanoTime = nanoTime;
    this.tokens = burst;
    this.last = nanoTime.getAsLong();
  }

  /** Takes one slot; returns how many nanoseconds the caller must wait before using it (0: now). */
  synchronized long reserve() {
    long now = nanoTime.getAsLong();
    long elapsed = Math.max(0, now - last);
    last = Math.max(last, now);
    tokens = Math.min(burst, tokens + elapsed * qps / 1e9);
    tokens -= 1;
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / qps * 1e9);
  }

  /** Takes one slot and sleeps until it may be used. */
  void acquire() throws InterruptedException {
    long wait = reserve();
    if (wait > 0) {
      java.util.concurrent.TimeUnit.NANOSECONDS.sleep(wait);
    }
  }
}
