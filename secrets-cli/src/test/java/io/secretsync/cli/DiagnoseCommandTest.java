package io.secretsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.Sandbox;
import io.secretsync.testkit.TestPki;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code secrets-sync diagnose} against the walkthrough set up on a sandbox (real HTTPS to the fake
 * Vault and API server), each of the walkthrough's six common issues broken in turn (issue 8, item 4):
 * the output names the issue and its fix, the exit status is 1, and no value or token is printed.
 */
class DiagnoseCommandTest {
  @TempDir static Path dir;

  private static Sandbox sandbox;
  private static SandboxWalkthrough walkthrough;
  private static Path kubeconfig;
  private static Map<String, String> operatorEnv;

  private record Run(int exitCode, String out, String err) {}

  @BeforeAll
  static void setUpTheWalkthrough() throws Exception {
    sandbox = Sandbox.start();
    walkthrough = SandboxWalkthrough.setUp(sandbox, new PrintWriter(Writer.nullWriter()));
    Sandbox.WrittenFiles files = sandbox.writeFiles(dir.resolve("sandbox"));
    kubeconfig = files.kubeconfig().orElseThrow();
    operatorEnv = Map.of("VAULT_ADDR", sandbox.vaultAddress(), "VAULT_TOKEN", sandbox.vaultRootToken(),
        "VAULT_CACERT", files.caCertificate().toString());
  }

  /** Undoes what a test broke: the walkthrough's Vault steps once more, as written. */
  @AfterEach
  void repairTheWalkthrough() {
    walkthrough.writeAuthConfig(sandbox.kubernetesUrl(), sandbox.caCertificatePem(), walkthrough.reviewerJwt());
    for (String app : SandboxWalkthrough.APPS) {
      walkthrough.writePolicy(app, "path \"secret/data/" + app + "/*\" {\n  capabilities = [\"read\"]\n}\n");
      walkthrough.writeRole(app, "external-secrets", "external-secrets");
    }
    SandboxWalkthrough.KvPut api = SandboxWalkthrough.KV.get(0);
    walkthrough.kvPut(api.path(), api.property(), api.file(), api.content());
  }

  @AfterAll
  static void stop() {
    walkthrough.close();
    sandbox.close();
  }

