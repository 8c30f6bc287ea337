package io.secretsync.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.SecretStore;
import io.secretsync.core.SecretStoreException.NoSecretException;
import io.secretsync.core.SecretStoreException.PermissionDeniedException;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.testkit.FakeVault;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link VaultKv}: a KV mount as a SecretStore without a store manifest, against FakeVault over HTTPS. */
class VaultKvTest {

  private final FakeVault vault = FakeVault.start();

  @AfterEach
  void stop() {
    vault.close();
  }

  private VaultClient client() {
    return VaultClient.builder(vault.address()).caCertificatesPem(vault.caCertificatePem()).build();
  }

  private VaultAuth tokenWith(String policy, String hcl) {
    vault.policies().put(policy, hcl);
    String token = vault.createToken(List.of(policy), Duration.ofHours(1));
    return VaultAuth.token(() -> token, "a test token");
  }

  private static String text(byte[] value) {
    return new String(value, StandardCharsets.UTF_8);
  }

  @Test
  void readsAPropertyOfAKvV2SecretByItsKeyBelowTheMount() {
    vault.kv("secret").put("example-api/env-file", Map.of("dotenv", "PORT=8080\n"));
    VaultAuth auth = tokenWith("example-api", "path \"secret/data/example-api/*\" { capabilities = [\"read\"] }");
    try (SecretStore store = VaultKv.builder(client(), auth).build()) {
      assertEquals("PORT=8080\n", text(store.getSecret(RemoteRef.of("example-api/env-file", "dotenv"))));
      assertEquals(1, vault.requestCount("GET", "/v1/secret/data/example-api/env-file"));
    }
  }

  @Test
  void aKeyThePolicyDoesNotCoverIsRefusedNamingThePathToGrant() {
    vault.kv("secret").put("example-admin/config-file", Map.of("config", "x"));
    VaultAuth auth = tokenWith("example-api", "path \"secret/data/example-api/*\" { capabilities = [\"read\"] }");
    try (SecretStore store = VaultKv.builder(client(), auth).build()) {
      PermissionDeniedException e = assertThrows(PermissionDeniedException.class,
          () -> store.getSecret(RemoteRef.of("example-admin/config-file", "config")));
      assertTrue(e.toString().contains("secret/data/example-admin/config-file"), e::toString);
    }
  }

  @Test
  void aMissingSecretIsNotFound() {
    VaultAuth auth = tokenWith("all", "path \"secret/data/*\" { capabilities = [\"read\"] }");
    try (SecretStore store = VaultKv.builder(client(), auth).build()) {
      NoSecretException e = assertThrows(NoSecretException.class, () -> store.read(RemoteRef.of("nope").location()));
      assertTrue(e.getMessage().contains("secret/data/nope"), e.getMessage());
    }
  }

  @Test
  void aKvV1MountIsReadWithoutTheDataSegment() {
    vault.enableKv("legacy", 1);
    vault.kv("legacy").put("app", Map.of("password", "pw"));
    VaultAuth auth = tokenWith("legacy", "path \"legacy/*\" { capabilities = [\"read\"] }");
    try (SecretStore store = VaultKv.builder(client(), auth).mount("legacy/").version(1).build()) {
      assertEquals("pw", text(store.getSecret(RemoteRef.of("app", "password"))));
      assertEquals(1, vault.requestCount("GET", "/v1/legacy/app"));
    }
  }

  @Test
  void theStoreDescribesItselfWithoutCredentials() {
    VaultAuth auth = tokenWith("all", "path \"secret/data/*\" { capabilities = [\"read\"] }");
    try (SecretStore store = VaultKv.builder(client(), auth).build()) {
      String text = store.toString();
      assertTrue(text.contains("secret/") && text.contains(vault.address()), text);
      assertFalse(text.contains(vault.rootToken()), text);
    }
  }

  @Test
  void invalidSettingsAreRefusedAtOnce() {
    VaultKv.Builder builder = VaultKv.builder(client(), VaultAuth.token(() -> "t", "t"));
    assertThrows(IllegalArgumentException.class, () -> builder.version(3));
    assertThrows(IllegalArgumentException.class, () -> builder.mount("/"));
  }
}
