package io.secretsync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.InvalidConfigException;
import io.secretsync.core.SecretData;
import io.secretsync.core.SyncEngine;
import io.secretsync.core.SyncResult;
import io.secretsync.core.SyncResult.Outcome;
import io.secretsync.core.TargetSecret;
import io.secretsync.core.model.CreationPolicy;
import io.secretsync.core.model.DeletionPolicy;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ObjectMeta;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.StoreRef;
import io.secretsync.core.model.Target;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every creationPolicy x deletionPolicy pair against ESO's rules (eso-behaviour §1.1 webhook rules,
 * §1.2 conditions, §3.2 steps 8 and 9): what is written when the provider has data, what happens
 * to a Secret someone else made, and what happens when the provider no longer has the secret.
 */
class PolicyMatrixTest {
  private final EngineFixture fx = new EngineFixture();

  @AfterEach
  void close() {
    fx.close();
  }

  static Stream<Arguments> allowedPairs() {
    return pairs().filter(a -> !rejected((CreationPolicy) a.get()[0], (DeletionPolicy) a.get()[1]));
  }

  static Stream<Arguments> rejectedPairs() {
    return pairs().filter(a -> rejected((CreationPolicy) a.get()[0], (DeletionPolicy) a.get()[1]));
  }

  private static Stream<Arguments> pairs() {
    Stream.Builder<Arguments> pairs = Stream.builder();
    for (CreationPolicy c : CreationPolicy.values()) {
      for (DeletionPolicy d : DeletionPolicy.values()) {
        pairs.add(Arguments.of(c, d));
      }
    }
    return pairs.build();
  }

  /** ESO's webhook: Delete needs a Secret the ExternalSecret owns; Merge needs one it writes. */
  static boolean rejected(CreationPolicy c, DeletionPolicy d) {
    return (d == DeletionPolicy.DELETE
        && (c == CreationPolicy.MERGE || c == CreationPolicy.NONE || c == CreationPolicy.CREATE_OR_MERGE))
        || (d == DeletionPolicy.MERGE && c == CreationPolicy.NONE);
  }

  private static ExternalSecret es(CreationPolicy c, DeletionPolicy d) {
    return ExternalSecret.builder("apps", "es")
        .metadata(ObjectMeta.of("apps", "es").withUid("uid-es"))
        .store(StoreRef.clusterSecretStore("vault-example-api"))
        .target(Target.defaults().withName("target").withPolicies(c, d))
        .data("password", RemoteRef.of("app/db", "password"))
        .build();
  }

  private TargetSecret foreignSecret() {
    return fx.writer.seed(new TargetSecret("apps", "target", "Opaque", ImmutableMap.of("team", "a"),
        ImmutableMap.of(), ImmutableList.of(), false, SecretData.ofStrings(Map.of("other", "kept")), ""));
  }

  private Optional<TargetSecret> target() {
    return fx.writer.get("apps", "target");
  }

  @ParameterizedTest(name = "{0} x {1}")
  @MethodSource("rejectedPairs")
  void pairsEsoRejectsAreAClearErrorAndTouchNothing(CreationPolicy c, DeletionPolicy d) {
    fx.vault.put("app/db", Map.of("password", "pw-1"));
    TargetSecret before = foreignSecret();
    fx.vault.resetCounters();

    SyncResult result = fx.engine.sync(es(c, d));

    assertEquals(Outcome.FAILED, result.outcome());
    assertEquals(new SyncResult.Condition("Ready", "False", "SecretSyncedError", "invalid ExternalSecret"),
        result.condition());
    InvalidConfigException error = assertInstanceOf(InvalidConfigException.class, result.error().orElseThrow());
    assertEquals("spec.target.deletionPolicy", error.field());
    assertTrue(error.getMessage().contains("deletionPolicy=" + d.wireName()), error.getMessage());
    assertFalse(error.hints().isEmpty());
    assertEquals(0, fx.vault.reads());
    assertTrue(fx.writer.writes().isEmpty());
    assertEquals(before, target().orElseThrow());
  }

