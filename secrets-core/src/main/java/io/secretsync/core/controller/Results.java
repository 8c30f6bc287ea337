package io.secretsync.core.controller;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.secretsync.core.SecretStoreException;
import io.secretsync.core.SecretSyncException;
import io.secretsync.core.SyncResult;
import io.secretsync.core.controller.Keys.StoreKey;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.StoreRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Sync results the controller makes itself, and the Events a result calls for. */
final class Results {
  private Results() {}

  /** A failed result with ESO's condition {@code message} and {@code error} for the details. */
  static SyncResult failure(ExternalSecret es, Instant now, String message, SecretSyncException error,
      Optional<StoreRef> store) {
    return new SyncResult(es.metadata().namespace(), es.metadata().name(), es.targetName(), false,
        SyncResult.REASON_ERROR, message, SyncResult.Outcome.FAILED, ImmutableSortedMap.of(),
        SyncResult.KeyChanges.NONE, Optional.of(error), store, Optional.empty(), now, ImmutableList.of());
  }

  /** A failure for something the engine threw instead of returning a result; details go to the log only. */
  static SyncResult unexpected(ExternalSecret es, Instant now, String message, RuntimeException e) {
    return failure(es, now, message, new SecretSyncException("unexpected " + e.getClass().getName()
        + " in the controller", List.of("see the controller's log"), null), Optional.empty());
  }

  /** A sync refused because the circuit of {@code store} is open: ESO's "flood gate" error. */
  static SyncResult notReady(ExternalSecret es, StoreKey store, Optional<String> lastFailure, Instant now) {
    String last = lastFailure.map(m -> "; last error: " + m).orElse("");
    SecretStoreException error = new SecretStoreException.UnreachableException(
        store.kind().wireName() + " \"" + store.name() + "\" is not ready" + last,
        List.of("the store is probed every few seconds; ExternalSecrets that read from it sync as soon as it answers"),
        null);
    return failure(es, now, SyncResult.MESSAGE_GET_DATA_FAILED, error, Optional.of(store.ref()));
  }

  /**
   * ESO's Events for {@code result}: MissingProviderSecret per skipped entry, then Created, Updated
   * (only for a real write), Deleted or UpdateFailed.
   */
  static List<ControllerEvent> eventsFor(SyncResult result) {
    List<ControllerEvent> out = new ArrayList<>();
    for (String entry : result.missingEntries()) {
      out.add(ControllerEvent.normal(ControllerEvent.MISSING_PROVIDER_SECRET,
          "secret does not exist at provider using " + entry));
    }
    switch (result.outcome()) {
      case CREATED -> out.add(ControllerEvent.normal(ControllerEvent.CREATED, "secret created"));
      case UPDATED -> out.add(ControllerEvent.normal(ControllerEvent.UPDATED, "secret updated"));
      case DELETED -> out.add(ControllerEvent.normal(ControllerEvent.DELETED, result.message()));
      case FAILED -> out.add(ControllerEvent.warning(ControllerEvent.UPDATE_FAILED,
          result.error().map(Throwable::getMessage).orElse(result.message())));
      default -> {
        // unchanged or skipped: nothing happened worth an event
      }
    }
    return out;
  }
}
