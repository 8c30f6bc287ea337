package io.secretsync.benchmarks;

/**
 * What one contender did in one pass: wall time, per-sync latency, requests counted by the fakes,
 * CPU time of its worker threads and of the whole process, and how many syncs failed.
 */
record PassResult(String contender, String pass, int syncs, long wallNanos, double p50Micros, double p99Micros,
    RequestCounts requests, long workerCpuNanos, long processCpuNanos, int failures) {

  double wallMillis() {
    return wallNanos / 1e6;
  }

  double syncsPerSecond() {
    return wallNanos == 0 ? 0 : syncs * 1e9 / wallNanos;
  }
}
