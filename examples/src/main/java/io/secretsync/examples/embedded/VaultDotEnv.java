package io.secretsync.examples.embedded;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedSet;
import com.google.common.collect.Sets;
import io.secretsync.core.SecretStore;
import io.secretsync.core.controller.Scheduler;
import io.secretsync.core.model.RemoteRef;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's {@code .env}, read from a Vault secret at start-up and kept fresh in the background.
 *
 * <p>{@link #load} reads the property (the walkthrough's {@code dotenv} of
 * {@code secret/example-api/env-file}) once and fails if it cannot: a service should not start
 * without its configuration. Then every {@code refreshInterval} it reads the secret again; when the
 * text changed it swaps in the new variables at once (readers see either the old or the new set,
 * never a mix) and tells the {@link Listener}s which names were added, changed or removed. A failed
 * refresh (Vault down, the secret deleted, a policy changed, a line that does not parse) keeps the
 * last good variables and tells the listeners; the next refresh tries again.
 *
 * <p>The store is the caller's (it may serve other reads); {@link #close()} only stops the refresh.
 * Time comes from the {@link Scheduler}, so a test moves it forward without sleeping. Thread-safe.
 */
public final class VaultDotEnv implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(VaultDotEnv.class);

  /** Hears about refreshes; called on the scheduler's thread. Only names are passed, never values. */
  public interface Listener {

    /** The variables changed. */
    default void changed(Change change) {}

    /** A refresh failed; the previous variables stay in use. */
    default void refreshFailed(RuntimeException error) {}
  }

  /** The names that a refresh added, changed (a new value) and removed. */
  public record Change(ImmutableSortedSet<String> added, ImmutableSortedSet<String> changed,
      ImmutableSortedSet<String> removed) {}

  private record Snapshot(String text, ImmutableMap<String, String> variables) {}

  private final SecretStore store;
  private final RemoteRef ref;
  private final Duration refreshInterval;
  private final Scheduler scheduler;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  private volatile Snapshot current;
  private Scheduler.Task next; // guarded by lock
  private boolean closed; // guarded by lock

  private VaultDotEnv(SecretStore store, RemoteRef ref, Duration refreshInterval, Scheduler scheduler,
      Snapshot first) {
    this.store = store;
    this.ref = ref;
    this.refreshInterval = refreshInterval;
    this.scheduler = scheduler;
    this.current = first;
  }

  /**
   * Reads {@code ref} from {@code store} now and refreshes it every {@code refreshInterval}.
   *
   * @throws io.secretsync.core.SecretStoreException when Vault cannot be read (the message names the
   *     path and what to fix)
   * @throws IllegalArgumentException when the text is not a {@code .env} (the message names the line)
   */
  public static VaultDotEnv load(SecretStore store, RemoteRef ref, Duration refreshInterval, Scheduler scheduler) {
    requireNonNull(store, "store");
    requireNonNull(ref, "ref");
    requireNonNull(scheduler, "scheduler");
    if (refreshInterval.isNegative() || refreshInterval.isZero()) {
      throw new IllegalArgumentException("refreshInterval must be positive: " + refreshInterval);
    }
    VaultDotEnv env = new VaultDotEnv(store, ref, refreshInterval, scheduler, read(store, ref));
    env.scheduleNext();
    return env;
  }

  /** Every variable, as of the last good read. */
  public ImmutableMap<String, String> variables() {
    return current.variables();
  }

  /** The value of {@code name}, if the {@code .env} sets it. */
  public Optional<String> get(String name) {
    return Optional.ofNullable(current.variables().get(name));
  }

  /** The {@code .env} text as of the last good read, for writing it to a file a child process reads. */
  public String text() {
    return current.text();
  }

  /** Adds a listener for later refreshes. */
  public void addListener(Listener listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  /** Reads the secret now, as a scheduled refresh does; for a "reload" signal or endpoint. */
  public void refreshNow() {
    Snapshot fresh;
    try {
      fresh = read(store, ref);
    } catch (RuntimeException e) {
      listeners.forEach(l -> tell(() -> l.refreshFailed(e)));
      return;
    }
    Snapshot previous;
    synchronized (lock) {
      previous = current;
      current = fresh;
    }
    if (!previous.text().equals(fresh.text())) {
      Change change = diff(previous.variables(), fresh.variables());
      listeners.forEach(l -> tell(() -> l.changed(change)));
    }
  }

  /** A listener that throws does not stop the refresh or the other listeners. */
  private static void tell(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.warn("a .env listener failed: {}", e.toString());
    }
  }

  /** Stops the background refresh; the last variables stay readable. Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      if (next != null) {
        next.cancel();
      }
    }
  }

  private void scheduleNext() {
    synchronized (lock) {
      if (!closed) {
        next = scheduler.schedule(refreshInterval, () -> {
          try {
            refreshNow();
          } finally {
            scheduleNext();
          }
        });
      }
    }
  }

  private static Snapshot read(SecretStore store, RemoteRef ref) {
    String text = new String(store.getSecret(ref), StandardCharsets.UTF_8);
    return new Snapshot(text, DotEnv.parse(text));
  }

  private static Change diff(ImmutableMap<String, String> before, ImmutableMap<String, String> after) {
    return new Change(
        ImmutableSortedSet.copyOf(Sets.difference(after.keySet(), before.keySet())),
        ImmutableSortedSet.copyOf(Sets.filter(Sets.intersection(before.keySet(), after.keySet()),
            name -> !Objects.equals(before.get(name), after.get(name)))),
        ImmutableSortedSet.copyOf(Sets.difference(before.keySet(), after.keySet())));
  }

  /** The secret read and the variable names; never values. */
  @Override
  public String toString() {
    return "VaultDotEnv{" + ref.location() + (ref.property().isEmpty() ? "" : " property " + ref.property())
        + ", every " + refreshInterval + ", names=" + current.variables().keySet() + "}";
  }
}
