package io.secretsync.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import io.secretsync.core.SecretData;
import io.secretsync.core.SecretStoreException;
import io.secretsync.core.SyncEngine;
import io.secretsync.core.SyncResult;
import io.secretsync.core.SyncResult.Outcome;
import io.secretsync.core.TargetSecret;
import io.secretsync.core.model.DataFromSource;
import io.secretsync.core.model.DecodingStrategy;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.FindRef;
import io.secretsync.core.model.ObjectMeta;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.Rewrite;
import io.secretsync.core.model.StoreRef;
import io.secretsync.core.model.Target;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SyncEngineTest {
  private static final String DOTENV = "API_URL=https://api.example.com\nAPI_KEY=k-123\n";

  private final EngineFixture fx = new EngineFixture();

  @AfterEach
  void close() {
    fx.close();
  }

  private static ExternalSecret.Builder es(String name) {
    return ExternalSecret.builder("example-api", name)
        .metadata(ObjectMeta.of("example-api", name).withUid("uid-" + name))
        .store(StoreRef.clusterSecretStore("vault-example-api"));
  }

  private static ExternalSecret walkthrough() {
    return es("example-api-env-file").data(".env", RemoteRef.of("example-api/env-file", "dotenv")).build();
  }

  private TargetSecret target(String name) {
    return fx.writer.get("example-api", name).orElseThrow();
  }

  @Test
  void walkthroughSyncCreatesAnOwnedSecretWithEsoMetadata() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV));

    SyncResult result = fx.engine.sync(walkthrough());

    assertEquals(Outcome.CREATED, result.outcome(), result.toString());
    assertTrue(result.ready());
    assertEquals("SecretSynced", result.reason());
    assertEquals("secret synced", result.message());
    TargetSecret secret = target("example-api-env-file");
    assertEquals(DOTENV, secret.data().getString(".env").orElseThrow());
    assertEquals("Opaque", secret.type());
    assertEquals("true", secret.labels().get(SyncEngine.LABEL_MANAGED));
    assertEquals(56, secret.labels().get(SyncEngine.LABEL_CREATED_BY).length());
    assertEquals(56, secret.annotations().get(SyncEngine.ANNOTATION_DATA_HASH).length());
    TargetSecret.OwnerReference owner = secret.controller().orElseThrow();
    assertEquals("external-secrets.io/v1", owner.apiVersion());
    assertEquals("ExternalSecret", owner.kind());
    assertEquals("example-api-env-file", owner.name());
    assertEquals("uid-example-api-env-file", owner.uid());
    assertTrue(owner.blockOwnerDeletion());
  }

  @Test
  void dataHashIsEsosSha3OfGoMapRendering() {
    // sha3-224("map[.env:[97 98]]"), the rendering Go's %+v gives a map[string][]byte
    fx.vault.put("k", Map.of("p", "ab"));
    fx.engine.sync(es("h").data(".env", RemoteRef.of("k", "p")).build());
    assertEquals(sha3("map[.env:[97 98]]"), target("h").annotations().get(SyncEngine.ANNOTATION_DATA_HASH));
  }

  private static String sha3(String text) {
    try {
      return java.util.HexFormat.of().formatHex(
          java.security.MessageDigest.getInstance("SHA3-224").digest(text.getBytes(UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void unchangedDataMakesNoWrite() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV));
    fx.engine.sync(walkthrough());
    fx.writer.clearCalls();

    SyncResult second = fx.engine.sync(walkthrough());

    assertEquals(Outcome.UNCHANGED, second.outcome());
    assertEquals(List.of(), fx.writer.writes());
  }

  @Test
  void changedValueIsWrittenOnce() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV));
    fx.engine.sync(walkthrough());
    fx.vault.put("example-api/env-file", Map.of("dotenv", "API_KEY=rotated\n"));
    fx.writer.clearCalls();

    SyncResult result = fx.engine.sync(walkthrough());

    assertEquals(Outcome.UPDATED, result.outcome());
    assertEquals(1, fx.writer.writes().size());
    assertEquals(List.of(".env"), List.copyOf(result.changes().changed()));
    assertEquals("API_KEY=rotated\n", target("example-api-env-file").data().getString(".env").orElseThrow());
  }

  @Test
  void twoDataEntriesOnOneKeyCauseOneRead() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV, "user", "u"));
    fx.vault.resetCounters();

    fx.engine.sync(es("two").data(".env", RemoteRef.of("example-api/env-file", "dotenv"))
        .data("user", RemoteRef.of("example-api/env-file", "user"))
        .dataFrom(DataFromSource.extract(RemoteRef.of("example-api/env-file"), List.of()))
        .build());

    assertEquals(1, fx.vault.reads());
  }

  @Test
  void dataFromInOrderThenDataWins() {
    fx.vault.put("first", Map.of("a", "first-a", "b", "first-b", "c", "first-c"));
    fx.vault.put("second", Map.of("b", "second-b", "c", "second-c"));
    fx.vault.put("single", Map.of("v", "data-c"));

    fx.engine.sync(es("prec")
        .dataFrom(DataFromSource.extract(RemoteRef.of("first"), List.of()))
        .dataFrom(DataFromSource.extract(RemoteRef.of("second"), List.of()))
        .data("c", RemoteRef.of("single", "v"))
        .build());

    SecretData data = target("prec").data();
    assertEquals("first-a", data.getString("a").orElseThrow());
    assertEquals("second-b", data.getString("b").orElseThrow());
    assertEquals("data-c", data.getString("c").orElseThrow());
  }

  @Test
  void decodingStrategies() {
    String raw = "hello?>";
    fx.vault.put("enc", Map.of(
        "std", Base64.getEncoder().encodeToString(raw.getBytes(UTF_8)),
        "url", Base64.getUrlEncoder().encodeToString(raw.getBytes(UTF_8)),
        "plain", "not base64!"));

    SyncResult result = fx.engine.sync(es("dec")
        .data("std", RemoteRef.of("enc", "std").withDecodingStrategy(DecodingStrategy.BASE64))
        .data("url", RemoteRef.of("enc", "url").withDecodingStrategy(DecodingStrategy.BASE64URL))
        .data("auto-std", RemoteRef.of("enc", "std").withDecodingStrategy(DecodingStrategy.AUTO))
        .data("auto-url", RemoteRef.of("enc", "url").withDecodingStrategy(DecodingStrategy.AUTO))
        .data("auto-plain", RemoteRef.of("enc", "plain").withDecodingStrategy(DecodingStrategy.AUTO))
        .data("none", RemoteRef.of("enc", "std"))
        .build());

    assertTrue(result.ready(), result.toString());
    SecretData data = target("dec").data();
    assertEquals(raw, data.getString("std").orElseThrow());
    assertEquals(raw, data.getString("url").orElseThrow());
    assertEquals(raw, data.getString("auto-std").orElseThrow());
    assertEquals(raw, data.getString("auto-url").orElseThrow());
    assertEquals("not base64!", data.getString("auto-plain").orElseThrow());
    assertEquals(Base64.getEncoder().encodeToString(raw.getBytes(UTF_8)), data.getString("none").orElseThrow());
  }

  @Test
  void base64OnAValueThatIsNotBase64FailsAndWritesNothing() {
    fx.vault.put("enc", Map.of("plain", "not base64!"));

    SyncResult result = fx.engine.sync(es("bad")
        .data("v", RemoteRef.of("enc", "plain").withDecodingStrategy(DecodingStrategy.BASE64)).build());

    assertEquals(Outcome.FAILED, result.outcome());
    assertTrue(result.message().contains("spec.data[0].remoteRef: value is not valid Base64"), result.message());
    assertEquals(List.of(), fx.writer.writes());
  }

  @Test
  void rewriteRegexpUsesGoReplacementSyntax() {
    fx.vault.put("db", Map.of("username", "u", "password", "p"));

    fx.engine.sync(es("rw").dataFrom(DataFromSource.extract(RemoteRef.of("db"), List.of(
        new Rewrite.Regexp("^(?P<word>.*)$", "db_${word}"),
        new Rewrite.Regexp("^db_(pass)word$", "${1}"))))
        .build());

    assertEquals(List.of("db_username", "pass"), List.copyOf(target("rw").data().keys()));
  }

  @Test
  void findNamesKeysAfterTheirPathWithSlashesConverted() {
    fx.vault.put("dev/config", Map.of("a", "1"));
    fx.vault.put("dev/db", Map.of("b", "2"));
    fx.vault.put("prod/config", Map.of("c", "3"));

    fx.engine.sync(es("find").dataFrom(DataFromSource.find(FindRef.byName(Optional.empty(), "^dev/"), List.of()))
        .build());

    SecretData data = target("find").data();
    assertEquals(List.of("dev_config", "dev_db"), List.copyOf(data.keys()));
    assertEquals("{\"a\":\"1\"}", data.getString("dev_config").orElseThrow());
  }

  @Test
  void invalidTargetKeyFailsAndWritesNothing() {
    fx.vault.put("k", Map.of("ok", "v"));

    SyncResult result = fx.engine.sync(es("badkey").dataFrom(DataFromSource.extract(RemoteRef.of("k"),
        List.of(new Rewrite.Regexp("ok", "not/ok")))).build());

    assertEquals(Outcome.FAILED, result.outcome());
    assertTrue(result.message().contains("invalid key \"not/ok\""), result.message());
    assertEquals(List.of(), fx.writer.writes());
  }

  @Test
  void oversizeTargetFailsAndWritesNothing() {
    fx.vault.put("big", Map.of("blob", "x".repeat(SyncEngine.MAX_SECRET_BYTES + 1)));

    SyncResult result = fx.engine.sync(es("big").data("blob", RemoteRef.of("big", "blob")).build());

    assertEquals(Outcome.FAILED, result.outcome());
    assertTrue(result.message().contains("Kubernetes allows at most 1048576"), result.message());
    assertTrue(fx.writer.get("example-api", "big").isEmpty());
  }

  @Test
  void failingStoreLeavesTheTargetByteForByte() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV));
    fx.engine.sync(walkthrough());
    TargetSecret before = target("example-api-env-file");
    fx.vault.failWith(new SecretStoreException.UnreachableException("store down", List.of(), null));
    fx.writer.clearCalls();

    SyncResult result = fx.engine.sync(walkthrough());

    assertEquals(Outcome.FAILED, result.outcome());
    assertEquals("SecretSyncedError", result.reason());
    assertTrue(result.message().startsWith("could not get secret data from provider"), result.message());
    assertEquals(Optional.of(StoreRef.clusterSecretStore("vault-example-api")), result.failedStore());
    assertEquals(List.of(), fx.writer.writes());
    assertEquals(before, target("example-api-env-file"));
    assertArrayEquals(before.data().get(".env").orElseThrow(),
        target("example-api-env-file").data().get(".env").orElseThrow());
  }

  @Test
  void missingPropertyIsAnErrorThatKeepsTheTargetEvenWithDeletionPolicyDelete() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV));
    ExternalSecret es = es("prop").target(Target.defaults().withPolicies(
        io.secretsync.core.model.CreationPolicy.OWNER, io.secretsync.core.model.DeletionPolicy.DELETE))
        .data(".env", RemoteRef.of("example-api/env-file", "dotenv")).build();
    fx.engine.sync(es);
    fx.vault.put("example-api/env-file", Map.of("renamed", DOTENV));

    SyncResult result = fx.engine.sync(es);

    assertEquals(Outcome.FAILED, result.outcome());
    assertTrue(result.message().contains("cannot find secret data for key: \"dotenv\""), result.message());
    assertTrue(result.error().orElseThrow().hints().get(0).contains("renamed"));
    assertEquals(DOTENV, target("prop").data().getString(".env").orElseThrow());
  }

  @Test
  void conflictingWritesAreRetriedAndEndWithTheRightData() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV));
    fx.engine.sync(walkthrough());
    fx.vault.put("example-api/env-file", Map.of("dotenv", "NEW=1\n"));
    fx.writer.injectConflicts(2);

    SyncResult result = fx.engine.sync(walkthrough());

    assertEquals(Outcome.UPDATED, result.outcome(), result.toString());
    assertEquals("NEW=1\n", target("example-api-env-file").data().getString(".env").orElseThrow());
  }

  @Test
  void targetOwnedByAnotherExternalSecretIsNotTakenOver() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV));
    fx.writer.seed(new TargetSecret("example-api", "example-api-env-file", "Opaque", ImmutableMap.of(),
        ImmutableMap.of(), com.google.common.collect.ImmutableList.of(new TargetSecret.OwnerReference("external-secrets.io/v1", "ExternalSecret",
            "someone-else", "uid-other", true, true)), false, SecretData.ofStrings(Map.of("k", "v")), ""));

    SyncResult result = fx.engine.sync(walkthrough());

    assertEquals(Outcome.FAILED, result.outcome());
    assertEquals("could not update secret: target is owned by another ExternalSecret", result.message());
    assertEquals("v", target("example-api-env-file").data().getString("k").orElseThrow());
  }

  @Test
  void immutableTargetKeepsItsDataAndSaysSo() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV));
    ExternalSecret es = es("imm").target(Target.defaults().withImmutable(true))
        .data(".env", RemoteRef.of("example-api/env-file", "dotenv")).build();
    fx.engine.sync(es);
    assertTrue(target("imm").immutable());
    fx.vault.put("example-api/env-file", Map.of("dotenv", "CHANGED=1\n"));

    SyncResult result = fx.engine.sync(es);

    assertEquals("could not update secret: could not update secret, target is immutable", result.message());
    assertEquals(DOTENV, target("imm").data().getString(".env").orElseThrow());
  }

  @Test
  void dryRunComputesTheSecretAndWritesNothing() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV));

    SyncResult result = fx.engine.dryRun(walkthrough());

    assertEquals(Outcome.CREATED, result.outcome());
    assertEquals(List.of(".env"), List.copyOf(result.changes().added()));
    assertEquals(DOTENV, result.desired().orElseThrow().data().getString(".env").orElseThrow());
    assertTrue(fx.writer.writes().isEmpty());
    assertFalse(fx.writer.get("example-api", "example-api-env-file").isPresent());
  }

  @Test
  void unknownStoreFailsNamingIt() {
    SyncResult result = fx.engine.sync(ExternalSecret.builder("example-api", "x")
        .store(StoreRef.clusterSecretStore("nope")).data("k", RemoteRef.of("a", "b")).build());

    assertEquals(Outcome.FAILED, result.outcome());
    assertTrue(result.message().contains("ClusterSecretStore \"nope\" not found"), result.message());
  }
}
