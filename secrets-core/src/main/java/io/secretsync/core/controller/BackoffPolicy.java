package io.secretsync.core.controller;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * How long an ExternalSecret waits before retrying after consecutive failures: exponential from
 * {@code initialDelay} (1 s) by {@code multiplier} (2), capped, with jitter that shortens each
 * delay by up to {@code jitter} (20%) of itself so that ExternalSecrets failing together do not
 * retry together. The cap is {@link Builder#maxDelay} when set, otherwise the smaller of the
 * ExternalSecret's {@code refreshInterval} and 5 minutes (5 minutes when the interval is 0), so a
 * broken ExternalSecret never retries faster than 1 s nor, once capped, more often than it would
 * refresh, unlike ESO's fixed 7-minute cap that ignores the interval. Immutable and thread-safe.
 */
public final class BackoffPolicy {

  /** The cap when none is configured and the refresh interval is longer or zero. */
  public static final Duration DEFAULT_MAX_DELAY = Duration.ofMinutes(5);

  private static final BackoffPolicy DEFAULTS = builder().build();

  private final Duration initialDelay;
  private final double multiplier;
  private final double jitter;
  private final Optional<Duration> maxDelay;

  private BackoffPolicy(Builder builder) {
    this.initialDelay = builder.initialDelay;
    this.multiplier = builder.multiplier;
    this.jitter = builder.jitter;
    this.maxDelay = builder.maxDelay;
  }

  /** 1 s doubling, 20% jitter, capped at the smaller of refreshInterval and 5 minutes. */
  public static BackoffPolicy defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The largest delay for an ExternalSecret refreshed every {@code refreshInterval} (zero: never). */
  public Duration cap(Duration refreshInterval) {
    requireNonNull(refreshInterval, "refreshInterval");
    if (maxDelay.isPresent()) {
      return maxDelay.get();
    }
    if (refreshInterval.isZero() || refreshInterval.isNegative()) {
      return DEFAULT_MAX_DELAY;
    }
    return refreshInterval.compareTo(DEFAULT_MAX_DELAY) < 0 ? refreshInterval : DEFAULT_MAX_DELAY;
  }

  /**
   * The delay before the retry that follows the {@code failures}-th consecutive failure (1 for the
   * first): {@code min(cap, initialDelay * multiplier^(failures-1))}, less up to the jitter fraction.
   */
  public Duration delay(int failures, Duration refreshInterval, RandomGenerator random) {
    checkArgument(failures >= 1, "failures must be at least 1: %s", failures);
    double capNanos = cap(refreshInterval).toNanos();
    double base = initialDelay.toNanos() * Math.pow(multiplier, Math.min(failures - 1, 1000));
    double nanos = Math.min(capNanos, base);
    nanos -= nanos * jitter * random.nextDouble();
    return Duration.ofNanos(Math.max(1, (long) nanos));
  }

  @Override
  public String toString() {
    return "BackoffPolicy{initial=" + initialDelay + ", x" + multiplier + ", jitter=" + jitter + ", max="
        + maxDelay.map(Duration::toString).orElse("min(refreshInterval, " + DEFAULT_MAX_DELAY + ")") + "}";
  }

  /** Configures a {@link BackoffPolicy}; every setting has a default. */
  public static final class Builder {
    private Duration initialDelay = Duration.ofSeconds(1);
    private double multiplier = 2;
    private double jitter = 0.2;
    private Optional<Duration> maxDelay = Optional.empty();

    private Builder() {}

    /** The first delay; default 1 s. */
    public Builder initialDelay(Duration delay) {
      checkArgument(delay.toNanos() > 0, "initialDelay must be positive: %s", delay);
      this.initialDelay = delay;
      return this;
    }

    /** The growth factor per failure; default 2. */
    public Builder multiplier(double factor) {
      checkArgument(factor >= 1, "multiplier must be at least 1: %s", factor);
      this.multiplier = factor;
      return this;
    }

    /** The largest fraction by which a delay is shortened at random; 0 to 1, default 0.2. */
    public Builder jitter(double fraction) {
      checkArgument(fraction >= 0 && fraction <= 1, "jitter must be between 0 and 1: %s", fraction);
      this.jitter = fraction;
      return this;
    }

    /** A fixed cap for every ExternalSecret, instead of min(refreshInterval, 5 minutes). */
    public Builder maxDelay(Duration max) {
      checkArgument(max.toNanos() > 0, "maxDelay must be positive: %s", max);
      this.maxDelay = Optional.of(max);
      return this;
    }

    public BackoffPolicy build() {
      checkArgument(maxDelay.isEmpty() || maxDelay.get().compareTo(initialDelay) >= 0,
          "maxDelay %s is shorter than initialDelay %s", maxDelay.orElse(null), initialDelay);
      return new BackoffPolicy(this);
    }
  }
}
