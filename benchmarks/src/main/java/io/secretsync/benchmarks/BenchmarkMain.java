package io.secretsync.benchmarks;

/** Entry point of the benchmark jar. The load scenarios are added by the benchmark work. */
public final class BenchmarkMain {
  private BenchmarkMain() {}

  public static void main(String[] args) {
    System.out.println("secrets-sync benchmarks: no scenario is implemented yet");
  }
}
