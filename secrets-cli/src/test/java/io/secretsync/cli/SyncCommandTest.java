package io.secretsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.Sandbox;
import io.secretsync.testkit.TestClock;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code sync -f} in-process against a sandbox (FakeVault and FakeKubernetes over HTTPS) set up as
 * the walkthrough does: the three Secrets written, nothing written when nothing changed, dry runs,
 * the JSON results, and the exit statuses 0, 1 and 2.
 */
class SyncCommandTest {
  private static Sandbox sandbox;
  private static FakeKubernetes kube;

  @TempDir static Path shared;
  @TempDir Path dir;

  private Path kubeconfig;
  private Path manifests;

  record Run(int exitCode, String out, String err) {}

  @BeforeAll
  static void startSandbox() {
    sandbox = Sandbox.start();
    kube = sandbox.kubernetes().orElseThrow();
    Walkthrough.configure(sandbox);
  }

  @AfterAll
  static void stopSandbox() {
    sandbox.close();
  }

  @BeforeEach
  void files() throws Exception {
    for (Walkthrough.App app : Walkthrough.APPS) {
      kube.delete("v1", "Secret", app.namespace(), app.secret());
    }
    kubeconfig = kube.writeKubeconfig(dir.resolve("kubeconfig"), Sandbox.CONTEXT);
    manifests = Walkthrough.writeManifests(dir.resolve("manifests"), sandbox.vaultAddress());
  }

  private Run run(String... args) {
    return runWith(new SyncCommand(), "", args);
  }

  static Run runWith(SyncCommand command, String stdin, String... args) {
    return runWith(command, stdin, new StringWriter(), args);
  }

  static Run runWith(SyncCommand command, String stdin, StringWriter out, String... args) {
    command.stdin = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
    CommandLine cli = SecretsSyncCommand.newCommandLine();
    CommandLine sync = cli.getSubcommands().get("sync");
    CommandLine replaced = new CommandLine(command);
    StringWriter err = new StringWriter();
    replaced.setOut(new PrintWriter(out, true));
    replaced.setErr(new PrintWriter(err, true));
    int code = replaced.execute(args);
    assertTrue(sync != null, "sync is a subcommand of secrets-sync");
    return new Run(code, out.toString(), err.toString());
  }

  private String[] sync(String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("-f", manifests.toString(), "--kubeconfig",
        kubeconfig.toString()));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  private static void assertNoValues(String text) {
    for (Walkthrough.App app : Walkthrough.APPS) {
      for (String line : app.content().split("\n")) {
        assertFalse(text.contains(line), () -> "output shows a secret value: " + line);
      }
    }
    assertFalse(text.contains(sandbox.vaultRootToken()), "output shows the Vault token");
    assertFalse(text.contains(sandbox.kubernetesAdminToken()), "output shows the Kubernetes token");
  }

  @Test
  void syncFromFilesWritesTheThreeSecretsThenWritesNothingWhenNothingChanged() {
    Run first = run(sync("--once"));
    assertEquals(0, first.exitCode(), first.err());
    assertEquals("""
        example-admin/example-admin-config-file: synced -> Secret example-admin/example-admin-config-file (created)
        example-api/example-api-env-file: synced -> Secret example-api/example-api-env-file (created)
        example-worker/example-worker-config-file: synced -> Secret example-worker/example-worker-config-file (created)
        """, first.out());
    for (Walkthrough.App app : Walkthrough.APPS) {
      Map<String, byte[]> data = kube.secretData(app.namespace(), app.secret()).orElseThrow();
      assertEquals(List.of(app.key()), List.copyOf(data.keySet()));
      assertEquals(app.content(), new String(data.get(app.key()), StandardCharsets.UTF_8));
      JsonNode secret = kube.get("v1", "Secret", app.namespace(), app.secret()).orElseThrow();
      assertEquals("true", secret.path("metadata").path("labels")
          .path("reconcile.external-secrets.io/managed").asText());
    }
    assertNoValues(first.out() + first.err());

    kube.auditLog().clear();
    Run second = run(sync("--once"));
    assertEquals(0, second.exitCode(), second.err());
    assertEquals(3, second.out().lines().filter(l -> l.endsWith("(unchanged)")).count(), second.out());
    assertEquals(0, kube.auditLog().entries(e -> e.path().contains("/secrets")
        && !e.method().equals("GET")).size(), () -> "writes: " + kube.auditLog());
  }

