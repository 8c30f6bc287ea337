package io.secretsync.core.controller;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The one pending timer of each job: setting a new one cancels the old, and a timer that fires
 * after it was replaced or cancelled does nothing. A timer that fires requests its job. Guarded by
 * the controller's lock, which callers hold.
 */
final class Timers {
  private final Object lock;
  private final Scheduler scheduler;
  private final Dispatcher dispatcher;
  private final BooleanSupplier closed;

  Timers(Object lock, Scheduler scheduler, Dispatcher dispatcher, BooleanSupplier closed) {
    this.lock = lock;
    this.scheduler = scheduler;
    this.dispatcher = dispatcher;
    this.closed = closed;
  }

  /** Requests {@code job} after {@code delay} (at once when negative), replacing its pending timer. */
  void set(Dispatcher.Job job, Duration delay) {
    cancel(job);
    Ref ref = new Ref();
    job.timer = ref;
    ref.task = scheduler.schedule(delay.isNegative() ? Duration.ZERO : delay, () -> {
      synchronized (lock) {
        if (job.timer == ref && !closed.getAsBoolean()) {
          job.timer = null;
          dispatcher.request(job);
        }
      }
    });
  }

  static void cancel(Dispatcher.Job job) {
    if (job.timer != null) {
      job.timer.cancel();
      job.timer = null;
    }
  }

  /** A timer that knows whether it is still its job's current one. */
  private static final class Ref implements Scheduler.Task {
    Scheduler.Task task;

    @Override
    public void cancel() {
      if (task != null) {
        task.cancel();
      }
    }
  }
}