  @ParameterizedTest(name = "{0} x {1}")
  @MethodSource("allowedPairs")
  void withDataAndNoTargetYet(CreationPolicy c, DeletionPolicy d) {
    fx.vault.put("app/db", Map.of("password", "pw-1"));

    SyncResult result = fx.engine.sync(es(c, d));

    assertTrue(result.ready(), result.toString());
    switch (c) {
      case OWNER, ORPHAN, CREATE_OR_MERGE -> {
        assertEquals(Outcome.CREATED, result.outcome(), result.toString());
        assertEquals(new SyncResult.Condition("Ready", "True", "SecretSynced", "secret synced"), result.condition());
        TargetSecret t = target().orElseThrow();
        assertEquals("pw-1", t.data().getString("password").orElseThrow());
        assertEquals("true", t.labels().get(SyncEngine.LABEL_MANAGED));
        assertTrue(t.annotations().containsKey(SyncEngine.ANNOTATION_DATA_HASH));
        assertEquals(c == CreationPolicy.OWNER, t.controller().isPresent());
        assertEquals(c == CreationPolicy.OWNER, t.labels().containsKey(SyncEngine.LABEL_CREATED_BY));
      }
      case MERGE -> {
        assertEquals(Outcome.SKIPPED, result.outcome());
        assertEquals(new SyncResult.Condition("Ready", "True", "SecretMissing",
            "secret will not be created due to CreationPolicy=Merge"), result.condition());
        assertTrue(target().isEmpty());
      }
      case NONE -> {
        assertEquals(Outcome.SKIPPED, result.outcome());
        assertEquals(new SyncResult.Condition("Ready", "True", "SecretSynced", "secret synced"), result.condition());
        assertTrue(target().isEmpty());
        assertTrue(fx.writer.writes().isEmpty());
      }
    }
  }

  @ParameterizedTest(name = "{0} x {1}")
  @MethodSource("allowedPairs")
  void intoAnExistingSecretOfSomeoneElse(CreationPolicy c, DeletionPolicy d) {
    fx.vault.put("app/db", Map.of("password", "pw-1"));
    TargetSecret before = foreignSecret();

    SyncResult result = fx.engine.sync(es(c, d));

    if (c == CreationPolicy.NONE) {
      assertEquals(Outcome.SKIPPED, result.outcome());
      assertEquals(before, target().orElseThrow());
      return;
    }
    TargetSecret after = target().orElseThrow();
    assertEquals(Outcome.UPDATED, result.outcome(), result.toString());
    assertEquals("secret synced", result.message());
    assertEquals("pw-1", after.data().getString("password").orElseThrow());
    assertEquals("a", after.labels().get("team"), "labels of others are kept");
    boolean merges = c == CreationPolicy.MERGE || c == CreationPolicy.CREATE_OR_MERGE;
    assertEquals(merges, after.data().containsKey("other"), "foreign keys are kept only when merging");
    assertEquals(c == CreationPolicy.OWNER, after.controller().isPresent(), "Owner takes ownership");
  }

  @ParameterizedTest(name = "{0} x {1}")
  @MethodSource("allowedPairs")
  void whenTheProviderNoLongerHasTheSecret(CreationPolicy c, DeletionPolicy d) {
    fx.vault.put("app/db", Map.of("password", "pw-1"));
    if (c == CreationPolicy.MERGE || c == CreationPolicy.NONE) {
      foreignSecret();
    }
    fx.engine.sync(es(c, d));
    TargetSecret before = target().orElseThrow();
    fx.vault.remove("app/db");
    fx.writer.clearCalls();

    SyncResult result = fx.engine.sync(es(c, d));

    if (d == DeletionPolicy.RETAIN) {
      assertEquals(Outcome.FAILED, result.outcome(), "with Retain a missing secret is an error");
      assertEquals("could not get secret data from provider", result.message());
      assertEquals(before, target().orElseThrow());
      assertTrue(fx.writer.writes().isEmpty());
      return;
    }
    assertEquals(List.of("spec.data[0] (key=app/db)"), result.missingEntries());
    if (d == DeletionPolicy.DELETE) {
      if (c == CreationPolicy.OWNER) {
        assertEquals(Outcome.DELETED, result.outcome(), result.toString());
        assertEquals(new SyncResult.Condition("Ready", "True", "SecretDeleted",
            "secret deleted due to DeletionPolicy=Delete"), result.condition());
        assertTrue(target().isEmpty());
      } else {
        assertEquals(Outcome.FAILED, result.outcome(), "Delete removes only an owned Secret");
        assertEquals("could not delete secret", result.message());
        assertEquals("unable to delete secret: creationPolicy=" + c.wireName() + " is not Owner",
            result.error().orElseThrow().getMessage());
        assertEquals(before, target().orElseThrow());
      }
      return;
    }
    // deletionPolicy Merge: the keys this ExternalSecret wrote go, the Secret stays
    assertTrue(result.ready(), result.toString());
    TargetSecret after = target().orElseThrow();
    assertFalse(after.data().containsKey("password"), "the managed key is removed");
    assertEquals(c == CreationPolicy.MERGE, after.data().containsKey("other"),
        "only the Secret merged into had keys of others");
  }

