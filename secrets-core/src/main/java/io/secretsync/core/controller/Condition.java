package io.secretsync.core.controller;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A Kubernetes status condition as ESO writes it: {@code type}, {@code status}, {@code reason},
 * {@code message} and {@code lastTransitionTime}, which changes only when {@code status} does.
 * Immutable.
 */
public record Condition(String type, Status status, String reason, String message, Instant lastTransitionTime) {

  /** The only condition type ESO writes on ExternalSecrets and stores. */
  public static final String READY = "Ready";

  public Condition {
    requireNonNull(type, "type");
    requireNonNull(status, "status");
    requireNonNull(reason, "reason");
    requireNonNull(message, "message");
    requireNonNull(lastTransitionTime, "lastTransitionTime");
  }

  /** A {@code Ready} condition. */
  public static Condition ready(boolean ready, String reason, String message, Instant lastTransitionTime) {
    return new Condition(READY, ready ? Status.TRUE : Status.FALSE, reason, message, lastTransitionTime);
  }

  public boolean isTrue() {
    return status == Status.TRUE;
  }

  /** This condition moved to {@code next}'s status, reason and message; the transition time is kept when the status is. */
  Condition next(Condition next) {
    return next.status == status ? new Condition(type, status, next.reason, next.message, lastTransitionTime) : next;
  }

  /** A condition's {@code status}, with its wire text. */
  public enum Status {
    TRUE("True"),
    FALSE("False"),
    UNKNOWN("Unknown");

    private final String wireName;

    Status(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }
  }
}