  private Run diagnose(Map<String, String> env, String... args) {
    CommandLine cli = new CommandLine(new DiagnoseCommand(env));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of("--kubeconfig", kubeconfig.toString(), "--context", "sandbox"));
    all.addAll(List.of(args));
    int code = cli.execute(all.toArray(String[]::new));
    Run run = new Run(code, out.toString(), err.toString());
    assertNothingSecret(run);
    return run;
  }

  private Run diagnoseFiles(Map<String, String> env) throws Exception {
    return diagnose(env, "-f", walkthrough.writeManifests(dir.resolve("manifests")).toString());
  }

  private void assertNothingSecret(Run run) {
    String all = run.out() + run.err();
    for (String secret : new String[] {sandbox.vaultRootToken(), sandbox.kubernetesAdminToken(), "eyJ",
        "demo-4f1c9a2e7b", "demo-whsec-93b1", "demo-session-5d2e", "API_KEY="}) {
      assertFalse(all.contains(secret), "printed a secret: " + secret);
    }
  }

  private static void assertIssue(Run run, int number, String title) {
    assertEquals(1, run.exitCode(), run.out() + run.err());
    assertTrue(run.out().contains("=> issue " + number + ": " + title + "\n"), run.out());
    assertTrue(run.out().contains("found issue " + number + ": " + title), run.out());
  }

  @Test
  void theWalkthroughAsWrittenIsAllGood() throws Exception {
    Run run = diagnoseFiles(operatorEnv);
    assertEquals(0, run.exitCode(), run.out() + run.err());
    assertTrue(run.out().contains("ClusterSecretStore vault-example-api\n  ok      config: "), run.out());
    assertTrue(run.out().contains("  ok      login: Vault accepted the login"), run.out());
    assertTrue(run.out().contains("  ok      .env <- example-api/env-file property dotenv: readable, property present ("
        + SandboxWalkthrough.DOTENV.length() + " bytes)"), run.out());
    assertTrue(run.out().endsWith("all good: 3 store(s) and 3 ExternalSecret(s) checked\n"), run.out());
    assertEquals(0, sandbox.kubernetes().orElseThrow().list("v1", "Secret", "example-api").size(),
        "diagnose writes nothing");
    assertEquals(0, sandbox.kubernetes().orElseThrow().auditLog().count("POST", "/api/v1/namespaces/example-api/secrets"),
        "diagnose writes nothing");
  }

  @Test
  void issue1VaultAuthPointsAtAnOldApiServer() throws Exception {
    String oldHost;
    try (FakeKubernetes oldCluster = FakeKubernetes.start()) {
      oldHost = oldCluster.baseUrl();
    }
    walkthrough.writeAuthConfig(oldHost, sandbox.caCertificatePem(), walkthrough.reviewerJwt());

    Run run = diagnoseFiles(operatorEnv);

    assertIssue(run, 1, "Vault auth points to an old Kubernetes API server");
    assertTrue(run.out().contains("kubernetes_host is " + oldHost + " but the cluster's API server is "
        + sandbox.kubernetesUrl()), run.out());
    assertTrue(run.out().contains("fix: vault write auth/kubernetes/config kubernetes_host=\""
        + sandbox.kubernetesUrl()), run.out());
  }

  @Test
  void withoutAVaultTokenTheTokenReviewCandidatesAreListed() throws Exception {
    String oldHost;
    try (FakeKubernetes oldCluster = FakeKubernetes.start()) {
      oldHost = oldCluster.baseUrl();
    }
    walkthrough.writeAuthConfig(oldHost, sandbox.caCertificatePem(), walkthrough.reviewerJwt());

    Run run = diagnoseFiles(Map.of());

    assertEquals(1, run.exitCode(), run.out());
    assertTrue(run.out().contains("=> one of the walkthrough's common issues:\n"
        + "               issue 1: Vault auth points to an old Kubernetes API server\n"
        + "               issue 2: Vault has the wrong cluster CA\n"
        + "               issue 3: The token reviewer JWT is expired or from the wrong cluster\n"), run.out());
    assertTrue(run.out().contains("skipped auth/kubernetes/config: VAULT_TOKEN is not set"), run.out());
    assertFalse(run.out().contains("found issue"), run.out());
  }

  @Test
  void issue2VaultHasTheWrongClusterCa() throws Exception {
    walkthrough.writeAuthConfig(sandbox.kubernetesUrl(),
        TestPki.create("Old Cluster CA", TestPki.KeyType.EC_P256).caCertificatePem(), walkthrough.reviewerJwt());

    Run run = diagnoseFiles(operatorEnv);

    assertIssue(run, 2, "Vault has the wrong cluster CA");
    assertTrue(run.out().contains("kubernetes_ca_cert is \"CN=Old Cluster CA"), run.out());
    assertTrue(run.out().contains("certificate-authority-data"), run.out());
  }

  @Test
  void issue3TheReviewerJwtIsFromAnotherCluster() throws Exception {
    String foreignReviewer;
    try (FakeKubernetes otherCluster = FakeKubernetes.start()) {
      otherCluster.createNamespace("vault-auth");
      otherCluster.createServiceAccount("vault-auth", "vault-auth");
      foreignReviewer = otherCluster.serviceAccountToken("vault-auth", "vault-auth", List.of(), Duration.ofHours(1));
    }
    walkthrough.writeAuthConfig(sandbox.kubernetesUrl(), sandbox.caCertificatePem(), foreignReviewer);

    Run run = diagnoseFiles(operatorEnv);

    assertIssue(run, 3, "The token reviewer JWT is expired or from the wrong cluster");
    assertTrue(run.out().contains("kubernetes_host and kubernetes_ca_cert match the cluster"), run.out());
    assertTrue(run.out().contains("the cluster accepts its own reviewer token from Secret vault-auth/vault-auth-token, "
        + "so Vault holds another one"), run.out());
    assertFalse(run.out().contains(foreignReviewer), "no JWT in the output");
  }

  @Test
  void issue3AReviewerTokenTheClusterRejectsIsNamed() throws Exception {
    String foreignReviewer;
    try (FakeKubernetes otherCluster = FakeKubernetes.start()) {
      otherCluster.createNamespace("vault-auth");
      otherCluster.createServiceAccount("vault-auth", "vault-auth");
      foreignReviewer = otherCluster.serviceAccountToken("vault-auth", "vault-auth", List.of(), Duration.ofHours(1));
    }
    walkthrough.writeAuthConfig(sandbox.kubernetesUrl(), sandbox.caCertificatePem(), foreignReviewer);
    Map<String, String> env = new HashMap<>(operatorEnv);
    env.put("TOKEN_REVIEWER_JWT", foreignReviewer);

    Run run = diagnose(env);

    assertIssue(run, 3, "The token reviewer JWT is expired or from the wrong cluster");
    assertTrue(run.out().contains("the API server also rejects the reviewer token from TOKEN_REVIEWER_JWT "
        + "(401 Unauthorized"), run.out());
  }

  @Test
  void issue4TheRoleIsBoundToAnotherServiceAccount() {
    walkthrough.writeRole("example-api", "external-secrets", "eso-controller");

    Run run = diagnose(Map.of());

    assertIssue(run, 4, "The Vault role is bound to the wrong service account or namespace");
    assertTrue(run.out().contains("ClusterSecretStore vault-example-api\n"), run.out());
    assertTrue(run.out().contains("service account name not authorized"), run.out());
    assertTrue(run.out().contains("fix: compare: vault read -field=bound_service_account_names "
        + "auth/kubernetes/role/external-secrets-example-api"), run.out());
    assertTrue(run.out().contains("skipped .env <- example-api/env-file property dotenv: ClusterSecretStore "
        + "vault-example-api failed its checks"), run.out());
    assertTrue(run.out().contains("  ok      config.json <- example-worker/config-file"), run.out());
  }

  @Test
  void issue4TheRoleIsBoundToAnotherNamespace() {
    walkthrough.writeRole("example-worker", "eso", "external-secrets");

    Run run = diagnose(Map.of(), "-o", "json");

    assertEquals(1, run.exitCode(), run.out());
    JsonNode report = readJson(run.out());
    assertFalse(report.path("ok").asBoolean());
    JsonNode worker = null;
    for (JsonNode store : report.path("stores")) {
      if (store.path("subject").asText().equals("ClusterSecretStore vault-example-worker")) {
        worker = store;
      }
    }
    assertTrue(worker != null, run.out());
    assertFalse(worker.path("ok").asBoolean());
    JsonNode login = worker.path("checks").get(3);
    assertEquals("login", login.path("check").asText());
    assertEquals("FAILED", login.path("status").asText());
    assertEquals(4, login.path("issues").get(0).path("number").asInt());
    assertEquals("ROLE_BOUND_ELSEWHERE", login.path("issues").get(0).path("name").asText());
    assertTrue(login.path("message").asText().contains("namespace not authorized"), run.out());
  }

  @Test
  void issue5ThePolicyPathLacksTheDataSegment() {
    walkthrough.writePolicy("example-admin", "path \"secret/example-admin/*\" {\n  capabilities = [\"read\"]\n}\n");

    Run run = diagnose(operatorEnv, "-n", "example-admin");

    assertIssue(run, 5, "The Vault policy path uses the wrong KV v2 path");
    assertTrue(run.out().contains("ExternalSecret example-admin/example-admin-config-file\n  FAILED  config.yml <- "
        + "example-admin/config-file property config: GET secret/data/example-admin/config-file: permission denied"),
        run.out());
    assertTrue(run.out().contains("fix: KV v2 policy paths need the data/ segment"), run.out());
    assertTrue(run.out().contains("FAILED  policies of auth/kubernetes/role/external-secrets-example-admin: "
        + "example-admin: path \"secret/example-admin/*\" matches secret/example-admin/config-file, the KV v1 form "
        + "of the key; KV v2 reads secret/data/example-admin/config-file"), run.out());
    assertTrue(run.out().contains("fix: write the path with the data/ segment: path \"secret/data/example-admin/*\""),
        run.out());
    assertFalse(run.out().contains("ExternalSecret example-api/"), "-n keeps to one namespace");
  }

  @Test
  void issue6TheExpectedPropertyDoesNotExist() {
    walkthrough.kvPut("example-api/env-file", "env", ".env", SandboxWalkthrough.DOTENV);

    Run run = diagnose(Map.of());

    assertIssue(run, 6, "The expected property does not exist in Vault");
    assertTrue(run.out().contains("FAILED  .env <- example-api/env-file property dotenv: cannot find secret data for "
        + "key: \"dotenv\""), run.out());
    assertTrue(run.out().contains("env"), run.out());
  }

  @Test
  void anInvalidManifestIsAUsageError() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\n"
        + "metadata:\n  name: x\n  namespace: y\nspec:\n  refreshInterval: soon\n");
    Run run = diagnose(Map.of(), "-f", bad.toString());
    assertEquals(2, run.exitCode(), run.out() + run.err());
    assertTrue(run.err().contains("bad.yaml"), run.err());
  }

  @Test
  void anUnknownOutputFormatIsAUsageError() {
    Run run = diagnose(Map.of(), "-o", "yaml");
    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("-o must be text or json, got yaml"), run.err());
  }

  @Test
  void aKubeconfigThatCannotBeUsedIsAUsageError() {
    CommandLine cli = new CommandLine(new DiagnoseCommand(Map.of()));
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute("--kubeconfig", dir.resolve("missing").toString());
    assertEquals(2, code, err.toString());
    assertTrue(err.toString().startsWith("diagnose: no cluster: "), err.toString());
    assertTrue(err.toString().contains("missing"), err.toString());
  }

  @Test
  void helpNamesEveryOptionAndTheOperatorEnvironment() {
    CommandLine cli = SecretsSyncCommand.newCommandLine();
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    assertEquals(0, cli.execute("diagnose", "--help"));
    for (String option : new String[] {"--filename=PATH", "--kubeconfig=FILE", "--context=NAME",
        "--namespace=NAMESPACE", "--output=FORMAT", "--verbose", "VAULT_TOKEN", "VAULT_CACERT", "Exit status"}) {
      assertTrue(out.toString().contains(option), option + " in " + out);
    }
  }

  private static JsonNode readJson(String text) {
    try {
      return VaultHttp.JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(text, e);
    }
  }
}
