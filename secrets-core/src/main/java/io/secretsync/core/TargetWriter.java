package io.secretsync.core;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Writes target Secrets. The sync engine decides what the Secret should be (creation and deletion
 * policies, merge, ownership) in a {@link Planner}; the writer reads the current Secret, asks the
 * planner, and carries out the change with optimistic concurrency: when the Secret changed in
 * between (a conflict), it reads it again and asks the planner again, a bounded number of times.
 * A {@link Change.Keep} makes no write request at all.
 *
 * <p>Implementations are thread-safe. Failures are {@link TargetException}s and leave the Secret
 * as it was.
 */
public interface TargetWriter {

  /** The Secret {@code namespace/name} as it is now, if it exists. */
  Optional<TargetSecret> read(String namespace, String name);

  /**
   * Reads {@code namespace/name}, plans with {@code planner}, applies the plan.
   *
   * @throws TargetException when the write is refused, or conflicts persist
   * @throws SecretSyncException whatever {@code planner} throws, with nothing written
   */
  WriteResult apply(String namespace, String name, Planner planner);

  /**
   * As {@link #apply(String, String, Planner)}, on behalf of the ExternalSecret named {@code owner}
   * (in {@code namespace}). A writer may use the name to label its writes (on Kubernetes, the field
   * manager {@code externalsecrets.external-secrets.io/<owner>}) and to refuse a Secret another
   * ExternalSecret controls. The default ignores it.
   */
  default WriteResult apply(String namespace, String name, String owner, Planner planner) {
    return apply(namespace, name, planner);
  }

  /** Decides the change from the current state; pure, may be called more than once. */
  @FunctionalInterface
  interface Planner {
    Change plan(Optional<TargetSecret> current);
  }

  /** What to do with the target. */
  sealed interface Change {

    /** Leave it as it is; no request is made. */
    record Keep() implements Change {}

    /** Create {@code secret}; fails if one appeared meanwhile (the writer then re-plans). */
    record Create(TargetSecret secret) implements Change {
      public Create {
        requireNonNull(secret, "secret");
      }
    }

    /** Replace the Secret with {@code secret}, whose {@code resourceVersion} is the one read. */
    record Update(TargetSecret secret) implements Change {
      public Update {
        requireNonNull(secret, "secret");
      }
    }

    /** Delete the Secret at {@code resourceVersion} (the one read). */
    record Delete(String resourceVersion) implements Change {
      public Delete {
        requireNonNull(resourceVersion, "resourceVersion");
      }
    }
  }

  /** What a write did, and the Secret as it is afterwards (absent after a delete or a kept absence). */
  record WriteResult(Action action, Optional<TargetSecret> secret) {
    public WriteResult {
      requireNonNull(action, "action");
      requireNonNull(secret, "secret");
    }
  }

  /** The outcome of {@link #apply}. */
  enum Action {
    CREATED,
    UPDATED,
    DELETED,
    UNCHANGED
  }
}
