package io.secretsync.examples.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.SecretStoreException.NoSecretException;
import io.secretsync.core.SecretStoreException.PermissionDeniedException;
import io.secretsync.testkit.FakeVault;
import io.secretsync.testkit.TestClock;
import io.secretsync.testkit.TestScheduler;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded service against FakeVault over HTTPS: the walkthrough's {@code vault kv put} of
 * example-api's {@code .env}, its {@code example-api} policy, a token with that policy; time moved
 * by a {@link TestScheduler}.
 */
class EmbeddedServiceTest {
  private static final String FIRST_ENV =
      "# example-api\nPORT=8080\nAPI_KEY=first-key-value\nDATABASE_URL=postgres://api@db/api\n";
  private static final String SECOND_ENV = "PORT=8080\nAPI_KEY=second-key-value\nFEATURE_FLAGS=beta\n";

  @TempDir Path dir;
  private final FakeVault vault = FakeVault.start();
  private final TestScheduler scheduler = new TestScheduler(TestClock.create());
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
  private final Map<String, String> environment = new HashMap<>();
  private EmbeddedService service;

  @BeforeEach
  void walkthroughVault() throws Exception {
    vault.kv("secret").put("example-api/env-file", Map.of("dotenv", FIRST_ENV));
    vault.policies().put("example-api", """
        path "secret/data/example-api/*" {
          capabilities = ["read"]
        }
        """);
    Path ca = Files.writeString(dir.resolve("vault-ca.crt"), vault.caCertificatePem());
    environment.put("VAULT_ADDR", vault.address());
    environment.put("VAULT_CACERT", ca.toString());
    environment.put("VAULT_TOKEN", vault.createToken(List.of("example-api"), Duration.ofHours(24)));
  }

  @AfterEach
  void stop() {
    if (service != null) {
      service.close();
    }
    vault.close();
  }

  private String output() {
    return output.toString(StandardCharsets.UTF_8);
  }

  @Test
  void loadsTheEnvAtStartUpAndPrintsOnlyNames() {
    service = EmbeddedService.start(environment, scheduler, out);

    assertEquals(Map.of("PORT", "8080", "API_KEY", "first-key-value", "DATABASE_URL", "postgres://api@db/api"),
        service.env().variables());
    assertEquals("loaded .env from " + vault.address() + " example-api/env-file (dotenv): 3 variables: PORT, API_KEY, "
        + "DATABASE_URL\n", output());
    assertEquals(1, vault.requestCount("GET", "/v1/secret/data/example-api/env-file"));
  }

  @Test
  void aVaultUpdateReachesTheServiceAtTheNextRefresh() {
    service = EmbeddedService.start(environment, scheduler, out);
    vault.kv("secret").put("example-api/env-file", Map.of("dotenv", SECOND_ENV));

    scheduler.advance(Duration.ofMinutes(1));
    assertEquals("first-key-value", service.env().get("API_KEY").orElseThrow(), "not yet: the interval is 2m");

    scheduler.advance(Duration.ofMinutes(1));
    assertEquals("second-key-value", service.env().get("API_KEY").orElseThrow());
    assertEquals("beta", service.env().get("FEATURE_FLAGS").orElseThrow());
    assertTrue(service.env().get("DATABASE_URL").isEmpty());
    assertTrue(output().endsWith(
        "refreshed .env: added [FEATURE_FLAGS], changed [API_KEY], removed [DATABASE_URL]\n"), output());

    scheduler.advance(Duration.ofMinutes(2));
    assertEquals(3, vault.requestCount("GET", "/v1/secret/data/example-api/env-file"));
    assertEquals(2, output().lines().count(), "an unchanged read reports nothing: " + output());
    assertNoValueIn(output());
  }

  @Test
  void aFailedRefreshKeepsTheLastGoodEnvAndTheNextOneRecovers() {
    service = EmbeddedService.start(environment, scheduler, out);
    vault.kv("secret").delete("example-api/env-file");

    scheduler.advance(Duration.ofMinutes(2));
    assertEquals("first-key-value", service.env().get("API_KEY").orElseThrow());
    String failure = output().lines().reduce((a, b) -> b).orElseThrow();
    assertTrue(failure.startsWith("refresh failed, keeping the last good .env: "), failure);
    assertTrue(failure.contains("secret/data/example-api/env-file"), failure);

    vault.kv("secret").put("example-api/env-file", Map.of("dotenv", SECOND_ENV));
    scheduler.advance(Duration.ofMinutes(2));
    assertEquals("second-key-value", service.env().get("API_KEY").orElseThrow());
    assertNoValueIn(output());
  }

  @Test
  void theEnvFileIsWrittenForTheOwnerOnlyAndRewrittenOnChange() throws Exception {
    Path envFile = dir.resolve("app/.env");
    Files.createDirectories(envFile.getParent());
    environment.put("APP_ENV_FILE", envFile.toString());
    service = EmbeddedService.start(environment, scheduler, out);

    assertEquals(FIRST_ENV, Files.readString(envFile));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(envFile)));

    vault.kv("secret").put("example-api/env-file", Map.of("dotenv", SECOND_ENV));
    scheduler.advance(Duration.ofMinutes(2));
    assertEquals(SECOND_ENV, Files.readString(envFile));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(envFile)));
    try (var files = Files.list(envFile.getParent())) {
      assertEquals(List.of(envFile), files.toList(), "no temporary file is left behind");
    }
  }

  @Test
  void theServiceDoesNotStartWithoutItsEnv() {
    vault.policies().put("example-api", "path \"secret/data/example-worker/*\" { capabilities = [\"read\"] }");
    PermissionDeniedException denied = assertThrows(PermissionDeniedException.class,
        () -> EmbeddedService.start(environment, scheduler, out));
    assertTrue(denied.toString().contains("secret/data/example-api/env-file"), denied::toString);

    environment.put("APP_VAULT_KEY", "example-api/missing");
    vault.policies().put("example-api", "path \"secret/data/example-api/*\" { capabilities = [\"read\"] }");
    assertThrows(NoSecretException.class, () -> EmbeddedService.start(environment, scheduler, out));

    environment.remove("VAULT_TOKEN");
    IllegalArgumentException noLogin = assertThrows(IllegalArgumentException.class,
        () -> EmbeddedService.start(environment, scheduler, out));
    assertEquals("set VAULT_TOKEN, or VAULT_K8S_ROLE when running in a pod", noLogin.getMessage());
    assertEquals(0, scheduler.pending(), "nothing is left scheduled");
  }

  @Test
  void closingStopsTheRefresh() {
    service = EmbeddedService.start(environment, scheduler, out);
    service.close();
    scheduler.advance(Duration.ofMinutes(10));
    assertEquals(1, vault.requestCount("GET", "/v1/secret/data/example-api/env-file"));
  }

  private static void assertNoValueIn(String text) {
    for (String value : List.of("first-key-value", "second-key-value", "postgres://", "beta")) {
      assertFalse(text.contains(value), () -> "output shows a value: " + text);
    }
  }
}
