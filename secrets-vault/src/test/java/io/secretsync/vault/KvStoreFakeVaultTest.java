package io.secretsync.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import io.secretsync.core.SecretDocument;
import io.secretsync.core.SecretStore;
import io.secretsync.core.SecretStoreException;
import io.secretsync.core.SecretStoreException.NoSecretException;
import io.secretsync.core.SecretStoreException.PermissionDeniedException;
import io.secretsync.core.SecretStoreException.UnreachableException;
import io.secretsync.core.StoreContext;
import io.secretsync.core.model.FindRef;
import io.secretsync.core.model.MetadataPolicy;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.RetrySettings;
import io.secretsync.core.model.StoreKind;
import io.secretsync.testkit.FakeVault;
import io.secretsync.testkit.InMemoryPlatform;
import io.secretsync.testkit.TestClock;
import io.secretsync.testkit.server.AuditLog;
import io.secretsync.testkit.server.FaultInjector.Fault;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** KV v2 and v1 semantics through the {@code vault} provider against FakeVault over HTTPS. */
class KvStoreFakeVaultTest {

  private static final String READER = """
      path "secret/data/*" { capabilities = ["read"] }
      path "secret/metadata/*" { capabilities = ["read", "list"] }
      """;

  private final FakeVault vault = FakeVault.start();
  private final InMemoryPlatform platform = new InMemoryPlatform();
  private final TestClock clock = TestClock.create();
  private SecretStore store;

  @AfterEach
  void stop() {
    if (store != null) {
      store.close();
    }
    vault.close();
  }

  private SecretStore store(String mountAndVersion, String policyName, String policy) {
    return store(mountAndVersion, policyName, policy, "");
  }

  private SecretStore store(String mountAndVersion, String policyName, String policy, String namespace) {
    if (namespace.isEmpty()) {
      vault.policies().put(policyName, policy);
    } else {
      vault.policies(namespace).put(policyName, policy);
    }
    String token = namespace.isEmpty() ? vault.createToken(List.of(policyName), Duration.ofHours(1))
        : vault.createToken(namespace, List.of(policyName), Duration.ofHours(1), true);
    platform.putSecret("apps", "vault-token", Map.of("token", token));
    String ca = Base64.getEncoder().encodeToString(vault.caCertificatePem().getBytes(StandardCharsets.UTF_8));
    String yaml = "server: " + vault.address() + "\n" + mountAndVersion + "\ncaBundle: " + ca + "\n"
        + (namespace.isEmpty() ? "" : "namespace: " + namespace + "\n")
        + "auth:\n  tokenSecretRef:\n    name: vault-token\n";
    store = new VaultStoreProvider(d -> { }).newStore(Stores.store(StoreKind.SECRET_STORE, "apps", yaml, Map.of(),
        Optional.of(new RetrySettings(Optional.of(2), Optional.of(Duration.ofMillis(1))))),
        new StoreContext(platform, clock));
    return store;
  }

  private static String text(byte[] value) {
    return new String(value, StandardCharsets.UTF_8);
  }

  @Test
  void everyKeySpellingReadsTheSameSecretAndMetadata() {
    vault.kv("secret").put("example-api/env-file", Map.of("dotenv", "A=1\n"));
    vault.kv("secret").customMetadata("example-api/env-file", Map.of("owner", "api-team"));
    SecretStore s = store("path: secret", "reader", READER);
    for (String key : List.of("example-api/env-file", "secret/example-api/env-file", "secret/data/example-api/env-file")) {
      assertEquals("A=1\n", text(s.getSecret(RemoteRef.of(key, "dotenv"))), key);
      assertEquals("api-team", text(s.getSecret(RemoteRef.of(key, "owner").withMetadataPolicy(MetadataPolicy.FETCH))),
          key);
    }
    assertEquals(3, vault.requestCount("GET", "/v1/secret/data/example-api/env-file"));
    assertEquals(3, vault.requestCount("GET", "/v1/secret/metadata/example-api/env-file"));
  }

  @Test
  void versionsAreReadByNumber() {
    vault.kv("secret").put("app", Map.of("v", "one"));
    vault.kv("secret").put("app", Map.of("v", "two"));
    SecretStore s = store("path: secret", "reader", READER);
    assertEquals("one", text(s.getSecret(RemoteRef.of("app", "v").withVersion("1"))));
    assertEquals("two", text(s.getSecret(RemoteRef.of("app", "v"))));
    NoSecretException e = assertThrows(NoSecretException.class, () -> s.read(RemoteRef.of("app").withVersion("9")
        .location()));
    assertTrue(e.getMessage().contains("secret/data/app"), e.getMessage());
  }

