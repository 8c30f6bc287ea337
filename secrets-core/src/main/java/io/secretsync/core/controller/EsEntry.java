package io.secretsync.core.controller;

import com.google.common.collect.ImmutableSet;
import io.secretsync.core.SyncResult;
import io.secretsync.core.controller.Keys.EsKey;
import io.secretsync.core.controller.Keys.StoreKey;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.RefreshPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One ExternalSecret's schedule and sync state, and the rules that decide when it syncs. Fields
 * are guarded by the controller's lock.
 */
final class EsEntry extends Dispatcher.Job {
  final EsKey key;
  private final Consumer<EsEntry> body;

  ExternalSecret es;
  Revision revision;
  ImmutableSet<StoreKey> stores;
  /** The resource version of the last successful sync; empty before it. */
  String syncedVersion = "";
  boolean everSynced;
  /** The un-jittered time of the next periodic refresh, keeping its cadence; null when none. */
  Instant slot;
  int failures;
  boolean attempted;
  boolean removed;
  ExternalSecretStatus status = ExternalSecretStatus.empty();
  /** Whether the sink accepted {@link #status}; when not, the next status is written even if equal. */
  boolean statusWritten = true;
  StoreKey waitingOn;

  EsEntry(ExternalSecret es, Consumer<EsEntry> body) {
    this.key = EsKey.of(es);
    this.body = body;
    update(es);
  }

  @Override
  void run() {
    body.accept(this);
  }

  void update(ExternalSecret newEs) {
    this.es = newEs;
    this.revision = Revision.of(newEs);
    this.stores = Keys.storesOf(newEs);
  }

  RefreshPolicy policy() {
    return es.spec().refreshPolicy();
  }

  Duration interval() {
    return es.spec().refreshInterval();
  }

  /** Periodic with a positive interval: refreshed on a timer. */
  boolean periodic() {
    return policy() == RefreshPolicy.PERIODIC && interval().toNanos() > 0;
  }

  boolean failing() {
    return failures > 0;
  }

  /** Takes over what an earlier run recorded in {@code lastKnown}. */
  void resume(ExternalSecretStatus lastKnown) {
    status = lastKnown;
    syncedVersion = lastKnown.syncedResourceVersion();
    everSynced = lastKnown.refreshTime().isPresent();
    boolean failed = lastKnown.ready().map(c -> c.status() == Condition.Status.FALSE).orElse(false);
    failures = failed ? 1 : 0;
  }

  /**
   * Whether an ExternalSecret added with {@link #resume resumed} state needs a sync now: never
   * synced, last sync failed, a revision not yet synced (except CreatedOnce), or a periodic refresh
   * overdue. When a periodic one is not yet due, {@link #slot} is set to its due time.
   */
  boolean needsSyncAfterResume(Instant now) {
    if (!everSynced || failing()) {
      return true;
    }
    boolean revisionSynced = syncedVersion.equals(revision.resourceVersion());
    if (policy() == RefreshPolicy.CREATED_ONCE) {
      return false;
    }
    if (!revisionSynced) {
      return true;
    }
    if (!periodic()) {
      return false;
    }
    Instant due = status.refreshTime().orElseThrow().plus(interval());
    if (!due.isAfter(now)) {
      return true;
    }
    slot = due;
    return false;
  }

  /**
   * Whether a change from {@code before} to the current definition asks for a sync: a new
   * generation, labels, annotations or spec does, except for a CreatedOnce ExternalSecret already
   * synced. A change with refreshInterval 0 syncs once more (ESO would not re-sync it at all).
   */
  boolean changeNeedsSync(Revision before) {
    if (before.equals(revision)) {
      return false;
    }
    return !(policy() == RefreshPolicy.CREATED_ONCE && everSynced && !failing());
  }

  /** Whether a change of one of its stores asks for a sync: when failing, or refreshed periodically. */
  boolean storeChangeNeedsSync() {
    return failing() || periodic() || !everSynced;
  }

  /**
   * The due time of the next periodic refresh after a successful sync that started at {@code start}:
   * the next slot of the cadence when the sync ran within one interval of its slot, otherwise one
   * interval after {@code start} (ESO: {@code refreshTime + refreshInterval}).
   */
  Instant nextSlot(Instant start) {
    Duration interval = interval();
    if (slot != null && !start.isBefore(slot) && start.isBefore(slot.plus(interval))) {
      return slot.plus(interval);
    }
    return start.plus(interval);
  }

  /** The status after {@code result} of a sync of {@code synced} that started at {@code start}. */
  ExternalSecretStatus statusAfter(SyncResult result, ExternalSecret synced, Instant start) {
    Instant at = start.truncatedTo(ChronoUnit.SECONDS);
    Condition condition = Condition.ready(!result.failed(), result.reason(), result.message(), at);
    Condition ready = status.ready().map(previous -> previous.next(condition)).orElse(condition);
    if (result.failed()) {
      return new ExternalSecretStatus(Optional.of(ready), status.refreshTime(), status.syncedResourceVersion(),
          status.bindingName());
    }
    return new ExternalSecretStatus(Optional.of(ready), Optional.of(at), Revision.of(synced).resourceVersion(),
        synced.targetName());
  }

  @Override
  public String toString() {
    return "ExternalSecret " + key;
  }
}
