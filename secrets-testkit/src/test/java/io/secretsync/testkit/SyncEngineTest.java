package io.secretsync.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.InvalidConfigException;
import io.secretsync.core.SecretData;
import io.secretsync.core.SecretStoreException;
import io.secretsync.core.SyncEngine;
import io.secretsync.core.SyncResult;
import io.secretsync.core.SyncResult.Outcome;
import io.secretsync.core.TargetException;
import io.secretsync.core.TargetSecret;
import io.secretsync.core.model.ConversionStrategy;
import io.secretsync.core.model.CreationPolicy;
import io.secretsync.core.model.DataFromSource;
import io.secretsync.core.model.DeletionPolicy;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ObjectMeta;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.Rewrite;
import io.secretsync.core.model.StoreRef;
import io.secretsync.core.model.Target;
import io.secretsync.core.model.TargetTemplate;
import io.secretsync.core.model.TemplateMergePolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The engine's flow on the in-memory store and writer: what is written, when, and when not. */
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
    assertEquals(new SyncResult.Condition("Ready", "True", "SecretSynced", "secret synced"), result.condition());
    assertEquals(Optional.of(EngineFixture.NOW), result.refreshTime());
    assertEquals(Map.of(".env", DOTENV.length()), result.keySizes());
    assertEquals(List.of(".env"), List.copyOf(result.changes().added()));
    TargetSecret secret = target("example-api-env-file");
    assertEquals(DOTENV, secret.data().getString(".env").orElseThrow());
    assertEquals("Opaque", secret.type());
    assertEquals("true", secret.labels().get(SyncEngine.LABEL_MANAGED));
    assertEquals(sha3("example-api/example-api-env-file"), secret.labels().get(SyncEngine.LABEL_CREATED_BY));
    assertEquals(sha3("map[.env:" + goBytes(DOTENV) + "]"), secret.annotations().get(SyncEngine.ANNOTATION_DATA_HASH));
    assertEquals(List.of(new TargetSecret.OwnerReference("external-secrets.io/v1", "ExternalSecret",
        "example-api-env-file", "uid-example-api-env-file", true, true)), secret.ownerReferences());
  }

  @Test
  void externalSecretLabelsAndAnnotationsAreCopiedWhenThereIsNoTemplate() {
    fx.vault.put("k", Map.of("p", "v"));
    ExternalSecret es = es("meta").metadata(ObjectMeta.of("example-api", "meta").withUid("u")
            .withLabels(Map.of("team", "api")).withAnnotations(Map.of("note", "from git")))
        .data("p", RemoteRef.of("k", "p")).build();

    fx.engine.sync(es);

    assertEquals("api", target("meta").labels().get("team"));
    assertEquals("from git", target("meta").annotations().get("note"));
  }

  @Test
  void unchangedDataMakesNoWrite() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV));
    fx.engine.sync(walkthrough());
    TargetSecret before = target("example-api-env-file");
    fx.writer.clearCalls();

    SyncResult second = fx.engine.sync(walkthrough());

    assertEquals(Outcome.UNCHANGED, second.outcome());
    assertTrue(second.changes().isEmpty());
    assertEquals(List.of(), fx.writer.writes());
    assertEquals(before.resourceVersion(), target("example-api-env-file").resourceVersion());
  }

  @Test
  void aNewVersionWithTheSameValueMakesNoWrite() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV));
    fx.engine.sync(walkthrough());
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV, "unused", "x"));
    fx.writer.clearCalls();

    assertEquals(Outcome.UNCHANGED, fx.engine.sync(walkthrough()).outcome());
    assertEquals(List.of(), fx.writer.writes());
  }

  @Test
  void changedValueIsWrittenOnceWithTheNewHash() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV));
    fx.engine.sync(walkthrough());
    String oldHash = target("example-api-env-file").annotations().get(SyncEngine.ANNOTATION_DATA_HASH);
    fx.vault.put("example-api/env-file", Map.of("dotenv", "API_KEY=rotated\n"));
    fx.writer.clearCalls();

    SyncResult result = fx.engine.sync(walkthrough());

    assertEquals(Outcome.UPDATED, result.outcome());
    assertEquals(1, fx.writer.writes().size());
    assertEquals(InMemoryTargetWriter.Verb.UPDATE, fx.writer.writes().get(0).verb());
    assertEquals(List.of(".env"), List.copyOf(result.changes().changed()));
    assertEquals("API_KEY=rotated\n", target("example-api-env-file").data().getString(".env").orElseThrow());
    assertFalse(oldHash.equals(target("example-api-env-file").annotations().get(SyncEngine.ANNOTATION_DATA_HASH)));
  }

  @Test
  void metadataRemovedByHandIsRepairedOnTheNextSync() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV));
    fx.engine.sync(walkthrough());
    TargetSecret edited = target("example-api-env-file");
    fx.writer.seed(new TargetSecret(edited.namespace(), edited.name(), edited.type(), ImmutableMap.of(),
        edited.annotations(), edited.ownerReferences(), false, edited.data(), ""));

    SyncResult result = fx.engine.sync(walkthrough());

    assertEquals(Outcome.UPDATED, result.outcome());
    assertEquals("true", target("example-api-env-file").labels().get(SyncEngine.LABEL_MANAGED));
  }

  @Test
  void twoDataEntriesOnOneVaultKeyCauseOneRead() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV, "user", "u"));
    fx.vault.resetCounters();

    SyncResult result = fx.engine.sync(es("two").data(".env", RemoteRef.of("example-api/env-file", "dotenv"))
        .data("user", RemoteRef.of("example-api/env-file", "user"))
        .dataFrom(DataFromSource.extract(RemoteRef.of("example-api/env-file"), List.of()))
        .build());

    assertTrue(result.ready(), result.toString());
    assertEquals(1, fx.vault.reads());
  }

  @Test
  void readsAreCoalescedPerSyncNotAcrossSyncs() {
    fx.vault.put("k", Map.of("a", "1", "b", "2"));
    ExternalSecret es = es("twice").data("a", RemoteRef.of("k", "a")).data("b", RemoteRef.of("k", "b")).build();
    fx.vault.resetCounters();

    fx.engine.sync(es);
    fx.engine.sync(es);

    assertEquals(2, fx.vault.reads("k"), "one read per sync: a second sync sees new data");
  }

  @Test
  void differentVersionsAndMetadataAreSeparateReads() {
    fx.vault.put("k", Map.of("a", "v1"));
    fx.vault.put("k", Map.of("a", "v2"));
    fx.vault.resetCounters();

    SyncResult result = fx.engine.sync(es("versions")
        .data("old", RemoteRef.of("k", "a").withVersion("1"))
        .data("old-again", RemoteRef.of("k", "a").withVersion("1"))
        .data("new", RemoteRef.of("k", "a"))
        .data("version", RemoteRef.of("k", "current_version").withMetadataPolicy(
            io.secretsync.core.model.MetadataPolicy.FETCH))
        .build());

    assertTrue(result.ready(), result.toString());
    assertEquals(3, fx.vault.reads("k"));
    SecretData data = target("versions").data();
    assertEquals("v1", data.getString("old").orElseThrow());
    assertEquals("v1", data.getString("old-again").orElseThrow());
    assertEquals("v2", data.getString("new").orElseThrow());
    assertEquals("2", data.getString("version").orElseThrow());
  }

  @Test
  void aMissingKeyIsAlsoReadOnlyOnce() {
    fx.vault.put("present", Map.of("p", "v"));
    fx.vault.resetCounters();

    SyncResult result = fx.engine.sync(es("missing")
        .target(Target.defaults().withPolicies(CreationPolicy.OWNER, DeletionPolicy.MERGE))
        .data("a", RemoteRef.of("gone", "a")).data("b", RemoteRef.of("gone", "b"))
        .data("p", RemoteRef.of("present", "p")).build());

    assertTrue(result.ready(), result.toString());
    assertEquals(List.of("spec.data[0] (key=gone)", "spec.data[1] (key=gone)"), result.missingEntries());
    assertEquals(1, fx.vault.reads("gone"));
    assertEquals(List.of("p"), List.copyOf(target("missing").data().keys()));
  }

  @Test
  void dataFromInOrderThenDataWins() {
    fx.vault.put("first", Map.of("a", "first-a", "b", "first-b", "c", "first-c"));
    fx.vault.put("second", Map.of("b", "second-b", "c", "second-c"));
    fx.vault.put("single", Map.of("v", "data-c"));

    fx.engine.sync(es("prec")
        .data("c", RemoteRef.of("single", "v"))
        .dataFrom(DataFromSource.extract(RemoteRef.of("first"), List.of()))
        .dataFrom(DataFromSource.extract(RemoteRef.of("second"), List.of()))
        .build());

    SecretData data = target("prec").data();
    assertEquals("first-a", data.getString("a").orElseThrow());
    assertEquals("second-b", data.getString("b").orElseThrow());
    assertEquals("data-c", data.getString("c").orElseThrow());
  }

  @Test
  void entriesMayReadFromTheirOwnStore() {
    InMemorySecretStore other = InMemorySecretStore.create("other-" + java.util.UUID.randomUUID());
    fx.registry.put(EngineFixture.secretStore("example-api", "team-store", other));
    fx.vault.put("k", Map.of("p", "from-cluster-store"));
    other.put("k", Map.of("p", "from-team-store"));

    fx.engine.sync(es("two-stores").data("cluster", RemoteRef.of("k", "p"))
        .data(new io.secretsync.core.model.ExternalSecretData("team", RemoteRef.of("k", "p"),
            Optional.of(StoreRef.secretStore("team-store"))))
        .build());

    assertEquals("from-cluster-store", target("two-stores").data().getString("cluster").orElseThrow());
    assertEquals("from-team-store", target("two-stores").data().getString("team").orElseThrow());
  }

  static Stream<SecretStoreException> storeErrors() {
    return Stream.of(
        new SecretStoreException.UnreachableException("in-memory store unreachable", List.of(), null),
        new SecretStoreException.PermissionDeniedException("permission denied on example-api/env-file", List.of(), null),
        new SecretStoreException.AuthenticationException("login failed", List.of(), null),
        new SecretStoreException.TlsException("certificate signed by unknown authority", List.of(), null),
        new SecretStoreException.InvalidStoreConfigException("spec.provider.vault.server: required", List.of(), null));
  }

  @ParameterizedTest
  @MethodSource("storeErrors")
  void failingStoreLeavesTheTargetByteForByte(SecretStoreException error) {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV));
    fx.engine.sync(walkthrough());
    TargetSecret before = target("example-api-env-file");
    fx.vault.failWith(error);
    fx.writer.clearCalls();

    SyncResult result = fx.engine.sync(walkthrough());

    assertEquals(Outcome.FAILED, result.outcome());
    assertEquals(new SyncResult.Condition("Ready", "False", "SecretSyncedError",
        "could not get secret data from provider"), result.condition());
    assertEquals(Optional.of(error), result.error());
    assertEquals(Optional.empty(), result.refreshTime());
    assertEquals(Optional.of(StoreRef.clusterSecretStore("vault-example-api")), result.failedStore());
    assertEquals(List.of(), fx.writer.writes());
    TargetSecret after = target("example-api-env-file");
    assertEquals(before, after);
    assertEquals(before.resourceVersion(), after.resourceVersion());
    assertArrayEquals(before.data().get(".env").orElseThrow(), after.data().get(".env").orElseThrow());
  }

  @Test
  void aFailingWriteIsReportedAsEsoDoes() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV));
    fx.writer.failWritesWith(new TargetException("secrets is forbidden: User cannot create resource"));

    SyncResult result = fx.engine.sync(walkthrough());

    assertEquals("could not update secret", result.message());
    assertEquals("secrets is forbidden: User cannot create resource", result.error().orElseThrow().getMessage());
    assertTrue(fx.writer.get("example-api", "example-api-env-file").isEmpty());
  }

  @Test
  void missingPropertyIsAnErrorThatKeepsTheTargetEvenWithDeletionPolicyDelete() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV));
    ExternalSecret es = es("prop").target(Target.defaults().withPolicies(CreationPolicy.OWNER, DeletionPolicy.DELETE))
        .data(".env", RemoteRef.of("example-api/env-file", "dotenv")).build();
    fx.engine.sync(es);
    fx.vault.put("example-api/env-file", Map.of("renamed", DOTENV));

    SyncResult result = fx.engine.sync(es);

    assertEquals(Outcome.FAILED, result.outcome());
    assertEquals("could not get secret data from provider", result.message());
    SecretStoreException error = assertInstanceOf(SecretStoreException.PropertyNotFoundException.class,
        result.error().orElseThrow());
    assertEquals("spec.data[0].remoteRef (key=example-api/env-file): cannot find secret data for key: \"dotenv\"",
        error.getMessage());
    assertEquals("properties that exist: renamed", error.hints().get(0));
    assertEquals(DOTENV, target("prop").data().getString(".env").orElseThrow());
  }

  @Test
  void conflictingWritesAreRetriedAndEndWithTheRightData() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV));
    fx.engine.sync(walkthrough());
    fx.vault.put("example-api/env-file", Map.of("dotenv", "NEW=1\n"));
    fx.writer.injectConflicts(2);
    fx.writer.clearCalls();

    SyncResult result = fx.engine.sync(walkthrough());

    assertEquals(Outcome.UPDATED, result.outcome(), result.toString());
    assertEquals(3, fx.writer.writes().size());
    assertEquals("NEW=1\n", target("example-api-env-file").data().getString(".env").orElseThrow());
  }

  @Test
  void targetControlledByAnotherExternalSecretIsNotTakenOver() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV));
    TargetSecret foreign = fx.writer.seed(new TargetSecret("example-api", "example-api-env-file", "Opaque",
        ImmutableMap.of(), ImmutableMap.of(), ImmutableList.of(new TargetSecret.OwnerReference("external-secrets.io/v1",
            "ExternalSecret", "someone-else", "uid-other", true, true)), false, SecretData.ofStrings(Map.of("k", "v")), ""));

    SyncResult result = fx.engine.sync(walkthrough());

    assertEquals(Outcome.FAILED, result.outcome());
    assertEquals("target is owned by another ExternalSecret", result.message());
    TargetException.OwnershipException error = assertInstanceOf(TargetException.OwnershipException.class,
        result.error().orElseThrow());
    assertEquals("someone-else", error.ownerName());
    assertTrue(error.getMessage().contains("controlled by ExternalSecret someone-else"));
    assertEquals(foreign, target("example-api-env-file"));
  }

  @Test
  void targetControlledByAnotherKindOfObjectIsNotTakenOver() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV));
    TargetSecret foreign = fx.writer.seed(new TargetSecret("example-api", "example-api-env-file", "Opaque",
        ImmutableMap.of(), ImmutableMap.of(), ImmutableList.of(new TargetSecret.OwnerReference("apps/v1",
            "Deployment", "api", "uid-deploy", true, true)), false, SecretData.ofStrings(Map.of("k", "v")), ""));

    SyncResult result = fx.engine.sync(walkthrough());

    assertEquals("failed to take ownership of target secret", result.message());
    assertEquals("Deployment", ((TargetException.OwnershipException) result.error().orElseThrow()).ownerKind());
    assertEquals(foreign, target("example-api-env-file"));
  }

  @Test
  void orphanWritesIntoASecretAnotherExternalSecretControlsAsEsoDoes() {
    fx.vault.put("k", Map.of("p", "v"));
    TargetSecret.OwnerReference other = new TargetSecret.OwnerReference("external-secrets.io/v1", "ExternalSecret",
        "someone-else", "uid-other", true, true);
    fx.writer.seed(new TargetSecret("example-api", "shared", "Opaque", ImmutableMap.of(), ImmutableMap.of(),
        ImmutableList.of(other), false, SecretData.ofStrings(Map.of("k", "v")), ""));

    SyncResult result = fx.engine.sync(es("orphan").target(Target.defaults().withName("shared")
        .withPolicies(CreationPolicy.ORPHAN, DeletionPolicy.RETAIN)).data("p", RemoteRef.of("k", "p")).build());

    assertEquals(Outcome.UPDATED, result.outcome(), result.toString());
    assertEquals(List.of(other), target("shared").ownerReferences());
  }

  @Test
  void aRecreatedExternalSecretTakesOverItsTargetWithItsNewUid() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV));
    fx.engine.sync(walkthrough());
    ExternalSecret recreated = es("example-api-env-file")
        .metadata(ObjectMeta.of("example-api", "example-api-env-file").withUid("uid-new"))
        .data(".env", RemoteRef.of("example-api/env-file", "dotenv")).build();

    SyncResult result = fx.engine.sync(recreated);

    assertEquals(Outcome.UPDATED, result.outcome(), result.toString());
    assertEquals("uid-new", target("example-api-env-file").controller().orElseThrow().uid());
    assertEquals(1, target("example-api-env-file").ownerReferences().size());
  }

  @Test
  void anExternalSecretWithoutUidSetsTheCreatedByLabelButNoOwnerReference() {
    fx.vault.put("k", Map.of("p", "v"));
    ExternalSecret codeBuilt = ExternalSecret.builder("example-api", "built").store(
        StoreRef.clusterSecretStore("vault-example-api")).data("p", RemoteRef.of("k", "p")).build();

    fx.engine.sync(codeBuilt);

    assertTrue(target("built").ownerReferences().isEmpty());
    assertEquals(sha3("example-api/built"), target("built").labels().get(SyncEngine.LABEL_CREATED_BY));
    assertEquals(Outcome.UNCHANGED, fx.engine.sync(codeBuilt).outcome());
  }

  @Test
  void immutableTargetKeepsItsDataAndSaysSo() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV));
    ExternalSecret es = es("imm").target(Target.defaults().withImmutable(true))
        .data(".env", RemoteRef.of("example-api/env-file", "dotenv")).build();
    fx.engine.sync(es);
    assertTrue(target("imm").immutable());
    TargetSecret before = target("imm");
    fx.vault.put("example-api/env-file", Map.of("dotenv", "CHANGED=1\n"));
    fx.writer.clearCalls();

    SyncResult result = fx.engine.sync(es);

    assertEquals("could not update secret, target is immutable", result.message());
    TargetException error = assertInstanceOf(TargetException.ImmutableTargetException.class, result.error().orElseThrow());
    assertEquals("Secret example-api/imm is immutable and its data would change (keys changed: .env)", error.getMessage());
    assertEquals(List.of(), fx.writer.writes());
    assertEquals(before, target("imm"));
  }

  @Test
  void immutableTargetStillGetsNewMetadata() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV));
    ExternalSecret es = es("imm").target(Target.defaults().withImmutable(true))
        .data(".env", RemoteRef.of("example-api/env-file", "dotenv")).build();
    fx.engine.sync(es);
    ExternalSecret relabelled = es("imm").metadata(ObjectMeta.of("example-api", "imm").withUid("uid-imm")
            .withLabels(Map.of("tier", "gold")))
        .target(Target.defaults().withImmutable(true)).data(".env", RemoteRef.of("example-api/env-file", "dotenv"))
        .build();

    SyncResult result = fx.engine.sync(relabelled);

    assertEquals(Outcome.UPDATED, result.outcome(), result.toString());
    assertEquals("gold", target("imm").labels().get("tier"));
    assertEquals(DOTENV, target("imm").data().getString(".env").orElseThrow());
  }

  @Test
  void dryRunComputesTheSecretAndTheDiffAndWritesNothing() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV, "extra", "x"));
    fx.engine.sync(walkthrough());
    TargetSecret before = target("example-api-env-file");
    fx.writer.clearCalls();
    ExternalSecret changed = es("example-api-env-file").data(".env", RemoteRef.of("example-api/env-file", "extra"))
        .data("extra", RemoteRef.of("example-api/env-file", "extra")).build();

    SyncResult result = fx.engine.dryRun(changed);

    assertEquals(Outcome.UPDATED, result.outcome());
    assertEquals(List.of("extra"), List.copyOf(result.changes().added()));
    assertEquals(List.of(".env"), List.copyOf(result.changes().changed()));
    TargetSecret desired = result.desired().orElseThrow();
    assertEquals("x", desired.data().getString(".env").orElseThrow());
    assertTrue(fx.writer.writes().isEmpty());
    assertEquals(before, target("example-api-env-file"));
  }

  @Test
  void dryRunOfANewTargetShowsACreate() {
    fx.vault.put("example-api/env-file", Map.of("dotenv", DOTENV));

    SyncResult result = fx.engine.dryRun(walkthrough());

    assertEquals(Outcome.CREATED, result.outcome());
    assertEquals(List.of(".env"), List.copyOf(result.changes().added()));
    assertEquals(DOTENV, result.desired().orElseThrow().data().getString(".env").orElseThrow());
    assertTrue(fx.writer.writes().isEmpty());
    assertFalse(fx.writer.get("example-api", "example-api-env-file").isPresent());
  }

  @Test
  void anExternalSecretEsoWouldRejectIsAnErrorNamingTheField() {
    SyncResult result = fx.engine.sync(es("empty").build());

    assertEquals(Outcome.FAILED, result.outcome());
    assertEquals("invalid ExternalSecret", result.message());
    InvalidConfigException error = assertInstanceOf(InvalidConfigException.class, result.error().orElseThrow());
    assertEquals("spec", error.field());
    assertEquals(0, fx.vault.reads());
    assertTrue(fx.writer.calls().isEmpty());
  }

  @Test
  void templateWithoutATemplateEngineFailsNamingTheFieldAndWritesNothing() {
    fx.vault.put("k", Map.of("p", "v"));
    TargetTemplate template = new TargetTemplate("", "v2", TemplateMergePolicy.REPLACE, ImmutableMap.of(),
        ImmutableMap.of(), ImmutableMap.of("config", "{{ .p }}"), ImmutableList.of());

    SyncEngine engine = SyncEngine.builder().stores(fx.registry).writer(fx.writer)
        .templates(io.secretsync.core.TemplateRenderer.unsupported()).build();
    SyncResult result = engine.sync(es("tpl").target(Target.defaults().withTemplate(template))
        .data("p", RemoteRef.of("k", "p")).build());

    assertEquals("could not update secret", result.message());
    assertEquals("spec.target.template", ((InvalidConfigException) result.error().orElseThrow()).field());
    assertTrue(fx.writer.writes().isEmpty());
  }

  @Test
  void rewriteTransformWithoutATemplateEngineFailsNamingTheField() {
    fx.vault.put("k", Map.of("p", "v"));

    SyncEngine engine = SyncEngine.builder().stores(fx.registry).writer(fx.writer)
        .templates(io.secretsync.core.TemplateRenderer.unsupported()).build();
    SyncResult result = engine.sync(es("tr").dataFrom(DataFromSource.extract(RemoteRef.of("k"),
        List.of(new Rewrite.Transform("{{ .value | upper }}")))).build());

    assertEquals("could not get secret data from provider", result.message());
    assertTrue(result.error().orElseThrow().getMessage().contains("rewrite[].transform"), result.toString());
  }

  @Test
  void unknownStoreFailsNamingIt() {
    SyncResult result = fx.engine.sync(ExternalSecret.builder("example-api", "x")
        .store(StoreRef.clusterSecretStore("nope")).data("k", RemoteRef.of("a", "b")).build());

    assertEquals(Outcome.FAILED, result.outcome());
    assertEquals("ClusterSecretStore \"nope\" not found", result.error().orElseThrow().getMessage());
  }

  @Test
  void unicodeConversionAppliesToDataFromKeysOnly() {
    fx.vault.put("k", Map.of("a b", "1"));

    fx.engine.sync(es("uni").dataFrom(DataFromSource.extract(RemoteRef.of("k")
        .withConversionStrategy(ConversionStrategy.UNICODE), List.of())).build());

    assertEquals(List.of("a_U0020_b"), List.copyOf(target("uni").data().keys()));
  }

  private static String sha3(String text) {
    try {
      return java.util.HexFormat.of().formatHex(
          java.security.MessageDigest.getInstance("SHA3-224").digest(text.getBytes(UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static String goBytes(String value) {
    StringBuilder out = new StringBuilder("[");
    byte[] bytes = value.getBytes(UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      out.append(i == 0 ? "" : " ").append(bytes[i] & 0xff);
    }
    return out.append(']').toString();
  }
}