  @Test
  void softDeletedAndDestroyedVersionsAreNotFound() {
    vault.kv("secret").put("app", Map.of("v", "one"));
    vault.kv("secret").put("app", Map.of("v", "two"));
    vault.kv("secret").delete("app");
    SecretStore s = store("path: secret", "reader", READER);
    NoSecretException deleted = assertThrows(NoSecretException.class, () -> s.read(RemoteRef.of("app").location()));
    assertTrue(deleted.getMessage().contains("version 2 is deleted"), deleted.getMessage());
    assertEquals("one", text(s.getSecret(RemoteRef.of("app", "v").withVersion("1"))));
    assertTrue(vault.call("PUT", "secret/destroy/app", Map.of("versions", List.of(1))).status() < 300);
    NoSecretException destroyed = assertThrows(NoSecretException.class,
        () -> s.read(RemoteRef.of("app").withVersion("1").location()));
    assertTrue(destroyed.getMessage().contains("version 1 is destroyed"), destroyed.getMessage());
    assertThrows(NoSecretException.class, () -> s.read(RemoteRef.of("never-written").location()));
  }

  @Test
  void metadataFetchReturnsCustomMetadataAndVersionInformation() {
    vault.kv("secret").put("app", Map.of("v", "one"));
    vault.kv("secret").put("app", Map.of("v", "two"));
    vault.kv("secret").customMetadata("app", Map.of("owner", "team-a", "tier", "gold"));
    SecretStore s = store("path: secret", "reader", READER);
    SecretDocument metadata = s.read(RemoteRef.of("app").withMetadataPolicy(MetadataPolicy.FETCH).location());
    assertEquals(java.util.Set.of("owner", "tier", "created_time", "current_version", "delete_version_after"),
        metadata.keys());
    assertEquals("2", metadata.toJson().path("current_version").asText());
    assertEquals("0s", metadata.toJson().path("delete_version_after").asText());
  }

  @Test
  void findByRegexpPathAndTagsSkipsAFolderItMayNotList() {
    vault.kv("secret").put("dev/config", Map.of("a", "1"));
    vault.kv("secret").put("dev/db", Map.of("b", "2"));
    vault.kv("secret").put("dev/private/key", Map.of("c", "3"));
    vault.kv("secret").put("prod/config", Map.of("d", "4"));
    vault.kv("secret").customMetadata("dev/db", Map.of("team", "x"));
    vault.kv("secret").customMetadata("prod/config", Map.of("team", "x"));
    SecretStore s = store("path: secret", "finder", READER + """
        path "secret/metadata/dev/private/*" { capabilities = ["deny"] }
        path "secret/metadata/dev/private/" { capabilities = ["deny"] }
        """);
    ImmutableMap<String, SecretDocument> byName = s.find(FindRef.byName(Optional.empty(), "config$"));
    assertEquals(List.of("dev/config", "prod/config"), byName.keySet().asList());
    assertEquals("1", byName.get("dev/config").toJson().path("a").asText());
    ImmutableMap<String, SecretDocument> byPath = s.find(FindRef.byName(Optional.of("dev"), ".*"));
    assertEquals(List.of("dev/config", "dev/db"), byPath.keySet().asList());
    assertEquals(403, vault.auditLog().last("GET", "/v1/secret/metadata/dev/private/").orElseThrow().status());
    ImmutableMap<String, SecretDocument> byTags = s.find(FindRef.byTags(Optional.empty(), ImmutableMap.of("team", "x")));
    assertEquals(List.of("dev/db", "prod/config"), byTags.keySet().asList());
  }

  @Test
  void findFailsWhenNotEvenTheStartingFolderMayBeListed() {
    vault.kv("secret").put("dev/config", Map.of("a", "1"));
    SecretStore s = store("path: secret", "data-only", "path \"secret/data/*\" { capabilities = [\"read\"] }");
    PermissionDeniedException e = assertThrows(PermissionDeniedException.class,
        () -> s.find(FindRef.byName(Optional.empty(), ".*")));
    assertTrue(e.hints().get(0).contains("\"list\" on \"secret/metadata/\""), e.hints().toString());
  }

