package io.secretsync.testkit;

import static java.util.Objects.requireNonNull;

import io.secretsync.core.controller.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;

/**
 * A {@link Scheduler} and an {@link Executor} driven by a {@link TestClock}, for deterministic tests
 * of time-driven code: nothing runs until the test calls {@link #advance} or {@link #runPending},
 * which run every task that falls due, in time order (ties in submission order), on the calling
 * thread, moving the clock to each task's time. An hour of schedule runs in milliseconds and never
 * sleeps. Tasks may schedule more tasks; those due within the advanced span run in the same call.
 * Tasks may be submitted from any thread.
 */
public final class TestScheduler implements Scheduler {
  private final TestClock clock;
  private final PriorityQueue<Entry> queue = new PriorityQueue<>();
  private long sequence;
  private long ran;

  public TestScheduler(TestClock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  public TestClock clock() {
    return clock;
  }

  /** An executor whose tasks run at the current time, at the next {@link #runPending} or {@link #advance}. */
  public Executor executor() {
    return task -> schedule(Duration.ZERO, task);
  }

  @Override
  public synchronized Task schedule(Duration delay, Runnable task) {
    requireNonNull(task, "task");
    Instant now = clock.instant();
    Instant at = delay.isNegative() ? now : now.plus(delay);
    Entry entry = new Entry(at, sequence++, task);
    queue.add(entry);
    return () -> entry.cancelled = true;
  }

  /** Runs the tasks due now, including those they schedule for now. */
  public void runPending() {
    advance(Duration.ZERO);
  }

  /** Moves the clock forward by {@code duration}, running every task that falls due on the way. */
  public void advance(Duration duration) {
    advanceTo(clock.instant().plus(duration));
  }

  /** Moves the clock to {@code target}, running every task that falls due on the way. */
  public void advanceTo(Instant target) {
    while (true) {
      Entry next;
      synchronized (this) {
        next = queue.peek();
        if (next == null || next.at.isAfter(target)) {
          break;
        }
        queue.poll();
        if (next.cancelled) {
          continue;
        }
        if (next.at.isAfter(clock.instant())) {
          clock.set(next.at);
        }
        ran++;
      }
      next.task.run();
    }
    if (target.isAfter(clock.instant())) {
      clock.set(target);
    }
  }

  /** How many tasks are waiting, cancelled ones excluded. */
  public synchronized int pending() {
    return (int) queue.stream().filter(e -> !e.cancelled).count();
  }

  /** How many tasks have run. */
  public synchronized long ran() {
    return ran;
  }

  @Override
  public synchronized String toString() {
    return "TestScheduler{" + clock.instant() + ", pending=" + pending() + "}";
  }

  private static final class Entry implements Comparable<Entry> {
    final Instant at;
    final long sequence;
    final Runnable task;
    volatile boolean cancelled;

    Entry(Instant at, long sequence, Runnable task) {
      this.at = at;
      this.sequence = sequence;
      this.task = task;
    }

    @Override
    public int compareTo(Entry other) {
      int c = at.compareTo(other.at);
      return c != 0 ? c : Long.compare(sequence, other.sequence);
    }
  }
}
