package io.secretsync.core;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
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
 * {@link #missingEntries()} names the entries skipped because the provider has no such secret
 * (deletionPolicy Delete or Merge), as {@code spec.data[1] (key=db/creds)} or {@code spec.dataFrom[0]}.
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
    Instant syncedAt,
    ImmutableList<String> missingEntries) {

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
    missingEntries = ImmutableList.copyOf(missingEntries);
  }

  /** A result with no missing entries. */
  public SyncResult(String namespace, String name, String targetName, boolean ready, String reason, String message,
      Outcome outcome, ImmutableSortedMap<String, Integer> keySizes, KeyChanges changes,
      Optional<SecretSyncException> error, Optional<StoreRef> failedStore, Optional<TargetSecret> desired,
      Instant syncedAt) {
    this(namespace, name, targetName, ready, reason, message, outcome, keySizes, changes, error, failedStore, desired,
        syncedAt, ImmutableList.of());
  }

  /** This result with {@code entries} as its {@link #missingEntries()}. */
  public SyncResult withMissingEntries(java.util.List<String> entries) {
    return new SyncResult(namespace, name, targetName, ready, reason, message, outcome, keySizes, changes, error,
        failedStore, desired, syncedAt, ImmutableList.copyOf(entries));
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
