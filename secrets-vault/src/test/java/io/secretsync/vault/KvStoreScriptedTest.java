package io.secretsync.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import io.secretsync.core.SecretDocument;
import io.secretsync.core.SecretStoreException;
import io.secretsync.core.SecretStoreException.NoSecretException;
import io.secretsync.core.model.FindRef;
import io.secretsync.core.model.MetadataPolicy;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.testkit.TestClock;
import io.secretsync.testkit.TestPki;
import io.secretsync.vault.VaultSettings.KvVersion;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** KV store semantics against canned Vault answers (shapes from Vault's API documentation). */
class KvStoreScriptedTest {

  private final TestPki pki = TestPki.create();
  private final MockWebServer server = new MockWebServer();
  private final Map<String, MockResponse> answers = new ConcurrentHashMap<>();
  private final Map<String, Integer> hits = new ConcurrentHashMap<>();
  private volatile String everyListing;
  private volatile boolean branching;

  @BeforeEach
  void start() throws Exception {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String target = request.getMethod() + " " + request.getTarget();
        hits.merge(target, 1, Integer::sum);
        if (target.startsWith("POST /v1/auth/kubernetes/login")) {
          return ScriptedVault.json(200, "{\"auth\":{\"client_token\":\"hvs.t\",\"lease_duration\":3600,"
              + "\"renewable\":true,\"policies\":[\"default\"]}}");
        }
        if (everyListing != null && target.endsWith("?list=true")) {
          boolean deep = target.chars().filter(c -> c == '/').count() > 20;
          return ScriptedVault.json(200, deep && branching ? "{\"data\":{\"keys\":[\"leaf\"]}}" : everyListing);
        }
        return answers.getOrDefault(target, ScriptedVault.json(404, "{\"errors\":[]}"));
      }
    });
    server.useHttps(pki.serverCertificate().serverSslContext().getSocketFactory());
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private VaultKvStore store(Optional<String> mount, KvVersion version) {
    return store(mount, version, VaultKvStore.MAX_FIND_FOLDERS);
  }

  private VaultKvStore store(Optional<String> mount, KvVersion version, int maxFindFolders) {
    VaultAuth auth = VaultAuth.kubernetes(KubernetesAuthOptions.builder().role("r").jwt(() -> "a.b.c", "test").build());
    return new VaultKvStore("test", new KvPaths(mount, version),
        () -> VaultClient.builder(server.url("/").toString()).caCertificatesPem(pki.caCertificatePem())
            .retries(0, Duration.ZERO).build(),
        client -> new TokenManager(client, auth, TestClock.create()), maxFindFolders);
  }

  private void answer(String target, int status, String body) {
    answers.put(target, ScriptedVault.json(status, body));
  }

  @Test
  void kvV2ReadReturnsTheInnerDataWithExactNumbers() {
    answer("GET /v1/secret/data/app", 200, "{\"data\":{\"data\":{\"n\":1.0,\"s\":\"x\"},\"metadata\":{\"version\":2}}}");
    SecretDocument document = store(Optional.of("secret"), KvVersion.V2).read(RemoteRef.of("secret/data/app").location());
    assertEquals("{\"n\":1.0,\"s\":\"x\"}", document.toJson().toString());
  }

  @Test
  void missingPropertyIsNotNotFoundAndNamesTheExistingProperties() {
    answer("GET /v1/secret/data/app", 200, "{\"data\":{\"data\":{\"dotenv\":\"A=1\",\"other\":\"x\"}}}");
    VaultKvStore store = store(Optional.of("secret"), KvVersion.V2);
    assertEquals("A=1", new String(store.getSecret(RemoteRef.of("app", "dotenv")), java.nio.charset.StandardCharsets.UTF_8));
    SecretStoreException.PropertyNotFoundException e = assertThrows(SecretStoreException.PropertyNotFoundException.class,
        () -> store.getSecret(RemoteRef.of("app", "env")));
    assertTrue(e.getMessage().contains("cannot find secret data for key: \"env\""), e.getMessage());
    assertTrue(String.join(" ", e.hints()).contains("dotenv"), e.hints().toString());
    assertTrue(!e.getMessage().contains("A=1") && !String.join(" ", e.hints()).contains("A=1"));
  }

  @Test
  void versionIsSentAsQuery() {
    answer("GET /v1/secret/data/app?version=3", 200, "{\"data\":{\"data\":{\"v\":\"3\"}}}");
    SecretDocument document = store(Optional.of("secret"), KvVersion.V2)
        .read(RemoteRef.of("app").withVersion("3").location());
    assertEquals("3", document.toJson().path("v").asText());
  }

  @Test
  void deletedAndDestroyedVersionsAreNotFoundSayingWhich() {
    answer("GET /v1/secret/data/app", 404, "{\"data\":{\"data\":null,\"metadata\":{\"deletion_time\":"
        + "\"2026-01-01T00:00:00Z\",\"destroyed\":false,\"version\":3}}}");
    answer("GET /v1/secret/data/gone", 404, "{\"data\":{\"data\":null,\"metadata\":{\"deletion_time\":\"\","
        + "\"destroyed\":true,\"version\":1}}}");
    VaultKvStore store = store(Optional.of("secret"), KvVersion.V2);
    NoSecretException deleted = assertThrows(NoSecretException.class, () -> store.read(RemoteRef.of("app").location()));
    assertTrue(deleted.getMessage().contains("version 3 is deleted at 2026-01-01T00:00:00Z"), deleted.getMessage());
    NoSecretException destroyed = assertThrows(NoSecretException.class, () -> store.read(RemoteRef.of("gone").location()));
    assertTrue(destroyed.getMessage().contains("version 1 is destroyed"), destroyed.getMessage());
    NoSecretException missing = assertThrows(NoSecretException.class, () -> store.read(RemoteRef.of("nope").location()));
    assertTrue(missing.getMessage().contains("GET secret/data/nope: no secret at key \"nope\""), missing.getMessage());
  }

  @Test
  void metadataFetchReturnsCustomMetadataAndSystemKeys() {
    answer("GET /v1/secret/metadata/app", 200, "{\"data\":{\"created_time\":\"2026-01-01T00:00:00Z\","
        + "\"current_version\":3,\"delete_version_after\":\"0s\",\"custom_metadata\":{\"owner\":\"team-a\","
        + "\"current_version\":\"custom wins\"}}}");
    SecretDocument document = store(Optional.of("secret"), KvVersion.V2)
        .read(RemoteRef.of("secret/app").withMetadataPolicy(MetadataPolicy.FETCH).location());
    assertEquals("team-a", document.toJson().path("owner").asText());
    assertEquals("custom wins", document.toJson().path("current_version").asText());
    assertEquals("0s", document.toJson().path("delete_version_after").asText());
    assertEquals("2026-01-01T00:00:00Z", document.toJson().path("created_time").asText());
  }

  @Test
  void kvV1ReadsTheFlatDataAndRefusesMetadataWithEsosError() {
    answer("GET /v1/kv/app", 200, "{\"lease_duration\":2764800,\"data\":{\"user\":\"u\"}}");
    VaultKvStore store = store(Optional.of("kv"), KvVersion.V1);
    assertEquals("u", store.read(RemoteRef.of("app").location()).toJson().path("user").asText());
    SecretStoreException e = assertThrows(SecretStoreException.class,
        () -> store.read(RemoteRef.of("app").withMetadataPolicy(MetadataPolicy.FETCH).location()));
    assertEquals("cannot perform metadata fetch operations with kv version v1", e.getMessage());
  }

  @Test
  void findListsRecursivelySkipsUnlistableFoldersAndMatchesNames() {
    answer("GET /v1/secret/metadata/?list=true", 200, "{\"data\":{\"keys\":[\"dev/\",\"private/\",\"top\"]}}");
    answer("GET /v1/secret/metadata/dev/?list=true", 200, "{\"data\":{\"keys\":[\"config\",\"db\",\"old\"]}}");
    answer("GET /v1/secret/metadata/private/?list=true", 403,
        "{\"errors\":[\"1 error occurred:\\n\\t* permission denied\\n\\n\"]}");
    answer("GET /v1/secret/data/dev/config", 200, "{\"data\":{\"data\":{\"a\":\"1\"}}}");
    answer("GET /v1/secret/data/dev/db", 200, "{\"data\":{\"data\":{\"b\":\"2\"}}}");
    answer("GET /v1/secret/data/dev/old", 404, "{\"data\":{\"data\":null,\"metadata\":{\"deletion_time\":\"x\","
        + "\"destroyed\":false,\"version\":1}}}");
    answer("GET /v1/secret/data/top", 200, "{\"data\":{\"data\":{\"c\":\"3\"}}}");
    ImmutableMap<String, SecretDocument> found = store(Optional.of("secret"), KvVersion.V2)
        .find(FindRef.byName(Optional.empty(), "^dev/"));
    assertEquals(java.util.List.of("dev/config", "dev/db"), found.keySet().asList());
    assertEquals(1, hits.get("GET /v1/secret/metadata/private/?list=true"));
    assertEquals(null, hits.get("GET /v1/secret/data/top"));
  }

  @Test
  void findUnderAFolderThatListsItselfFailsNamingThePathInsteadOfOverflowingTheStack() {
    // Found by VaultResponseFuzzTest: every folder answering {"keys":["credentials/"]} recursed without end.
    everyListing = "{\"data\":{\"keys\":[\"credentials/\"]}}";
    SecretStoreException e = assertThrows(SecretStoreException.class,
        () -> store(Optional.of("secret"), KvVersion.V2).find(FindRef.byName(Optional.of("app"), "^c")));
    assertTrue(e.getMessage().startsWith("LIST secret/metadata/app/credentials/credentials/"), e.getMessage());
    assertTrue(e.getMessage().contains("went " + VaultKvStore.MAX_FIND_DEPTH + " folders deep"), e.getMessage());
    assertEquals(VaultKvStore.MAX_FIND_DEPTH + 1, listings());
  }

  @Test
  void findUnderAListingThatBranchesWithoutEndStopsAfterTheFolderBound() {
    everyListing = "{\"data\":{\"keys\":[\"a/\",\"b/\"]}}";
    branching = true;
    SecretStoreException e = assertThrows(SecretStoreException.class,
        () -> store(Optional.of("secret"), KvVersion.V2, 100).find(FindRef.byName(Optional.empty(), "x")));
    assertTrue(e.getMessage().contains("listed 100 folders"), e.getMessage());
    assertEquals(100, listings());
  }

  private int listings() {
    return hits.entrySet().stream().filter(h -> h.getKey().endsWith("?list=true")).mapToInt(Map.Entry::getValue).sum();
  }

  @Test
  void anErrorThatEchoesTheTokenShowsItToNoOne() {
    answer("GET /v1/secret/data/app", 400, "{\"errors\":[\"token hvs.t is not allowed here\"]}");
    SecretStoreException e = assertThrows(SecretStoreException.class,
        () -> store(Optional.of("secret"), KvVersion.V2).read(RemoteRef.of("app").location()));
    assertTrue(e.getMessage().endsWith(": token <redacted> is not allowed here"), e.getMessage());
  }

  @Test
  void findByTagsReadsMetadataAndNeedsAllTags() {
    answer("GET /v1/secret/metadata/team/?list=true", 200, "{\"data\":{\"keys\":[\"a\",\"b\"]}}");
    answer("GET /v1/secret/metadata/team/a", 200, "{\"data\":{\"custom_metadata\":{\"env\":\"dev\",\"team\":\"x\"}}}");
    answer("GET /v1/secret/metadata/team/b", 200, "{\"data\":{\"custom_metadata\":{\"env\":\"prod\"}}}");
    answer("GET /v1/secret/data/team/a", 200, "{\"data\":{\"data\":{\"k\":\"v\"}}}");
    ImmutableMap<String, SecretDocument> found = store(Optional.of("secret"), KvVersion.V2)
        .find(FindRef.byTags(Optional.of("team"), ImmutableMap.of("env", "dev", "team", "x")));
    assertEquals(java.util.Set.of("team/a"), found.keySet());
  }

  @Test
  void findByTagsOnKvV1IsEsosError() {
    SecretStoreException e = assertThrows(SecretStoreException.class, () -> store(Optional.of("kv"), KvVersion.V1)
        .find(FindRef.byTags(Optional.empty(), ImmutableMap.of("a", "b"))));
    assertEquals("cannot perform find operations with kv version v1", e.getMessage());
  }

  @Test
  void closeRevokesTheStoresToken() {
    answer("POST /v1/auth/token/revoke-self", 204, "");
    answer("GET /v1/secret/data/app", 200, "{\"data\":{\"data\":{}}}");
    VaultKvStore store = store(Optional.of("secret"), KvVersion.V2);
    store.read(RemoteRef.of("app").location());
    store.close();
    assertEquals(1, hits.get("POST /v1/auth/token/revoke-self"));
  }
}
