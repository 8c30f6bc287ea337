package io.secretsync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
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
 * Every creationPolicy x deletionPolicy pair, against ESO's rules (eso-behaviour §1.1 webhook rules,
 * §3.2 steps 8 and 9): what is written when the provider has data, and what happens to the target
 * when the provider no longer has the secret.
 */
class PolicyMatrixTest {
  private final EngineFixture fx = new EngineFixture();

  @AfterEach
  void close() {
    fx.close();
  }

  static Stream<Arguments> pairs() {
    Stream.Builder<Arguments> pairs = Stream.builder();
    for (CreationPolicy c : CreationPolicy.values()) {
      for (DeletionPolicy d : DeletionPolicy.values()) {
        pairs.add(Arguments.of(c, d));
      }
    }
    return pairs.build();
  }

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
  @MethodSource("pairs")
  void withDataFromTheProvider(CreationPolicy c, DeletionPolicy d) {
    fx.vault.put("app/db", Map.of("password", "pw-1"));

    SyncResult missingTarget = fx.engine.sync(es(c, d));

    if (rejected(c, d)) {
      assertEquals(Outcome.FAILED, missingTarget.outcome());
      assertEquals("SecretSyncedError", missingTarget.reason());
      assertTrue(missingTarget.message().contains("spec.target.deletionPolicy"), missingTarget.message());
      assertTrue(fx.writer.writes().isEmpty());
      return;
    }
    switch (c) {
      case OWNER, ORPHAN, CREATE_OR_MERGE -> {
        assertEquals(Outcome.CREATED, missingTarget.outcome(), missingTarget.toString());
        TargetSecret t = target().orElseThrow();
        assertEquals("pw-1", t.data().getString("password").orElseThrow());
        assertEquals("true", t.labels().get(SyncEngine.LABEL_MANAGED));
        assertEquals(c == CreationPolicy.OWNER, t.controller().isPresent());
        assertEquals(c == CreationPolicy.OWNER, t.labels().containsKey(SyncEngine.LABEL_CREATED_BY));
      }
      case MERGE -> {
        assertEquals(Outcome.SKIPPED, missingTarget.outcome());
        assertEquals("SecretMissing", missingTarget.reason());
        assertEquals("secret will not be created due to CreationPolicy=Merge", missingTarget.message());
        assertTrue(missingTarget.ready());
        assertTrue(target().isEmpty());
      }
      case NONE -> {
        assertEquals(Outcome.SKIPPED, missingTarget.outcome());
        assertEquals("SecretSynced", missingTarget.reason());
        assertTrue(target().isEmpty());
      }
    }
  }

  @ParameterizedTest(name = "{0} x {1}")
  @MethodSource("pairs")
  void intoAnExistingSecretOfSomeoneElse(CreationPolicy c, DeletionPolicy d) {
    fx.vault.put("app/db", Map.of("password", "pw-1"));
    TargetSecret before = foreignSecret();

    SyncResult result = fx.engine.sync(es(c, d));

    if (rejected(c, d) || c == CreationPolicy.NONE) {
      assertEquals(before, target().orElseThrow());
      return;
    }
    TargetSecret after = target().orElseThrow();
    assertEquals(Outcome.UPDATED, result.outcome(), result.toString());
    assertEquals("pw-1", after.data().getString("password").orElseThrow());
    assertEquals("a", after.labels().get("team"), "labels of others are kept");
    boolean merges = c == CreationPolicy.MERGE || c == CreationPolicy.CREATE_OR_MERGE;
    assertEquals(merges, after.data().containsKey("other"), "foreign keys are kept only when merging");
  }

  @ParameterizedTest(name = "{0} x {1}")
  @MethodSource("pairs")
  void whenTheProviderNoLongerHasTheSecret(CreationPolicy c, DeletionPolicy d) {
    if (rejected(c, d) || c == CreationPolicy.NONE) {
      return; // covered above: nothing is ever written
    }
    fx.vault.put("app/db", Map.of("password", "pw-1"));
    if (c == CreationPolicy.MERGE) {
      foreignSecret();
    }
    fx.engine.sync(es(c, d));
    TargetSecret before = target().orElseThrow();
    fx.vault.remove("app/db");

    SyncResult result = fx.engine.sync(es(c, d));

    switch (d) {
      case RETAIN -> {
        assertEquals(Outcome.FAILED, result.outcome(), "Retain makes a missing secret an error");
        assertEquals(before, target().orElseThrow());
      }
      case DELETE -> {
        if (c == CreationPolicy.OWNER) {
          assertEquals(Outcome.DELETED, result.outcome(), result.toString());
          assertEquals("SecretDeleted", result.reason());
          assertTrue(target().isEmpty());
        } else {
          assertEquals(Outcome.FAILED, result.outcome(), "Delete requires Owner");
          assertEquals(before, target().orElseThrow());
        }
      }
      case MERGE -> {
        TargetSecret after = target().orElseThrow();
        assertFalse(after.data().containsKey("password"), "the managed key is removed");
        assertEquals(c == CreationPolicy.MERGE, after.data().containsKey("other"));
        assertTrue(result.ready(), result.toString());
      }
    }
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
}
