package io.secretsync.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.SecretData;
import io.secretsync.core.SecretStoreException;
import io.secretsync.core.SecretSyncException;
import io.secretsync.core.SyncResult;
import io.secretsync.core.TargetException;
import io.secretsync.core.TargetSecret;
import io.secretsync.core.model.ConfigNode;
import io.secretsync.core.model.CreationPolicy;
import io.secretsync.core.model.DataFromSource;
import io.secretsync.core.model.DecodingStrategy;
import io.secretsync.core.model.DeletionPolicy;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.FindRef;
import io.secretsync.core.model.MetadataPolicy;
import io.secretsync.core.model.NullBytePolicy;
import io.secretsync.core.model.ObjectMeta;
import io.secretsync.core.model.ProviderConfig;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.Rewrite;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import io.secretsync.core.model.StoreRef;
import io.secretsync.core.model.Target;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Canary values pushed through succeeding and failing syncs never show up in a result, a
 * {@code toString}, an exception (message, hints, stack trace) or a log line at any level.
 */
class NoSecretInOutputTest {
  private static final String VALUE = "canary-value-7f3a9c";
  private static final String TOKEN = "hvs.canary-token-2b8e41";
  private static final List<String> CANARIES = List.of(VALUE, TOKEN, "7f3a9c", "2b8e41",
      Base64.getEncoder().encodeToString(VALUE.getBytes(java.nio.charset.StandardCharsets.UTF_8)));

  private final EngineFixture fx = new EngineFixture();
  private final List<String> seen = new ArrayList<>();

  @BeforeEach
  void clearLogs() {
    CapturingLogs.clear();
  }

  @AfterEach
  void close() {
    fx.close();
  }

  private ExternalSecret.Builder es(String name) {
    return ExternalSecret.builder("apps", name).metadata(ObjectMeta.of("apps", name).withUid("u-" + name))
        .store(StoreRef.clusterSecretStore("vault-example-api"));
  }

  private void record(SyncResult result) {
    seen.add(result.toString());
    seen.add(result.condition().toString());
    seen.add(result.keySizes().toString());
    seen.add(result.changes().toString());
    seen.add(result.missingEntries().toString());
    seen.add(String.valueOf(result.desired().map(Object::toString)));
    result.error().ifPresent(this::record);
  }

  private void record(SecretSyncException e) {
    seen.add(e.toString());
    seen.add(e.hints().toString());
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    seen.add(trace.toString());
  }

