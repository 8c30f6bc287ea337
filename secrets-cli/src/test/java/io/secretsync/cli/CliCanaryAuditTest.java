package io.secretsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.FakeVault;
import io.secretsync.testkit.Sandbox;
import io.secretsync.testkit.server.FaultInjector.Fault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The no-leak audit of the command line: {@code sync} and {@code diagnose} run as real processes with
 * {@code --verbose} and every logger at TRACE: on success, as a dry run, with JSON results, with
 * Vault sealed, refused and cut mid-answer, with the API server failing Secret requests, and with a
 * broken manifest file holding secrets. Nothing they print on
 * standard output or standard error may contain a secret value of the walkthrough, Vault's root
 * token, the API server's token, a Vault token ({@code hvs.}), a JWT or a PEM private key.
 */
class CliCanaryAuditTest {
  private static final List<String> TRACE = List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=trace");
  static final Pattern VAULT_TOKEN = Pattern.compile("hv[sbr]\\.[A-Za-z0-9_-]{8,}");
  static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]{8,}");
  static final Pattern PEM_KEY = Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----");

  @TempDir Path dir;

  @Test
  void verboseRunsPrintNoSecretOnAnyPath() throws Exception {
    try (Sandbox sandbox = Sandbox.start()) {
      FakeVault vault = sandbox.vault().orElseThrow();
      FakeKubernetes kube = sandbox.kubernetes().orElseThrow();
      Walkthrough.configure(sandbox);
      Path kubeconfig = kube.writeKubeconfig(dir.resolve("kubeconfig"), Sandbox.CONTEXT);
      Path manifests = Walkthrough.writeManifests(dir.resolve("manifests"), sandbox.vaultAddress());
      List<String> canaries = new ArrayList<>(List.of(sandbox.vaultRootToken(), sandbox.kubernetesAdminToken()));
      for (Walkthrough.App app : Walkthrough.APPS) {
        app.content().lines().filter(l -> l.length() >= 8).forEach(canaries::add);
      }
      Path broken = dir.resolve("broken.yaml");
      Files.writeString(broken, "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: default}\n"
          + "stringData: {token: " + sandbox.vaultRootToken() + "}\n---\n"
          + "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: bad, namespace: default}\n"
          + "spec:\n  secretStoreRef: {name: x, kind: ClusterSecretStore}\n  target:\n    template:\n"
          + "      data: {x: \"{{ .a " + canaries.get(2) + "\"}\n  data:\n  - secretKey: a\n"
          + "    remoteRef: {key: k, property: p, extra: \"" + sandbox.kubernetesAdminToken() + "\"}\n");
      String k = kubeconfig.toString();
      String m = manifests.toString();
      List<String> printed = new ArrayList<>();

      CliProcess.Result created = sync(printed, "-f", m, "--kubeconfig", k, "--once");
      assertEquals(0, created.exitCode(), created.err());
      assertTrue(created.err().contains("requests") || created.err().contains("GET"),
          "--verbose logged the requests: " + created.err());
      sync(printed, "-f", m, "--kubeconfig", k, "--dry-run");
      sync(printed, "-f", m, "--kubeconfig", k, "--once", "-o", "json");
      diagnose(printed, "-f", m, "--kubeconfig", k, "--context", Sandbox.CONTEXT);
      for (Walkthrough.App app : Walkthrough.APPS) {
        kube.delete("v1", "Secret", app.namespace(), app.secret());
      }

      vault.seal();
      assertEquals(1, sync(printed, "-f", m, "--kubeconfig", k, "--once").exitCode(), "a failed sync is exit 1");
      diagnose(printed, "-f", m, "--kubeconfig", k, "--context", Sandbox.CONTEXT);
      vault.unseal();
      vault.stopListening();
      sync(printed, "-f", m, "--kubeconfig", k, "--once");
      vault.startListening();
      vault.faults().add(Fault.cutMidBody());
      sync(printed, "-f", m, "--kubeconfig", k, "--once");
      vault.faults().clear();
      kube.faults().add(Fault.status(500).onPathPrefix("/api/v1/namespaces/example-api/secrets"));
      sync(printed, "-f", m, "--kubeconfig", k, "--once");
      kube.faults().clear();
      sync(printed, "-f", broken.toString(), "--kubeconfig", k, "--once");
      CliProcess.Result again = sync(printed, "-f", m, "--kubeconfig", k, "--once");
      assertEquals(0, again.exitCode(), "synced once the faults are gone: " + again.err());

      List<String> leaks = new ArrayList<>();
      for (String text : printed) {
        for (String canary : canaries) {
          if (text.contains(canary)) {
            leaks.add("canary " + canary.substring(0, Math.min(10, canary.length())) + "... in: "
                + excerpt(text, text.indexOf(canary)));
          }
        }
        for (Pattern pattern : List.of(VAULT_TOKEN, JWT, PEM_KEY)) {
          Matcher matcher = pattern.matcher(text);
          if (matcher.find()) {
            leaks.add(pattern + " in: " + excerpt(text, matcher.start()));
          }
        }
      }
      assertEquals(List.of(), leaks.stream().distinct().limit(20).toList());
    }
  }

  private static CliProcess.Result sync(List<String> printed, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("sync", "--verbose"));
    all.addAll(List.of(args));
    return record(printed, CliProcess.runWithJvmOptions(TRACE, all.toArray(String[]::new)));
  }

  private static CliProcess.Result diagnose(List<String> printed, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("diagnose", "--verbose"));
    all.addAll(List.of(args));
    return record(printed, CliProcess.runWithJvmOptions(TRACE, all.toArray(String[]::new)));
  }

  private static CliProcess.Result record(List<String> printed, CliProcess.Result result) {
    printed.add(result.out());
    printed.add(result.err());
    return result;
  }

  private static String excerpt(String text, int at) {
    return "..." + text.substring(Math.max(0, at - 160), Math.min(text.length(), at + 30)).replace('\n', ' ') + "...";
  }
}