  @Test
  void kvV1ReadsListsAndRefusesMetadataLikeEso() {
    vault.enableKv("kv", 1);
    vault.kv("kv").put("team/app", Map.of("user", "u", "n", 1.50));
    SecretStore s = store("path: kv\nversion: v1", "v1-reader", "path \"kv/*\" { capabilities = [\"read\", \"list\"] }");
    SecretDocument document = s.read(RemoteRef.of("team/app").location());
    assertEquals("u", document.toJson().path("user").asText());
    assertEquals("1.5", text(s.getSecret(RemoteRef.of("kv/team/app", "n"))));
    SecretStoreException metadata = assertThrows(SecretStoreException.class,
        () -> s.read(RemoteRef.of("team/app").withMetadataPolicy(MetadataPolicy.FETCH).location()));
    assertEquals("cannot perform metadata fetch operations with kv version v1", metadata.getMessage());
    assertEquals(List.of("team/app"), s.find(FindRef.byName(Optional.empty(), "app")).keySet().asList());
    SecretStoreException tags = assertThrows(SecretStoreException.class,
        () -> s.find(FindRef.byTags(Optional.empty(), ImmutableMap.of("a", "b"))));
    assertEquals("cannot perform find operations with kv version v1", tags.getMessage());
  }

  @Test
  void namespaceIsSentOnEveryRequestAndSeparatesMounts() {
    vault.createNamespace("team-a");
    vault.enableKv("team-a", "secret", 2);
    vault.kv("team-a", "secret").put("app", Map.of("who", "team-a"));
    vault.kv("secret").put("app", Map.of("who", "root"));
    SecretStore s = store("path: secret", "reader", READER, "team-a");
    assertEquals("team-a", text(s.getSecret(RemoteRef.of("app", "who"))));
    AuditLog.Entry read = vault.auditLog().last("GET", "/v1/secret/data/app").orElseThrow();
    assertEquals(Optional.of("team-a"), read.namespace());
  }

  @Test
  void policyWithoutTheDataSegmentIsNamedWithThePathItMustGrant() {
    vault.kv("secret").put("example-api/env-file", Map.of("dotenv", "A=1"));
    SecretStore s = store("path: secret", "example-api",
        "path \"secret/example-api/*\" { capabilities = [\"read\"] }");
    PermissionDeniedException e = assertThrows(PermissionDeniedException.class,
        () -> s.getSecret(RemoteRef.of("example-api/env-file", "dotenv")));
    assertTrue(e.getMessage().startsWith("GET secret/data/example-api/env-file: permission denied"), e.getMessage());
    String hints = String.join("\n", e.hints());
    assertTrue(hints.contains("\"read\" on \"secret/data/example-api/env-file\""), hints);
    assertTrue(hints.contains("path \"secret/data/example-api/*\""), hints);
    assertTrue(hints.contains("data/ segment"), hints);
  }

  @Test
  void transientServerErrorsAreRetriedAndSealedVaultIsUnreachable() {
    vault.kv("secret").put("app", Map.of("v", "x"));
    SecretStore s = store("path: secret", "reader", READER);
    vault.faults().add(Fault.status(503).times(2).onPathPrefix("/v1/secret/"));
    assertEquals("x", text(s.getSecret(RemoteRef.of("app", "v"))));
    vault.seal();
    UnreachableException e = assertThrows(UnreachableException.class, () -> s.read(RemoteRef.of("app").location()));
    assertTrue(e.getMessage().contains("Vault is sealed"), e.getMessage());
    vault.unseal();
  }

  @Test
  void noTokenOrValueAppearsInErrors() {
    vault.kv("secret").put("app", Map.of("v", "canary-value-123"));
    SecretStore s = store("path: secret", "reader", READER);
    String token = new String(platform.secretValue("apps", "vault-token", "token"), StandardCharsets.UTF_8);
    Exception e = assertThrows(SecretStoreException.class, () -> s.getSecret(RemoteRef.of("app", "nope")));
    assertFalse(e.getMessage().contains("canary-value-123") || e.getMessage().contains(token), e.getMessage());
    assertFalse(String.join(" ", ((SecretStoreException) e).hints()).contains("canary-value-123"));
    assertFalse(s.toString().contains(token));
  }
}
