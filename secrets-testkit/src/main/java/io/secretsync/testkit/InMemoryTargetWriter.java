package io.secretsync.testkit;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import io.secretsync.core.TargetException;
import io.secretsync.core.TargetSecret;
import io.secretsync.core.TargetWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Target Secrets in memory, with the API server's rules that matter to a writer:
 *
 * <ul>
 *   <li>optimistic concurrency: every write bumps a resourceVersion; a create of an existing
 *       Secret, or an update or delete that names an older resourceVersion, conflicts (409), and
 *       {@link #apply} then reads and plans again, at most {@value #MAX_ATTEMPTS} times, as the
 *       Kubernetes writer does;
 *   <li>an immutable Secret's data cannot change and it cannot become mutable again, no Secret's
 *       type can change, and no Secret holds more than 1 MiB of values: such writes are refused
 *       (422) with the API server's wording.
 * </ul>
 *
 * <p>Every call is recorded in order ({@link #calls()}), with the Secret a write sent, so tests
 * can assert that nothing was written or exactly what was. Conflicts and failures can be injected.
 * Thread-safe.
 */
public final class InMemoryTargetWriter implements TargetWriter {

  /** How many times {@link #apply} plans before giving up on conflicts. */
  public static final int MAX_ATTEMPTS = 5;

  /** The API server's limit on the sum of a Secret's value sizes. */
  public static final int MAX_SECRET_BYTES = 1024 * 1024;

  /** One recorded call; {@code sent} is the Secret a create or update sent. */
  public record Call(Verb verb, String namespace, String name, Optional<TargetSecret> sent) {
    public Call {
      requireNonNull(verb, "verb");
      requireNonNull(namespace, "namespace");
      requireNonNull(name, "name");
      requireNonNull(sent, "sent");
    }
  }

  /** The kinds of call recorded. */
  public enum Verb {
    GET,
    CREATE,
    UPDATE,
    DELETE
  }

  private final Map<String, TargetSecret> secrets = new TreeMap<>(); // guarded by this
  private final List<Call> calls = new ArrayList<>(); // guarded by this
  private long resourceVersion = 100; // guarded by this
  private int conflictsToInject; // guarded by this
  private TargetException writeFailure; // guarded by this
  private TargetException readFailure; // guarded by this

  /** Puts a Secret as if someone else created it; returns it with its new resourceVersion. Not recorded. */
  public synchronized TargetSecret seed(TargetSecret secret) {
    TargetSecret stored = secret.withResourceVersion(Long.toString(++resourceVersion));
    secrets.put(key(secret.namespace(), secret.name()), stored);
    return stored;
  }

  /** Removes a Secret as if someone else deleted it. Not recorded. */
  public synchronized void remove(String namespace, String name) {
    secrets.remove(key(namespace, name));
  }

  /** The Secret as stored, without recording a call. */
  public synchronized Optional<TargetSecret> get(String namespace, String name) {
    return Optional.ofNullable(secrets.get(key(namespace, name)));
  }

  /** Every Secret held, ordered by namespace and name. */
  public synchronized ImmutableList<TargetSecret> secrets() {
    return ImmutableList.copyOf(secrets.values());
  }

  public synchronized ImmutableList<Call> calls() {
    return ImmutableList.copyOf(calls);
  }

  /** The recorded calls that tried to write something (create, update, delete), refused ones included. */
  public synchronized ImmutableList<Call> writes() {
    return calls.stream().filter(c -> c.verb() != Verb.GET).collect(ImmutableList.toImmutableList());
  }

  public synchronized void clearCalls() {
    calls.clear();
  }

  /** The next {@code count} writes conflict, as if another client had written just before each. */
  public synchronized void injectConflicts(int count) {
    conflictsToInject = count;
  }

  /** Every following write fails with {@code error} until {@link #clearFailure()}. */
  public synchronized void failWritesWith(TargetException error) {
    writeFailure = requireNonNull(error);
  }

  /** Every following read fails with {@code error} until {@link #clearFailure()}. */
  public synchronized void failReadsWith(TargetException error) {
    readFailure = requireNonNull(error);
  }

  public synchronized void clearFailure() {
    writeFailure = null;
    readFailure = null;
  }

  @Override
  public synchronized Optional<TargetSecret> read(String namespace, String name) {
    calls.add(new Call(Verb.GET, namespace, name, Optional.empty()));
    if (readFailure != null) {
      throw readFailure;
    }
    return Optional.ofNullable(secrets.get(key(namespace, name)));
  }

  @Override
  public WriteResult apply(String namespace, String name, Planner planner) {
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      Optional<TargetSecret> current = read(namespace, name);
      Change change = planner.plan(current);
      if (change instanceof Change.Keep) {
        return new WriteResult(Action.UNCHANGED, current);
      }
      Optional<WriteResult> done = write(namespace, name, change);
      if (done.isPresent()) {
        return done.get();
      }
    }
    throw new TargetException("Secret " + namespace + "/" + name + " kept changing during " + MAX_ATTEMPTS
        + " attempts to write it (409 Conflict)",
        List.of("another client writes Secret " + namespace + "/" + name + " at the same time"), null);
  }

  /** Applies one change; empty when it conflicted. */
  private synchronized Optional<WriteResult> write(String namespace, String name, Change change) {
    String key = key(namespace, name);
    TargetSecret current = secrets.get(key);
    Verb verb = change instanceof Change.Create ? Verb.CREATE : change instanceof Change.Update ? Verb.UPDATE : Verb.DELETE;
    Optional<TargetSecret> sent = change instanceof Change.Create create ? Optional.of(create.secret())
        : change instanceof Change.Update update ? Optional.of(update.secret()) : Optional.empty();
    calls.add(new Call(verb, namespace, name, sent));
    if (writeFailure != null) {
      throw writeFailure;
    }
    if (conflictsToInject > 0) {
      conflictsToInject--;
      if (current != null) {
        secrets.put(key, current.withResourceVersion(Long.toString(++resourceVersion)));
      }
      return Optional.empty();
    }
    sent.ifPresent(InMemoryTargetWriter::checkSize);
    if (change instanceof Change.Create create) {
      if (current != null) {
        return Optional.empty();
      }
      TargetSecret stored = create.secret().withResourceVersion(Long.toString(++resourceVersion));
      secrets.put(key, stored);
      return Optional.of(new WriteResult(Action.CREATED, Optional.of(stored)));
    }
    if (change instanceof Change.Update update) {
      if (current == null || !current.resourceVersion().equals(update.secret().resourceVersion())) {
        return Optional.empty();
      }
      checkUpdate(current, update.secret());
      TargetSecret stored = update.secret().withResourceVersion(Long.toString(++resourceVersion));
      secrets.put(key, stored);
      return Optional.of(new WriteResult(Action.UPDATED, Optional.of(stored)));
    }
    Change.Delete delete = (Change.Delete) change;
    if (current == null) {
      return Optional.of(new WriteResult(Action.UNCHANGED, Optional.empty()));
    }
    if (!current.resourceVersion().equals(delete.resourceVersion())) {
      return Optional.empty();
    }
    secrets.remove(key);
    return Optional.of(new WriteResult(Action.DELETED, Optional.empty()));
  }

  /** The API server's validation of a Secret update, in its words (422 Unprocessable Entity). */
  private static void checkUpdate(TargetSecret current, TargetSecret update) {
    String what = "Secret \"" + current.name() + "\" is invalid: ";
    if (!current.type().equals(update.type())) {
      throw new TargetException(what + "type: Invalid value: \"" + update.type() + "\": field is immutable",
          List.of("the type of a Secret cannot change; delete it first"), null);
    }
    if (current.immutable() && !update.immutable()) {
      throw new TargetException(what + "immutable: Forbidden: field is immutable when `immutable` is set",
          List.of("an immutable Secret stays immutable; delete it first"), null);
    }
    if (current.immutable() && !current.data().equals(update.data())) {
      throw new TargetException(what + "data: Forbidden: field is immutable when `immutable` is set",
          List.of("an immutable Secret's data cannot change; delete it first"), null);
    }
  }

  /** The API server's limit on a Secret's values (1 MiB), in its words. */
  private static void checkSize(TargetSecret secret) {
    if (secret.data().totalBytes() > MAX_SECRET_BYTES) {
      throw new TargetException("Secret \"" + secret.name() + "\" is invalid: data: Too long: may not be more than "
          + MAX_SECRET_BYTES + " bytes", List.of("a Secret holds at most 1 MiB of values"), null);
    }
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
