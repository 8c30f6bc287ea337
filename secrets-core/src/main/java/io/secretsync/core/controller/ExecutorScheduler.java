package io.secretsync.core.controller;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The default {@link Scheduler}: one daemon thread, the system clock. Owned and shut down by the controller. */
final class ExecutorScheduler implements Scheduler, AutoCloseable {
  private final ScheduledThreadPoolExecutor executor;

  ExecutorScheduler() {
    executor = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, "secrets-sync-timer");
      thread.setDaemon(true);
      return thread;
    });
    executor.setRemoveOnCancelPolicy(true);
  }

  @Override
  public Task schedule(Duration delay, Runnable task) {
    ScheduledFuture<?> future = executor.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
