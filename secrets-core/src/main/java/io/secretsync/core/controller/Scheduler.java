package io.secretsync.core.controller;

import java.time.Duration;

/**
 * Runs tasks after a delay: the controller's timers for refreshes, retries, store validations and
 * circuit probes. Tasks are short (they only queue work for the worker pool). The default runs
 * them on one daemon thread against the system clock; tests pass a scheduler driven by a fake
 * clock so that hours of schedule run in milliseconds. Implementations are thread-safe.
 */
public interface Scheduler {

  /** Runs {@code task} once, {@code delay} from now (at once when zero or negative). */
  Task schedule(Duration delay, Runnable task);

  /** A scheduled task. */
  interface Task {

    /** Prevents the task from running if it has not started; idempotent. */
    void cancel();
  }
}
