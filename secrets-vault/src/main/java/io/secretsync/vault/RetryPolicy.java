package io.secretsync.vault;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLException;

/**
 * When and how long to wait before sending a Vault request again: exponential backoff with jitter
 * on 412 (consistency), 429 (rate limit, standby) and 5xx answers and on I/O failures; never on
 * other 4xx answers (400, 403, 404 say something about the request, not the moment) and never on
 * TLS failures (a wrong CA does not get better). A {@code Retry-After} header is honoured up to
 * {@link #maxRetryAfter}; a longer one ends the retries. Immutable.
 */
record RetryPolicy(int maxRetries, Duration baseInterval, Duration maxInterval, Duration maxRetryAfter) {

  static final Duration DEFAULT_BASE = Duration.ofMillis(500);
  static final int DEFAULT_MAX_RETRIES = 2;

  RetryPolicy {
    checkArgument(maxRetries >= 0, "maxRetries must not be negative");
    requireNonNull(baseInterval, "baseInterval");
    requireNonNull(maxInterval, "maxInterval");
    requireNonNull(maxRetryAfter, "maxRetryAfter");
  }

  static RetryPolicy defaults() {
    return of(DEFAULT_MAX_RETRIES, DEFAULT_BASE);
  }

  static RetryPolicy of(int maxRetries, Duration baseInterval) {
    Duration max = baseInterval.multipliedBy(16).compareTo(Duration.ofSeconds(10)) > 0
        ? baseInterval.multipliedBy(16) : Duration.ofSeconds(10);
    return new RetryPolicy(maxRetries, baseInterval, max, Duration.ofSeconds(60));
  }

  static boolean retryableStatus(int status) {
    return status == 412 || status == 429 || (status >= 500 && status <= 599);
  }

  static boolean retryableFailure(IOException e) {
    if (e instanceof SSLException || e instanceof UnknownHostException) {
      return false;
    }
    // An interrupted call is not retried, but a timeout (a subclass of InterruptedIOException) is.
    return !(e instanceof InterruptedIOException) || e instanceof SocketTimeoutException;
  }

  /**
   * The wait before retry number {@code retry} (1-based), or empty when no retry should follow.
   * {@code retryAfter} is the server's {@code Retry-After}, if it sent one.
   */
  Optional<Duration> delayBefore(int retry, Optional<Duration> retryAfter) {
    if (retry > maxRetries) {
      return Optional.empty();
    }
    if (retryAfter.isPresent()) {
      return retryAfter.get().compareTo(maxRetryAfter) > 0 ? Optional.empty() : retryAfter;
    }
    long base = baseInterval.toNanos();
    long exponential = base << Math.min(retry - 1, 20);
    long capped = Math.min(exponential < 0 ? Long.MAX_VALUE : exponential, maxInterval.toNanos());
    // "Equal jitter": half fixed, half random, so waits grow but concurrent clients spread out.
    long jittered = capped / 2 + (capped / 2 == 0 ? 0 : ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    return Optional.of(Duration.ofNanos(jittered));
  }

  /** Parses {@code Retry-After} given in seconds (Vault's form); HTTP dates are ignored. */
  static Optional<Duration> parseRetryAfter(String header) {
    if (header == null) {
      return Optional.empty();
    }
    try {
      long seconds = Long.parseLong(header.trim());
      return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
