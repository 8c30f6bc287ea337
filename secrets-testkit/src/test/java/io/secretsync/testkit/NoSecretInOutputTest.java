package io.secretsync.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.SecretStoreException;
import io.secretsync.core.SyncResult;
import io.secretsync.core.TargetException;
import io.secretsync.core.model.DataFromSource;
import io.secretsync.core.model.DecodingStrategy;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ObjectMeta;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.Rewrite;
import io.secretsync.core.model.StoreRef;
import io.secretsync.core.model.Target;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    seen.add(result.message());
    seen.add(result.keySizes().toString());
    seen.add(String.valueOf(result.desired().map(Object::toString)));
    result.error().ifPresent(e -> {
      seen.add(e.getMessage());
      seen.add(e.hints().toString());
      StringWriter trace = new StringWriter();
      e.printStackTrace(new PrintWriter(trace));
      seen.add(trace.toString());
    });
  }

  @Test
  void canaryValuesAndTokensNeverAppear() {
    fx.vault.put("app/env", Map.of("dotenv", VALUE, "token", TOKEN, "nested", "{\"a\":\"" + VALUE + "\"}"));

    record(fx.engine.sync(es("ok").data(".env", RemoteRef.of("app/env", "dotenv"))
        .data("token", RemoteRef.of("app/env", "token")).build()));
    record(fx.engine.sync(es("ok").data(".env", RemoteRef.of("app/env", "dotenv"))
        .data("token", RemoteRef.of("app/env", "token")).build()));
    record(fx.engine.dryRun(es("dry").dataFrom(DataFromSource.extract(RemoteRef.of("app/env"), List.of())).build()));
    record(fx.engine.sync(es("missing-prop").data("x", RemoteRef.of("app/env", "nope")).build()));
    record(fx.engine.sync(es("bad-b64").data("x", RemoteRef.of("app/env", "token")
        .withDecodingStrategy(DecodingStrategy.BASE64)).build()));
    record(fx.engine.sync(es("bad-key").dataFrom(DataFromSource.extract(RemoteRef.of("app/env"),
        List.of(new Rewrite.Regexp("^(.*)$", "bad key $1")))).build()));
    record(fx.engine.sync(es("too-big").data("x", RemoteRef.of("app/env", "dotenv"))
        .data("y", RemoteRef.of("app/env", "token")).target(Target.defaults().withImmutable(true)).build()));
    fx.vault.put("app/env", Map.of("dotenv", VALUE + "-2", "token", TOKEN + "-2"));
    record(fx.engine.sync(es("too-big").data("x", RemoteRef.of("app/env", "dotenv"))
        .data("y", RemoteRef.of("app/env", "token")).target(Target.defaults().withImmutable(true)).build()));
    fx.writer.failWritesWith(new TargetException("write refused"));
    record(fx.engine.sync(es("write-fails").data("x", RemoteRef.of("app/env", "dotenv")).build()));
    fx.writer.clearFailure();
    fx.vault.failWith(new SecretStoreException.PermissionDeniedException("permission denied", List.of(), null));
    record(fx.engine.sync(es("ok").data(".env", RemoteRef.of("app/env", "dotenv")).build()));
    seen.add(fx.vault.toString());
    seen.add(fx.writer.get("apps", "ok").orElseThrow().toString());

    seen.addAll(CapturingLogs.lines());
    assertTrue(CapturingLogs.lines().size() > 0, "the engine logs at debug level, so the capture is exercised");
    for (String text : seen) {
      for (String canary : List.of(VALUE, TOKEN, "7f3a9c", "2b8e41")) {
        assertFalse(text.contains(canary), "a canary leaked into: " + text);
      }
    }
  }
}
