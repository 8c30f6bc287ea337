package io.secretsync.core.controller;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded worker pool over a FIFO queue of jobs, in which a job is never queued twice nor run
 * twice at once: a request for a queued job is absorbed, a request for a running job makes it run
 * once more when it ends. All state is guarded by the controller's lock, which callers of
 * {@link #request} hold; jobs run without it.
 */
final class Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  /** Work the dispatcher runs. Its fields are guarded by the controller's lock. */
  abstract static class Job {
    boolean queued;
    boolean running;
    boolean wanted;
    Thread worker;
    /** The pending timer that will request this job; see {@link Timers}. */
    Scheduler.Task timer;

    /** Does the work; called on a worker thread without the lock. */
    abstract void run();
  }

  private final Object lock;
  private final Executor executor;
  private final int workers;
  private final ArrayDeque<Job> ready = new ArrayDeque<>();
  private final Set<Job> running = new LinkedHashSet<>();
  private int activeWorkers;
  private boolean accepting;

  Dispatcher(Object lock, Executor executor, int workers) {
    this.lock = lock;
    this.executor = executor;
    this.workers = workers;
  }

  /** Asks for {@code job} to run. Caller holds the lock. */
  void request(Job job) {
    job.wanted = true;
    if (accepting && !job.queued && !job.running) {
      enqueue(job);
    }
  }

  /** Starts running requested jobs. Caller holds the lock. */
  void start(Iterable<? extends Job> jobs) {
    accepting = true;
    for (Job job : jobs) {
      if (job.wanted && !job.queued && !job.running) {
        enqueue(job);
      }
    }
  }

  /** Stops taking jobs; queued ones are dropped. Caller holds the lock. */
  void stop() {
    accepting = false;
    for (Job job : ready) {
      job.queued = false;
    }
    ready.clear();
    lock.notifyAll();
  }

  /** The threads running jobs now. Caller holds the lock. */
  List<Thread> runningThreads() {
    List<Thread> threads = new ArrayList<>();
    for (Job job : running) {
      if (job.worker != null) {
        threads.add(job.worker);
      }
    }
    return threads;
  }

  /** Whether nothing is queued or running. Caller holds the lock. */
  boolean idle() {
    return ready.isEmpty() && activeWorkers == 0;
  }

  /** Whether no job is running. Caller holds the lock. */
  boolean noneRunning() {
    return running.isEmpty();
  }

  int queued() {
    return ready.size();
  }

  private void enqueue(Job job) {
    job.queued = true;
    ready.add(job);
    if (activeWorkers < workers) {
      activeWorkers++;
      try {
        executor.execute(this::work);
      } catch (RejectedExecutionException e) {
        activeWorkers--;
        log.warn("the worker executor refused a task: {}", e.toString());
      }
    }
  }

  private void work() {
    while (true) {
      Job job;
      synchronized (lock) {
        job = ready.poll();
        if (job == null) {
          activeWorkers--;
          lock.notifyAll();
          return;
        }
        job.queued = false;
        job.running = true;
        job.wanted = false;
        job.worker = Thread.currentThread();
        running.add(job);
      }
      try {
        job.run();
      } catch (RuntimeException | Error e) {
        log.error("a controller job failed unexpectedly", e);
      } finally {
        synchronized (lock) {
          job.running = false;
          job.worker = null;
          running.remove(job);
          if (job.wanted && accepting) {
            job.queued = true;
            ready.add(job);
          }
          lock.notifyAll();
        }
      }
    }
  }
}
