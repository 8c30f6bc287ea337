package io.secretsync.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import io.secretsync.core.SecretSyncException;
import io.secretsync.core.StoreContext;
import io.secretsync.core.StoreRegistry;
import io.secretsync.core.manifest.ManifestLoader;
import io.secretsync.core.manifest.Manifests;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import io.secretsync.kubernetes.KubernetesClient;
import io.secretsync.kubernetes.KubernetesClient.ResourceType;
import io.secretsync.kubernetes.KubernetesConfig;
import io.secretsync.kubernetes.KubernetesPlatformAccess;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code secrets-sync diagnose}: checks stores and ExternalSecrets end to end without writing
 * anything, and names the walkthrough's common issue of each failure with its fix. Exit status 0
 * when all is well, 1 when a check failed, 2 for usage and manifest errors.
 */
@Command(name = "diagnose", mixinStandardHelpOptions = true,
    description = {
        "Checks each store end to end (config, reach, TLS, login, token) and each ExternalSecret's "
            + "references (readable, property present), writing nothing, and names which of the "
            + "walkthrough's common issues each failure is, with the fix.",
        "Stores and ExternalSecrets come from the -f files, or without -f from the cluster's custom "
            + "resources. A Kubernetes login refused after a failed TokenReview is examined further "
            + "with VAULT_TOKEN (and VAULT_ADDR, VAULT_CACERT as the vault CLI takes them): Vault's "
            + "auth/<mount>/config is compared with the cluster's API server and CA, and the reviewer "
            + "token (TOKEN_REVIEWER_JWT, or the cluster's service-account-token Secret bound to "
            + "system:auth-delegator) is checked with its own TokenReview.",
        "Exit status: 0 all good, 1 a check failed, 2 usage or manifest errors. No secret value or "
            + "token is ever printed."})
final class DiagnoseCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin ManifestInputs inputs;

  @Mixin ClusterOptions cluster;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE",
      description = "Only ExternalSecrets and SecretStores in this namespace (default: all).")
  String namespace;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
      description = "text or json (default: ${DEFAULT-VALUE}).")
  String output;

  @Option(names = {"-v", "--verbose"},
      description = "Log each request to Vault and Kubernetes (method, path, status, time; never bodies or tokens).")
  boolean verbose;

  private final Map<String, String> env;

  DiagnoseCommand() {
    this(System.getenv());
  }

  /** With {@code env} in place of the process's environment. */
  DiagnoseCommand(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!output.equals("text") && !output.equals("json")) {
      throw new CommandLine.ParameterException(spec.commandLine(), "-o must be text or json, got " + output);
    }
    if (verbose) {
      RequestLogging.enable();
    }
    Optional<KubernetesConfig> config;
    try {
      config = Optional.of(cluster.config());
    } catch (SecretSyncException e) {
      if (!inputs.given() || cluster.kubeconfig != null || cluster.context != null) {
        err.println("diagnose: no cluster: " + e.getMessage());
        return 2;
      }
      err.println("diagnose: no cluster (" + e.getMessage() + "); references to ConfigMaps, Secrets and "
          + "service accounts cannot be resolved");
      config = Optional.empty();
    }
    try (KubernetesClient client = config.map(KubernetesClient::create).orElse(null)) {
      List<SecretStoreResource> stores = new ArrayList<>();
      List<ExternalSecret> externalSecrets = new ArrayList<>();
      if (inputs.given()) {
        if (!fromFiles(stores, externalSecrets, err)) {
          return 2;
        }
      } else {
        List<String> errors = fromCluster(client, stores, externalSecrets);
        if (!errors.isEmpty()) {
          errors.forEach(e -> err.println("error: " + e));
          return 2;
        }
      }
      if (stores.isEmpty() && externalSecrets.isEmpty()) {
        err.println("diagnose: no SecretStore, ClusterSecretStore or ExternalSecret found"
            + (inputs.given() ? " in " + String.join(", ", inputs.paths) : " in the cluster")
            + (namespace == null ? "" : " in namespace " + namespace));
        return 2;
      }
      Diagnostician.Report report = diagnostician(client, env).run(stores, externalSecrets);
      out.print(output.equals("json") ? DiagnosisOutput.json(report) : DiagnosisOutput.text(report));
      out.flush();
      return report.ok() ? 0 : 1;
    } catch (SecretSyncException e) {
      err.println("diagnose: " + e.getMessage());
      e.hints().forEach(h -> err.println("  hint: " + h));
      return 1;
    }
  }

  /** A diagnostician whose stores resolve references in {@code client}'s cluster (none when null). */
  static Diagnostician diagnostician(KubernetesClient client, Map<String, String> env) {
    if (client == null) {
      return new Diagnostician(StoreContext.standalone(), StoreRegistry.NamespaceLabels.none(), Optional.empty(), env);
    }
    KubernetesPlatformAccess platform = KubernetesPlatformAccess.create(client);
    return new Diagnostician(new StoreContext(platform, Clock.systemUTC()), platform, Optional.of(client), env);
  }

  /** Loads the -f inputs; prints warnings and errors and returns false when there were errors. */
  private boolean fromFiles(List<SecretStoreResource> stores, List<ExternalSecret> externalSecrets, PrintWriter err) {
    Manifests manifests = inputs.load(namespace == null ? "default" : namespace, System.in);
    if (!ManifestInputs.report(manifests, err)) {
      return false;
    }
    for (SecretStoreResource store : manifests.stores()) {
      if (namespace == null || store.kind() == StoreKind.CLUSTER_SECRET_STORE
          || store.metadata().namespace().equals(namespace)) {
        stores.add(store);
      }
    }
    for (ExternalSecret es : manifests.externalSecrets()) {
      if (namespace == null || es.metadata().namespace().equals(namespace)) {
        externalSecrets.add(es);
      }
    }
    return true;
  }

  private List<String> fromCluster(KubernetesClient client, List<SecretStoreResource> stores,
      List<ExternalSecret> externalSecrets) {
    ManifestLoader loader = new ManifestLoader();
    String ns = namespace == null ? "" : namespace;
    List<String> errors = new ArrayList<>();
    for (ResourceType type : List.of(ResourceType.CLUSTER_SECRET_STORES, ResourceType.SECRET_STORES,
        ResourceType.EXTERNAL_SECRETS)) {
      ImmutableList<ObjectNode> items = client.list(type, type.namespaced() ? ns : "", null).items();
      for (ObjectNode item : items) {
        String ns2 = item.path("metadata").path("namespace").asText("");
        String source = type.plural() + " " + (ns2.isEmpty() ? "" : ns2 + "/") + item.path("metadata").path("name")
            .asText("");
        Manifests m = loader.loadObject(item, source);
        m.errors().forEach(e -> errors.add(e.getMessage()));
        stores.addAll(m.stores());
        externalSecrets.addAll(m.externalSecrets());
      }
    }
    return errors;
  }
}