  @Test
  void dryRunTextNamesTheKeysThatWouldChangeAndWritesNothing() {
    kube.auditLog().clear();
    Run fresh = run(sync("--dry-run"));
    assertEquals(0, fresh.exitCode(), fresh.err());
    assertEquals("""
        example-admin/example-admin-config-file: would create Secret example-admin/example-admin-config-file: add config.yml
        example-api/example-api-env-file: would create Secret example-api/example-api-env-file: add .env
        example-worker/example-worker-config-file: would create Secret example-worker/example-worker-config-file: add config.json
        """, fresh.out());
    assertEquals(0, kube.auditLog().entries(e -> !e.method().equals("GET")
        && !e.path().endsWith("/token") && !e.path().contains("tokenreviews")).size(),
        () -> "writes: " + kube.auditLog());
    assertTrue(kube.get("v1", "Secret", "example-api", "example-api-env-file").isEmpty());

    assertEquals(0, run(sync("--once")).exitCode());
    Walkthrough.Vault vault = Walkthrough.Vault.of(sandbox);
    vault.kvPut("example-api/env-file", "dotenv", "API_TOKEN=rotated\n");
    Run rotated = run(sync("--dry-run", "-n", "example-api"));
    assertEquals(0, rotated.exitCode(), rotated.err());
    assertEquals("example-api/example-api-env-file: would update Secret example-api/example-api-env-file: "
        + "change .env\n", rotated.out());
    assertFalse(rotated.out().contains("rotated"));
    vault.kvPut("example-api/env-file", "dotenv", Walkthrough.API_ENV);
    Run same = run(sync("--dry-run", "-n", "example-api"));
    assertEquals("example-api/example-api-env-file: Secret example-api/example-api-env-file is up to date, "
        + "nothing would be written\n", same.out());
  }

  @Test
  void dryRunYamlPrintsTheSecretsAsKubectlCreateDoes() {
    Run r = run(sync("--dry-run", "-o", "yaml", "-n", "example-api"));
    assertEquals(0, r.exitCode(), r.err());
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("data-hash: ([0-9a-f]{56})\n").matcher(r.out());
    assertTrue(m.find(), r.out());
    String hash = m.group(1);
    m = java.util.regex.Pattern.compile("created-by: ([0-9a-f]{56})\n").matcher(r.out());
    assertTrue(m.find(), r.out());
    String createdBy = m.group(1);
    assertEquals("""
        apiVersion: v1
        data:
          ".env": %s
        kind: Secret
        metadata:
          annotations:
            reconcile.external-secrets.io/data-hash: %s
          labels:
            reconcile.external-secrets.io/created-by: %s
            reconcile.external-secrets.io/managed: "true"
          name: example-api-env-file
          namespace: example-api
        type: Opaque
        """.formatted(java.util.Base64.getEncoder().encodeToString(
            Walkthrough.API_ENV.getBytes(StandardCharsets.UTF_8)), hash, createdBy), r.out());
    assertTrue(kube.get("v1", "Secret", "example-api", "example-api-env-file").isEmpty());
    assertEquals(0, run(sync("--once", "-n", "example-api")).exitCode());
    assertEquals(hash, kube.get("v1", "Secret", "example-api", "example-api-env-file").orElseThrow()
        .path("metadata").path("annotations").path("reconcile.external-secrets.io/data-hash").asText(),
        "the dry run's Secret is the one a sync writes");

    Run all = run(sync("--dry-run", "-o", "json"));
    assertEquals(0, all.exitCode(), all.err());
    JsonNode list = readJson(all.out());
    assertEquals("List", list.path("kind").asText());
    assertEquals(3, list.path("items").size());
    assertEquals("example-worker-config-file", list.path("items").get(2).path("metadata").path("name").asText());
  }

