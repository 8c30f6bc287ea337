package io.secretsync.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Wall clock, CPU time, latency percentiles and live heap, measured with the JDK's own beans. */
final class Meters {
  private Meters() {}

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** CPU time of the whole process (both fake servers included), nanoseconds; -1 when unknown. */
  static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /** Live heap after a full collection, bytes (a few collections, so that finalizable objects go too). */
  static long liveHeapBytes() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  /** A fixed pool whose threads' CPU time can be read: the workers of one contender. */
  static final class TrackedPool implements ThreadFactory {
    private final List<Thread> threads = new ArrayList<>();
    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();
    final ExecutorService executor;

    TrackedPool(String prefix, int size) {
      this.prefix = prefix;
      this.executor = Executors.newFixedThreadPool(size, this);
    }

    @Override
    public synchronized Thread newThread(Runnable r) {
      Thread t = new Thread(r, prefix + "-" + count.incrementAndGet());
      t.setDaemon(true);
      threads.add(t);
      return t;
    }

    /** The CPU time all threads of the pool used so far, nanoseconds (threads that ended are lost). */
    synchronized long cpuNanos() {
      long sum = 0;
      for (Thread t : threads) {
        long cpu = THREADS.getThreadCpuTime(t.getId());
        if (cpu > 0) {
          sum += cpu;
        }
      }
      return sum;
    }

    void shutdown() {
      executor.shutdownNow();
    }
  }

  /** Latencies of one pass, in nanoseconds. Thread-safe. */
  static final class Latencies {
    private long[] values = new long[1024];
    private int size;

    synchronized void add(long nanos) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = nanos;
    }

    synchronized int count() {
      return size;
    }

    /** The {@code q} quantile (0..1) by the nearest-rank method, in microseconds. */
    synchronized double quantileMicros(double q) {
      if (size == 0) {
        return 0;
      }
      long[] sorted = Arrays.copyOf(values, size);
      Arrays.sort(sorted);
      int rank = (int) Math.ceil(q * size);
      return sorted[Math.max(0, Math.min(size - 1, rank - 1))] / 1000.0;
    }
  }
}
