package io.secretsync.core;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import io.secretsync.core.model.StoreRef;
import java.time.Instant;
import java.util.Optional;

/**
 * The outcome of one sync of one ExternalSecret: its {@code Ready} condition as ESO writes it
 * (status, reason, message), what happened to the target, the target's key names and sizes, and
 * on failure the typed error with its hints. Never holds a value, except {@link #desired()} in a
 * dry run, which holds the Secret that would be written (its {@code toString} shows sizes only).
 */
public record SyncResult(
    String namespace,
    String name,
    String targetName,
    boolean ready,
    String reason,
    String message,
    Outcome outcome,
    ImmutableSortedMap<String, Integer> keySizes,
    KeyChanges changes,
    Optional<SecretSyncException> error,
    Optional<StoreRef> failedStore,
    Optional<TargetSecret> desired,
    Instant syncedAt) {

  /** ESO's condition reasons. */
  public static final String REASON_SYNCED = "SecretSynced";
  public static final String REASON_ERROR = "SecretSyncedError";
  public static final String REASON_DELETED = "SecretDeleted";
  public static final String REASON_MISSING = "SecretMissing";

  public SyncResult {
    requireNonNull(namespace, "namespace");
    requireNonNull(name, "name");
    requireNonNull(targetName, "targetName");
    requireNonNull(reason, "reason");
    requireNonNull(message, "message");
    requireNonNull(outcome, "outcome");
    keySizes = ImmutableSortedMap.copyOf(keySizes);
    requireNonNull(changes, "changes");
    requireNonNull(error, "error");
    requireNonNull(failedStore, "failedStore");
    requireNonNull(desired, "desired");
    requireNonNull(syncedAt, "syncedAt");
  }

  /** What happened to the target Secret. */
  public enum Outcome {
    CREATED,
    UPDATED,
    UNCHANGED,
    DELETED,
    /** Nothing written on purpose: creationPolicy None, Merge into a missing Secret, Retain. */
    SKIPPED,
    FAILED
  }

  /** Key names added, changed and removed by this sync (or that a dry run would). */
  public record KeyChanges(
      ImmutableSortedSet<String> added, ImmutableSortedSet<String> changed, ImmutableSortedSet<String> removed) {
    public static final KeyChanges NONE =
        new KeyChanges(ImmutableSortedSet.of(), ImmutableSortedSet.of(), ImmutableSortedSet.of());

    public boolean isEmpty() {
      return added.isEmpty() && changed.isEmpty() && removed.isEmpty();
    }
  }

  public boolean failed() {
    return outcome == Outcome.FAILED;
  }

  @Override
  public String toString() {
    return "SyncResult{" + namespace + "/" + name + " -> " + targetName + ", " + outcome + ", Ready=" + ready
        + " " + reason + ": " + message + ", keys=" + keySizes + "}";
  }
}
