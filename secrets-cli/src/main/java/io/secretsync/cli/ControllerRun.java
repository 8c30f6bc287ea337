package io.secretsync.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.secretsync.core.SecretStoreProvider;
import io.secretsync.core.SecretSyncException;
import io.secretsync.core.SyncResult;
import io.secretsync.core.controller.SyncListener;
import io.secretsync.core.manifest.ManifestException;
import io.secretsync.core.manifest.ManifestLoader;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.kubernetes.KubernetesClient;
import io.secretsync.kubernetes.KubernetesClient.ResourceType;
import io.secretsync.kubernetes.KubernetesController;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import picocli.CommandLine;

/**
 * {@code sync} without {@code -f} (controller mode): the ExternalSecrets, SecretStores and
 * ClusterSecretStores of the cluster, through {@link KubernetesController}. {@code --once} is one
 * {@link KubernetesController#syncOnce() pass} (Secrets, status and Events written); without it the
 * controller watches and refreshes until the command is stopped, printing a line per sync and a
 * progress line each time a burst of syncs settles (a pass). {@code --dry-run} reads the resources
 * and computes what a pass would write, writing nothing (no Secret, no status, no Event).
 * Not thread-safe: one run per command.
 */
final class ControllerRun {
  /** How often a long run checks whether a pass has settled. */
  static final Duration POLL = Duration.ofSeconds(1);

  private final SyncCommand command;
  private final PrintWriter out;
  private final PrintWriter err;

  ControllerRun(SyncCommand command) {
    this.command = command;
    this.out = command.spec.commandLine().getOut();
    this.err = command.spec.commandLine().getErr();
  }

  int run() {
    KubernetesClient client;
    try {
      client = command.cluster.connect();
    } catch (SecretSyncException e) {
      err.println("sync: cannot use " + command.cluster.describe() + ": " + e.getMessage());
      e.hints().forEach(h -> err.println("  hint: " + h));
      err.flush();
      return CommandLine.ExitCode.USAGE;
    }
    try (client) {
      if (command.dryRun) {
        return dryRun(client);
      }
      if (command.once) {
        return command.leading(client, err, () -> once(client));
      }
      return untilStopped(client);
    } catch (SecretSyncException e) {
      err.println("sync: " + e.getMessage());
      e.hints().forEach(h -> err.println("  hint: " + h));
      err.flush();
      return 1;
    }
  }

  private KubernetesController.Builder controller(KubernetesClient client) {
    KubernetesController.Builder builder = KubernetesController.builder(client).clock(command.clock);
    if (command.namespace != null) {
      builder.namespace(command.namespace);
    }
    for (SecretStoreProvider provider : ServiceLoader.load(SecretStoreProvider.class)) {
      builder.provider(provider);
    }
    return builder;
  }

  private int once(KubernetesClient client) {
    try (KubernetesController controller = controller(client).build()) {
      List<SyncResult> results = controller.syncOnce();
      if (results.isEmpty()) {
        err.println("sync: no ExternalSecret in " + where());
        err.flush();
        return 0;
      }
      new SyncOutput(command.output, false, out, err).print(results);
      return results.stream().anyMatch(SyncResult::failed) ? 1 : 0;
    }
  }

