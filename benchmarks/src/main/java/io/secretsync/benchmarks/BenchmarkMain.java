package io.secretsync.benchmarks;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point of {@code secrets-sync-benchmarks.jar}.
 *
 * <pre>
 * java -jar benchmarks/target/secrets-sync-benchmarks.jar                    # N=2000, S=20, all passes and peers
 * java -jar benchmarks/target/secrets-sync-benchmarks.jar -n 20000 -s 20     # the large size
 * java -jar benchmarks/target/secrets-sync-benchmarks.jar jmh [JMH options]  # the microbenchmarks
 * </pre>
 */
@Command(name = "secrets-sync-benchmarks", mixinStandardHelpOptions = true,
    description = "Syncs N ExternalSecrets over S ClusterSecretStores against the sandbox's FakeVault and "
        + "FakeKubernetes (HTTPS on loopback) in three passes (first, steady, churn), side by side with the "
        + "bare-OkHttp floor; compares read throughput with Spring Vault and vault-java-driver; prints a "
        + "table and writes JSON. 'jmh [JMH options]' as the first argument runs the JMH microbenchmarks "
        + "instead (property lookup, hash, manifest load, template render); 'jmh -h' lists JMH's options.")
public final class BenchmarkMain implements Callable<Integer> {

  @Option(names = {"-n", "--external-secrets"}, description = "ExternalSecrets (default ${DEFAULT-VALUE})")
  int externalSecrets = 2000;

  @Option(names = {"-s", "--stores"}, description = "ClusterSecretStores, one Vault role and policy each "
      + "(default ${DEFAULT-VALUE})")
  int stores = 20;

  @Option(names = "--passes", split = ",", description = "passes to run, from first,steady,churn "
      + "(default ${DEFAULT-VALUE})")
  List<String> passes = List.of("first", "steady", "churn");

  @Option(names = {"-w", "--workers"}, description = "concurrent syncs or reads, the same for every contender "
      + "(default ${DEFAULT-VALUE})")
  int workers = 8;

  @Option(names = "--churn", description = "fraction of ExternalSecrets whose Vault value changes before the "
      + "churn pass (default ${DEFAULT-VALUE})")
  double churn = 0.10;

  @Option(names = "--no-peers", negatable = true, description = "skip the Spring Vault and vault-java-driver "
      + "comparison")
  boolean peers = true;

  @Option(names = "--no-heap", negatable = true, description = "skip the live-heap measurement (it runs full GCs)")
  boolean heap = true;

  @Option(names = "--no-warmup", negatable = true, description = "skip the throwaway warm-up run before the "
      + "measured one")
  boolean warmup = true;

  @Option(names = {"-o", "--output"}, description = "the JSON file (default: benchmark-results.json next to the jar, "
      + "i.e. benchmarks/target)")
  Path output;

  private BenchmarkMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("jmh")) {
      org.openjdk.jmh.Main.main(java.util.Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    quietLogging();
    System.exit(new CommandLine(new BenchmarkMain()).execute(args));
  }

  static void quietLogging() {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
  }

  @Override
  public Integer call() throws Exception {
    Benchmark.Options options = new Benchmark.Options(externalSecrets, stores, passes, workers, churn, peers, heap, warmup);
    Report report = new Benchmark(options, System.err).run();
    report.print(System.out);
    Path file = output != null ? output : defaultOutput();
    report.writeJson(file);
    System.out.println("JSON: " + file.toAbsolutePath().normalize());
    return 0;
  }

  /** {@code benchmark-results.json} in the directory of the jar (or of the classes directory's parent). */
  static Path defaultOutput() {
    try {
      Path location = Path.of(BenchmarkMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path dir = Files.isDirectory(location) ? location.getParent() : location.getParent();
      return dir.resolve("benchmark-results.json");
    } catch (URISyntaxException | RuntimeException e) {
      return Path.of("benchmark-results.json");
    }
  }
}
