package io.secretsync.cli;

import io.secretsync.core.SecretSyncException;
import io.secretsync.core.SyncResult;
import io.secretsync.core.TargetSecret;
import io.secretsync.core.manifest.Manifests;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.kubernetes.KubernetesClient;
import io.secretsync.kubernetes.LeaderElector;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code secrets-sync sync}: syncs ExternalSecrets into Kubernetes Secrets, from manifest files
 * ({@code -f}) or from the cluster's custom resources (controller mode). Exit status 0 when every
 * ExternalSecret synced, 1 when any failed, 2 for usage and manifest errors. Output never holds a
 * secret value, except the Secret objects {@code --dry-run -o yaml|json} prints on request.
 */
@Command(
    name = "sync",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Syncs ExternalSecrets from HashiCorp Vault into Kubernetes Secrets, as External Secrets "
            + "Operator does.%n",
        "Without -f (controller mode): reads the ExternalSecret, SecretStore and ClusterSecretStore "
            + "resources of the cluster (all namespaces, or -n), syncs each, writes the Secrets and "
            + "the resources' status, then keeps watching and refreshing each ExternalSecret per its "
            + "refreshInterval until stopped; --once does one pass and exits.%n",
        "With -f: the stores and ExternalSecrets come from the files; the ConfigMaps, Secrets and "
            + "service accounts they reference are read from the cluster and the Secrets are written "
            + "to it. Without --once it keeps refreshing per refreshInterval until stopped.%n",
        "Text output: one line per ExternalSecret synced, `<ns>/<name>: synced -> Secret "
            + "<ns>/<target> (created|updated|unchanged)` or `<ns>/<name>: failed: <reason>: "
            + "<message>` followed by `  hint: ...` lines, and in long runs a progress line per pass. "
            + "Secret values are never printed, except in the Secrets --dry-run -o yaml|json prints.%n"},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:every ExternalSecret synced", "1:an ExternalSecret failed",
        "2:usage error, or a manifest or kubeconfig that cannot be used"})
final class SyncCommand implements Callable<Integer> {

  /** The output formats of {@code -o}. */
  enum Output { text, json, yaml }

  @Spec CommandSpec spec;

  @Mixin ManifestInputs inputs;