  @Test
  void kubectlApplyAcceptsTheDryRunsYamlAndJson() throws Exception {
    Optional<Kubectl> kubectl = Kubectl.in(dir.resolve("kubectl"));
    assumeTrue(kubectl.isPresent(), "no kubectl on this machine: the kubectl check is skipped");
    Map<String, String> env = Map.of("KUBECONFIG", kubeconfig.toString());

    Run yaml = run(sync("--dry-run", "-o", "yaml"));
    assertEquals(0, yaml.exitCode(), yaml.err());
    Files.writeString(dir.resolve("secrets.yaml"), yaml.out());
    Kubectl.Result applied = kubectl.get().sh("kubectl apply --dry-run=client -f - < " + dir.resolve("secrets.yaml"),
        env);
    assertEquals(0, applied.exitCode(), applied.err());
    assertEquals("""
        secret/example-admin-config-file created (dry run)
        secret/example-api-env-file created (dry run)
        secret/example-worker-config-file created (dry run)
        """, applied.out());

    assertEquals(0, run(sync("--once")).exitCode());
    Walkthrough.Vault.of(sandbox).kvPut("example-worker/config-file", "config.json", "{\"queue\":\"other\"}");
    try {
      Run json = run(sync("--dry-run", "-o", "json"));
      assertEquals(0, json.exitCode(), json.err());
      Files.writeString(dir.resolve("secrets.json"), json.out());
      Kubectl.Result again = kubectl.get().sh("kubectl apply --dry-run=client -f - < " + dir.resolve("secrets.json"),
          env);
      assertEquals(0, again.exitCode(), again.err());
      assertEquals("""
          secret/example-admin-config-file configured (dry run)
          secret/example-api-env-file configured (dry run)
          secret/example-worker-config-file configured (dry run)
          """, again.out());
    } finally {
      Walkthrough.Vault.of(sandbox).kvPut("example-worker/config-file", "config.json", Walkthrough.WORKER_CONFIG);
    }
  }

  @Test
  void aLongRunRefreshesPerRefreshIntervalWithAProgressLinePerPass() {
    TestClock clock = TestClock.at(java.time.Instant.parse("2026-01-10T12:00:00Z"));
    List<Long> sleeps = new java.util.ArrayList<>();
    SyncCommand command = new SyncCommand();
    command.clock = clock;
    command.sleeper = millis -> {
      sleeps.add(millis);
      if (sleeps.size() == 2) {
        throw new InterruptedException("stopped");
      }
      clock.advance(java.time.Duration.ofMillis(millis));
    };
    Run r = runWith(command, "", sync("-n", "example-api"));
    assertEquals(0, r.exitCode(), r.err());
    assertEquals("""
        example-api/example-api-env-file: synced -> Secret example-api/example-api-env-file (created)
        pass 1 at 2026-01-10T12:00:00Z: 1 ExternalSecret, 1 Secret written, 0 failed; next pass in 2m0s
        example-api/example-api-env-file: synced -> Secret example-api/example-api-env-file (unchanged)
        pass 2 at 2026-01-10T12:02:00Z: 1 ExternalSecret, 0 Secrets written, 0 failed; next pass in 2m0s
        """, r.out());
    assertEquals(List.of(120_000L, 120_000L), sleeps);
  }

  @Test
  void controllerModeReadsTheClustersResources() throws Exception {
    for (String file : Walkthrough.MANIFESTS) {
      kube.apply(Files.readString(manifests.resolve(file)));
    }
    try {
      kube.auditLog().clear();
      Run dry = run("--kubeconfig", kubeconfig.toString(), "--dry-run", "-n", "example-api");
      assertEquals(0, dry.exitCode(), dry.err());
      assertEquals("example-api/example-api-env-file: would create Secret example-api/example-api-env-file: "
          + "add .env\n", dry.out());
      assertEquals(0, kube.auditLog().entries(e -> !e.method().equals("GET")
          && !e.path().endsWith("/token") && !e.path().contains("tokenreviews")).size(),
          () -> "writes: " + kube.auditLog());

      Run once = run("--kubeconfig", kubeconfig.toString(), "--once");
      assertEquals(0, once.exitCode(), once.err());
      assertEquals("""
          example-admin/example-admin-config-file: synced -> Secret example-admin/example-admin-config-file (created)
          example-api/example-api-env-file: synced -> Secret example-api/example-api-env-file (created)
          example-worker/example-worker-config-file: synced -> Secret example-worker/example-worker-config-file (created)
          """, once.out());
      JsonNode es = kube.get("external-secrets.io/v1", "ExternalSecret", "example-api", "example-api-env-file")
          .orElseThrow();
      assertEquals("SecretSynced", es.path("status").path("conditions").get(0).path("reason").asText());
    } finally {
      for (Walkthrough.App app : Walkthrough.APPS) {
        kube.delete("external-secrets.io/v1", "ExternalSecret", app.namespace(), app.secret());
        kube.delete("external-secrets.io/v1", "ClusterSecretStore", null, "vault-" + app.name());
      }
    }
  }

