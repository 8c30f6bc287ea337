package io.secretsync.core.controller;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import io.secretsync.core.SecretStore;
import io.secretsync.core.StoreRegistry;
import io.secretsync.core.SyncEngine;
import io.secretsync.core.SyncResult;
import io.secretsync.core.controller.Keys.EsKey;
import io.secretsync.core.controller.Keys.StoreKey;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * store when the circuit's time is up: the sync of one waiting ExternalSecret is let through (a real
 * provider request: {@link SecretStore#validate()} may answer from a token the store holds), or
 * {@link SecretStore#validate()} when none waits; when the probe passes, every waiting
 * ExternalSecret syncs at once and the store is validated. Stores applied through the controller are also validated on their own schedule:
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
  private final double refreshJitter;
  private final Duration shutdownGrace;
  private final RandomGenerator random;
  private final Outputs outputs;
  private final ImmutableList<ResourceSource> sources;

  private final Object lock = new Object();
  private final Dispatcher dispatcher;
  private final Timers timers;
  private final EventLimiter events;
  private final StoreMonitor stores;
  private final Map<EsKey, EsEntry> externalSecrets = new HashMap<>();
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
    this.refreshJitter = builder.refreshJitter;
    this.shutdownGrace = builder.shutdownGrace;
    this.random = builder.random;
    this.outputs = new Outputs(builder.statusSink, builder.eventSink, builder.listeners);
    this.sources = ImmutableList.copyOf(builder.sources);
    this.dispatcher = new Dispatcher(lock, executor, builder.workers);
    this.timers = new Timers(lock, scheduler, dispatcher, () -> closed);
    this.events = new EventLimiter(builder.eventInterval);
    this.stores = new StoreMonitor(lock, clock, registry, dispatcher, timers, outputs, events, builder.breakerPolicy,
        builder.storeValidationInterval, () -> closed);
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
      List<Dispatcher.Job> jobs = new ArrayList<>(stores.entries());
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
              timers.set(entry, Duration.between(now, entry.slot).plus(jitter(entry.interval())));
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
        stores.stopWaiting(entry);
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
      Timers.cancel(entry);
      stores.stopWaiting(entry);
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
    Optional<String> blockedWhy = Optional.empty();
    Instant start;
    synchronized (lock) {
      if (closed) {
        return;
      }
      Timers.cancel(entry);
      es = entry.es;
      deleting = entry.removed;
      start = clock.instant();
      if (!deleting) {
        blockedBy = stores.blocking(entry.stores, entry);
        if (blockedBy != null) {
          stores.waitFor(entry, blockedBy);
          blockedWhy = blockedBy.breaker.lastFailure();
        }
      }
    }
    if (deleting) {
      runDeletion(entry, es, start);
      return;
    }
    SyncResult result = blockedBy != null ? Results.notReady(es, blockedBy.key, blockedWhy, start) : sync(es, start);
    Duration took = blockedBy != null ? Duration.ZERO : Duration.between(start, clock.instant());
    finish(entry, es, result, start, took, blockedBy != null);
  }

  private SyncResult sync(ExternalSecret es, Instant start) {
    try {
      return engine.sync(es);
    } catch (RuntimeException e) {
      log.warn("{}: the sync failed unexpectedly", es, e);
      return Results.unexpected(es, start, SyncResult.MESSAGE_GET_DATA_FAILED, e);
    }
  }

  private void finish(EsEntry entry, ExternalSecret es, SyncResult result, Instant start, Duration took,
      boolean refused) {
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
        stores.stopWaiting(entry);
        stores.succeeded(Keys.storesOf(es), after);
      } else {
        entry.failures++;
        if (result.failedStore().isPresent()) {
          StoreKey key = StoreKey.of(result.failedStore().get(), es.metadata().namespace());
          stores.failed(entry, key, result.error().orElse(null), refused, after);
        }
      }
      stores.syncEnded(entry);
      if (!entry.removed && !closed && !refused) {
        scheduleAfterSync(entry, result, start, now);
      }
      if (!entry.removed) {
        ExternalSecretStatus next = entry.statusAfter(result, es, start);
        if (!next.equals(entry.status) || !entry.statusWritten) {
          entry.status = next;
          newStatus = next;
        }
        for (ControllerEvent event : Results.eventsFor(result)) {
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
      timers.set(entry, backoff.delay(entry.failures, entry.interval(), random));
      return;
    }
    if (!entry.periodic()) {
      entry.slot = null;
      return;
    }
    entry.slot = entry.nextSlot(start);
    timers.set(entry, Duration.between(now, entry.slot).plus(jitter(entry.interval())));
  }

  private Duration jitter(Duration interval) {
    return Duration.ofNanos((long) (interval.toNanos() * refreshJitter * random.nextDouble()));
  }

  private void runDeletion(EsEntry entry, ExternalSecret es, Instant start) {
    SyncResult result;
    try {
      result = engine.delete(es);
    } catch (RuntimeException e) {
      log.warn("{}: handling the deletion failed unexpectedly", es, e);
      result = Results.unexpected(es, start, SyncResult.MESSAGE_DELETE_FAILED, e);
    }
    List<ControllerEvent> allowed = new ArrayList<>();
    boolean done = false;
    synchronized (lock) {
      Instant now = clock.instant();
      stores.syncEnded(entry);
      for (ControllerEvent event : Results.eventsFor(result)) {
        if (events.allow(entry.key, event, now)) {
          allowed.add(event);
        }
      }
      if (result.failed()) {
        entry.failures++;
        if (entry.removed && !closed) {
          timers.set(entry, backoff.delay(entry.failures, entry.interval(), random));
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
    stores.apply(requireNonNull(store, "store"), this::resyncUsersOf);
  }

  @Override
  public void removeStore(StoreKind kind, String namespace, String name) {
    stores.remove(new StoreKey(kind, namespace, name), this::resyncUsersOf);
  }

  /** The status of a store applied through the controller, as last reported; empty when unknown. */
  public Optional<StoreStatus> storeStatus(StoreKind kind, String namespace, String name) {
    return stores.status(new StoreKey(kind, namespace, name));
  }

  /** The state of a store's circuit ({@code namespace} empty for a ClusterSecretStore). */
  public StoreCircuitBreaker.State circuitState(StoreKind kind, String namespace, String name) {
    return stores.circuitState(new StoreKey(kind, namespace, name));
  }

  /** A store changed: sync the ExternalSecrets that read from it and are failing or periodic. Caller holds the lock. */
  private void resyncUsersOf(StoreKey key) {
    for (EsEntry es : externalSecrets.values()) {
      if (!es.removed && es.stores.contains(key) && es.storeChangeNeedsSync()) {
        dispatcher.request(es);
      }
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
      externalSecrets.values().forEach(Timers::cancel);
      stores.entries().forEach(Timers::cancel);
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
      return "SyncController{externalSecrets=" + externalSecrets.size() + ", stores=" + stores.entries().size() + ", queued="
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
