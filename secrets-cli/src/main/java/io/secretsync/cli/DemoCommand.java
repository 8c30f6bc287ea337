package io.secretsync.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.core.CommonIssue;
import io.secretsync.core.StoreContext;
import io.secretsync.core.StoreRegistry;
import io.secretsync.core.SyncEngine;
import io.secretsync.core.SyncResult;
import io.secretsync.core.manifest.ManifestLoader;
import io.secretsync.core.manifest.Manifests;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.kubernetes.KubernetesClient;
import io.secretsync.kubernetes.KubernetesClient.ResourceType;
import io.secretsync.kubernetes.KubernetesPlatformAccess;
import io.secretsync.kubernetes.KubernetesSecretWriter;
import io.secretsync.testkit.Sandbox;
import io.secretsync.vault.VaultStoreProvider;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code secrets-sync demo}: the walkthrough on an in-process sandbox (a fake Vault and a fake
 * Kubernetes API server over HTTPS on 127.0.0.1). It performs each step as the walkthrough's
 * {@code kubectl} and {@code vault} commands would, syncs the three ExternalSecrets read back from the
 * cluster, shows the Secrets (keys, sizes, hash prefix; never values), rotates a value in Vault and
 * refreshes, then breaks a policy the way the walkthrough warns about and shows the diagnosis.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Runs the walkthrough (Vault KV v2 -> ClusterSecretStore -> ExternalSecret -> Secret) on an "
        + "in-process sandbox: a local Vault and Kubernetes API server over HTTPS.",
        "Prints each step as the walkthrough's commands, syncs, shows the Secrets (keys, sizes, hash "
            + "prefixes; never values), rotates a value and refreshes, then breaks a policy and diagnoses it."})
final class DemoCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (Sandbox sandbox = Sandbox.start()) {
      out.println("== Start a sandbox: Vault (as `vault server -dev`, KV v2 at secret/) at " + sandbox.vaultAddress()
          + ", a Kubernetes API server at " + sandbox.kubernetesUrl() + ", both HTTPS with one CA");
      try (SandboxWalkthrough walkthrough = SandboxWalkthrough.setUp(sandbox, out)) {
        return run(walkthrough, out);
      }
    } finally {
      out.flush();
    }
  }

  private static int run(SandboxWalkthrough w, PrintWriter out) {
    KubernetesClient kube = w.kube();
    KubernetesPlatformAccess platform = KubernetesPlatformAccess.create(kube);
    try (StoreRegistry registry = StoreRegistry.builder().provider(new VaultStoreProvider())
        .context(new StoreContext(platform, Clock.systemUTC())).namespaceLabels(platform).build()) {
      SyncEngine engine = SyncEngine.builder().stores(registry).writer(KubernetesSecretWriter.create(kube)).build();
      List<ExternalSecret> externalSecrets = readFromCluster(kube, registry);

      section(out, "Sync: the ExternalSecrets and ClusterSecretStores as the cluster holds them");
      out.println("$ secrets-sync sync --once");
      boolean ok = syncAll(engine, externalSecrets, out);

      section(out, "Validate: the generated Secrets (keys, sizes and hash prefixes; never values)");
      showSecrets(kube, externalSecrets, out);

      section(out, "Sync again: nothing changed in Vault, nothing is written");
      out.println("$ secrets-sync sync --once");
      ok &= syncAll(engine, externalSecrets, out);

      section(out, "Rotate the API key in Vault; the refresh (refreshInterval: 2m) updates the Secret");
      SandboxWalkthrough.KvPut api = SandboxWalkthrough.KV.get(0);
      w.kvPut(api.path(), api.property(), api.file(), SandboxWalkthrough.DOTENV_ROTATED);
      out.println("$ secrets-sync sync --once    # what the refresh does when the interval has passed");
      ok &= syncAll(engine, externalSecrets, out);
      showSecrets(kube, externalSecrets.subList(0, 1), out);

      section(out, "Break the example-api policy: secret/example-api/* without the KV v2 data/ segment");
      w.writePolicy("example-api", "path \"secret/example-api/*\" {\n  capabilities = [\"read\"]\n}\n");
      out.println("$ secrets-sync sync --once");
      boolean brokenFails = !syncAll(engine, externalSecrets, out);
      out.println("(the Secret keeps its last good data: a failed sync writes nothing)");

      section(out, "Diagnose");
      out.println("$ VAULT_TOKEN=<root token> secrets-sync diagnose");
      Diagnostician.Report report = DiagnoseCommand.diagnostician(kube,
          Map.of("VAULT_TOKEN", w.sandbox().vaultRootToken())).run(w.stores(), externalSecrets);
      out.print(DiagnosisOutput.text(report));
      boolean diagnosed = report.externalSecrets().stream().anyMatch(s -> s.checks().stream()
          .anyMatch(d -> d.failed() && d.issue().filter(i -> i == CommonIssue.POLICY_PATH)
              .isPresent()));
      out.println();
      out.println(ok && brokenFails && diagnosed ? "demo complete" : "demo: an expected step did not happen");
      return ok && brokenFails && diagnosed ? 0 : 1;
    }
  }

  /** The stores and ExternalSecrets as the cluster returns them, as a controller reads them. */
  private static List<ExternalSecret> readFromCluster(KubernetesClient kube, StoreRegistry registry) {
    ManifestLoader loader = new ManifestLoader();
    for (ObjectNode item : kube.list(ResourceType.CLUSTER_SECRET_STORES, "", null).items()) {
      for (SecretStoreResource store : loader.loadObject(item, "cluster").throwIfErrors().stores()) {
        registry.put(store);
      }
    }
    List<ExternalSecret> externalSecrets = new ArrayList<>();
    for (String app : SandboxWalkthrough.APPS) {
      for (ObjectNode item : kube.list(ResourceType.EXTERNAL_SECRETS, app, null).items()) {
        Manifests m = loader.loadObject(item, "cluster").throwIfErrors();
        externalSecrets.addAll(m.externalSecrets());
      }
    }
    return externalSecrets;
  }

  private static boolean syncAll(SyncEngine engine, List<ExternalSecret> externalSecrets, PrintWriter out) {
    boolean ok = true;
    for (ExternalSecret es : externalSecrets) {
      SyncResult result = engine.sync(es);
      ok &= !result.failed();
      out.println(Format.line(result));
    }
    return ok;
  }

  private static void showSecrets(KubernetesClient kube, List<ExternalSecret> externalSecrets, PrintWriter out) {
    for (ExternalSecret es : externalSecrets) {
      String ns = es.metadata().namespace();
      out.println("$ kubectl -n " + ns + " get secret " + es.targetName());
      kube.getSecret(ns, es.targetName()).ifPresentOrElse(s -> out.println(Format.secretSummary(s)),
          () -> out.println("Error from server (NotFound): secrets \"" + es.targetName() + "\" not found"));
    }
  }

  private static void section(PrintWriter out, String title) {
    out.println();
    out.println("== " + title);
  }
}
