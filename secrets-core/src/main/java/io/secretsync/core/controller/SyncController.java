package io.secretsync.core.controller;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.secretsync.core.InvalidConfigException;
import io.secretsync.core.SecretStore;
import io.secretsync.core.SecretStoreException;
import io.secretsync.core.SecretSyncException;
import io.secretsync.core.StoreRegistry;
import io.secretsync.core.SyncEngine;
import io.secretsync.core.SyncResult;
import io.secretsync.core.controller.Keys.EsKey;
import io.secretsync.core.controller.Keys.StoreKey;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import io.secretsync.core.model.StoreRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a changing set of ExternalSecrets in sync for as long as it runs: it owns the
 * ExternalSecrets and stores it is given (from custom resources, files or code, through
 * {@link ResourceChanges} or a {@link ResourceSource}) and runs the {@link SyncEngine} for them
 * on a bounded worker pool.
 *
 * <h2>When an ExternalSecret syncs</h2>
 *
 * <ul>
 *   <li>When added, at once (unless the status it carries says it is already synced: see
 *       {@link #applyExternalSecret(ExternalSecret, ExternalSecretStatus)}).
 *   <li>When its generation, labels, annotations or spec change, at once; except a CreatedOnce one
 *       that has synced. With {@code refreshInterval: 0} a change syncs once more (ESO ignores it).
 *   <li>Periodic with a positive interval: every {@code refreshInterval}, each time delayed by a
 *       random jitter of up to {@link Builder#refreshJitter} of the interval. The cadence does not
 *       drift: the next refresh is due one interval after the previous due time.
 *   <li>OnChange, CreatedOnce and interval 0: never on a timer.
 *   <li>When a store it reads from changes: if it is failing or refreshed periodically.
 *   <li>After a failure: after a {@link BackoffPolicy} delay (1 s doubling, at most
 *       min(refreshInterval, 5 min) by default), whatever its refresh policy, until it succeeds.
 *       One that failed because its store is missing, invalid or down also syncs as soon as the
 *       store is applied again, its circuit closes, or it passes validation after failing.
 *   <li>On {@link #requestSync} (its target Secret changed behind the controller's back).
 * </ul>
 *
 * <p>An ExternalSecret never syncs twice at once: a trigger while it is queued is absorbed, a
 * trigger while it runs makes it run once more afterwards.
 *
 * <h2>Stores</h2>
 *
 * Each store has a {@link StoreCircuitBreaker}. Consecutive failures that say the store is down
 * open it; while open, ExternalSecrets that read from the store are not synced at all (they report
 * Ready=False "... is not ready" and keep their target as it is) and the controller probes the
 * store with {@link SecretStore#validate()}; when the probe passes, every waiting ExternalSecret
 * syncs at once. Stores applied through the controller are also validated on their own schedule:
 * every {@code spec.refreshInterval}, or {@link Builder#storeValidationInterval} (5 minutes) when
 * it is 0, on the live store, which reuses its token.
 *
 * <h2>What it reports</h2>
 *
 * Status goes to the {@link StatusSink} only when it changed; Events go to the {@link EventSink}
 * with ESO's reasons (Created and Updated only for a real write, Deleted, UpdateFailed,
 * MissingProviderSecret; Valid and InvalidProviderConfig for stores), rate-limited; everything goes
 * to the {@link SyncListener}s ({@link PrometheusMetrics} exports ESO's metrics).
 *
 * <h2>Lifecycle</h2>
 *
 * Build, add objects, {@link #start()}, and {@link #close()}: close stops the timers and the
 * sources, lets in-flight syncs finish for up to {@link Builder#shutdownGrace} and then interrupts
 * them, and closes the engine's stores (which revokes the tokens they obtained). The controller
 * takes over the engine's {@link StoreRegistry}. Thread-safe.
 */
public final class SyncController implements ResourceChanges, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SyncController.class);

  private final SyncEngine engine;
  private final StoreRegistry registry;
  private final Clock clock;
  private final Scheduler scheduler;
  private final AutoCloseable ownedScheduler;
  private final ExecutorService ownedExecutor;
  private final BackoffPolicy backoff;
  private final StoreCircuitBreaker.Policy breakerPolicy;
  private final double refreshJitter;
  private final Duration storeValidationInterval;
  private final Duration shutdownGrace;
  private final RandomGenerator random;
  private final Outputs outputs;
  private final ImmutableList<ResourceSource> sources;

  private final Object lock = new Object();
  private final Dispatcher dispatcher;
  private final EventLimiter events;
  private final Map<EsKey, EsEntry> externalSecrets = new HashMap<>();
  private final Map<StoreKey, StoreEntry> stores = new HashMap<>();
  private boolean started;
  private boolean closed;

  private SyncController(Builder builder) {
    this.engine = requireNonNull(builder.engine, "engine");
    this.registry = engine.stores();
    this.clock = builder.clock;
    if (builder.scheduler != null) {
      this.scheduler = builder.scheduler;
      this.ownedScheduler = null;
    } else {
      ExecutorScheduler own = new ExecutorScheduler();
      this.scheduler = own;
      this.ownedScheduler = own;
    }
    Executor executor = builder.executor;
    if (executor == null) {
      AtomicInteger count = new AtomicInteger();
      this.ownedExecutor = Executors.newFixedThreadPool(builder.workers, runnable -> {
        Thread thread = new Thread(runnable, "secrets-sync-worker-" + count.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      });
      executor = ownedExecutor;
    } else {
      this.ownedExecutor = null;
    }
    this.backoff = builder.backoff;
    this.breakerPolicy = builder.breakerPolicy;
    this.refreshJitter = builder.refreshJitter;
    this.storeValidationInterval = builder.storeValidationInterval;
    this.shutdownGrace = builder.shutdownGrace;
    this.random = builder.random;
    this.outputs = new Outputs(builder.statusSink, builder.eventSink, builder.listeners);
    this.sources = ImmutableList.copyOf(builder.sources);
    this.dispatcher = new Dispatcher(lock, executor, builder.workers);
    this.events = new EventLimiter(builder.eventInterval);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts syncing what was added so far, then starts the sources. */
  public void start() {
    synchronized (lock) {
      checkState(!closed, "the controller is closed");
      checkState(!started, "the controller is already started");
      started = true;
      List<Dispatcher.Job> jobs = new ArrayList<>(stores.values());
      jobs.addAll(externalSecrets.values());
      dispatcher.start(jobs);
    }
    for (ResourceSource source : sources) {
      source.start(this);
    }
  }

  // ---- ExternalSecrets ---------------------------------------------------------------------

  @Override
  public void applyExternalSecret(ExternalSecret es) {
    apply(requireNonNull(es, "es"), Optional.empty());
  }

  @Override
  public void applyExternalSecret(ExternalSecret es, ExternalSecretStatus lastKnown) {
    apply(requireNonNull(es, "es"), Optional.of(requireNonNull(lastKnown, "lastKnown")));
  }

  private void apply(ExternalSecret es, Optional<ExternalSecretStatus> lastKnown) {
    synchronized (lock) {
      if (closed) {
        log.debug("{} ignored: the controller is closed", es);
        return;
      }
      EsKey key = EsKey.of(es);
      EsEntry entry = externalSecrets.get(key);
      if (entry == null) {
        entry = new EsEntry(es, this::runExternalSecret);
        externalSecrets.put(key, entry);
        boolean needed = true;
        if (lastKnown.isPresent()) {
          entry.resume(lastKnown.get());
          Instant now = clock.instant();
          needed = entry.needsSyncAfterResume(now);
          if (!needed) {
            entry.attempted = true;
            if (entry.slot != null) {
              setTimer(entry, Duration.between(now, entry.slot).plus(jitter(entry.interval())));
            }
          }
        }
        if (needed) {
          dispatcher.request(entry);
        }
        return;
      }
      boolean revived = entry.removed;
      entry.removed = false;
      if (!revived && entry.es.equals(es)) {
        return;
      }
      Revision before = entry.revision;
      entry.update(es);
      if (entry.waitingOn != null && !entry.stores.contains(entry.waitingOn)) {
        stopWaiting(entry);
      }
      if (revived || entry.changeNeedsSync(before)) {
        dispatcher.request(entry);
      }
    }
  }

  @Override
  public void removeExternalSecret(String namespace, String name) {
    synchronized (lock) {
      EsEntry entry = externalSecrets.get(new EsKey(namespace, name));
      if (entry == null || entry.removed || closed) {
        return;
      }
      entry.removed = true;
      cancelTimer(entry);
      stopWaiting(entry);
      dispatcher.request(entry);
    }
  }

  @Override
  public void requestSync(String namespace, String name) {
    synchronized (lock) {
      EsEntry entry = externalSecrets.get(new EsKey(namespace, name));
      if (entry != null && !entry.removed && !closed) {
        dispatcher.request(entry);
      }
    }
  }

  /** The status of the ExternalSecret {@code namespace/name} as last reported; empty when unknown. */
  public Optional<ExternalSecretStatus> status(String namespace, String name) {
    synchronized (lock) {
      EsEntry entry = externalSecrets.get(new EsKey(namespace, name));
      return entry == null || entry.removed ? Optional.empty() : Optional.of(entry.status);
    }
  }

  private void runExternalSecret(EsEntry entry) {
    ExternalSecret es;
    boolean deleting;
    StoreEntry blockedBy = null;
    Instant start;
    synchronized (lock) {
      if (closed) {
        return;
      }
      cancelTimer(entry);
      es = entry.es;
      deleting = entry.removed;
      start = clock.instant();
      if (!deleting) {
        for (StoreKey key : entry.stores) {
          StoreEntry store = stores.get(key);
          if (store != null && !store.breaker.allowsRequests()) {
            blockedBy = store;
            stopWaiting(entry);
            store.waiting.add(entry);
            entry.waitingOn = key;
            break;
          }
        }
      }
    }
    if (deleting) {
      runDeletion(entry, es, start);
      return;
    }
    SyncResult result = blockedBy != null ? notReady(es, blockedBy, start) : syncSafely(es, start);
    Duration took = blockedBy != null ? Duration.ZERO : Duration.between(start, clock.instant());
    finish(entry, es, result, start, took, blockedBy != null);
  }

  private SyncResult syncSafely(ExternalSecret es, Instant start) {
    try {
      return engine.sync(es);
    } catch (RuntimeException e) {
      log.warn("{}: the sync failed unexpectedly", es, e);
      return failure(es, start, SyncResult.MESSAGE_GET_DATA_FAILED, new SecretSyncException(
          "unexpected " + e.getClass().getName() + " during the sync", List.of("see the controller's log"), null),
          Optional.empty());
    }
  }

  /** The result of a sync refused because {@code store}'s circuit is open: ESO's "flood gate" message. */
  private static SyncResult notReady(ExternalSecret es, StoreEntry store, Instant now) {
    String last = store.breaker.lastFailure().map(m -> "; last error: " + m).orElse("");
    SecretStoreException error = new SecretStoreException.UnreachableException(
        store.key.kind().wireName() + " \"" + store.key.name() + "\" is not ready" + last,
        List.of("the store is probed every few seconds; ExternalSecrets that read from it sync as soon as it answers"),
        null);
    return failure(es, now, SyncResult.MESSAGE_GET_DATA_FAILED, error, Optional.of(store.key.ref()));
  }

  private static SyncResult failure(ExternalSecret es, Instant now, String message, SecretSyncException error,
      Optional<StoreRef> store) {
    return new SyncResult(es.metadata().namespace(), es.metadata().name(), es.targetName(), false,
        SyncResult.REASON_ERROR, message, SyncResult.Outcome.FAILED, ImmutableSortedMap.of(),
        SyncResult.KeyChanges.NONE, Optional.of(error), store, Optional.empty(), now, ImmutableList.of());
  }

  private void finish(EsEntry entry, ExternalSecret es, SyncResult result, Instant start, Duration took,
      boolean parked) {
    List<Runnable> after = new ArrayList<>();
    ExternalSecretStatus newStatus = null;
    List<ControllerEvent> allowed = new ArrayList<>();
    synchronized (lock) {
      Instant now = clock.instant();
      entry.attempted = true;
      if (!result.failed()) {
        entry.failures = 0;
        entry.everSynced = true;
        entry.syncedVersion = Revision.of(es).resourceVersion();
        stopWaiting(entry);
        for (StoreKey key : Keys.storesOf(es)) {
          StoreEntry store = stores.get(key);
          if (store != null) {
            storeAnswered(store, now, after);
          }
        }
      } else {
        entry.failures++;
        if (result.failedStore().isPresent()) {
          StoreEntry store = storeEntry(StoreKey.of(result.failedStore().get(), es.metadata().namespace()));
          Throwable error = result.error().orElse(null);
          switch (StoreFailure.of(error)) {
            case DOWN -> {
              if (!parked) {
                storeDown(store, now, error.getMessage(), after);
              }
              waitFor(entry, store);
            }
            case NOT_READY -> waitFor(entry, store);
            case ANSWERED -> storeAnswered(store, now, after);
          }
        }
      }
      if (!entry.removed && !closed && !parked) {
        scheduleAfterSync(entry, result, start, now);
      }
      if (!entry.removed) {
        ExternalSecretStatus next = entry.statusAfter(result, es, start);
        if (!next.equals(entry.status) || !entry.statusWritten) {
          entry.status = next;
          newStatus = next;
        }
        for (ControllerEvent event : eventsFor(result)) {
          if (events.allow(entry.key, event, now)) {
            allowed.add(event);
          }
        }
      }
    }
    outputs.syncFinished(es, result, took);
    if (newStatus != null) {
      boolean written = outputs.externalSecretStatus(es, newStatus);
      synchronized (lock) {
        entry.statusWritten = written;
      }
    }
    allowed.forEach(event -> outputs.externalSecretEvent(es, event));
    after.forEach(Runnable::run);
  }

  private void scheduleAfterSync(EsEntry entry, SyncResult result, Instant start, Instant now) {
    if (result.failed()) {
      setTimer(entry, backoff.delay(entry.failures, entry.interval(), random));
      return;
    }
    if (!entry.periodic()) {
      entry.slot = null;
      return;
    }
    entry.slot = entry.nextSlot(start);
    Duration delay = Duration.between(now, entry.slot).plus(jitter(entry.interval()));
    setTimer(entry, delay.isNegative() ? Duration.ZERO : delay);
  }

  private Duration jitter(Duration interval) {
    return Duration.ofNanos((long) (interval.toNanos() * refreshJitter * random.nextDouble()));
  }

  private static List<ControllerEvent> eventsFor(SyncResult result) {
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

  private void runDeletion(EsEntry entry, ExternalSecret es, Instant start) {
    SyncResult result;
    try {
      result = engine.delete(es);
    } catch (RuntimeException e) {
      log.warn("{}: handling the deletion failed unexpectedly", es, e);
      result = failure(es, start, SyncResult.MESSAGE_DELETE_FAILED, new SecretSyncException(
          "unexpected " + e.getClass().getName() + " during the deletion", List.of("see the controller's log"), null),
          Optional.empty());
    }
    List<ControllerEvent> allowed = new ArrayList<>();
    boolean done = false;
    synchronized (lock) {
      Instant now = clock.instant();
      for (ControllerEvent event : eventsFor(result)) {
        if (events.allow(entry.key, event, now)) {
          allowed.add(event);
        }
      }
      if (result.failed()) {
        entry.failures++;
        if (entry.removed && !closed) {
          setTimer(entry, backoff.delay(entry.failures, entry.interval(), random));
        }
      } else if (entry.removed) {
        entry.failures = 0;
        if (!entry.wanted) {
          externalSecrets.remove(entry.key, entry);
          events.forget(entry.key);
        }
        done = true;
      }
    }
    allowed.forEach(event -> outputs.externalSecretEvent(es, event));
    if (done) {
      outputs.externalSecretRemoved(es);
    }
  }

  // ---- stores ------------------------------------------------------------------------------

  @Override
  public void applyStore(SecretStoreResource store) {
    requireNonNull(store, "store");
    StoreKey key = StoreKey.of(store);
    synchronized (lock) {
      StoreEntry known = stores.get(key);
      if (closed || (known != null && store.equals(known.definition))) {
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
      StoreEntry entry = storeEntry(key);
      boolean changed = entry.applied();
      entry.definition = store;
      entry.configError = configError;
      if (!entry.breaker.allowsRequests()) {
        entry.breaker = new StoreCircuitBreaker(breakerPolicy);
        after.add(() -> outputs.circuitStateChanged(key.ref(), key.namespace(), StoreCircuitBreaker.State.CLOSED));
      }
      if (configError == null) {
        releaseWaiting(entry);
      }
      if (changed) {
        for (EsEntry es : externalSecrets.values()) {
          if (!es.removed && es.stores.contains(key) && es.storeChangeNeedsSync()) {
            dispatcher.request(es);
          }
        }
      }
      cancelTimer(entry);
      dispatcher.request(entry);
    }
    after.forEach(Runnable::run);
  }

  @Override
  public void removeStore(StoreKind kind, String namespace, String name) {
    StoreKey key = new StoreKey(kind, namespace, name);
    registry.remove(key.ref(), key.namespace());
    SecretStoreResource removed = null;
    synchronized (lock) {
      StoreEntry entry = stores.get(key);
      if (entry != null) {
        removed = entry.definition;
        entry.definition = null;
        entry.configError = null;
        entry.status = null;
        cancelTimer(entry);
        events.forget(key);
        if (entry.waiting.isEmpty() && !entry.queued && !entry.running) {
          stores.remove(key);
        }
      }
      for (EsEntry es : externalSecrets.values()) {
        if (!es.removed && es.stores.contains(key) && es.storeChangeNeedsSync()) {
          dispatcher.request(es);
        }
      }
    }
    if (removed != null) {
      outputs.storeRemoved(removed);
    }
  }

  /** The status of a store applied through the controller, as last reported; empty when unknown. */
  public Optional<StoreStatus> storeStatus(StoreKind kind, String namespace, String name) {
    synchronized (lock) {
      StoreEntry entry = stores.get(new StoreKey(kind, namespace, name));
      return entry == null ? Optional.empty() : Optional.ofNullable(entry.status);
    }
  }

  /** The state of a store's circuit ({@code namespace} empty for a ClusterSecretStore). */
  public StoreCircuitBreaker.State circuitState(StoreKind kind, String namespace, String name) {
    synchronized (lock) {
      StoreEntry entry = stores.get(new StoreKey(kind, namespace, name));
      return entry == null ? StoreCircuitBreaker.State.CLOSED : entry.breaker.state();
    }
  }

  private void runStore(StoreEntry entry) {
    SecretStoreResource applied;
    InvalidConfigException configError;
    boolean probe;
    Instant start;
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      if (closed) {
        return;
      }
      cancelTimer(entry);
      start = clock.instant();
      StoreCircuitBreaker.State state = entry.breaker.state();
      if (state == StoreCircuitBreaker.State.OPEN) {
        if (!entry.breaker.tryProbe(start)) {
          setTimer(entry, Duration.between(start, entry.breaker.openUntil()));
          return;
        }
        probe = true;
        StoreKey key = entry.key;
        after.add(() -> outputs.circuitStateChanged(key.ref(), key.namespace(), StoreCircuitBreaker.State.HALF_OPEN));
      } else {
        probe = state == StoreCircuitBreaker.State.HALF_OPEN;
      }
      if (!probe && !entry.applied()) {
        return;
      }
      applied = entry.definition;
      configError = entry.configError;
    }
    after.forEach(Runnable::run);
    after.clear();

    Throwable failure = null;
    String what = "unable to validate store";
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

    StoreStatus newStatus = null;
    StoreStatus validated;
    List<ControllerEvent> allowed = new ArrayList<>();
    synchronized (lock) {
      if (closed) {
        return;
      }
      Instant now = clock.instant();
      Instant at = now.truncatedTo(ChronoUnit.SECONDS);
      Condition condition;
      if (failure == null) {
        boolean closed = storeAnswered(entry, now, after);
        if (!closed && (entry.status == null || !entry.status.isReady())) {
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
          storeAnswered(entry, now, after);
        }
        condition = Condition.ready(false, StoreStatus.REASON_INVALID_PROVIDER_CONFIG, what + ": " + message, at);
      }
      if (entry.breaker.state() == StoreCircuitBreaker.State.OPEN) {
        setTimer(entry, Duration.between(now, entry.breaker.openUntil()));
      } else if (entry.applied()) {
        setTimer(entry, validationInterval(entry.definition));
      }
      boolean reportable = applied != null && applied.equals(entry.definition);
      StoreStatus previous = entry.status;
      validated = new StoreStatus(previous == null ? condition : previous.ready().next(condition));
      if (reportable && (!validated.equals(previous) || !entry.statusWritten)) {
        entry.status = validated;
        newStatus = validated;
        ControllerEvent event = validated.isReady()
            ? ControllerEvent.normal(ControllerEvent.VALID, "store validated")
            : ControllerEvent.warning(ControllerEvent.INVALID_PROVIDER_CONFIG, validated.ready().message());
        boolean transition = previous == null || previous.isReady() != validated.isReady() || !validated.isReady();
        if (transition && events.allow(entry.key, event, now)) {
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
    return interval.toNanos() > 0 ? interval : storeValidationInterval;
  }

  /**
   * The store answered: close its circuit; if that closed it, release the ExternalSecrets waiting
   * for it. Caller holds the lock.
   *
   * @return whether the circuit closed
   */
  private boolean storeAnswered(StoreEntry store, Instant now, List<Runnable> after) {
    if (!store.breaker.recordSuccess()) {
      return false;
    }
    StoreKey key = store.key;
    after.add(() -> outputs.circuitStateChanged(key.ref(), key.namespace(), StoreCircuitBreaker.State.CLOSED));
    if (store.applied() && !store.running) {
      setTimer(store, validationInterval(store.definition));
    }
    releaseWaiting(store);
    return true;
  }

  /** A request to the store failed because it is down. Caller holds the lock. */
  private void storeDown(StoreEntry store, Instant now, String message, List<Runnable> after) {
    if (store.breaker.recordFailure(now, message)) {
      StoreKey key = store.key;
      after.add(() -> outputs.circuitStateChanged(key.ref(), key.namespace(), StoreCircuitBreaker.State.OPEN));
      if (!store.running) {
        setTimer(store, Duration.between(now, store.breaker.openUntil()));
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

  private void waitFor(EsEntry entry, StoreEntry store) {
    stopWaiting(entry);
    store.waiting.add(entry);
    entry.waitingOn = store.key;
  }

  private void stopWaiting(EsEntry entry) {
    if (entry.waitingOn != null) {
      StoreEntry store = stores.get(entry.waitingOn);
      if (store != null) {
        store.waiting.remove(entry);
      }
      entry.waitingOn = null;
    }
  }

  private StoreEntry storeEntry(StoreKey key) {
    return stores.computeIfAbsent(key, k -> new StoreEntry(k, new StoreCircuitBreaker(breakerPolicy), this::runStore));
  }

  // ---- timers ------------------------------------------------------------------------------

  /** A timer that knows whether it is still the current one of its job. */
  private static final class TimerRef implements Scheduler.Task {
    Scheduler.Task task;

    @Override
    public void cancel() {
      if (task != null) {
        task.cancel();
      }
    }
  }

  private void setTimer(EsEntry entry, Duration delay) {
    cancelTimer(entry);
    TimerRef ref = new TimerRef();
    entry.timer = ref;
    ref.task = scheduler.schedule(delay, () -> {
      synchronized (lock) {
        if (entry.timer == ref && !closed) {
          entry.timer = null;
          dispatcher.request(entry);
        }
      }
    });
  }

  private void setTimer(StoreEntry entry, Duration delay) {
    cancelTimer(entry);
    TimerRef ref = new TimerRef();
    entry.timer = ref;
    ref.task = scheduler.schedule(delay, () -> {
      synchronized (lock) {
        if (entry.timer == ref && !closed) {
          entry.timer = null;
          dispatcher.request(entry);
        }
      }
    });
  }

  private static void cancelTimer(EsEntry entry) {
    if (entry.timer != null) {
      entry.timer.cancel();
      entry.timer = null;
    }
  }

  private static void cancelTimer(StoreEntry entry) {
    if (entry.timer != null) {
      entry.timer.cancel();
      entry.timer = null;
    }
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  /**
   * Waits until no sync or validation is queued or running (timers not yet due do not count).
   *
   * @return false when {@code timeout} passed first
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!dispatcher.idle()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }

  /** Whether the controller is running: started and not closed (for {@code /healthz}). */
  public boolean isLive() {
    synchronized (lock) {
      return started && !closed;
    }
  }

  /**
   * Whether the controller is running and has tried every ExternalSecret it knows at least once
   * (for {@code /readyz}).
   */
  public boolean isReady() {
    synchronized (lock) {
      return started && !closed && externalSecrets.values().stream().allMatch(e -> e.attempted || e.removed);
    }
  }

  /**
   * Stops: no new syncs, sources closed, in-flight syncs given {@link Builder#shutdownGrace} to
   * finish and then interrupted, the engine's stores closed (revoking their tokens), owned threads
   * stopped. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      externalSecrets.values().forEach(SyncController::cancelTimer);
      stores.values().forEach(SyncController::cancelTimer);
      dispatcher.stop();
    }
    for (ResourceSource source : sources) {
      try {
        source.close();
      } catch (RuntimeException e) {
        log.warn("closing source {} failed: {}", source, e.toString());
      }
    }
    boolean interrupted = false;
    try {
      if (!awaitNoneRunning(shutdownGrace)) {
        List<Thread> threads;
        synchronized (lock) {
          threads = dispatcher.runningThreads();
        }
        log.info("interrupting {} sync(s) still running after {}", threads.size(), shutdownGrace);
        threads.forEach(Thread::interrupt);
        awaitNoneRunning(Duration.ofSeconds(5));
      }
    } catch (InterruptedException e) {
      interrupted = true;
    }
    registry.close();
    if (ownedExecutor != null) {
      ownedExecutor.shutdownNow();
    }
    if (ownedScheduler != null) {
      try {
        ownedScheduler.close();
      } catch (Exception e) {
        log.warn("stopping the timer thread failed: {}", e.toString());
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean awaitNoneRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!dispatcher.noneRunning()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "SyncController{externalSecrets=" + externalSecrets.size() + ", stores=" + stores.size() + ", queued="
          + dispatcher.queued() + (closed ? ", closed" : started ? ", running" : ", not started") + "}";
    }
  }

  /** Configures a {@link SyncController}; only the engine is required. */
  public static final class Builder {
    private SyncEngine engine;
    private Clock clock = Clock.systemUTC();
    private Scheduler scheduler;
    private Executor executor;
    private int workers = 4;
    private BackoffPolicy backoff = BackoffPolicy.defaults();
    private StoreCircuitBreaker.Policy breakerPolicy = StoreCircuitBreaker.Policy.defaults();
    private double refreshJitter = 0.1;
    private Duration storeValidationInterval = Duration.ofMinutes(5);
    private Duration eventInterval = Duration.ofMinutes(5);
    private Duration shutdownGrace = Duration.ofSeconds(30);
    private RandomGenerator random = new SplittableRandom();
    private StatusSink statusSink = StatusSink.none();
    private EventSink eventSink = EventSink.none();
    private final List<SyncListener> listeners = new ArrayList<>();
    private final List<ResourceSource> sources = new ArrayList<>();

    private Builder() {}

    /** The engine that syncs; the controller takes over its store registry. Required. */
    public Builder engine(SyncEngine syncEngine) {
      this.engine = requireNonNull(syncEngine);
      return this;
    }

    /** The clock for schedules, status times and durations; give the engine the same one. */
    public Builder clock(Clock controllerClock) {
      this.clock = requireNonNull(controllerClock);
      return this;
    }

    /**
     * Runs the timers; by default one daemon thread owned by the controller. It must run tasks
     * later, never on the thread that schedules them.
     */
    public Builder scheduler(Scheduler timerScheduler) {
      this.scheduler = requireNonNull(timerScheduler);
      return this;
    }

    /**
     * Runs the syncs; by default a pool of {@link #workers} daemon threads owned by the controller.
     * It must run tasks later or on another thread, never on the thread that submits them. The
     * controller never runs more than {@code workers} tasks on it at once.
     */
    public Builder executor(Executor workerExecutor) {
      this.executor = requireNonNull(workerExecutor);
      return this;
    }

    /** How many syncs and validations run at once; default 4. */
    public Builder workers(int count) {
      checkArgument(count >= 1, "workers must be at least 1: %s", count);
      this.workers = count;
      return this;
    }

    public Builder backoff(BackoffPolicy policy) {
      this.backoff = requireNonNull(policy);
      return this;
    }

    public Builder circuitBreaker(StoreCircuitBreaker.Policy policy) {
      this.breakerPolicy = requireNonNull(policy);
      return this;
    }

    /** The largest random delay added to a periodic refresh, as a fraction of its interval; default 0.1. */
    public Builder refreshJitter(double fraction) {
      checkArgument(fraction >= 0 && fraction < 1, "refreshJitter must be in [0, 1): %s", fraction);
      this.refreshJitter = fraction;
      return this;
    }

    /** How often a store whose {@code spec.refreshInterval} is 0 is validated; default 5 minutes (ESO's). */
    public Builder storeValidationInterval(Duration interval) {
      checkArgument(interval.toNanos() > 0, "storeValidationInterval must be positive: %s", interval);
      this.storeValidationInterval = interval;
      return this;
    }

    /** The window in which an identical Event about one object is sent once; default 5 minutes; zero: no limit. */
    public Builder eventInterval(Duration interval) {
      checkArgument(!interval.isNegative(), "eventInterval must not be negative: %s", interval);
      this.eventInterval = interval;
      return this;
    }

    /** How long {@link #close()} lets in-flight syncs finish before interrupting them; default 30 s. */
    public Builder shutdownGrace(Duration grace) {
      checkArgument(!grace.isNegative(), "shutdownGrace must not be negative: %s", grace);
      this.shutdownGrace = grace;
      return this;
    }

    /** The source of jitter; pass a seeded one for reproducible schedules. */
    public Builder random(RandomGenerator generator) {
      this.random = requireNonNull(generator);
      return this;
    }

    public Builder statusSink(StatusSink sink) {
      this.statusSink = requireNonNull(sink);
      return this;
    }

    public Builder eventSink(EventSink sink) {
      this.eventSink = requireNonNull(sink);
      return this;
    }

    /** Adds a listener. */
    public Builder listener(SyncListener listener) {
      listeners.add(requireNonNull(listener));
      return this;
    }

    /** Adds a source, started by {@link SyncController#start()} and closed by {@link SyncController#close()}. */
    public Builder source(ResourceSource source) {
      sources.add(requireNonNull(source));
      return this;
    }

    public SyncController build() {
      return new SyncController(this);
    }
  }
}
