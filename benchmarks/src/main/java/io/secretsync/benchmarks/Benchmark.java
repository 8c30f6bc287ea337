package io.secretsync.benchmarks;

import io.secretsync.core.manifest.Manifests;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark run: the scenario on a fresh sandbox, the library's passes and the floor's, side by
 * side, then the heap the library holds, the close, and the peers' read throughput. Produces a
 * {@link Report}.
 */
final class Benchmark {

  /** What to run. */
  record Options(int externalSecrets, int stores, List<String> passes, int workers, double churnFraction,
      boolean peers, boolean heap, boolean warmup) {
    Options {
      passes = List.copyOf(passes);
      for (String pass : passes) {
        if (!List.of("first", "steady", "churn").contains(pass)) {
          throw new IllegalArgumentException("unknown pass " + pass + ": use first, steady, churn");
        }
      }
      if (!passes.contains("first")) {
        throw new IllegalArgumentException("the first pass is needed by the others: --passes must include first");
      }
      if (workers < 1) {
        throw new IllegalArgumentException("workers must be >= 1, got " + workers);
      }
      if (churnFraction <= 0 || churnFraction > 1) {
        throw new IllegalArgumentException("churn must be in (0, 1], got " + churnFraction);
      }
    }
  }

  private final Options options;
  private final PrintStream progress;

  Benchmark(Options options, PrintStream progress) {
    this.options = options;
    this.progress = progress;
  }

  Report run() throws Exception {
    long started = System.nanoTime();
    if (options.warmup()) {
      // A throwaway run on its own sandbox, so that neither contender pays for the JIT alone in the first pass.
      progress.println("warming up the JVM on a throwaway sandbox...");
      int n = Math.min(options.externalSecrets(), 300);
      new Benchmark(new Options(n, Math.min(options.stores(), 5), List.of("first", "steady", "churn"),
          options.workers(), options.churnFraction(), false, false, false),
          new PrintStream(java.io.OutputStream.nullOutputStream())).run();
    }
    progress.printf("setting up N=%d ExternalSecrets over S=%d ClusterSecretStores on the sandbox...%n",
        options.externalSecrets(), options.stores());
    Report report = new Report(options, Report.Machine.current());
    try (Scenario scenario = new Scenario(options.externalSecrets(), options.stores())) {
      long heapBefore = options.heap() ? Meters.liveHeapBytes() : 0;
      Manifests manifests = scenario.manifests();
      LibraryRun library = new LibraryRun(scenario, manifests, options.workers());
      manifests = null;
      Floor floor = new Floor(scenario, options.workers(), false);
      Floor floorGet = new Floor(scenario, options.workers(), true);
      try {
        for (String pass : List.of("first", "steady", "churn")) {
          if (!options.passes().contains(pass)) {
            continue;
          }
          List<Integer> changed = List.of();
          if (pass.equals("churn")) {
            changed = scenario.churn(options.churnFraction());
          }
          progress.printf("%s pass: library...%n", pass);
          PassResult ours = pass.equals("first") ? library.first() : library.again(pass);
          if (ours.failures() > 0) {
            progress.printf("  %d syncs failed, e.g. %s%n", ours.failures(), library.firstFailure());
          }
          progress.printf("%s pass: floor...%n", pass);
          PassResult bare = floor.pass(pass);
          progress.printf("%s pass: floor+get...%n", pass);
          PassResult bareWithGet = floorGet.pass(pass);
          report.addPass(pass, ours, bare, bareWithGet, changed.size());
        }
        if (options.heap()) {
          progress.println("measuring the live heap the library holds...");
          long heapWith = Meters.liveHeapBytes();
          report.closeRequests(library.closeAndCount());
          library = null;
          long heapWithout = Meters.liveHeapBytes();
          report.heap(heapBefore, heapWith, heapWithout);
        } else {
          report.closeRequests(library.closeAndCount());
          library = null;
        }
      } finally {
        if (library != null) {
          library.close();
        }
        floor.close();
        floorGet.close();
      }
      if (options.peers()) {
        progress.println("peer read throughput: secrets-sync, Spring Vault, vault-java-driver...");
        report.peers(new PeerReads(scenario, options.workers()).run());
      }
    }
    report.totalSeconds((System.nanoTime() - started) / 1e9);
    return report;
  }

  static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  static <T> List<T> list() {
    return new ArrayList<>();
  }
}
