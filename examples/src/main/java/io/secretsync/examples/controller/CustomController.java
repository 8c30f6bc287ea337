package io.secretsync.examples.controller;

import io.secretsync.kubernetes.KubernetesClient;
import io.secretsync.kubernetes.KubernetesController;
import io.secretsync.vault.VaultStoreProvider;
import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * A controller of your own that does External Secrets Operator's job for Vault: it watches
 * ExternalSecrets, SecretStores and ClusterSecretStores in the cluster, syncs each into its Secret
 * with this library, writes ESO's {@code status} and Events, refreshes on each refreshInterval,
 * repairs managed Secrets edited or deleted by hand, and runs as several replicas of which only the
 * one holding a Lease syncs.
 *
 * <p>{@link KubernetesController} does the reconciling; what is yours is around it: which providers
 * it knows ({@link VaultStoreProvider}), what it tells you ({@link SyncLog}: a line per write or
 * failure; put your metrics or audit there), and how it is run (the Lease, the probes, shutdown).
 *
 * <p>Settings come from the environment:
 * <ul>
 *   <li>the cluster as client-go finds it: in a pod its service account, else {@code $KUBECONFIG}
 *       or {@code ~/.kube/config};
 *   <li>{@code WATCH_NAMESPACE}: only this namespace (default: all; ClusterSecretStores are read
 *       either way);
 *   <li>{@code LEASE_NAMESPACE} and {@code LEASE_NAME}: the Lease the replicas compete for (default
 *       {@code external-secrets} and {@code secrets-sync-example-controller}); {@code POD_NAME}
 *       (from the downward API) names this replica, else a host name and a random UUID;
 *   <li>{@code PROBE_PORT}: where {@code /healthz}, {@code /readyz} and {@code /leader} are served
 *       (default 8081).
 * </ul>
 *
 * <p>Its service account needs what ESO's has: get, list, watch ExternalSecrets, SecretStores,
 * ClusterSecretStores and Secrets; update their status; create, update and delete Secrets; create
 * Events; create service account tokens for the stores' {@code serviceAccountRef}; get ConfigMaps
 * for {@code caProvider}; get, create and update Leases in the Lease namespace.
 *
 * <p>Run it with {@code java -cp examples.jar io.secretsync.examples.controller.CustomController};
 * stop it with Ctrl-C (SIGTERM): syncs in flight finish, tokens are revoked, the Lease is released
 * so that a standby takes over at once.
 */
public final class CustomController {
  private CustomController() {}

  public static void main(String[] args) throws InterruptedException {
    Map<String, String> environment = System.getenv();
    KubernetesClient kube = KubernetesClient.fromEnvironment();
    String identity = setting(environment, "POD_NAME").orElseGet(KubernetesController::defaultIdentity);
    KubernetesController controller = configure(kube, environment, identity, System.out).build();
    Probes probes = Probes.start(controller, Integer.parseInt(setting(environment, "PROBE_PORT").orElse("8081")));

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      controller.close(); // graceful: finish syncs, revoke tokens, release the Lease
      probes.close();
      kube.close();
      stopped.countDown();
    }, "shutdown"));

    System.out.println(identity + ": waiting for the Lease, then syncing; probes on port " + probes.port());
    controller.start();
    stopped.await();
  }

  /**
   * The controller as {@link #main} builds it, before {@link KubernetesController.Builder#build()}: a
   * test or an embedding program adds its own clock, scheduler or Lease timings.
   */
  public static KubernetesController.Builder configure(KubernetesClient kube, Map<String, String> environment,
      String identity, PrintStream out) {
    KubernetesController.Builder builder = KubernetesController.builder(kube)
        .provider(new VaultStoreProvider())
        .listener(new SyncLog(out))
        .leaderElection(
            setting(environment, "LEASE_NAMESPACE").orElse("external-secrets"),
            setting(environment, "LEASE_NAME").orElse("secrets-sync-example-controller"),
            identity);
    setting(environment, "WATCH_NAMESPACE").ifPresent(builder::namespace);
    return builder;
  }

  private static Optional<String> setting(Map<String, String> environment, String name) {
    return Optional.ofNullable(environment.get(name)).map(String::strip).filter(v -> !v.isEmpty());
  }
}
