package io.secretsync.core;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import io.secretsync.core.model.StoreRef;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of one sync of one ExternalSecret.
 *
 * <ul>
 *   <li>{@link #condition()}: the {@code Ready} condition as ESO writes it: status, reason
 *       ({@code SecretSynced}, {@code SecretDeleted}, {@code SecretMissing}, {@code SecretSyncedError})
 *       and ESO's message, word for word (the {@code MESSAGE_} constants);
 *   <li>{@link #outcome()}: what happened to the target Secret;
 *   <li>{@link #keySizes()}: the target's key names and value sizes after the sync;
 *   <li>{@link #changes()}: the keys added, changed and removed (or that a dry run would change);
 *   <li>{@link #error()}: on failure, the typed error, whose message says what failed and where and
 *       whose hints say what to do;
 *   <li>{@link #missingEntries()}: entries skipped because the provider has no such secret
 *       (deletionPolicy Delete or Merge), as {@code spec.data[1] (key=db/creds)} or
 *       {@code spec.dataFrom[0]}: ESO's {@code MissingProviderSecret} events;
 *   <li>{@link #refreshTime()}: ESO's {@code status.refreshTime}, the start of a successful sync.
 * </ul>
 *
 * <p>Never holds a value, except {@link #desired()} after a dry run, which holds the Secret that
 * would be written (its {@code toString} shows sizes only). Immutable.
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

  /** ESO's condition type. */
  public static final String CONDITION_READY = "Ready";

  /** ESO's condition reasons. */
  public static final String REASON_SYNCED = "SecretSynced";
  public static final String REASON_ERROR = "SecretSyncedError";
  public static final String REASON_DELETED = "SecretDeleted";
  public static final String REASON_MISSING = "SecretMissing";

  /** ESO's condition messages. */
  public static final String MESSAGE_SYNCED = "secret synced";
  public static final String MESSAGE_RETAINED = "secret retained due to DeletionPolicy=Retain";
  public static final String MESSAGE_DELETED = "secret deleted due to DeletionPolicy=Delete";
  public static final String MESSAGE_MISSING = "secret will not be created due to CreationPolicy=Merge";
  public static final String MESSAGE_GET_DATA_FAILED = "could not get secret data from provider";
  public static final String MESSAGE_DELETE_FAILED = "could not delete secret";
  public static final String MESSAGE_UPDATE_FAILED = "could not update secret";
  public static final String MESSAGE_IMMUTABLE = "could not update secret, target is immutable";
  public static final String MESSAGE_OWNERSHIP_FAILED = "failed to take ownership of target secret";
  public static final String MESSAGE_OWNED_BY_OTHER = "target is owned by another ExternalSecret";
  /**
   * Not ESO's: the ExternalSecret breaks a rule ESO's admission webhook enforces (a rejected
   * creationPolicy x deletionPolicy pair, no data, a duplicate secretKey...), so ESO would never
   * have stored it. The error names the field.
   */
  public static final String MESSAGE_INVALID = "invalid ExternalSecret";

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

  /** This result with {@code entries} as its {@link #missingEntries()}. */
  public SyncResult withMissingEntries(List<String> entries) {
    return new SyncResult(namespace, name, targetName, ready, reason, message, outcome, keySizes, changes, error,
        failedStore, desired, syncedAt, ImmutableList.copyOf(entries));
  }

  /** What happened to the target Secret. */
  public enum Outcome {
    CREATED,
    UPDATED,
    UNCHANGED,
    DELETED,
    /** Nothing written on purpose: creationPolicy None, Merge into a missing Secret, Retain, nothing to delete. */
    SKIPPED,
    /** Nothing written because the sync failed; see {@link #error()}. */
    FAILED
  }

  /** ESO's {@code status.conditions[]} entry of type {@code Ready}. */
  public record Condition(String type, String status, String reason, String message) {
    public Condition {
      requireNonNull(type, "type");
      requireNonNull(status, "status");
      requireNonNull(reason, "reason");
      requireNonNull(message, "message");
    }
  }

  /** Key names added, changed and removed by this sync (or that a dry run would). */
  public record KeyChanges(
      ImmutableSortedSet<String> added, ImmutableSortedSet<String> changed, ImmutableSortedSet<String> removed) {
    public static final KeyChanges NONE =
        new KeyChanges(ImmutableSortedSet.of(), ImmutableSortedSet.of(), ImmutableSortedSet.of());

    public KeyChanges {
      added = ImmutableSortedSet.copyOf(added);
      changed = ImmutableSortedSet.copyOf(changed);
      removed = ImmutableSortedSet.copyOf(removed);
    }

    public boolean isEmpty() {
      return added.isEmpty() && changed.isEmpty() && removed.isEmpty();
    }
  }

  /** The {@code Ready} condition: {@code True} or {@code False}, ESO's reason and message. */
  public Condition condition() {
    return new Condition(CONDITION_READY, ready ? "True" : "False", reason, message);
  }

  /** ESO's {@code status.refreshTime}: when a successful sync started; empty after a failure. */
  public Optional<Instant> refreshTime() {
    return ready ? Optional.of(syncedAt) : Optional.empty();
  }

  public boolean failed() {
    return outcome == Outcome.FAILED;
  }

  /** Names, outcome, condition, key sizes and the error's message; never a value. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("SyncResult{").append(namespace).append('/').append(name)
        .append(" -> ").append(targetName).append(", ").append(outcome)
        .append(", Ready=").append(ready ? "True" : "False").append(' ').append(reason).append(": ").append(message)
        .append(", keys=").append(keySizes);
    if (!changes.isEmpty()) {
      out.append(", changes=+").append(changes.added()).append(" ~").append(changes.changed())
          .append(" -").append(changes.removed());
    }
    if (!missingEntries.isEmpty()) {
      out.append(", missing=").append(missingEntries);
    }
    error.ifPresent(e -> out.append(", error=").append(e.getMessage()));
    return out.append('}').toString();
  }
}
