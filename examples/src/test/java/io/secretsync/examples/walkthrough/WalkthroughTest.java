package io.secretsync.examples.walkthrough;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsync.core.SyncEngine;
import io.secretsync.core.SyncResult;
import io.secretsync.core.SyncResult.Outcome;
import io.secretsync.examples.walkthrough.Walkthrough.App;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.FakeVault;
import io.secretsync.testkit.Sandbox;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walkthrough program against a Sandbox (FakeVault and FakeKubernetes over HTTPS on loopback): Vault
 * ends up configured as the walkthrough says, the three Secrets hold the apps' files, and a second
 * run changes nothing.
 */
class WalkthroughTest {
  private static Sandbox sandbox;
  private static FakeVault vault;
  private static FakeKubernetes kube;
  private static String firstOutput;
  private static List<SyncResult> firstRun;

  @BeforeAll
  static void runTheWalkthrough() {
    sandbox = Sandbox.start();
    vault = sandbox.vault().orElseThrow();
    kube = sandbox.kubernetes().orElseThrow();
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    firstRun = new Walkthrough(Walkthrough.Target.of(sandbox), new PrintStream(output, true, StandardCharsets.UTF_8))
        .run();
    firstOutput = output.toString(StandardCharsets.UTF_8);
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  @Test
  void everyExternalSecretSyncsIntoANewSecretHoldingItsAppsFile() {
    assertEquals(3, firstRun.size(), firstOutput);
    for (SyncResult result : firstRun) {
      assertTrue(result.ready(), result::toString);
      assertEquals(SyncResult.REASON_SYNCED, result.reason());
      assertEquals(Outcome.CREATED, result.outcome(), result::toString);
    }
    for (App app : Walkthrough.APPS) {
      Map<String, byte[]> data = kube.secretData(app.name(), app.secretName()).orElseThrow();
      assertEquals(List.of(app.secretKey()), List.copyOf(data.keySet()), app.name());
      assertArrayEquals(app.file().getBytes(StandardCharsets.UTF_8), data.get(app.secretKey()), app.name());
      JsonNode meta = kube.get("v1", "Secret", app.name(), app.secretName()).orElseThrow().path("metadata");
      assertEquals("true", meta.path("labels").path(SyncEngine.LABEL_MANAGED).asText());
      JsonNode owner = meta.path("ownerReferences").get(0);
      assertEquals("ExternalSecret", owner.path("kind").asText());
      assertEquals(app.secretName(), owner.path("name").asText());
      assertTrue(owner.path("controller").asBoolean());
    }
    assertTrue(firstOutput.contains("example-api/example-api-env-file: synced -> Secret "
        + "example-api/example-api-env-file (created)\n"), firstOutput);
    assertTrue(firstOutput.contains("secret example-api/example-api-env-file: Opaque, .env ("
        + Walkthrough.APPS.get(0).file().length() + " bytes)\n"), firstOutput);
  }

  @Test
  void vaultIsConfiguredAsTheWalkthroughSays() {
    assertEquals(kube.baseUrl(), vault.call("GET", "auth/kubernetes/config", null).body().path("data")
        .path("kubernetes_host").asText().replaceAll("/$", ""));
    for (App app : Walkthrough.APPS) {
      assertTrue(vault.policies().get(app.name()).orElseThrow().contains("path \"secret/data/" + app.name() + "/*\""));
      JsonNode role = vault.call("GET", "auth/kubernetes/role/external-secrets-" + app.name(), null).body().path("data");
      assertEquals("[\"external-secrets\"]", role.path("bound_service_account_names").toString());
      assertEquals("[\"external-secrets\"]", role.path("bound_service_account_namespaces").toString());
      assertEquals("[\"" + app.name() + "\"]", role.path("token_policies").toString());
      assertEquals(app.file(), vault.kv("secret").get(app.vaultKey()).orElseThrow().get(app.property()));
    }
    // each store logged in once with its own role, through a TokenReview against the cluster
    assertTrue(vault.requestCount("POST", "/v1/auth/kubernetes/login") >= 3);
    assertTrue(firstOutput.contains("ClusterSecretStore vault-example-admin: Valid"), firstOutput);
  }

  @Test
  void aSecondRunFromTheSandboxsEnvFilesChangesNothing(@TempDir Path dir) throws Exception {
    // what `. <dir>/env` sets after `secrets-sync sandbox --dir <dir>`: VAULT_ADDR, VAULT_TOKEN, VAULT_CACERT, KUBECONFIG
    Map<String, String> environment = new HashMap<>();
    for (String line : Files.readAllLines(sandbox.writeFiles(dir).env())) {
      String assignment = line.substring("export ".length());
      int equals = assignment.indexOf('=');
      environment.put(assignment.substring(0, equals), assignment.substring(equals + 2, assignment.length() - 1));
    }
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    List<SyncResult> second = new Walkthrough(Walkthrough.Target.fromEnvironment(environment),
        new PrintStream(output, true, StandardCharsets.UTF_8)).run();
    assertEquals(3, second.size());
    for (SyncResult result : second) {
      assertEquals(Outcome.UNCHANGED, result.outcome(), result::toString);
    }
    assertNoSecretIn(output.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aMissingVariableIsNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Walkthrough.Target.fromEnvironment(Map.of("VAULT_ADDR", "https://127.0.0.1:8200")));
    assertEquals("VAULT_CACERT is not set", e.getMessage());
  }

  @Test
  void theOutputShowsNoValueTokenOrJwt() {
    assertNoSecretIn(firstOutput);
  }

  private static void assertNoSecretIn(String text) {
    assertFalse(text.contains("change-me"), text);
    assertFalse(text.contains(sandbox.vaultRootToken()), text);
    assertFalse(text.contains(sandbox.kubernetesAdminToken()), text);
    assertFalse(text.contains("eyJ"), "no JWT: " + text);
  }
}