  @Test
  void controllerModeWatchesUntilStoppedAndHoldsTheLeaseWhileItWorks() throws Exception {
    for (String file : Walkthrough.MANIFESTS) {
      kube.apply(Files.readString(manifests.resolve(file)));
    }
    try {
      StringWriter out = new StringWriter();
      List<String> leaseHolders = new java.util.ArrayList<>();
      SyncCommand command = new SyncCommand();
      int[] polls = {0};
      command.sleeper = millis -> {
        Thread.sleep(50);
        boolean passed = out.toString().contains("\npass 1 at ");
        if (passed) {
          leaseHolders.add(kube.get("coordination.k8s.io/v1", "Lease", "default", "sync-test").orElseThrow()
              .path("spec").path("holderIdentity").asText());
        }
        if (passed || ++polls[0] > 1200) {
          throw new InterruptedException("stop");
        }
      };
      Run r = runWith(command, "", out, "--kubeconfig", kubeconfig.toString(), "-n", "example-worker",
          "--leader-elect", "--lease-name", "sync-test", "--lease-namespace", "default", "--identity", "replica-1");
      assertEquals(0, r.exitCode(), r.err());
      List<String> lines = r.out().lines().toList();
      assertEquals("example-worker/example-worker-config-file: synced -> Secret "
          + "example-worker/example-worker-config-file (created)", lines.get(0), r.out());
      assertTrue(lines.stream().anyMatch(l -> l.matches("pass 1 at \\S+: 1 ExternalSecret, 1 Secret written, 0 failed; "
          + "watching for changes and refreshes")), r.out());
      assertEquals(List.of("replica-1"), leaseHolders);
      assertEquals("", kube.get("coordination.k8s.io/v1", "Lease", "default", "sync-test").orElseThrow()
          .path("spec").path("holderIdentity").asText(""), "the Lease is released when the command stops");
      assertTrue(kube.secretData("example-worker", "example-worker-config-file").isPresent());
      assertTrue(kube.secretData("example-api", "example-api-env-file").isEmpty(), "-n limits the namespaces");
    } finally {
      for (Walkthrough.App app : Walkthrough.APPS) {
        kube.delete("external-secrets.io/v1", "ExternalSecret", app.namespace(), app.secret());
        kube.delete("external-secrets.io/v1", "ClusterSecretStore", null, "vault-" + app.name());
      }
    }
  }

  @Test
  void jsonOutputGivesEachResultWithoutValues() {
    Run r = run(sync("--once", "-o", "json"));
    assertEquals(0, r.exitCode(), r.err());
    JsonNode results = readJson(r.out());
    assertEquals(3, results.size());
    JsonNode api = results.get(1);
    assertEquals("example-api", api.path("namespace").asText());
    assertEquals("created", api.path("outcome").asText());
    assertEquals("SecretSynced", api.path("condition").path("reason").asText());
    assertEquals(Walkthrough.API_ENV.length(), api.path("keys").path(".env").asInt());
    assertEquals("[\".env\"]", api.path("changes").path("added").toString());
    assertNoValues(r.out());
  }

  @Test
  void aFailedExternalSecretExitsOneWithItsReasonAndHints() throws Exception {
    Files.writeString(manifests.resolve("external-secret-example-api.yaml"),
        Files.readString(manifests.resolve("external-secret-example-api.yaml")).replace("property: dotenv",
            "property: dotenvv"));
    Run r = run(sync("--once"));
    assertEquals(1, r.exitCode(), r.out() + r.err());
    List<String> lines = r.out().lines().dropWhile(l -> !l.startsWith("example-api/")).toList();
    assertTrue(lines.get(0).startsWith("example-api/example-api-env-file: failed: SecretSyncedError: "
        + "could not get secret data from provider: "), lines.get(0));
    assertTrue(lines.get(0).contains("cannot find secret data for key: \"dotenvv\""), lines.get(0));
    assertTrue(lines.get(1).startsWith("  hint: "), r.out());
    assertTrue(r.out().contains("example-worker/example-worker-config-file: synced -> Secret "
        + "example-worker/example-worker-config-file (created)"), r.out());
    assertTrue(kube.get("v1", "Secret", "example-api", "example-api-env-file").isEmpty());
    assertNoValues(r.out() + r.err());
  }

