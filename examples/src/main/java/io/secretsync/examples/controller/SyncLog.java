package io.secretsync.examples.controller;

import io.secretsync.core.SecretSyncException;
import io.secretsync.core.SyncResult;
import io.secretsync.core.controller.StoreStatus;
import io.secretsync.core.controller.SyncListener;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The custom part of the controller: a {@link SyncListener} that prints one line per Secret
 * written, per failed sync and per change of a store's validity. A real controller would feed its
 * own metrics, audit log or chat channel here. Lines name objects, outcomes and errors; never a
 * value (the library passes none).
 *
 * <p>Called from the controller's worker threads; thread-safe.
 */
final class SyncLog implements SyncListener {
  private final PrintStream out;
  private final Map<String, String> lastReason = new ConcurrentHashMap<>();

  SyncLog(PrintStream out) {
    this.out = out;
  }

  @Override
  public void syncFinished(ExternalSecret es, SyncResult result, Duration duration) {
    String name = es.metadata().namespace() + "/" + es.metadata().name();
    if (result.failed()) {
      out.println(name + ": failed: " + result.reason() + ": " + result.message());
      result.error().map(SecretSyncException::hints)
          .ifPresent(hints -> hints.forEach(hint -> out.println("  hint: " + hint)));
      return;
    }
    if (result.outcome() == SyncResult.Outcome.CREATED || result.outcome() == SyncResult.Outcome.UPDATED) {
      out.println(name + ": synced -> Secret " + result.namespace() + "/" + result.targetName() + " ("
          + result.outcome().name().toLowerCase() + ", keys " + result.keySizes().keySet() + ")");
    }
  }

  @Override
  public void storeValidated(SecretStoreResource store, StoreStatus status, Duration duration) {
    String key = store.kind().wireName() + "/" + store.metadata().namespace() + "/" + store.metadata().name();
    if (status.ready().reason().equals(lastReason.put(key, status.ready().reason()))) {
      return; // periodic validations that find the store as before say nothing
    }
    out.println(store.kind().wireName() + " " + store.metadata().name() + ": " + status.ready().reason()
        + (status.isReady() ? "" : ": " + status.ready().message()));
  }
}
