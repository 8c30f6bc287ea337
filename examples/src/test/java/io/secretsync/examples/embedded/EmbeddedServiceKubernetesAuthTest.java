package io.secretsync.examples.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.SecretStoreException.AuthenticationException;
import io.secretsync.examples.walkthrough.Walkthrough;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.FakeVault;
import io.secretsync.testkit.Sandbox;
import io.secretsync.testkit.TestClock;
import io.secretsync.testkit.TestScheduler;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded service in a pod of the walkthrough's cluster: it logs in with Vault's Kubernetes auth
 * and its service account token (the file a pod has mounted), through a TokenReview Vault makes
 * against FakeKubernetes, and revokes its Vault token when it stops.
 */
class EmbeddedServiceKubernetesAuthTest {
  private static Sandbox sandbox;
  private static FakeVault vault;
  private static FakeKubernetes cluster;

  @TempDir Path dir;

  @BeforeAll
  static void walkthroughCluster() {
    sandbox = Sandbox.start();
    vault = sandbox.vault().orElseThrow();
    cluster = sandbox.kubernetes().orElseThrow();
    new Walkthrough(Walkthrough.Target.of(sandbox), new PrintStream(OutputStream.nullOutputStream())).setUp();
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  private Map<String, String> podEnvironment(String role, List<String> audiences) throws Exception {
    // what the kubelet mounts at /var/run/secrets/kubernetes.io/serviceaccount/token
    Path token = Files.writeString(dir.resolve("token"),
        cluster.serviceAccountToken("external-secrets", "external-secrets", audiences, Duration.ofHours(1)));
    Path ca = Files.writeString(dir.resolve("vault-ca.crt"), vault.caCertificatePem());
    return Map.of("VAULT_ADDR", vault.address(), "VAULT_CACERT", ca.toString(), "VAULT_K8S_ROLE", role,
        "VAULT_K8S_TOKEN_FILE", token.toString());
  }

  @Test
  void logsInWithItsServiceAccountTokenAndRevokesItsVaultTokenOnClose() throws Exception {
    long revocations = vault.requestCount("POST", "/v1/auth/token/revoke-self")
        + vault.requestCount("PUT", "/v1/auth/token/revoke-self");
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    EmbeddedService service = EmbeddedService.start(
        podEnvironment("external-secrets-example-api", List.of(Walkthrough.AUDIENCE)),
        new TestScheduler(TestClock.create()), new PrintStream(output, true, StandardCharsets.UTF_8));
    try {
      assertEquals(Walkthrough.APPS.get(0).file(), service.env().text());
      assertEquals("8080", service.env().get("PORT").orElseThrow());
      assertTrue(output.toString(StandardCharsets.UTF_8).contains("3 variables: PORT, PUBLIC_URL, DATABASE_URL"),
          output::toString);
      assertFalse(output.toString(StandardCharsets.UTF_8).contains("change-me"));
    } finally {
      service.close();
    }
    assertEquals(revocations + 1, awaitRevocations(revocations + 1));
  }

  /**
   * The revoke-self requests in Vault's audit log once they reach {@code expected}, or after a few
   * seconds: the fake logs a body-less answer just after sending it, so the client may see the answer
   * a moment before the log does.
   */
  private static long awaitRevocations(long expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (true) {
      long count = vault.requestCount("POST", "/v1/auth/token/revoke-self")
          + vault.requestCount("PUT", "/v1/auth/token/revoke-self");
      if (count >= expected || System.nanoTime() > deadline) {
        return count;
      }
      Thread.sleep(10);
    }
  }

  @Test
  void aTokenForTheWrongAudienceIsRefusedAtStartUp() throws Exception {
    AuthenticationException e = assertThrows(AuthenticationException.class, () -> EmbeddedService.start(
        podEnvironment("external-secrets-example-api", List.of("vault")),
        new TestScheduler(TestClock.create()), new PrintStream(OutputStream.nullOutputStream())));
    assertTrue(e.getMessage().contains("external-secrets-example-api"), e::getMessage);
  }
}
