package io.secretsync.kubernetes;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.secretsync.core.SecretStoreProvider;
import io.secretsync.core.StoreContext;
import io.secretsync.core.StoreRegistry;
import io.secretsync.core.SyncEngine;
import io.secretsync.core.SyncResult;
import io.secretsync.core.controller.BackoffPolicy;
import io.secretsync.core.controller.Condition;
import io.secretsync.core.controller.ControllerEvent;
import io.secretsync.core.controller.EventSink;
import io.secretsync.core.controller.ExternalSecretStatus;
import io.secretsync.core.controller.ProviderMetering;
import io.secretsync.core.controller.Scheduler;
import io.secretsync.core.controller.StatusSink;
import io.secretsync.core.controller.StoreCircuitBreaker;
import io.secretsync.core.controller.StoreStatus;
import io.secretsync.core.controller.SyncController;
import io.secretsync.core.controller.SyncListener;
import io.secretsync.core.manifest.ManifestException;
import io.secretsync.core.manifest.ManifestLoader;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.kubernetes.KubernetesClient.ResourceType;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Controller mode on Kubernetes: keeps the ExternalSecrets of a cluster (all namespaces or one) in
 * sync from their SecretStores and ClusterSecretStores, as External Secrets Operator does, on top of
 * the core {@link SyncController}.
 *
 * <ul>
 *   <li>Watches ExternalSecrets, SecretStores, ClusterSecretStores and the managed Secrets (resume on
 *       resourceVersion, relist on 410 Gone). ExternalSecrets resume their schedule from the status
 *       they carry. A managed Secret deleted or edited by hand is repaired for creationPolicy Owner,
 *       Merge and CreateOrMerge; nothing is touched for Orphan. The writer reads managed Secrets
 *       from that watch ({@link ManagedSecretCache}), so a sync that changes nothing sends no
 *       request to the API server; {@link #syncOnce()} reads each Secret from the server.
 *   <li>Writes ESO's {@code status} (conditions, refreshTime, syncedResourceVersion, binding) to the
 *       status subresource of ExternalSecrets and stores, and core/v1 Events with ESO's reasons
 *       (source component {@code external-secrets}).
 *   <li>With leader election, syncs only while it holds the Lease: a controller is started when the
 *       Lease is acquired and closed when it is lost.
 * </ul>
 *
 * <pre>{@code
 * try (KubernetesClient kube = KubernetesClient.fromEnvironment();
 *     KubernetesController controller = KubernetesController.builder(kube)
 *         .provider(new VaultStoreProvider())
 *         .leaderElection("secrets-sync", "secrets-sync-leader", KubernetesController.defaultIdentity())
 *         .build()) {
 *   controller.start();
 *   ...
 * }
 * }</pre>
 *
 * <p>{@link #syncOnce()} is the other mode: one pass over everything, without watches or Lease.
 *
 * <p>{@link #close()} is graceful: no new syncs, in-flight syncs finish (or are interrupted after
 * {@link Builder#shutdownGrace}), the stores are closed (revoking the tokens they obtained), then the
 * Lease is released. The client is not closed. Thread-safe.
 */
public final class KubernetesController implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KubernetesController.class);

  private final KubernetesClient client;
  private final String namespace;
  private final int workers;
  private final ImmutableList<SecretStoreProvider> providers;
  private final ImmutableList<SyncListener> listeners;
  private final Clock clock;
  private final Scheduler scheduler;
  private final Executor executor;
  private final BackoffPolicy backoff;
  private final StoreCircuitBreaker.Policy breaker;
  private final Double refreshJitter;
  private final Duration eventInterval;
  private final Duration shutdownGrace;
  private final byte[] dataHashKey;
  private final String host;
  private final Duration watchTimeout;
  private final LeaderElector elector;
  private final KubernetesStatusSink statusSink;
  private final KubernetesEventSink eventSink;

  private final Object lock = new Object();
  private SyncController running; // guarded by lock
  private boolean started;
  private boolean closed;

  private KubernetesController(Builder b) {
    this.client = b.client;
    this.namespace = b.namespace;
    this.workers = b.workers;
    this.providers = ImmutableList.copyOf(b.providers);
    this.listeners = ImmutableList.copyOf(b.listeners);
    this.clock = b.clock;
    this.scheduler = b.scheduler;
    this.executor = b.executor;
    this.backoff = b.backoff;
    this.breaker = b.breaker;
    this.refreshJitter = b.refreshJitter;
    this.eventInterval = b.eventInterval;
    this.shutdownGrace = b.shutdownGrace;
    this.dataHashKey = b.dataHashKey;
    this.watchTimeout = b.watchTimeout;
    this.host = b.identity != null ? b.identity : hostName();
    this.statusSink = new KubernetesStatusSink(client);
    this.eventSink = new KubernetesEventSink(client, clock, host);
    if (b.leaseName != null) {
      LeaderElector.Builder election = LeaderElector.builder(client, b.leaseNamespace, b.leaseName, b.identity)
          .onStartedLeading(this::startTerm)
          .onStoppedLeading(this::stopTerm);
      if (b.leaseDuration != null) {
        election.leaseDuration(b.leaseDuration).renewDeadline(b.renewDeadline).retryPeriod(b.retryPeriod);
      }
      this.elector = election.build();
    } else {
      this.elector = null;
    }
  }

  /** A builder for a controller that talks to the cluster through {@code client}. */
  public static Builder builder(KubernetesClient client) {
    return new Builder(client);
  }

  /** client-go's convention for a leader election identity: {@code <hostname>_<random UUID>}. */
  public static String defaultIdentity() {
    return hostName() + "_" + UUID.randomUUID();
  }

  /**
   * Starts controller mode and returns: without leader election the watches and syncs start at
   * once; with it, when this replica acquires the Lease (and they stop when it loses it).
   *
   * @throws IllegalStateException when already started or closed
   */
  public void start() {
    synchronized (lock) {
      checkState(!closed, "the controller is closed");
      checkState(!started, "the controller is already started");
      started = true;
    }
    if (elector == null) {
      startTerm();
    } else {
      elector.start();
    }
  }

  /**
   * One pass, without watches or Lease: lists the stores and ExternalSecrets, validates each store,
   * syncs each ExternalSecret once (whatever its refresh policy), writes their status and Events,
   * closes the stores (revoking their tokens) and returns one result per ExternalSecret, ordered by
   * namespace and name. An ExternalSecret that cannot be read has a failed result whose error names
   * the field (and its status says so). Blocks until done; may be called again, but not while
   * {@link #start() started}.
   *
   * @throws KubernetesApiException when listing fails
   */
  public ImmutableList<SyncResult> syncOnce() {
    synchronized (lock) {
      checkState(!closed, "the controller is closed");
      checkState(!started, "syncOnce is not available while the controller runs");
    }
    Map<String, SyncResult> results = new LinkedHashMap<>();
    SyncListener collector = new SyncListener() {
      @Override
      public void syncFinished(ExternalSecret es, SyncResult result, Duration duration) {
        synchronized (results) {
          results.put(es.metadata().namespace() + "/" + es.metadata().name(), result);
        }
      }
    };
    ManifestLoader loader = new ManifestLoader();
    KubernetesClient.ObjectList stores = client.list(ResourceType.SECRET_STORES, namespace, "");
    KubernetesClient.ObjectList clusterStores = client.list(ResourceType.CLUSTER_SECRET_STORES, "", "");
    KubernetesClient.ObjectList externalSecrets = client.list(ResourceType.EXTERNAL_SECRETS, namespace, "");
    List<SyncListener> all = withListeners(List.of(collector));
    PassReporting reporting = new PassReporting(statusSink, eventSink);
    SyncController controller = newController(newEngine(all, null), all, true, null, reporting, reporting);
    try {
      controller.start();
      List<ObjectNode> allStores = new ArrayList<>(stores.items());
      allStores.addAll(clusterStores.items());
      for (ObjectNode object : allStores) {
        try {
          SecretStoreResource store = loader.store(object);
          reporting.rememberStore(store, object);
          controller.applyStore(store);
        } catch (ManifestException e) {
          log.warn("{} {} is not used: {}", object.path("kind").asText(), name(object), e.getMessage());
        }
      }
      for (ObjectNode object : externalSecrets.items()) {
        String ns = object.path("metadata").path("namespace").asText("");
        String name = object.path("metadata").path("name").asText("");
        ExternalSecret es;
        try {
          es = loader.externalSecret(object);
        } catch (ManifestException e) {
          log.warn("ExternalSecret {}/{} is not synced: {}", ns, name, e.getMessage());
          synchronized (results) {
            results.put(ns + "/" + name, invalid(ns, name, object, e));
          }
          continue;
        }
        Optional<ExternalSecretStatus> lastKnown = StatusJson.readExternalSecret(object);
        if (lastKnown.isPresent()) {
          reporting.rememberExternalSecret(es, lastKnown.get());
          controller.applyExternalSecret(es, lastKnown.get());
          controller.requestSync(ns, name);
        } else {
          controller.applyExternalSecret(es);
        }
      }
      while (!controller.awaitIdle(Duration.ofMinutes(1))) {
        log.info("sync pass still running: {}", controller);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      controller.close();
    }
    synchronized (results) {
      return results.values().stream()
          .sorted(Comparator.comparing(SyncResult::namespace).thenComparing(SyncResult::name))
          .collect(ImmutableList.toImmutableList());
    }
  }

  private SyncResult invalid(String ns, String name, ObjectNode object, ManifestException e) {
    statusSink.reportInvalidExternalSecret(object, ns, name, e, clock);
    return new SyncResult(ns, name, object.path("spec").path("target").path("name").asText(name), false,
        SyncResult.REASON_ERROR, SyncResult.MESSAGE_INVALID + ": " + e.getMessage(), SyncResult.Outcome.FAILED,
        ImmutableSortedMap.of(), SyncResult.KeyChanges.NONE, Optional.of(e), Optional.empty(), Optional.empty(),
        clock.instant(), ImmutableList.of());
  }

  private static String name(ObjectNode object) {
    String ns = object.path("metadata").path("namespace").asText("");
    String name = object.path("metadata").path("name").asText("");
    return ns.isEmpty() ? name : ns + "/" + name;
  }

  private List<SyncListener> withListeners(List<SyncListener> extra) {
    List<SyncListener> all = new ArrayList<>(listeners);
    all.addAll(extra);
    return all;
  }

  /**
   * An engine over a fresh store registry (a controller closes its registry when it closes); its
   * writer reads Secrets through {@code cache} when not null.
   */
  private SyncEngine newEngine(List<SyncListener> all, ManagedSecretCache cache) {
    StoreRegistry.Builder registry = StoreRegistry.builder();
    KubernetesPlatformAccess platform = KubernetesPlatformAccess.create(client);
    SyncListener fanOut = new FanOut(all);
    for (SecretStoreProvider provider : providers) {
      registry.provider(all.isEmpty() ? provider : ProviderMetering.wrap(provider, fanOut));
    }
    registry.context(new StoreContext(platform, clock)).namespaceLabels(platform);
    SyncEngine.Builder engine = SyncEngine.builder().stores(registry.build())
        .writer(cache == null ? KubernetesSecretWriter.create(client)
            : KubernetesSecretWriter.builder(client).cache(cache).build()).clock(clock);
    if (dataHashKey != null) {
      engine.dataHashKey(dataHashKey);
    }
    return engine.build();
  }

  /** A controller; for a pass ({@code once}) its timers never fire. */
  private SyncController newController(SyncEngine engine, List<SyncListener> all, boolean once,
      KubernetesResources source, StatusSink status, EventSink events) {
    SyncController.Builder controller = SyncController.builder().engine(engine).clock(clock)
        .workers(workers).statusSink(status).eventSink(events).shutdownGrace(shutdownGrace);
    all.forEach(controller::listener);
    if (once) {
      controller.scheduler((delay, task) -> () -> { });
    } else if (scheduler != null) {
      controller.scheduler(scheduler);
    }
    if (executor != null) {
      controller.executor(executor);
    }
    if (backoff != null) {
      controller.backoff(backoff);
    }
    if (breaker != null) {
      controller.circuitBreaker(breaker);
    }
    if (refreshJitter != null) {
      controller.refreshJitter(refreshJitter);
    }
    if (eventInterval != null) {
      controller.eventInterval(eventInterval);
    }
    if (source != null) {
      controller.source(source);
    }
    return controller.build();
  }

  private void startTerm() {
    synchronized (lock) {
      if (closed || running != null) {
        return;
      }
      List<SyncListener> all = withListeners(List.of());
      ManagedSecretCache cache = ManagedSecretCache.fedExternally(namespace);
      SyncEngine engine = newEngine(all, cache);
      KubernetesResources source = new KubernetesResources(client, namespace, statusSink, engine::isIntact, cache,
          clock, watchTimeout);
      running = newController(engine, all, false, source, statusSink, eventSink);
      log.info("controller mode started{}", elector == null ? "" : " as the leader (" + elector.identity() + ")");
      running.start();
    }
  }

  private void stopTerm() {
    SyncController stopping;
    synchronized (lock) {
      stopping = running;
      running = null;
    }
    if (stopping != null) {
      log.info("controller mode stopping{}", isClosed() ? "" : ": the Lease was lost");
      stopping.close();
    }
  }

  private boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  /** Whether this replica syncs now: started and, with leader election, holding the Lease. */
  public boolean isActive() {
    synchronized (lock) {
      return running != null;
    }
  }

  /** Whether this replica holds the Lease; without leader election, whether it is started and not closed. */
  public boolean isLeader() {
    if (elector == null) {
      synchronized (lock) {
        return started && !closed;
      }
    }
    return elector.isLeader();
  }

  /** For {@code /healthz}: started (or passing a pass) and not closed; a replica waiting for the Lease is live. */
  public boolean isLive() {
    synchronized (lock) {
      return started && !closed;
    }
  }

  /**
   * For {@code /readyz}: live, and either waiting for the Lease or having tried every ExternalSecret
   * it knows at least once.
   */
  public boolean isReady() {
    synchronized (lock) {
      if (!started || closed) {
        return false;
      }
      return running == null ? elector != null : running.isReady();
    }
  }

  /** The status of the ExternalSecret {@code namespace/name} as this replica last reported it; empty when unknown or not active. */
  public Optional<ExternalSecretStatus> status(String namespace, String name) {
    SyncController current;
    synchronized (lock) {
      current = running;
    }
    return current == null ? Optional.empty() : current.status(namespace, name);
  }

  /**
   * Waits until no sync is queued or running (timers not yet due do not count); false when
   * {@code timeout} passed first or the controller is not active. For tests and tools.
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    SyncController current;
    synchronized (lock) {
      current = running;
    }
    return current != null && current.awaitIdle(timeout);
  }

  /**
   * Stops: the watches stop, in-flight syncs finish (interrupted after the shutdown grace), the
   * stores are closed (revoking their tokens), then the Lease is released. Idempotent; the client
   * stays open.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    stopTerm();
    if (elector != null) {
      elector.close();
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "KubernetesController{namespace=" + (namespace.isEmpty() ? "(all)" : namespace)
          + (elector == null ? "" : ", identity=" + elector.identity())
          + (closed ? ", closed" : running != null ? ", active" : started ? ", waiting for the Lease" : ", not started")
          + "}";
    }
  }

  private static String hostName() {
    String fromEnv = System.getenv("HOSTNAME");
    if (fromEnv != null && !fromEnv.isEmpty()) {
      return fromEnv;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /** Passes provider calls to every listener, each guarded. */
  private static final class FanOut implements SyncListener {
    private final List<SyncListener> listeners;

    FanOut(List<SyncListener> listeners) {
      this.listeners = List.copyOf(listeners);
    }

    @Override
    public void providerApiCall(String provider, String call, boolean success) {
      for (SyncListener listener : listeners) {
        try {
          listener.providerApiCall(provider, call, success);
        } catch (RuntimeException e) {
          log.warn("listener {} failed: {}", listener.getClass().getName(), e.toString());
        }
      }
    }
  }

  /**
   * Configures a {@link KubernetesController}. Defaults: all namespaces, 4 workers, no leader
   * election, no providers (add at least one), the system clock and the controller's own timer
   * thread and worker pool, the core controller's backoff, circuit breaker and jitter, 30 s
   * shutdown grace.
   */
  /**
   * What one {@link #syncOnce()} pass reports: a status that differs from the one the object already
   * carries only in its times ({@code refreshTime}, {@code lastTransitionTime}) is not written again,
   * and a store that was already Valid gets no new Valid Event, so that a pass that changes nothing
   * writes nothing. Everything else goes to the sinks.
   */
  private static final class PassReporting implements StatusSink, EventSink {
    private final StatusSink status;
    private final EventSink events;
    private final Map<String, ExternalSecretStatus> externalSecrets = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Condition> stores = new java.util.concurrent.ConcurrentHashMap<>();

    PassReporting(StatusSink status, EventSink events) {
      this.status = status;
      this.events = events;
    }

    void rememberExternalSecret(ExternalSecret es, ExternalSecretStatus carried) {
      externalSecrets.put(key(es.metadata().namespace(), es.metadata().name()), carried);
    }

    void rememberStore(SecretStoreResource store, ObjectNode object) {
      StatusJson.readStoreReady(object).ifPresent(ready -> stores.put(key(store), ready));
    }

    @Override
    public void externalSecretStatus(ExternalSecret es, ExternalSecretStatus next) {
      ExternalSecretStatus carried = externalSecrets.get(key(es.metadata().namespace(), es.metadata().name()));
      boolean same = carried != null && sameCondition(carried.ready(), next.ready())
          && carried.syncedResourceVersion().equals(next.syncedResourceVersion())
          && carried.bindingName().equals(next.bindingName())
          && carried.refreshTime().isPresent() == next.refreshTime().isPresent();
      if (!same) {
        status.externalSecretStatus(es, next);
      }
    }

    @Override
    public void storeStatus(SecretStoreResource store, StoreStatus next) {
      if (!sameCondition(Optional.ofNullable(stores.get(key(store))), Optional.of(next.ready()))) {
        status.storeStatus(store, next);
      }
    }

    @Override
    public void externalSecretEvent(ExternalSecret es, ControllerEvent event) {
      events.externalSecretEvent(es, event);
    }

    @Override
    public void storeEvent(SecretStoreResource store, ControllerEvent event) {
      Condition carried = stores.get(key(store));
      boolean stillValid = carried != null && carried.isTrue() && StoreStatus.REASON_VALID.equals(event.reason());
      if (!stillValid) {
        events.storeEvent(store, event);
      }
    }

    private static boolean sameCondition(Optional<Condition> a, Optional<Condition> b) {
      if (a.isEmpty() || b.isEmpty()) {
        return a.isEmpty() && b.isEmpty();
      }
      return a.get().status() == b.get().status() && a.get().reason().equals(b.get().reason())
          && a.get().message().equals(b.get().message());
    }

    private static String key(SecretStoreResource store) {
      return store.kind().wireName() + "/" + key(store.metadata().namespace(), store.metadata().name());
    }

    private static String key(String namespace, String name) {
      return namespace + "/" + name;
    }
  }

  public static final class Builder {
    private final KubernetesClient client;
    private String namespace = "";
    private int workers = 4;
    private final List<SecretStoreProvider> providers = new ArrayList<>();
    private final List<SyncListener> listeners = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private Scheduler scheduler;
    private Executor executor;
    private BackoffPolicy backoff;
    private StoreCircuitBreaker.Policy breaker;
    private Double refreshJitter;
    private Duration eventInterval;
    private Duration shutdownGrace = Duration.ofSeconds(30);
    private byte[] dataHashKey;
    private String leaseNamespace;
    private String leaseName;
    private String identity;
    private Duration leaseDuration;
    private Duration renewDeadline;
    private Duration retryPeriod;
    private Duration watchTimeout = Reflector.DEFAULT_TIMEOUT;

    private Builder(KubernetesClient client) {
      this.client = requireNonNull(client, "client");
    }

    /** Watches and syncs only this namespace (ClusterSecretStores are still read). */
    public Builder namespace(String onlyNamespace) {
      checkArgument(!onlyNamespace.isEmpty(), "namespace must not be empty; use allNamespaces()");
      this.namespace = onlyNamespace;
      return this;
    }

    /** Watches and syncs every namespace (the default). */
    public Builder allNamespaces() {
      this.namespace = "";
      return this;
    }

    /** How many syncs run at once; default 4. */
    public Builder workers(int count) {
      checkArgument(count >= 1, "workers must be at least 1: %s", count);
      this.workers = count;
      return this;
    }

    /** Adds a provider, e.g. {@code new VaultStoreProvider()}; stores of other providers fail with a named error. */
    public Builder provider(SecretStoreProvider provider) {
      providers.add(requireNonNull(provider, "provider"));
      return this;
    }

    /** Adds a listener, e.g. a {@link io.secretsync.core.controller.PrometheusMetrics}; it also sees provider calls. */
    public Builder listener(SyncListener listener) {
      listeners.add(requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Enables leader election on the Lease {@code leaseNamespace/leaseName}, competing as
     * {@code identity} (unique per replica, e.g. {@link KubernetesController#defaultIdentity()}).
     */
    public Builder leaderElection(String leaseNamespace, String leaseName, String identity) {
      checkArgument(!leaseNamespace.isEmpty(), "leaseNamespace is required");
      checkArgument(!leaseName.isEmpty(), "leaseName is required");
      checkArgument(!identity.isEmpty(), "identity is required");
      this.leaseNamespace = leaseNamespace;
      this.leaseName = leaseName;
      this.identity = identity;
      return this;
    }

    /**
     * The Lease timings (client-go's defaults when not called: 15 s, 10 s, 2 s); the Lease is
     * judged on the system clock, not on {@link #clock}.
     */
    public Builder leaseTimings(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
      this.leaseDuration = requireNonNull(leaseDuration, "leaseDuration");
      this.renewDeadline = requireNonNull(renewDeadline, "renewDeadline");
      this.retryPeriod = requireNonNull(retryPeriod, "retryPeriod");
      return this;
    }

    /** The clock for schedules, status times and Events; tests pass a fake one together with {@link #scheduler}. */
    public Builder clock(Clock controllerClock) {
      this.clock = requireNonNull(controllerClock, "clock");
      return this;
    }

    /** Runs the refresh, retry and validation timers; by default a daemon thread per active term. */
    public Builder scheduler(Scheduler timerScheduler) {
      this.scheduler = requireNonNull(timerScheduler, "scheduler");
      return this;
    }

    /** Runs the syncs (at most {@link #workers} at once); by default a daemon pool per active term. */
    public Builder executor(Executor workerExecutor) {
      this.executor = requireNonNull(workerExecutor, "executor");
      return this;
    }

    public Builder backoff(BackoffPolicy policy) {
      this.backoff = requireNonNull(policy, "backoff");
      return this;
    }

    public Builder circuitBreaker(StoreCircuitBreaker.Policy policy) {
      this.breaker = requireNonNull(policy, "circuitBreaker");
      return this;
    }

    /** The largest random delay added to a periodic refresh, as a fraction of its interval; default 0.1. */
    public Builder refreshJitter(double fraction) {
      checkArgument(fraction >= 0 && fraction < 1, "refreshJitter must be in [0, 1): %s", fraction);
      this.refreshJitter = fraction;
      return this;
    }

    /**
     * The window in which an identical Event about one object is recorded once (default 5 minutes;
     * zero: no limit); a repeat after it increments the recorded Event's {@code count}.
     */
    public Builder eventInterval(Duration interval) {
      checkArgument(!interval.isNegative(), "eventInterval must not be negative: %s", interval);
      this.eventInterval = interval;
      return this;
    }

    /** How long {@link KubernetesController#close()} lets in-flight syncs finish; default 30 s. */
    public Builder shutdownGrace(Duration grace) {
      checkArgument(!grace.isNegative(), "shutdownGrace must not be negative: %s", grace);
      this.shutdownGrace = grace;
      return this;
    }

    /** Makes the data-hash annotation a keyed HMAC; see {@link SyncEngine.Builder#dataHashKey}. */
    public Builder dataHashKey(byte[] key) {
      this.dataHashKey = requireNonNull(key, "key").clone();
      return this;
    }

    /** The shortest server-side timeout of each watch request (default 5 minutes); tests shorten it. */
    Builder watchTimeout(Duration timeout) {
      checkArgument(timeout.getSeconds() >= 1, "watchTimeout must be at least 1 s: %s", timeout);
      this.watchTimeout = timeout;
      return this;
    }

    /** @throws IllegalArgumentException when no provider was added or the Lease timings are inconsistent */
    public KubernetesController build() {
      checkArgument(!providers.isEmpty(), "add at least one provider, e.g. provider(new VaultStoreProvider())");
      return new KubernetesController(this);
    }
  }
}