  @Test
  void canaryValuesAndTokensNeverAppear() {
    fx.vault.put("app/env", Map.of("dotenv", VALUE, "token", TOKEN, "nested", "{\"a\":\"" + VALUE + "\"}"));
    fx.vault.putJson("app/json", "{\"db\":{\"user\":\"" + VALUE + "\",\"token\":\"" + TOKEN + "\"}}");
    fx.vault.put("app/dir/one", Map.of("v", VALUE));
    fx.vault.put("app/bin", Map.of("v", Base64.getEncoder().encodeToString((VALUE + "\0" + TOKEN).getBytes(
        java.nio.charset.StandardCharsets.UTF_8))));
    fx.vault.setCustomMetadata("app/env", Map.of("owner", TOKEN));

    // succeeding syncs, first and unchanged, dry runs, extract, find, metadata
    ExternalSecret ok = es("ok").data(".env", RemoteRef.of("app/env", "dotenv")).data("token", RemoteRef.of("app/env",
        "token")).data("meta", RemoteRef.of("app/env", "owner").withMetadataPolicy(MetadataPolicy.FETCH)).build();
    record(fx.engine.sync(ok));
    record(fx.engine.sync(ok));
    record(fx.engine.dryRun(es("dry").dataFrom(DataFromSource.extract(RemoteRef.of("app/env"), List.of())).build()));
    record(fx.engine.sync(es("find").dataFrom(DataFromSource.find(FindRef.byName(Optional.of("app"), "dir"),
        List.of())).build()));
    record(fx.engine.sync(es("json").dataFrom(DataFromSource.extract(RemoteRef.of("app/json", "db"), List.of()))
        .build()));

    // failing syncs
    record(fx.engine.sync(es("missing-prop").data("x", RemoteRef.of("app/env", "nope")).build()));
    record(fx.engine.sync(es("missing-nested").data("x", RemoteRef.of("app/json", "db.password")).build()));
    record(fx.engine.sync(es("not-an-object").dataFrom(DataFromSource.extract(RemoteRef.of("app/json", "db.user"),
        List.of())).build()));
    record(fx.engine.sync(es("bad-b64").data("x", RemoteRef.of("app/env", "token")
        .withDecodingStrategy(DecodingStrategy.BASE64)).build()));
    record(fx.engine.sync(es("nul").data("x", RemoteRef.of("app/bin", "v").withDecodingStrategy(DecodingStrategy.BASE64)
        .withNullBytePolicy(NullBytePolicy.FAIL)).build()));
    record(fx.engine.sync(es("bad-key").dataFrom(DataFromSource.extract(RemoteRef.of("app/env"),
        List.of(new Rewrite.Regexp("^(.*)$", "bad key $1")))).build()));
    record(fx.engine.sync(es("collision").dataFrom(DataFromSource.extract(RemoteRef.of("app/env"),
        List.of(new Rewrite.Regexp(".*", "same")))).build()));
    ExternalSecret immutable = es("immutable").data("x", RemoteRef.of("app/env", "dotenv"))
        .data("y", RemoteRef.of("app/env", "token")).target(Target.defaults().withImmutable(true)).build();
    record(fx.engine.sync(immutable));
    fx.vault.put("app/env", Map.of("dotenv", VALUE + "-2", "token", TOKEN + "-2"));
    record(fx.engine.sync(immutable));
    fx.writer.seed(new TargetSecret("apps", "owned", "Opaque", ImmutableMap.of(), ImmutableMap.of(),
        ImmutableList.of(new TargetSecret.OwnerReference("external-secrets.io/v1", "ExternalSecret", "other", "u",
            true, true)), false, SecretData.ofStrings(Map.of("k", VALUE)), ""));
    record(fx.engine.sync(es("owned").data("x", RemoteRef.of("app/env", "dotenv")).build()));
    fx.writer.injectConflicts(InMemoryTargetWriter.MAX_ATTEMPTS);
    record(fx.engine.sync(es("ok").data(".env", RemoteRef.of("app/env", "dotenv")).build()));
    fx.writer.failWritesWith(new TargetException("write refused"));
    record(fx.engine.sync(es("write-fails").data("x", RemoteRef.of("app/env", "dotenv")).build()));
    fx.writer.clearFailure();
    fx.vault.remove("app/env");
    record(fx.engine.sync(es("ok").target(Target.defaults().withPolicies(CreationPolicy.OWNER, DeletionPolicy.DELETE))
        .data(".env", RemoteRef.of("app/env", "dotenv")).build()));
    fx.vault.failWith(new SecretStoreException.PermissionDeniedException("permission denied", List.of(), null));
    record(fx.engine.sync(es("json").data("x", RemoteRef.of("app/json", "db.user")).build()));

    // a store definition holding a token inline is refused without quoting it
    try {
      fx.registry.put(new SecretStoreResource(StoreKind.CLUSTER_SECRET_STORE, ObjectMeta.of("", "inline"), "",
          new ProviderConfig(InMemorySecretStore.PROVIDER_NAME, ConfigNode.of("spec.provider.memory",
              JsonNodeFactory.instance.objectNode().put("name", fx.vault.name()).put("token", TOKEN))),
          Optional.empty(), Duration.ZERO, ImmutableList.of()));
      throw new AssertionError("an unknown field must be refused");
    } catch (SecretSyncException e) {
      record(e);
    }

    seen.add(fx.vault.toString());
    seen.add(fx.writer.secrets().toString());
    seen.add(fx.writer.calls().toString());
    seen.addAll(CapturingLogs.lines());
    assertTrue(CapturingLogs.lines().size() > 5, "the engine logs, so the capture is exercised: " + CapturingLogs.lines());
    for (String text : seen) {
      for (String canary : CANARIES) {
        assertFalse(text.contains(canary), "a canary leaked into: " + text);
      }
    }
  }
}
