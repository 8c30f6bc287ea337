package io.secretsync.core.controller;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The circuit breaker of one store: it stops ExternalSecrets from sending requests to a store that
 * is down, so an outage costs a bounded number of requests per minute instead of one per
 * ExternalSecret and retry.
 *
 * <ul>
 *   <li><b>Closed</b>: requests flow. {@link Policy#failureThreshold()} consecutive failures that
 *       say the store is down (unreachable, TLS, login) open it; any answer from the store resets
 *       the count.
 *   <li><b>Open</b> until {@link #openUntil()}: no requests. The first opening lasts
 *       {@link Policy#minOpen()}, each reopening twice as long, up to {@link Policy#maxOpen()}.
 *   <li><b>Half-open</b>: one probe (the controller validates the store, reusing its token). Success
 *       closes the circuit, failure opens it again.
 * </ul>
 *
 * <p>So while a store stays down, it receives at most one probe per {@code maxOpen} (two a minute
 * by default) plus the requests that were already in flight when the circuit opened.
 * Thread-safe.
 */
public final class StoreCircuitBreaker {

  /** The states of a circuit. */
  public enum State {
    CLOSED,
    OPEN,
    HALF_OPEN
  }

  /**
   * When a circuit opens and for how long. Defaults: 3 consecutive failures, open 5 s at first,
   * doubling to at most 30 s.
   */
  public record Policy(int failureThreshold, Duration minOpen, Duration maxOpen) {
    public Policy {
      checkArgument(failureThreshold >= 1, "failureThreshold must be at least 1: %s", failureThreshold);
      requireNonNull(minOpen, "minOpen");
      requireNonNull(maxOpen, "maxOpen");
      checkArgument(minOpen.toNanos() > 0, "minOpen must be positive: %s", minOpen);
      checkArgument(maxOpen.compareTo(minOpen) >= 0, "maxOpen %s is shorter than minOpen %s", maxOpen, minOpen);
    }

    public static Policy defaults() {
      return new Policy(3, Duration.ofSeconds(5), Duration.ofSeconds(30));
    }
  }

  private final Policy policy;
  private State state = State.CLOSED;
  private int consecutiveFailures;
  private int openings;
  private Instant openUntil = Instant.MIN;
  private Optional<String> lastFailure = Optional.empty();

  public StoreCircuitBreaker(Policy policy) {
    this.policy = requireNonNull(policy, "policy");
  }

  public synchronized State state() {
    return state;
  }

  /** Whether requests may be sent: the circuit is closed. */
  public synchronized boolean allowsRequests() {
    return state == State.CLOSED;
  }

  /** When an open circuit admits its probe; {@link Instant#MIN} when not open. */
  public synchronized Instant openUntil() {
    return state == State.OPEN ? openUntil : Instant.MIN;
  }

  /** The message of the failure that last counted against the store, if any since it last answered. */
  public synchronized Optional<String> lastFailure() {
    return lastFailure;
  }

  /**
   * The store answered (a request or a probe succeeded, or failed for a reason of its own such as a
   * missing secret). Closes the circuit.
   *
   * @return whether this changed the state
   */
  public synchronized boolean recordSuccess() {
    consecutiveFailures = 0;
    openings = 0;
    lastFailure = Optional.empty();
    if (state == State.CLOSED) {
      return false;
    }
    state = State.CLOSED;
    return true;
  }

  /**
   * A request failed because the store is down. In a closed circuit it counts towards the
   * threshold; a failed probe reopens the circuit; in an open one it changes nothing.
   *
   * @return whether this opened the circuit
   */
  public synchronized boolean recordFailure(Instant now, String message) {
    lastFailure = Optional.of(message);
    return switch (state) {
      case CLOSED -> ++consecutiveFailures >= policy.failureThreshold() && open(now);
      case HALF_OPEN -> open(now);
      case OPEN -> false;
    };
  }

  /** Opens the circuit now, whatever its state, as a failed validation does. */
  public synchronized boolean trip(Instant now, String message) {
    lastFailure = Optional.of(message);
    if (state == State.OPEN) {
      return false;
    }
    return open(now);
  }

  /**
   * Moves an open circuit whose time is up to half-open and returns true: the caller now sends
   * the one probe and reports its outcome.
   */
  public synchronized boolean tryProbe(Instant now) {
    if (state != State.OPEN || now.isBefore(openUntil)) {
      return false;
    }
    state = State.HALF_OPEN;
    return true;
  }

  private boolean open(Instant now) {
    long factor = 1L << Math.min(openings, 30);
    Duration period = policy.minOpen().multipliedBy(factor);
    if (period.compareTo(policy.maxOpen()) > 0) {
      period = policy.maxOpen();
    }
    openings++;
    consecutiveFailures = 0;
    openUntil = now.plus(period);
    state = State.OPEN;
    return true;
  }

  @Override
  public synchronized String toString() {
    return "StoreCircuitBreaker{" + state + (state == State.OPEN ? " until " + openUntil : "") + "}";
  }
}
