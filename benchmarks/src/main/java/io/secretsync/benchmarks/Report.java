package io.secretsync.benchmarks;

import static io.secretsync.benchmarks.Benchmark.map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** The figures of one run: printed as a table and written as JSON. */
final class Report {

  /** The machine the figures come from. */
  record Machine(int cpus, String cpuModel, String java, String os, long maxHeapBytes, double loadAverage) {
    static Machine current() {
      String model = "unknown";
      try {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
          if (line.startsWith("model name")) {
            model = line.substring(line.indexOf(':') + 1).trim();
            break;
          }
        }
      } catch (IOException | RuntimeException e) {
        // not Linux: leave it unknown
      }
      return new Machine(Runtime.getRuntime().availableProcessors(), model,
          System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
          System.getProperty("os.name") + " " + System.getProperty("os.arch"), Runtime.getRuntime().maxMemory(),
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  record Pass(String name, PassResult library, PassResult floor, PassResult floorWithGet, int changedSecrets) {
    double ratio() {
      return floor.wallNanos() == 0 ? 0 : (double) library.wallNanos() / floor.wallNanos();
    }

    double ratioToFloorWithGet() {
      return floorWithGet.wallNanos() == 0 ? 0 : (double) library.wallNanos() / floorWithGet.wallNanos();
    }
  }

  private final Benchmark.Options options;
  private final Machine machine;
  private final EsoModel eso;
  private final List<Pass> passes = new ArrayList<>();
  private RequestCounts close;
  private long heapBefore;
  private long heapWith;
  private long heapWithout;
  private boolean heapMeasured;
  private List<PeerReads.Result> peers = List.of();
  private double totalSeconds;

  Report(Benchmark.Options options, Machine machine) {
    this.options = options;
    this.machine = machine;
    this.eso = new EsoModel(options.externalSecrets(), options.stores(), 2, 1);
  }

  void addPass(String name, PassResult library, PassResult floor, PassResult floorWithGet, int changed) {
    passes.add(new Pass(name, library, floor, floorWithGet, changed));
  }

  void closeRequests(RequestCounts counts) {
    this.close = counts;
  }

  void heap(long before, long with, long without) {
    this.heapBefore = before;
    this.heapWith = with;
    this.heapWithout = without;
    this.heapMeasured = true;
  }

  void peers(List<PeerReads.Result> results) {
    this.peers = List.copyOf(results);
  }

  void totalSeconds(double seconds) {
    this.totalSeconds = seconds;
  }

  List<Pass> passes() {
    return passes;
  }

  Pass pass(String name) {
    return passes.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
  }

  RequestCounts close() {
    return close;
  }

  List<PeerReads.Result> peerResults() {
    return peers;
  }

  /** Bytes of live heap the library held per 1,000 tracked ExternalSecrets; -1 when not measured. */
  double heapPerThousand() {
    return heapMeasured ? (heapWith - heapWithout) * 1000.0 / options.externalSecrets() : -1;
  }

  /** Distinct Vault keys the ExternalSecrets read. */
  long distinctKeys() {
    return 2L * options.externalSecrets();
  }

  // ---- targets ---------------------------------------------------------------------------

  record Target(String name, boolean met, String figure) {}

  List<Target> targets() {
    List<Target> targets = new ArrayList<>();
    if (passes.stream().anyMatch(p -> p.name().equals("steady"))) {
      RequestCounts steady = pass("steady").library().requests();
      boolean met = steady.vault("login") == 0 && steady.secretWrites() == 0 && steady.vault("read") == distinctKeys();
      targets.add(new Target("steady pass: 0 logins, 0 Kubernetes writes, Vault reads = distinct keys", met,
          String.format(Locale.ROOT, "%d logins, %d writes, %d reads for %d distinct keys", steady.vault("login"),
              steady.secretWrites(), steady.vault("read"), distinctKeys())));
    }
    for (Pass p : passes) {
      targets.add(new Target("library wall time <= 1.25x floor (" + p.name() + ")", p.ratio() <= 1.25,
          String.format(Locale.ROOT, "%.2fx", p.ratio())));
    }
    if (!peers.isEmpty()) {
      double ours = peers.get(0).readsPerSecond();
      double best = peers.stream().skip(1).mapToDouble(PeerReads.Result::readsPerSecond).max().orElse(0);
      targets.add(new Target("read throughput >= the faster peer", ours >= best,
          String.format(Locale.ROOT, "%.0f vs %.0f reads/s (%.2fx)", ours, best, ours / best)));
    }
    for (Pass p : passes) {
      long ours = p.library().requests().vaultTotal();
      long esoDefault = eso.withoutCache().get("total");
      long esoCache = eso.withCache(p.name().equals("first")).get("total");
      targets.add(new Target("Vault requests <= 1/5 of ESO's (" + p.name() + ")", ours * 5 <= esoDefault,
          String.format(Locale.ROOT, "%d vs %d without cache (%.2f), %d with cache (%.2f); floor %d (%.2f)", ours,
              esoDefault, (double) ours / esoDefault, esoCache, (double) ours / esoCache,
              p.floor().requests().vaultTotal(), (double) p.floor().requests().vaultTotal() / esoDefault)));
    }
    if (heapMeasured) {
      double mib = heapPerThousand() / (1024.0 * 1024.0);
      targets.add(new Target("heap per 1,000 ExternalSecrets < 5 MiB", mib < 5,
          String.format(Locale.ROOT, "%.2f MiB", mib)));
    }
    return targets;
  }

  // ---- output ----------------------------------------------------------------------------

  void print(PrintStream out) {
    out.printf(Locale.ROOT, "%nsecrets-sync benchmark: N=%d ExternalSecrets, S=%d ClusterSecretStores, %d workers, "
            + "churn %.0f%%, passes %s%n", options.externalSecrets(), options.stores(), options.workers(),
        options.churnFraction() * 100, String.join(",", options.passes()));
    out.printf(Locale.ROOT, "machine: %d CPUs (%s), %s, %s, max heap %d MiB, load average at start %.2f%n",
        machine.cpus(), machine.cpuModel(), machine.java(), machine.os(), machine.maxHeapBytes() >> 20,
        machine.loadAverage());
    out.println("servers: FakeVault and FakeKubernetes over HTTPS on 127.0.0.1, in this JVM (process CPU includes them)");
    out.println();
    out.println("Passes (wall = trigger to idle; latency per sync; CPU of the contender's worker threads and of the process)");
    out.println("floor+get = the floor plus one GET of the Secret per sync, as a writer without a Secret cache sends");
    out.printf("%-7s %-9s %6s %9s %9s %9s %9s %9s %9s %8s %5s%n", "pass", "who", "syncs", "wall ms", "syncs/s",
        "p50 ms", "p99 ms", "wkr CPU", "proc CPU", "lib/it", "fail");
    for (Pass p : passes) {
      row(out, p.library(), "");
      row(out, p.floor(), String.format(Locale.ROOT, "%.2fx", p.ratio()));
      row(out, p.floorWithGet(), String.format(Locale.ROOT, "%.2fx", p.ratioToFloorWithGet()));
    }
    out.println();
    out.println("Vault requests by kind (FakeVault's audit log); ESO computed for the same pass");
    out.printf("%-7s %-15s", "pass", "who");
    for (String kind : RequestCounts.VAULT_KINDS) {
      out.printf(" %11s", kind);
    }
    out.printf(" %8s%n", "total");
    for (Pass p : passes) {
      vaultRow(out, p.name(), "library", p.library().requests().vault(), p.library().requests().vaultTotal());
      vaultRow(out, p.name(), "floor", p.floor().requests().vault(), p.floor().requests().vaultTotal());
      vaultRow(out, p.name(), "floor+get", p.floorWithGet().requests().vault(),
          p.floorWithGet().requests().vaultTotal());
      vaultRow(out, p.name(), "ESO (computed)", eso.withoutCache(), eso.withoutCache().get("total"));
      vaultRow(out, p.name(), "ESO+cache (c.)", eso.withCache(p.name().equals("first")),
          eso.withCache(p.name().equals("first")).get("total"));
    }
    if (close != null) {
      vaultRow(out, "close", "library", close.vault(), close.vaultTotal());
    }
    out.println("ESO rule: " + EsoModel.RULE_DEFAULT);
    out.println("          " + EsoModel.RULE_CACHE);
    out.println();
    out.println("Kubernetes requests by verb and resource (FakeKubernetes's audit log; tokenreviews are Vault's)");
    TreeSet<String> verbs = new TreeSet<>();
    passes.forEach(p -> {
      verbs.addAll(p.library().requests().kubernetes().keySet());
      verbs.addAll(p.floor().requests().kubernetes().keySet());
      verbs.addAll(p.floorWithGet().requests().kubernetes().keySet());
    });
    if (close != null) {
      verbs.addAll(close.kubernetes().keySet());
    }
    out.printf("%-7s %-9s", "pass", "who");
    for (String verb : verbs) {
      out.printf(" %s", verb);
    }
    out.println();
    for (Pass p : passes) {
      kubeRow(out, p.name(), "library", p.library().requests(), verbs);
      kubeRow(out, p.name(), "floor", p.floor().requests(), verbs);
      kubeRow(out, p.name(), "floor+get", p.floorWithGet().requests(), verbs);
    }
    if (close != null) {
      kubeRow(out, "close", "library", close, verbs);
    }
    if (!peers.isEmpty()) {
      out.println();
      out.printf("Read throughput, %d distinct keys, %d threads, login included (Kubernetes auth)%n",
          peers.get(0).keys(), options.workers());
      out.printf("%-34s %9s %9s %9s %9s %8s %6s %5s%n", "client", "wall ms", "reads/s", "p50 ms", "p99 ms", "ours/it",
          "logins", "fail");
      double ours = peers.get(0).readsPerSecond();
      for (PeerReads.Result r : peers) {
        out.printf(Locale.ROOT, "%-34s %9.0f %9.0f %9.3f %9.3f %7.2fx %6d %5d%n", r.contender(), r.wallNanos() / 1e6,
            r.readsPerSecond(), r.p50Micros() / 1000, r.p99Micros() / 1000, ours / r.readsPerSecond(),
            r.requests().vault("login"), r.failures());
      }
    }
    if (heapMeasured) {
      out.println();
      out.printf(Locale.ROOT, "Live heap after GC: %.1f MiB with the library tracking %d ExternalSecrets, %.1f MiB "
              + "after closing it: %.2f MiB per 1,000 ExternalSecrets (the fakes' state excluded)%n",
          heapWith / 1048576.0, options.externalSecrets(), heapWithout / 1048576.0, heapPerThousand() / 1048576.0);
    }
    out.println();
    out.println("Targets");
    for (Target t : targets()) {
      out.printf("  [%s] %s: %s%n", t.met() ? "met" : "MISSED", t.name(), t.figure());
    }
    out.printf(Locale.ROOT, "%ntotal run time %.1f s%n", totalSeconds);
  }

  private static void row(PrintStream out, PassResult r, String ratio) {
    out.printf(Locale.ROOT, "%-7s %-9s %6d %9.0f %9.0f %9.3f %9.3f %9.0f %9.0f %8s %5d%n", r.pass(), r.contender(),
        r.syncs(), r.wallMillis(), r.syncsPerSecond(), r.p50Micros() / 1000, r.p99Micros() / 1000,
        r.workerCpuNanos() / 1e6, r.processCpuNanos() / 1e6, ratio, r.failures());
  }

  private static void vaultRow(PrintStream out, String pass, String who, Map<String, Long> counts, long total) {
    out.printf("%-7s %-15s", pass, who);
    for (String kind : RequestCounts.VAULT_KINDS) {
      out.printf(" %11d", counts.getOrDefault(kind, 0L));
    }
    out.printf(" %8d%n", total);
  }

  private static void kubeRow(PrintStream out, String pass, String who, RequestCounts counts, TreeSet<String> verbs) {
    out.printf("%-7s %-9s", pass, who);
    for (String verb : verbs) {
      out.printf(" %" + verb.length() + "d", counts.kube(verb));
    }
    out.println();
  }

  Map<String, Object> toJson() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("time", Instant.now().toString());
    doc.put("machine", map("cpus", machine.cpus(), "cpuModel", machine.cpuModel(), "java", machine.java(), "os",
        machine.os(), "maxHeapBytes", machine.maxHeapBytes(), "loadAverageAtStart", machine.loadAverage(),
        "servers", "FakeVault and FakeKubernetes over HTTPS on 127.0.0.1 in the same JVM"));
    doc.put("options", map("externalSecrets", options.externalSecrets(), "stores", options.stores(), "passes",
        options.passes(), "workers", options.workers(), "churnFraction", options.churnFraction(), "distinctKeys",
        distinctKeys()));
    List<Object> passList = new ArrayList<>();
    for (Pass p : passes) {
      passList.add(map("pass", p.name(), "changedSecrets", p.changedSecrets(), "libraryOverFloor", p.ratio(),
          "libraryOverFloorWithGet", p.ratioToFloorWithGet(),
          "library", json(p.library()), "floor", json(p.floor()), "floorWithGet", json(p.floorWithGet()),
          "esoComputed", map("withoutCache", eso.withoutCache(), "withCache", eso.withCache(p.name().equals("first")))));
    }
    doc.put("passes", passList);
    doc.put("esoRule", List.of(EsoModel.RULE_DEFAULT, EsoModel.RULE_CACHE));
    if (close != null) {
      doc.put("close", map("vault", close.vault(), "kubernetes", close.kubernetes()));
    }
    if (heapMeasured) {
      doc.put("heap", map("liveBytesBeforeManifests", heapBefore, "liveBytesWithLibrary", heapWith,
          "liveBytesAfterClose", heapWithout, "bytesPer1000ExternalSecrets", heapPerThousand()));
    }
    List<Object> peerList = new ArrayList<>();
    for (PeerReads.Result r : peers) {
      peerList.add(map("client", r.contender(), "keys", r.keys(), "wallMillis", r.wallNanos() / 1e6, "readsPerSecond",
          r.readsPerSecond(), "p50Millis", r.p50Micros() / 1000, "p99Millis", r.p99Micros() / 1000, "vault",
          r.requests().vault(), "failures", r.failures()));
    }
    doc.put("peerReads", peerList);
    List<Object> targetList = new ArrayList<>();
    for (Target t : targets()) {
      targetList.add(map("target", t.name(), "met", t.met(), "figure", t.figure()));
    }
    doc.put("targets", targetList);
    doc.put("totalSeconds", totalSeconds);
    return doc;
  }

  private static Map<String, Object> json(PassResult r) {
    return map("syncs", r.syncs(), "wallMillis", r.wallMillis(), "syncsPerSecond", r.syncsPerSecond(),
        "p50Millis", r.p50Micros() / 1000, "p99Millis", r.p99Micros() / 1000, "workerCpuMillis",
        r.workerCpuNanos() / 1e6, "processCpuMillis", r.processCpuNanos() / 1e6, "failures", r.failures(),
        "vault", r.requests().vault(), "vaultTotal", r.requests().vaultTotal(), "kubernetes",
        r.requests().kubernetes(), "kubernetesSecretWrites", r.requests().secretWrites());
  }

  void writeJson(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), toJson());
  }
}
