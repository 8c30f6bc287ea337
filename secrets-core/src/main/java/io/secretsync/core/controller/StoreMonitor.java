package io.secretsync.core.controller;

import io.secretsync.core.InvalidConfigException;
import io.secretsync.core.SecretStoreException;
import io.secretsync.core.SecretSyncException;
import io.secretsync.core.StoreRegistry;
import io.secretsync.core.controller.Keys.StoreKey;
import io.secretsync.core.model.SecretStoreResource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's view of its stores: definitions applied through it (registered with the
 * engine's {@link StoreRegistry} and validated on their schedule), one circuit breaker per store,
 * probes of open circuits, store status and Events, and the ExternalSecrets waiting for a store.
 * Methods documented "caller holds the lock" expect the controller's lock; the others take it.
 */
final class StoreMonitor {
  private static final Logger log = LoggerFactory.getLogger(StoreMonitor.class);

  private final Object lock;
  private final Clock clock;
  private final StoreRegistry registry;
  private final Dispatcher dispatcher;
  private final Timers timers;
  private final Outputs outputs;
  private final EventLimiter events;
  private final StoreCircuitBreaker.Policy breakerPolicy;
  private final Duration defaultValidationInterval;
  private final BooleanSupplier closed;
  private final Map<StoreKey, StoreEntry> stores = new HashMap<>();

  StoreMonitor(Object lock, Clock clock, StoreRegistry registry, Dispatcher dispatcher, Timers timers,
      Outputs outputs, EventLimiter events, StoreCircuitBreaker.Policy breakerPolicy,
      Duration defaultValidationInterval, BooleanSupplier closed) {
    this.lock = lock;
    this.clock = clock;
    this.registry = registry;
    this.dispatcher = dispatcher;
    this.timers = timers;
    this.outputs = outputs;
    this.events = events;
    this.breakerPolicy = breakerPolicy;
    this.defaultValidationInterval = defaultValidationInterval;
    this.closed = closed;
  }

  /** Every store entry. Caller holds the lock. */
  Collection<StoreEntry> entries() {
    return stores.values();
  }

  /**
   * The first of {@code keys} whose circuit admits no requests, or null; a half-open circuit admits
   * the sync of its trial ExternalSecret. Caller holds the lock.
   */
  StoreEntry blocking(Set<StoreKey> keys, EsEntry es) {
    for (StoreKey key : keys) {
      StoreEntry store = stores.get(key);
      if (store != null && !store.breaker.allowsRequests() && store.trial != es) {
        return store;
      }
    }
    return null;
  }

  /** A sync that read from {@code keys} succeeded: each store answered. Caller holds the lock. */
  void succeeded(Set<StoreKey> keys, List<Runnable> after) {
    for (StoreKey key : keys) {
      StoreEntry store = stores.get(key);
      if (store != null) {
        answered(store, after);
      }
    }
  }

  /**
   * The sync (or deletion) of {@code es} ended. A store whose trial it was and whose circuit it did
   * not decide (it failed elsewhere, or the ExternalSecret was removed) is probed again at once with
   * validate(). Caller holds the lock.
   */
  void syncEnded(EsEntry es) {
    for (StoreEntry store : stores.values()) {
      if (store.trial == es) {
        store.trial = null;
        if (store.breaker.state() == StoreCircuitBreaker.State.HALF_OPEN) {
          store.validateNext = true;
          timers.set(store, Duration.ZERO);
        }
      }
    }
  }

  /**
   * A sync of {@code es} failed at the store {@code key} with {@code error}: count it against the
   * circuit when it says the store is down (unless the sync was refused by the open circuit), and
   * make {@code es} wait for the store when the store itself is the problem. Caller holds the lock.
   */
  void failed(EsEntry es, StoreKey key, Throwable error, boolean refused, List<Runnable> after) {
    StoreEntry store = entry(key);
    switch (StoreFailure.of(error)) {
      case DOWN -> {
        if (!refused) {
          String message = error.getMessage() == null ? error.getClass().getName() : error.getMessage();
          down(store, clock.instant(), message, after);
        }
        waitFor(es, store);
      }
      case NOT_READY -> waitFor(es, store);
      case ANSWERED -> answered(store, after);
    }
  }

  /** Makes {@code es} wait for {@code store}: it syncs when the store is applied, becomes Ready or its circuit closes. */
  void waitFor(EsEntry es, StoreEntry store) {
    stopWaiting(es);
    store.waiting.add(es);
    es.waitingOn = store.key;
  }

  /** Caller holds the lock. */
  void stopWaiting(EsEntry es) {
    if (es.waitingOn != null) {
      StoreEntry store = stores.get(es.waitingOn);
      if (store != null) {
        store.waiting.remove(es);
      }
      es.waitingOn = null;
    }
  }