  @Test
  void aBrokenManifestExitsTwoNamingTheFileAndFieldAndSyncsNothing() throws Exception {
    Path bad = manifests.resolve("external-secret-example-api.yaml");
    Files.writeString(bad, Files.readString(bad).replace("creationPolicy: Owner", "creationPolicy: owner"));
    Run r = run(sync("--once"));
    assertEquals(2, r.exitCode(), r.out() + r.err());
    assertTrue(r.err().startsWith("error: " + bad + ": document 1: ExternalSecret "
        + "example-api/example-api-env-file: spec.target.creationPolicy: \"owner\" is not one of"), r.err());
    assertEquals("", r.out());
    assertTrue(kube.get("v1", "Secret", "example-worker", "example-worker-config-file").isEmpty());
  }

  @Test
  void usageErrorsExitTwo() {
    Run unknown = run(sync("--once", "--bogus"));
    assertEquals(2, unknown.exitCode());
    assertTrue(unknown.err().startsWith("Unknown option: '--bogus'"), unknown.err());

    Run format = run(sync("-o", "xml"));
    assertEquals(2, format.exitCode());
    assertTrue(format.err().contains("Invalid value for option '--output': expected one of [text, json, yaml]"),
        format.err());

    Run missing = run("-f", dir.resolve("nowhere").toString(), "--kubeconfig", kubeconfig.toString(), "--once");
    assertEquals(2, missing.exitCode());
    assertTrue(missing.err().contains(dir.resolve("nowhere").toString()), missing.err());

    Run noKubeconfig = run("-f", manifests.toString(), "--kubeconfig", dir.resolve("none").toString(), "--once");
    assertEquals(2, noKubeconfig.exitCode());
    assertTrue(noKubeconfig.err().startsWith("sync: cannot use " + dir.resolve("none") + ": "
        + dir.resolve("none") + ": kubeconfig file does not exist"), noKubeconfig.err());

    Run context = run(sync("--once", "--context", "nope"));
    assertEquals(2, context.exitCode());
    assertTrue(context.err().contains("no context named \"nope\" (contexts: "), context.err());
    assertTrue(kube.get("v1", "Secret", "example-api", "example-api-env-file").isEmpty());

    Run leaseDry = run(sync("--dry-run", "--leader-elect"));
    assertEquals(2, leaseDry.exitCode());
    assertTrue(leaseDry.err().startsWith("--leader-elect and --dry-run exclude each other"), leaseDry.err());
  }

  @Test
  void manifestsCanComeFromStandardInput() throws Exception {
    StringBuilder all = new StringBuilder();
    for (String file : Walkthrough.MANIFESTS) {
      all.append(Files.readString(manifests.resolve(file))).append("---\n");
    }
    Run r = runWith(new SyncCommand(), all.toString(), "-f", "-", "--kubeconfig", kubeconfig.toString(),
        "--context", Sandbox.CONTEXT, "--dry-run", "-n", "example-worker");
    assertEquals(0, r.exitCode(), r.err());
    assertEquals("example-worker/example-worker-config-file: would create Secret "
        + "example-worker/example-worker-config-file: add config.json\n", r.out());
  }

  @Test
  void everyOptionHasHelp() {
    Run r = run("--help");
    assertEquals(0, r.exitCode());
    for (String option : List.of("-f, --filename=PATH", "--kubeconfig=FILE", "--context=NAME",
        "-n, --namespace=NAMESPACE", "--once", "--dry-run", "-o, --output=FORMAT", "--leader-elect",
        "--lease-name=NAME", "--lease-namespace=NS", "--identity=ID", "-v, --verbose")) {
      String line = r.out().lines().filter(l -> l.contains(option)).findFirst()
          .orElseThrow(() -> new AssertionError("no help for " + option + ":\n" + r.out()));
      assertTrue(line.strip().length() > option.length() + 10, line);
    }
  }

  static JsonNode readJson(String text) {
    try {
      return Walkthrough.JSON.readTree(text);
    } catch (java.io.IOException e) {
      throw new AssertionError(text, e);
    }
  }
}
