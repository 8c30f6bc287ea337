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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Target Secrets in memory, with the API server's optimistic concurrency: every write bumps a
 * resourceVersion, and an update or delete that names an older one conflicts (the writer then
 * re-reads and re-plans, at most {@value #MAX_ATTEMPTS} times, as the Kubernetes writer does).
 * Every call is recorded ({@link #calls()}) so tests can assert that nothing was written.
 * Conflicts and failures can be injected. Thread-safe.
 */
public final class InMemoryTargetWriter implements TargetWriter {

  /** How many times {@link #apply} plans before giving up on conflicts. */
  public static final int MAX_ATTEMPTS = 5;

  /** One recorded call. */
  public record Call(Verb verb, String namespace, String name) {}

  /** The kinds of call recorded. */
  public enum Verb {
    GET,
    CREATE,
    UPDATE,
    DELETE
  }

  private final Map<String, TargetSecret> secrets = new TreeMap<>();
  private final List<Call> calls = new ArrayList<>();
  private final AtomicLong resourceVersion = new AtomicLong(100);
  private final AtomicInteger conflictsToInject = new AtomicInteger();
  private final AtomicReference<TargetException> failure = new AtomicReference<>();

  /** Puts a Secret as if someone else created it; returns it with its new resourceVersion. */
  public synchronized TargetSecret seed(TargetSecret secret) {
    TargetSecret stored = secret.withResourceVersion(Long.toString(resourceVersion.incrementAndGet()));
    secrets.put(key(secret.namespace(), secret.name()), stored);
    return stored;
  }

  /** The Secret as stored, without recording a call. */
  public synchronized Optional<TargetSecret> get(String namespace, String name) {
    return Optional.ofNullable(secrets.get(key(namespace, name)));
  }

  public synchronized ImmutableList<Call> calls() {
    return ImmutableList.copyOf(calls);
  }

  /** The recorded calls that wrote something (create, update, delete). */
  public synchronized ImmutableList<Call> writes() {
    return calls.stream().filter(c -> c.verb() != Verb.GET).collect(ImmutableList.toImmutableList());
  }

  public synchronized void clearCalls() {
    calls.clear();
  }

  /** The next {@code count} writes conflict, as if another client had written just before. */
  public void injectConflicts(int count) {
    conflictsToInject.set(count);
  }

  /** Every following write fails with {@code error} until {@link #clearFailure()}. */
  public void failWritesWith(TargetException error) {
    failure.set(requireNonNull(error));
  }

  public void clearFailure() {
    failure.set(null);
  }

  @Override
  public synchronized Optional<TargetSecret> read(String namespace, String name) {
    calls.add(new Call(Verb.GET, namespace, name));
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
    throw new TargetException("could not update secret: it kept changing during " + MAX_ATTEMPTS + " attempts",
        List.of("another client writes Secret " + namespace + "/" + name + " concurrently"), null);
  }

  /** Applies one change; empty when it conflicted. */
  private synchronized Optional<WriteResult> write(String namespace, String name, Change change) {
    String key = key(namespace, name);
    TargetSecret current = secrets.get(key);
    Verb verb = change instanceof Change.Create ? Verb.CREATE
        : change instanceof Change.Update ? Verb.UPDATE : Verb.DELETE;
    calls.add(new Call(verb, namespace, name));
    TargetException error = failure.get();
    if (error != null) {
      throw error;
    }
    if (conflictsToInject.get() > 0) {
      conflictsToInject.decrementAndGet();
      if (current != null) {
        secrets.put(key, current.withResourceVersion(Long.toString(resourceVersion.incrementAndGet())));
      }
      return Optional.empty();
    }
    if (change instanceof Change.Create create) {
      if (current != null) {
        return Optional.empty();
      }
      TargetSecret stored = create.secret().withResourceVersion(Long.toString(resourceVersion.incrementAndGet()));
      secrets.put(key, stored);
      return Optional.of(new WriteResult(Action.CREATED, Optional.of(stored)));
    }
    if (change instanceof Change.Update update) {
      if (current == null || !current.resourceVersion().equals(update.secret().resourceVersion())) {
        return Optional.empty();
      }
      TargetSecret stored = update.secret().withResourceVersion(Long.toString(resourceVersion.incrementAndGet()));
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

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