  /**
   * Registers {@code store}, releases what waits for it, re-syncs its users through
   * {@code resyncUsers} (called with the lock held) when it replaces a definition, and validates it.
   */
  void apply(SecretStoreResource store, Consumer<StoreKey> resyncUsers) {
    StoreKey key = StoreKey.of(store);
    synchronized (lock) {
      StoreEntry known = stores.get(key);
      if (closed.getAsBoolean() || (known != null && store.equals(known.definition))) {
        return;
      }
    }
    InvalidConfigException configError = null;
    try {
      registry.put(store);
    } catch (InvalidConfigException e) {
      configError = e;
    }
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      StoreEntry entry = entry(key);
      boolean replaced = entry.applied();
      entry.definition = store;
      entry.configError = configError;
      if (!entry.breaker.allowsRequests()) {
        entry.breaker = new StoreCircuitBreaker(breakerPolicy);
        after.add(() -> outputs.circuitStateChanged(key.ref(), key.namespace(), StoreCircuitBreaker.State.CLOSED));
      }
      if (configError == null) {
        releaseWaiting(entry);
      }
      if (replaced) {
        resyncUsers.accept(key);
      }
      Timers.cancel(entry);
      dispatcher.request(entry);
    }
    after.forEach(Runnable::run);
  }

  /** Unregisters the store {@code key} and re-syncs its users through {@code resyncUsers} (lock held). */
  void remove(StoreKey key, Consumer<StoreKey> resyncUsers) {
    registry.remove(key.ref(), key.namespace());
    SecretStoreResource removed = null;
    synchronized (lock) {
      StoreEntry entry = stores.get(key);
      if (entry != null) {
        removed = entry.definition;
        entry.definition = null;
        entry.configError = null;
        entry.status = null;
        Timers.cancel(entry);
        events.forget(key);
        if (entry.waiting.isEmpty() && !entry.queued && !entry.running) {
          stores.remove(key);
        }
      }
      resyncUsers.accept(key);
    }
    if (removed != null) {
      outputs.storeRemoved(removed);
    }
  }

  Optional<StoreStatus> status(StoreKey key) {
    synchronized (lock) {
      StoreEntry entry = stores.get(key);
      return entry == null ? Optional.empty() : Optional.ofNullable(entry.status);
    }
  }

  StoreCircuitBreaker.State circuitState(StoreKey key) {
    synchronized (lock) {
      StoreEntry entry = stores.get(key);
      return entry == null ? StoreCircuitBreaker.State.CLOSED : entry.breaker.state();
    }
  }

  /** Validates an applied store, or probes an open circuit whose time is up. Runs on a worker. */
  private void run(StoreEntry entry) {
    SecretStoreResource applied;
    InvalidConfigException configError;
    boolean probe;
    Instant start;
    synchronized (lock) {
      if (closed.getAsBoolean()) {
        return;
      }
      Timers.cancel(entry);
      start = clock.instant();
      StoreCircuitBreaker.State state = entry.breaker.state();
      if (state == StoreCircuitBreaker.State.OPEN && !entry.breaker.tryProbe(start)) {
        timers.set(entry, Duration.between(start, entry.breaker.openUntil()));
        return;
      }
      probe = state != StoreCircuitBreaker.State.CLOSED;
      if (!probe && !entry.applied()) {
        return;
      }
      if (probe && entry.trial != null) {
        return; // the trial sync decides
      }
      applied = entry.definition;
      configError = entry.configError;
      if (probe && configError == null && !entry.validateNext) {
        EsEntry trial = entry.waiting.stream().filter(es -> !es.removed).findFirst().orElse(null);
        if (trial != null) {
          // The probe is one waiting ExternalSecret's sync, a real request to the provider.
          entry.waiting.remove(trial);
          trial.waitingOn = null;
          entry.trial = trial;
          dispatcher.request(trial);
        }
      }
      entry.validateNext = false;
    }
    if (probe) {
      outputs.circuitStateChanged(entry.key.ref(), entry.key.namespace(), StoreCircuitBreaker.State.HALF_OPEN);
      synchronized (lock) {
        if (entry.trial != null) {
          return;
        }
      }
    }

    String what = "unable to validate store";
    Throwable failure = null;
    SecretStoreResource definition =
        applied != null ? applied : registry.definition(entry.key.ref(), entry.key.namespace()).orElse(null);
    if (configError != null) {
      failure = configError;
      what = "unable to create client";
    } else if (definition == null) {
      failure = new SecretStoreException(entry.key + " not found");
    } else {
      try {
        registry.store(definition).validate();
      } catch (InvalidConfigException e) {
        failure = e;
        what = "unable to create client";
      } catch (SecretSyncException e) {
        failure = e;
      } catch (RuntimeException e) {
        log.warn("{}: validation failed unexpectedly", entry, e);
        failure = e;
      }
    }
    Duration took = Duration.between(start, clock.instant());
    finish(entry, applied, probe, failure, what, took);
  }

  private void finish(StoreEntry entry, SecretStoreResource applied, boolean probe, Throwable failure, String what,
      Duration took) {
    List<Runnable> after = new ArrayList<>();
    StoreStatus newStatus = null;
    StoreStatus validated;
    List<ControllerEvent> allowed = new ArrayList<>();
    synchronized (lock) {
      if (closed.getAsBoolean()) {
        return;
      }
      Instant now = clock.instant();
      Instant at = now.truncatedTo(ChronoUnit.SECONDS);
      Condition condition;
      if (failure == null) {
        boolean circuitClosed = answered(entry, after);
        if (!circuitClosed && (entry.status == null || !entry.status.isReady())) {
          releaseWaiting(entry);
        }
        condition = Condition.ready(true, StoreStatus.REASON_VALID, "store validated", at);
      } else {
        String message = failure.getMessage() == null ? failure.getClass().getName() : failure.getMessage();
        if (StoreFailure.of(failure) == StoreFailure.DOWN) {
          boolean opened = probe ? entry.breaker.recordFailure(now, message) : entry.breaker.trip(now, message);
          if (opened) {
            StoreKey key = entry.key;
            after.add(() -> outputs.circuitStateChanged(key.ref(), key.namespace(), StoreCircuitBreaker.State.OPEN));
          }
        } else if (probe) {
          answered(entry, after);
        }
        condition = Condition.ready(false, StoreStatus.REASON_INVALID_PROVIDER_CONFIG, what + ": " + message, at);
      }
      if (entry.breaker.state() == StoreCircuitBreaker.State.OPEN) {
        timers.set(entry, Duration.between(now, entry.breaker.openUntil()));
      } else if (entry.applied()) {
        timers.set(entry, validationInterval(entry.definition));
      }
      StoreStatus previous = entry.status;
      validated = new StoreStatus(previous == null ? condition : previous.ready().next(condition));
      boolean reportable = applied != null && applied.equals(entry.definition);
      if (reportable && (!validated.equals(previous) || !entry.statusWritten)) {
        entry.status = validated;
        newStatus = validated;
        ControllerEvent event = validated.isReady()
            ? ControllerEvent.normal(ControllerEvent.VALID, "store validated")
            : ControllerEvent.warning(ControllerEvent.INVALID_PROVIDER_CONFIG, validated.ready().message());
        boolean worthAnEvent = previous == null || previous.isReady() != validated.isReady() || !validated.isReady();
        if (worthAnEvent && events.allow(entry.key, event, now)) {
          allowed.add(event);
        }
      }
    }
    if (applied != null) {
      outputs.storeValidated(applied, validated, took);
      if (newStatus != null) {
        boolean written = outputs.storeStatus(applied, newStatus);
        synchronized (lock) {
          entry.statusWritten = written;
        }
      }
      allowed.forEach(event -> outputs.storeEvent(applied, event));
    }
    after.forEach(Runnable::run);
  }

  private Duration validationInterval(SecretStoreResource store) {
    Duration interval = store.refreshInterval();
    return interval.toNanos() > 0 ? interval : defaultValidationInterval;
  }

  /**
   * The store answered: close its circuit; if that closed it, release the ExternalSecrets waiting
   * for it (not on every answer: an ExternalSecret waiting for a change of the store would
   * otherwise retry as often as the others sync). Caller holds the lock.
   *
   * @return whether the circuit closed
   */
  private boolean answered(StoreEntry store, List<Runnable> after) {
    store.trial = null;
    if (!store.breaker.recordSuccess()) {
      return false;
    }
    StoreKey key = store.key;
    after.add(() -> outputs.circuitStateChanged(key.ref(), key.namespace(), StoreCircuitBreaker.State.CLOSED));
    if (store.applied() && !store.running) {
      // closed by a sync (a trial): validate now, so that the store's status says it is back
      timers.set(store, Duration.ZERO);
    }
    releaseWaiting(store);
    return true;
  }

  /** A request failed because the store is down; opening the circuit schedules its probe. Caller holds the lock. */
  private void down(StoreEntry store, Instant now, String message, List<Runnable> after) {
    store.trial = null;
    if (store.breaker.recordFailure(now, message)) {
      StoreKey key = store.key;
      after.add(() -> outputs.circuitStateChanged(key.ref(), key.namespace(), StoreCircuitBreaker.State.OPEN));
      if (!store.running) {
        timers.set(store, Duration.between(now, store.breaker.openUntil()));
      }
    }
  }

  private void releaseWaiting(StoreEntry store) {
    for (EsEntry es : store.waiting) {
      es.waitingOn = null;
      if (!es.removed) {
        dispatcher.request(es);
      }
    }
    store.waiting.clear();
  }

  private StoreEntry entry(StoreKey key) {
    return stores.computeIfAbsent(key, k -> new StoreEntry(k, new StoreCircuitBreaker(breakerPolicy), this::run));
  }
}