  @Test
  void retainWhenTheProviderGivesAnEmptySecretKeepsTheTarget() {
    fx.vault.put("app/db", Map.of("password", "pw-1"));
    ExternalSecret es = ExternalSecret.builder("apps", "es").metadata(ObjectMeta.of("apps", "es").withUid("u"))
        .store(StoreRef.clusterSecretStore("vault-example-api")).target(Target.defaults().withName("target"))
        .dataFrom(io.secretsync.core.model.DataFromSource.extract(RemoteRef.of("app/db"), List.of())).build();
    fx.engine.sync(es);
    TargetSecret before = target().orElseThrow();
    fx.vault.put("app/db", Map.of());

    SyncResult result = fx.engine.sync(es);

    assertEquals(new SyncResult.Condition("Ready", "True", "SecretSynced",
        "secret retained due to DeletionPolicy=Retain"), result.condition());
    assertEquals(Outcome.SKIPPED, result.outcome());
    assertEquals(before, target().orElseThrow());
  }

  @Test
  void deleteNeverRemovesASecretThisExternalSecretDoesNotControl() {
    fx.vault.put("app/db", Map.of("password", "pw-1"));
    TargetSecret foreign = fx.writer.seed(new TargetSecret("apps", "target", "Opaque", ImmutableMap.of(),
        ImmutableMap.of(), ImmutableList.of(new TargetSecret.OwnerReference("apps/v1", "Deployment", "d", "u", true,
            true)), false, SecretData.ofStrings(Map.of("other", "kept")), ""));
    fx.vault.remove("app/db");

    SyncResult result = fx.engine.sync(es(CreationPolicy.OWNER, DeletionPolicy.DELETE));

    assertEquals(Outcome.FAILED, result.outcome());
    assertEquals("could not delete secret", result.message());
    assertEquals(foreign, target().orElseThrow());
  }

  @Test
  void mergeDeletionKeepsKeysOthersWroteAndDropsOnlyTheManagedOnes() {
    fx.vault.put("app/db", Map.of("password", "pw-1", "user", "u"));
    foreignSecret();
    ExternalSecret es = ExternalSecret.builder("apps", "es").metadata(ObjectMeta.of("apps", "es").withUid("u"))
        .store(StoreRef.clusterSecretStore("vault-example-api"))
        .target(Target.defaults().withName("target").withPolicies(CreationPolicy.MERGE, DeletionPolicy.MERGE))
        .data("password", RemoteRef.of("app/db", "password"))
        .data("user", RemoteRef.of("app/db", "user"))
        .build();
    fx.engine.sync(es);
    assertEquals(List.of("other", "password", "user"), List.copyOf(target().orElseThrow().data().keys()));
    fx.vault.put("app/db", Map.of("user", "u2"));

    SyncResult result = fx.engine.sync(ExternalSecret.builder("apps", "es")
        .metadata(ObjectMeta.of("apps", "es").withUid("u")).store(StoreRef.clusterSecretStore("vault-example-api"))
        .target(Target.defaults().withName("target").withPolicies(CreationPolicy.MERGE, DeletionPolicy.MERGE))
        .data("user", RemoteRef.of("app/db", "user")).build());

    assertEquals(Outcome.UPDATED, result.outcome(), result.toString());
    assertEquals(List.of("password"), List.copyOf(result.changes().removed()));
    assertEquals(Map.of("other", "kept", "user", "u2"), strings(target().orElseThrow().data()));
  }

  @Test
  void deletingAnOwnerDeleteExternalSecretDeletesOnlyATargetItControls() {
    fx.vault.put("app/db", Map.of("password", "pw-1"));
    fx.engine.sync(es(CreationPolicy.OWNER, DeletionPolicy.DELETE));

    SyncResult result = fx.engine.delete(es(CreationPolicy.OWNER, DeletionPolicy.DELETE));

    assertEquals(Outcome.DELETED, result.outcome());
    assertTrue(target().isEmpty());
    TargetSecret foreign = foreignSecret();
    assertEquals(Outcome.SKIPPED, fx.engine.delete(es(CreationPolicy.OWNER, DeletionPolicy.DELETE)).outcome());
    assertEquals(foreign, target().orElseThrow());
  }

  @Test
  void deletingARetainExternalSecretKeepsItsTarget() {
    fx.vault.put("app/db", Map.of("password", "pw-1"));
    fx.engine.sync(es(CreationPolicy.OWNER, DeletionPolicy.RETAIN));
    fx.writer.clearCalls();

    SyncResult result = fx.engine.delete(es(CreationPolicy.OWNER, DeletionPolicy.RETAIN));

    assertEquals(Outcome.SKIPPED, result.outcome());
    assertTrue(target().isPresent());
    assertTrue(fx.writer.calls().isEmpty());
  }

  private static Map<String, String> strings(SecretData data) {
    Map<String, String> out = new java.util.TreeMap<>();
    data.forEach((k, v) -> out.put(k, new String(v, java.nio.charset.StandardCharsets.UTF_8)));
    return out;
  }
}