  /** Runs the controller until interrupted; then closes it (releasing the Lease, revoking tokens). */
  private int untilStopped(KubernetesClient client) {
    Passes passes = new Passes(command.output, out, err);
    KubernetesController.Builder builder = controller(client).listener(passes);
    if (command.election != null) {
      String ns = command.election.leaseNamespace != null ? command.election.leaseNamespace : client.namespace();
      builder.leaderElection(ns, command.election.leaseName, command.election.identity());
      err.println("waiting to lead Lease " + ns + "/" + command.election.leaseName);
      err.flush();
    }
    KubernetesController controller = builder.build();
    Thread stopper = new Thread(controller::close, "secrets-sync-stop");
    boolean hooked = addShutdownHook(stopper);
    boolean interrupted = false;
    try {
      controller.start();
      while (true) {
        command.sleeper.sleep(POLL.toMillis());
        if (controller.isActive() && controller.awaitIdle(Duration.ZERO)) {
          passes.settled(command.clock.instant());
        }
      }
    } catch (InterruptedException e) {
      // stopped: close below, without the interrupt flag, so that the Lease release and the token
      // revocations are not cut short; the flag is restored afterwards
      interrupted = true;
    } finally {
      controller.close();
      if (hooked) {
        removeShutdownHook(stopper);
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return passes.lastStatus();
  }

  /** Reads the cluster's resources and dry-runs each ExternalSecret; writes nothing. */
  private int dryRun(KubernetesClient client) {
    String ns = command.namespace == null ? "" : command.namespace;
    ManifestLoader loader = new ManifestLoader();
    List<ObjectNode> storeObjects = new ArrayList<>(client.list(ResourceType.SECRET_STORES, ns, "").items());
    storeObjects.addAll(client.list(ResourceType.CLUSTER_SECRET_STORES, "", "").items());
    List<ObjectNode> esObjects = client.list(ResourceType.EXTERNAL_SECRETS, ns, "").items();
    List<SyncResult> results = new ArrayList<>();
    try (ClusterSync sync = new ClusterSync(client, command.clock)) {
      for (ObjectNode object : storeObjects) {
        try {
          SecretStoreResource store = loader.store(object);
          sync.stores().put(store);
        } catch (SecretSyncException e) {
          err.println("warning: " + object.path("kind").asText() + " " + name(object) + " is not used: "
              + e.getMessage());
        }
      }
      for (ObjectNode object : esObjects) {
        try {
          ExternalSecret es = loader.externalSecret(object);
          results.add(sync.engine().dryRun(es));
        } catch (ManifestException e) {
          results.add(invalid(object, e));
        }
      }
    }
    err.flush();
    if (results.isEmpty()) {
      err.println("sync: no ExternalSecret in " + where());
      err.flush();
      return 0;
    }
    results.sort(Comparator.comparing(SyncResult::namespace).thenComparing(SyncResult::name));
    new SyncOutput(command.output, true, out, err).print(results);
    return results.stream().anyMatch(SyncResult::failed) ? 1 : 0;
  }

  private String where() {
    return command.namespace == null ? "any namespace" : "namespace " + command.namespace;
  }

  private SyncResult invalid(ObjectNode object, ManifestException e) {
    String ns = object.path("metadata").path("namespace").asText("");
    String name = object.path("metadata").path("name").asText("");
    return new SyncResult(ns, name, object.path("spec").path("target").path("name").asText(name), false,
        SyncResult.REASON_ERROR, SyncResult.MESSAGE_INVALID, SyncResult.Outcome.FAILED, ImmutableSortedMap.of(),
        SyncResult.KeyChanges.NONE, Optional.of(e), Optional.empty(), Optional.empty(), command.clock.instant(),
        ImmutableList.of());
  }

  private static String name(ObjectNode object) {
    String ns = object.path("metadata").path("namespace").asText("");
    String name = object.path("metadata").path("name").asText("");
    return ns.isEmpty() ? name : ns + "/" + name;
  }

  private static boolean addShutdownHook(Thread hook) {
    try {
      Runtime.getRuntime().addShutdownHook(hook);
      return true;
    } catch (IllegalStateException e) {
      return false; // already shutting down
    }
  }

  private static void removeShutdownHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // shutting down: the hook runs or ran; close is idempotent
    }
  }

  /**
   * Prints each sync as it finishes and, when the syncs settle, a progress line for the pass.
   * Called from the controller's worker threads; printing is serialized on this object.
   */
  static final class Passes implements SyncListener {
    private final SyncCommand.Output format;
    private final PrintWriter out;
    private final SyncOutput output;
    private final java.util.Set<String> synced = new java.util.HashSet<>();
    private int pass;
    private int written;
    private int failed;
    private int lastStatus;

    Passes(SyncCommand.Output format, PrintWriter out, PrintWriter err) {
      this.format = format;
      this.out = out;
      this.output = new SyncOutput(format, false, out, err);
    }

    @Override
    public synchronized void syncFinished(ExternalSecret es, SyncResult result, Duration duration) {
      output.print(List.of(result));
      synced.add(result.namespace() + "/" + result.name());
      if (result.failed()) {
        failed++;
      } else if (result.outcome() == SyncResult.Outcome.CREATED || result.outcome() == SyncResult.Outcome.UPDATED
          || result.outcome() == SyncResult.Outcome.DELETED) {
        written++;
      }
    }

    /**
     * Ends the current pass when it synced anything: prints its progress line (text mode), counting
     * each ExternalSecret once however often it synced in the pass.
     */
    synchronized void settled(Instant now) {
      if (synced.isEmpty()) {
        return;
      }
      pass++;
      lastStatus = failed > 0 ? 1 : 0;
      if (format == SyncCommand.Output.text) {
        out.println(FileRun.progress(pass, now, synced.size(), written, failed, "watching for changes and refreshes"));
        out.flush();
      }
      synced.clear();
      written = 0;
      failed = 0;
    }

    synchronized int lastStatus() {
      return lastStatus;
    }
  }
}
