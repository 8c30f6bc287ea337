package io.secretsync.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.PropertyLookup;
import io.secretsync.core.SecretData;
import io.secretsync.core.SecretStoreException;
import io.secretsync.core.SecretSyncException;
import io.secretsync.core.TargetException;
import io.secretsync.core.TargetSecret;
import io.secretsync.core.TargetWriter;
import io.secretsync.core.model.FindRef;
import io.secretsync.core.model.MetadataPolicy;
import io.secretsync.core.model.RemoteRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The in-memory store, writer and platform behave as the servers they stand in for. */
class InMemoryFakesTest {
  private final InMemorySecretStore kv = InMemorySecretStore.create("fakes-" + UUID.randomUUID(),
      Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC));

  private String read(String key, Optional<String> version, String property) {
    return new String(PropertyLookup.value(kv.read(new RemoteRef.Location(key, version, MetadataPolicy.NONE)), property),
        UTF_8);
  }

  @Test
  void versionsAreNumberedFromOneAndTheLatestIsRead() {
    assertEquals(1, kv.put("k", Map.of("p", "v1")));
    assertEquals(2, kv.put("k", Map.of("p", "v2")));

    assertEquals("v2", read("k", Optional.empty(), "p"));
    assertEquals("v1", read("k", Optional.of("1"), "p"));
    assertThrows(SecretStoreException.NoSecretException.class, () -> read("k", Optional.of("3"), "p"));
    assertThrows(SecretStoreException.NoSecretException.class, () -> read("nope", Optional.empty(), "p"));
  }

  @Test
  void deletedAndDestroyedVersionsAreNotFoundAndUndeleteRestoresOnlyDeletedOnes() {
    kv.put("k", Map.of("p", "v1"));
    kv.put("k", Map.of("p", "v2"));
    kv.deleteLatest("k");
    kv.destroyVersions("k", 1);

    SecretStoreException.NoSecretException e = assertThrows(SecretStoreException.NoSecretException.class,
        () -> read("k", Optional.empty(), "p"));
    assertTrue(e.getMessage().contains("version 2 deleted"), e.getMessage());
    assertThrows(SecretStoreException.NoSecretException.class, () -> read("k", Optional.of("1"), "p"));

    kv.undeleteVersions("k", 1, 2);
    assertEquals("v2", read("k", Optional.empty(), "p"));
    assertThrows(SecretStoreException.NoSecretException.class, () -> read("k", Optional.of("1"), "p"));
  }

  @Test
  void metadataHoldsCustomMetadataAndKvSystemFields() {
    kv.put("k", Map.of("p", "v"));
    kv.put("k", Map.of("p", "v"));
    kv.setCustomMetadata("k", Map.of("owner", "team-a", "current_version", "custom wins"));

    var metadata = kv.read(new RemoteRef.Location("k", Optional.empty(), MetadataPolicy.FETCH));

    assertEquals(List.of("created_time", "current_version", "delete_version_after", "owner"), List.copyOf(metadata.keys()));
    assertEquals("2026-01-02T03:04:05Z", new String(PropertyLookup.value(metadata, "created_time"), UTF_8));
    assertEquals("custom wins", new String(PropertyLookup.value(metadata, "current_version"), UTF_8));
  }

  @Test
  void findFiltersByPathThenRegexpAndIgnoresTagsWhenARegexpIsSet() {
    kv.put("app/dev/db", Map.of("a", "1"));
    kv.put("app/prod/db", Map.of("a", "2"));
    kv.put("other/dev", Map.of("a", "3"));
    kv.setCustomMetadata("app/prod/db", Map.of("env", "prod"));

    assertEquals(List.of("app/dev/db"), List.copyOf(kv.find(FindRef.byName(Optional.of("app"), "dev")).keySet()));
    assertEquals(List.of("app/dev/db"), List.copyOf(kv.find(new FindRef(Optional.of("app"), Optional.of("dev"),
        ImmutableMap.of("env", "prod"), io.secretsync.core.model.ConversionStrategy.DEFAULT,
        io.secretsync.core.model.DecodingStrategy.NONE, io.secretsync.core.model.NullBytePolicy.IGNORE)).keySet()));
    assertEquals(List.of("app/prod/db"),
        List.copyOf(kv.find(FindRef.byTags(Optional.empty(), ImmutableMap.of("env", "prod"))).keySet()));
  }

  @Test
  void findSkipsDeletedSecretsAndFailsWhenNothingIsUnderThePath() {
    kv.put("app/a", Map.of("a", "1"));
    kv.put("app/b", Map.of("a", "2"));
    kv.deleteLatest("app/b");

    assertEquals(List.of("app/a"), List.copyOf(kv.find(FindRef.byName(Optional.of("app"), ".")).keySet()));
    assertTrue(kv.find(FindRef.byName(Optional.of("app"), "zzz")).isEmpty());
    assertThrows(SecretStoreException.NoSecretException.class, () -> kv.find(FindRef.byName(Optional.of("none"), ".")));
  }

  @Test
  void injectedFailuresAndCounters() {
    kv.put("a", Map.of("p", "1"));
    kv.put("b", Map.of("p", "2"));
    kv.failReadsOf("a", new SecretStoreException.PermissionDeniedException("denied", List.of(), null));

    assertThrows(SecretStoreException.PermissionDeniedException.class, () -> read("a", Optional.empty(), "p"));
    assertEquals("2", read("b", Optional.empty(), "p"));
    kv.failWith(new SecretStoreException.UnreachableException("down", List.of(), null));
    assertThrows(SecretStoreException.UnreachableException.class, () -> read("b", Optional.empty(), "p"));
    assertThrows(SecretStoreException.UnreachableException.class, () -> kv.validate());
    kv.clearFailure();
    assertEquals("1", read("a", Optional.empty(), "p"));

    assertEquals(4, kv.reads());
    assertEquals(2, kv.reads("a"));
    assertEquals(2, kv.reads("b"));
    assertEquals(1, kv.validations());
  }

  @Test
  void toStringShowsKeysButNoValues() {
    kv.put("k", Map.of("p", "canary-4242"));
    assertFalse(kv.toString().contains("canary-4242"), kv.toString());
    assertTrue(kv.toString().contains("k"));
  }

  // ---- writer --------------------------------------------------------------------------------

  private static TargetSecret secret(String value, boolean immutable) {
    return new TargetSecret("ns", "s", "Opaque", ImmutableMap.of(), ImmutableMap.of(), ImmutableList.of(), immutable,
        SecretData.ofStrings(Map.of("k", value)), "");
  }

  @Test
  void writerRecordsEveryCallWithWhatWasSent() {
    InMemoryTargetWriter writer = new InMemoryTargetWriter();

    writer.apply("ns", "s", current -> new TargetWriter.Change.Create(secret("v", false)));
    writer.apply("ns", "s", current -> new TargetWriter.Change.Keep());

    assertEquals(List.of(InMemoryTargetWriter.Verb.GET, InMemoryTargetWriter.Verb.CREATE, InMemoryTargetWriter.Verb.GET),
        writer.calls().stream().map(InMemoryTargetWriter.Call::verb).toList());
    assertEquals(secret("v", false), writer.writes().get(0).sent().orElseThrow());
  }

  @Test
  void writerGivesUpOnPersistentConflicts() {
    InMemoryTargetWriter writer = new InMemoryTargetWriter();
    writer.seed(secret("v", false));
    writer.injectConflicts(InMemoryTargetWriter.MAX_ATTEMPTS);

    TargetException e = assertThrows(TargetException.class, () -> writer.apply("ns", "s",
        current -> new TargetWriter.Change.Update(secret("w", false).withResourceVersion(current.orElseThrow()
            .resourceVersion()))));

    assertTrue(e.getMessage().contains("409 Conflict"), e.getMessage());
    assertEquals("v", writer.get("ns", "s").orElseThrow().data().getString("k").orElseThrow());
  }

  @Test
  void writerRefusesDataChangesToAnImmutableSecretAsTheApiServerDoes() {
    InMemoryTargetWriter writer = new InMemoryTargetWriter();
    TargetSecret stored = writer.seed(secret("v", true));

    TargetException data = assertThrows(TargetException.class, () -> writer.apply("ns", "s",
        current -> new TargetWriter.Change.Update(secret("w", true).withResourceVersion(stored.resourceVersion()))));
    TargetException mutable = assertThrows(TargetException.class, () -> writer.apply("ns", "s",
        current -> new TargetWriter.Change.Update(secret("v", false).withResourceVersion(stored.resourceVersion()))));

    assertEquals("Secret \"s\" is invalid: data: Forbidden: field is immutable when `immutable` is set", data.getMessage());
    assertTrue(mutable.getMessage().contains("immutable: Forbidden"), mutable.getMessage());
    assertEquals(stored, writer.get("ns", "s").orElseThrow());
  }

  @Test
  void writerRefusesATypeChange() {
    InMemoryTargetWriter writer = new InMemoryTargetWriter();
    TargetSecret stored = writer.seed(secret("v", false));
    TargetSecret tls = new TargetSecret("ns", "s", "kubernetes.io/tls", ImmutableMap.of(), ImmutableMap.of(),
        ImmutableList.of(), false, stored.data(), stored.resourceVersion());

    assertThrows(TargetException.class, () -> writer.apply("ns", "s", current -> new TargetWriter.Change.Update(tls)));
  }

  // ---- platform ------------------------------------------------------------------------------

  @Test
  void platformServesConfigMapsSecretsAndTokensAndNamesWhatIsMissing() {
    InMemoryPlatform platform = new InMemoryPlatform()
        .putConfigMap("external-secrets", "vault-ca", Map.of("ca.crt", "PEM"))
        .putSecret("external-secrets", "creds", Map.of("token", "canary-token-77"));

    assertArrayEquals("PEM".getBytes(UTF_8), platform.configMapValue("external-secrets", "vault-ca", "ca.crt"));
    assertArrayEquals("canary-token-77".getBytes(UTF_8), platform.secretValue("external-secrets", "creds", "token"));
    String token = platform.serviceAccountToken("external-secrets", "external-secrets",
        List.of("https://kubernetes.default.svc.cluster.local"), Duration.ofMinutes(10));
    assertEquals("memory-token-external-secrets-external-secrets-1", token);
    assertEquals(List.of(new InMemoryPlatform.TokenRequest("external-secrets", "external-secrets",
        ImmutableList.of("https://kubernetes.default.svc.cluster.local"), Duration.ofMinutes(10))),
        platform.tokenRequests());

    SecretSyncException missingKey = assertThrows(SecretSyncException.class,
        () -> platform.secretValue("external-secrets", "creds", "nope"));
    assertEquals("Secret external-secrets/creds has no key \"nope\"", missingKey.getMessage());
    assertFalse(missingKey.hints().toString().contains("canary-token-77"));
    assertThrows(SecretSyncException.class, () -> platform.configMapValue("external-secrets", "nope", "ca.crt"));
    assertFalse(platform.toString().contains("canary-token-77"));
  }
}