  @Mixin ClusterOptions cluster;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE",
      description = "Only the ExternalSecrets of this namespace (default: all namespaces). With -f, "
          + "also the namespace of manifests that name none (default: default).")
  String namespace;

  @Option(names = "--once", description = "One pass over every ExternalSecret, then exit.")
  boolean once;

  @Option(names = "--dry-run",
      description = "Write nothing (no Secret, no status): print per ExternalSecret which keys would be "
          + "added, changed or removed, or with -o yaml|json the Secrets that would be written, as "
          + "`kubectl create --dry-run=client -o yaml` prints them. Implies --once.")
  boolean dryRun;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
      description = "text (default), json or yaml. With --dry-run, json and yaml print the Secret "
          + "objects (values included, base64); otherwise each pass's results as an array of objects "
          + "(names, outcome, Ready condition, key names and sizes, error and hints; no values).")
  Output output;

  @ArgGroup(exclusive = false, heading = "%nLeader election (several replicas, one works):%n")
  LeaderElection election;

  @Option(names = {"-v", "--verbose"},
      description = "Log each request to Vault and Kubernetes on standard error: method, path, status "
          + "and time (never a body, header or token).")
  boolean verbose;

  /** How a long run waits between passes; replaced in tests. */
  Sleeper sleeper = Sleeper.SYSTEM;

  /** The clock of sync results and refresh schedules; replaced in tests. */
  Clock clock = Clock.systemUTC();

  /** Where {@code -f -} reads from; replaced in tests. */
  InputStream stdin = System.in;

  /** The {@code --leader-elect} options; all but {@code --leader-elect} have defaults. */
  static final class LeaderElection {
    @Option(names = "--leader-elect", required = true,
        description = "Work only while holding a coordination.k8s.io/v1 Lease, so that of several "
            + "replicas exactly one syncs.")
    boolean enabled;

    @Option(names = "--lease-name", paramLabel = "NAME", defaultValue = "secrets-sync",
        description = "The Lease's name (default: ${DEFAULT-VALUE}).")
    String leaseName;

    @Option(names = "--lease-namespace", paramLabel = "NS",
        description = "The Lease's namespace (default: the kubeconfig context's namespace).")
    String leaseNamespace;

    @Option(names = "--identity", paramLabel = "ID",
        description = "This replica's name in the Lease (default: host name and a random suffix).")
    String identity;

    String identity() {
      if (identity != null) {
        return identity;
      }
      String host;
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        host = "secrets-sync";
      }
      return host + "_" + UUID.randomUUID();
    }
  }

  /** Waits between passes of a long run. */
  @FunctionalInterface
  interface Sleeper {
    Sleeper SYSTEM = millis -> Thread.sleep(millis);

    void sleep(long millis) throws InterruptedException;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    checkUsage();
    if (verbose) {
      RequestLogging.enable();
    }
    if (!inputs.given()) {
      return new ControllerRun(this).run();
    }
    Manifests manifests = inputs.load(namespace == null ? "default" : namespace, stdin);
    if (!ManifestInputs.report(manifests, err)) {
      return CommandLine.ExitCode.USAGE;
    }
    List<ExternalSecret> externalSecrets = manifests.externalSecrets().stream()
        .filter(es -> namespace == null || es.metadata().namespace().equals(namespace)).toList();
    if (externalSecrets.isEmpty()) {
      err.println("sync: no ExternalSecret in " + String.join(", ", inputs.paths)
          + (namespace == null ? "" : " in namespace " + namespace));
      return CommandLine.ExitCode.USAGE;
    }
    KubernetesClient client;
    try {
      client = cluster.connect();
    } catch (SecretSyncException e) {
      return usageFailure(err, "cannot use " + cluster.describe(), e);
    }
    try (client; ClusterSync sync = new ClusterSync(client, clock)) {
      for (SecretStoreResource store : manifests.stores()) {
        try {
          sync.stores().put(store);
        } catch (SecretSyncException e) {
          return usageFailure(err, store.kind().wireName() + " " + name(store), e);
        }
      }
      FileRun run = new FileRun(sync, externalSecrets, output, dryRun, clock, out, err);
      if (once || dryRun) {
        return leading(client, err, () -> run.pass());
      }
      return leading(client, err, () -> run.untilStopped(sleeper));
    }
  }

  private void checkUsage() {
    CommandLine cli = spec.commandLine();
    if (election != null && dryRun) {
      throw new CommandLine.ParameterException(cli,
          "--leader-elect and --dry-run exclude each other: a dry run writes nothing, so it needs no lease");
    }
    if (namespace != null && namespace.isBlank()) {
      throw new CommandLine.ParameterException(cli, "-n needs a namespace name");
    }
  }

  /** Runs {@code work} while holding the Lease when {@code --leader-elect} is given. */
  int leading(KubernetesClient client, PrintWriter err, Work work) {
    if (election == null) {
      return work.run();
    }
    String ns = election.leaseNamespace != null ? election.leaseNamespace : client.namespace();
    String identity = election.identity();
    try (LeaderElector elector = LeaderElector.builder(client, ns, election.leaseName, identity).build()) {
      elector.start();
      err.println("waiting to lead Lease " + ns + "/" + election.leaseName + " as " + identity);
      err.flush();
      while (!elector.isLeader()) {
        try {
          sleeper.sleep(200);
        } catch (InterruptedException e) {
          return 1; // stopped before leading: nothing was synced
        }
      }
      err.println("leading Lease " + ns + "/" + election.leaseName);
      err.flush();
      return work.run();
    }
  }

  @FunctionalInterface
  interface Work {
    int run();
  }

  private static int usageFailure(PrintWriter err, String what, SecretSyncException e) {
    err.println("sync: " + what + ": " + e.getMessage());
    e.hints().forEach(h -> err.println("  hint: " + h));
    err.flush();
    return CommandLine.ExitCode.USAGE;
  }

  private static String name(SecretStoreResource store) {
    return store.metadata().namespace().isEmpty() ? store.metadata().name()
        : store.metadata().namespace() + "/" + store.metadata().name();
  }

  /** The Secrets a dry run would write: those of the results that did not fail. */
  static List<TargetSecret> desired(List<SyncResult> results) {
    List<TargetSecret> secrets = new ArrayList<>();
    for (SyncResult r : results) {
      if (!r.failed()) {
        r.desired().ifPresent(secrets::add);
      }
    }
    return secrets;
  }
}
