package io.secretsync.kubernetes;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.secretsync.kubernetes.KubernetesClient.Lease;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on a {@code coordination.k8s.io/v1} Lease, the way client-go's
 * {@code leaderelection} does it, so that of several replicas of a controller exactly one works.
 *
 * <p>Each round ({@link Builder#retryPeriod}, jittered while not leading):
 * <ul>
 *   <li>a leader whose lease is still valid renews it by replacing the Lease it last wrote, at that
 *       resourceVersion, with {@code renewTime=now} (acquireTime and leaseTransitions kept);
 *   <li>otherwise the Lease is read: missing, it is created with this identity
 *       ({@code leaseTransitions=0}); held by another identity whose record this elector saw change
 *       less than {@code leaseDurationSeconds} ago (by this elector's own clock, never by comparing
 *       {@code renewTime} with it), it is left alone; else it is taken over at the resourceVersion
 *       read, {@code acquireTime=renewTime=now} and {@code leaseTransitions+1}. A conflict (409) means
 *       another replica was faster.
 * </ul>
 * A leader that has not renewed for {@link Builder#renewDeadline} stops leading (before another
 * replica may take over, since the deadline is shorter than the lease duration); it then competes
 * again like any other replica. {@link #close()} stops the elector and, with
 * {@link Builder#releaseOnClose} (the default), releases the Lease at once: holder {@code ""},
 * {@code leaseDurationSeconds=1}, so another replica takes over without waiting.
 *
 * <p>Callbacks ({@code onStartedLeading}, {@code onStoppedLeading}, {@code onNewLeader}) run in
 * order on a thread of their own, so a callback may block (run the controller) without delaying
 * renewals. Time comes from the builder's {@link Clock}. Thread-safe.
 */
public final class LeaderElector implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaderElector.class);
  private static final double JITTER = 1.2;

  private final KubernetesClient client;
  private final String namespace;
  private final String leaseName;
  private final String identity;
  private final Duration leaseDuration;
  private final Duration renewDeadline;
  private final Duration retryPeriod;
  private final Clock clock;
  private final boolean releaseOnClose;
  private final Runnable onStartedLeading;
  private final Runnable onStoppedLeading;
  private final Consumer<String> onNewLeader;
  private final Executor callbacks;
  private final ExecutorService ownedCallbackThread;
  private final Object wake = new Object();

  // guarded by this
  private Lease observed;
  private Instant observedTime;
  private boolean leading;
  private Instant lastRenew;
  private String reportedLeader = "";
  private volatile boolean closed;
  private Thread thread;

  private LeaderElector(Builder b) {
    this.client = b.client;
    this.namespace = b.namespace;
    this.leaseName = b.leaseName;
    this.identity = b.identity;
    this.leaseDuration = b.leaseDuration;
    this.renewDeadline = b.renewDeadline;
    this.retryPeriod = b.retryPeriod;
    this.clock = b.clock;
    this.releaseOnClose = b.releaseOnClose;
    this.onStartedLeading = b.onStartedLeading;
    this.onStoppedLeading = b.onStoppedLeading;
    this.onNewLeader = b.onNewLeader;
    if (b.callbacks != null) {
      this.callbacks = b.callbacks;
      this.ownedCallbackThread = null;
    } else {
      this.ownedCallbackThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "leader-election-callbacks-" + leaseName);
        t.setDaemon(true);
        return t;
      });
      this.callbacks = ownedCallbackThread;
    }
  }

  /**
   * An elector for the Lease {@code namespace/leaseName}, competing as {@code identity} (unique per
   * replica; client-go's convention is {@code <hostname>_<uuid>}).
   */
  public static Builder builder(KubernetesClient client, String namespace, String leaseName, String identity) {
    return new Builder(client, namespace, leaseName, identity);
  }

  /** Starts competing on a daemon thread. */
  public synchronized void start() {
    checkArgument(thread == null, "already started");
    checkArgument(!closed, "closed");
    thread = new Thread(this::run, "leader-election-" + leaseName);
    thread.setDaemon(true);
    thread.start();
  }

  /** Whether this elector holds the Lease now (as far as it knows). */
  public synchronized boolean isLeader() {
    return leading;
  }

  /** The holder of the Lease as last observed; empty when none. */
  public synchronized String leader() {
    return observed == null ? "" : observed.holderIdentity();
  }

  public String identity() {
    return identity;
  }

  private void run() {
    while (!closed) {
      boolean nowLeading;
      try {
        nowLeading = step();
      } catch (RuntimeException e) {
        log.warn("leader election on Lease {}/{} failed a round", namespace, leaseName, e);
        nowLeading = isLeader();
      }
      long millis = retryPeriod.toMillis();
      if (!nowLeading) {
        millis += (long) (ThreadLocalRandom.current().nextDouble() * JITTER * millis);
      }
      synchronized (wake) {
        if (!closed) {
          try {
            wake.wait(Math.max(1, millis));
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    }
  }

  /**
   * One round: try to acquire or renew, then update the leading state and fire the callbacks.
   * Returns whether this elector leads afterwards.
   */
  synchronized boolean step() {
    if (closed) {
      return false;
    }
    boolean renewed = tryAcquireOrRenew();
    Instant now = clock.instant();
    if (renewed) {
      lastRenew = now;
      if (!leading) {
        leading = true;
        log.info("{} became the leader on Lease {}/{}", identity, namespace, leaseName);
        callbacks.execute(onStartedLeading);
      }
    } else if (leading && !now.isBefore(lastRenew.plus(renewDeadline))) {
      leading = false;
      log.warn("{} could not renew Lease {}/{} for {}; it stops leading", identity, namespace, leaseName, renewDeadline);
      callbacks.execute(onStoppedLeading);
    }
    reportLeader();
    return leading;
  }

  /** client-go's {@code tryAcquireOrRenew}: true when this elector holds the Lease after the call. */
  synchronized boolean tryAcquireOrRenew() {
    Instant now = clock.instant();
    // client-go's fast path renews only a Lease last seen held by this identity: one seen taken by
    // another replica must not be overwritten at its resourceVersion.
    if (leading && observed != null && identity.equals(observed.holderIdentity()) && observedValidAt(now)) {
      Optional<Instant> acquired = observed.acquireTime();
      try {
        Lease renewed = client.replaceLease(observed.withSpec(identity, leaseDuration, acquired.orElse(now), now,
            observed.leaseTransitions()));
        observe(renewed, now);
        return true;
      } catch (KubernetesApiException e) {
        log.debug("{} could not renew Lease {}/{} directly ({}); reading it", identity, namespace, leaseName,
            e.getMessage());
      }
    }

    Optional<Lease> current;
    try {
      current = client.getLease(namespace, leaseName);
    } catch (KubernetesApiException e) {
      log.warn("{} cannot read Lease {}/{}: {}", identity, namespace, leaseName, e.getMessage());
      return false;
    }
    if (current.isEmpty()) {
      try {
        Lease created = client.createLease(Lease.of(namespace, leaseName).withSpec(identity, leaseDuration, now, now, 0));
        observe(created, now);
        return true;
      } catch (KubernetesApiException e) {
        log.debug("{} could not create Lease {}/{}: {}", identity, namespace, leaseName, e.getMessage());
        return false;
      }
    }
    Lease lease = current.get();
    if (observed == null || !observed.sameRecord(lease)) {
      observe(lease, now);
    } else {
      observed = lease;
    }
    String holder = lease.holderIdentity();
    if (!holder.isEmpty() && !holder.equals(identity) && observedValidAt(now)) {
      return false;
    }
    Instant acquire = now;
    int transitions = lease.leaseTransitions();
    if (holder.equals(identity)) {
      acquire = lease.acquireTime().orElse(now);
    } else {
      transitions++;
    }
    try {
      Lease taken = client.replaceLease(lease.withSpec(identity, leaseDuration, acquire, now, transitions));
      observe(taken, now);
      return true;
    } catch (KubernetesApiException e) {
      log.debug("{} could not take Lease {}/{}: {}", identity, namespace, leaseName, e.getMessage());
      return false;
    }
  }

  private boolean observedValidAt(Instant now) {
    Duration duration = observed.leaseDuration().orElse(leaseDuration);
    return observedTime.plus(duration).isAfter(now);
  }

  private void observe(Lease lease, Instant now) {
    observed = lease;
    observedTime = now;
  }

  private void reportLeader() {
    String holder = observed == null ? "" : observed.holderIdentity();
    if (!holder.isEmpty() && !holder.equals(reportedLeader)) {
      reportedLeader = holder;
      callbacks.execute(() -> onNewLeader.accept(holder));
    }
  }

  /**
   * Stops competing. A leader stops leading ({@code onStoppedLeading} runs) and, with
   * {@link Builder#releaseOnClose}, releases the Lease so another replica can take over at once.
   */
  @Override
  public void close() {
    Thread running;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      running = thread;
    }
    synchronized (wake) {
      wake.notifyAll();
    }
    if (running != null && running != Thread.currentThread()) {
      try {
        running.join(Math.max(1000, retryPeriod.toMillis() * 3));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      if (leading) {
        if (releaseOnClose) {
          release();
        }
        leading = false;
        callbacks.execute(onStoppedLeading);
      }
    }
    if (ownedCallbackThread != null) {
      ownedCallbackThread.shutdown();
    }
  }

  /** client-go's release: holder {@code ""}, duration 1 s, times now, transitions kept; a conflict reads again. */
  private void release() {
    Lease lease = observed;
    for (int attempt = 0; attempt < 3 && lease != null && lease.holderIdentity().equals(identity); attempt++) {
      Instant now = clock.instant();
      try {
        observed = client.replaceLease(lease.withSpec("", Duration.ofSeconds(1), now, now, lease.leaseTransitions()));
        log.info("{} released Lease {}/{}", identity, namespace, leaseName);
        return;
      } catch (KubernetesApiException e) {
        if (!e.isConflict()) {
          log.warn("{} could not release Lease {}/{}: {}", identity, namespace, leaseName, e.getMessage());
          return;
        }
        try {
          lease = client.getLease(namespace, leaseName).orElse(null);
        } catch (KubernetesApiException readFailed) {
          return;
        }
      }
    }
  }

  @Override
  public synchronized String toString() {
    return "LeaderElector{" + namespace + "/" + leaseName + ", identity=" + identity + ", leading=" + leading + "}";
  }

  /** Configures an elector. Defaults are client-go's: lease 15 s, renew deadline 10 s, retry 2 s. */
  public static final class Builder {
    private final KubernetesClient client;
    private final String namespace;
    private final String leaseName;
    private final String identity;
    private Duration leaseDuration = Duration.ofSeconds(15);
    private Duration renewDeadline = Duration.ofSeconds(10);
    private Duration retryPeriod = Duration.ofSeconds(2);
    private Clock clock = Clock.systemUTC();
    private boolean releaseOnClose = true;
    private Runnable onStartedLeading = () -> { };
    private Runnable onStoppedLeading = () -> { };
    private Consumer<String> onNewLeader = leader -> { };
    private Executor callbacks;

    private Builder(KubernetesClient client, String namespace, String leaseName, String identity) {
      this.client = requireNonNull(client, "client");
      checkArgument(!namespace.isEmpty(), "namespace is required");
      checkArgument(!leaseName.isEmpty(), "leaseName is required");
      checkArgument(!identity.isEmpty(), "identity is required");
      this.namespace = namespace;
      this.leaseName = leaseName;
      this.identity = identity;
    }

    /** How long a Lease is valid after its holder last renewed it (whole seconds, as the Lease stores it). */
    public Builder leaseDuration(Duration duration) {
      this.leaseDuration = requireNonNull(duration);
      return this;
    }

    /** How long a leader keeps trying to renew before it stops leading. */
    public Builder renewDeadline(Duration deadline) {
      this.renewDeadline = requireNonNull(deadline);
      return this;
    }

    /** How long to wait between rounds. */
    public Builder retryPeriod(Duration period) {
      this.retryPeriod = requireNonNull(period);
      return this;
    }

    public Builder clock(Clock electionClock) {
      this.clock = requireNonNull(electionClock);
      return this;
    }

    /** Whether {@link #close()} releases a held Lease (default true). */
    public Builder releaseOnClose(boolean release) {
      this.releaseOnClose = release;
      return this;
    }

    /** Runs when this elector becomes the leader. */
    public Builder onStartedLeading(Runnable callback) {
      this.onStartedLeading = requireNonNull(callback);
      return this;
    }

    /** Runs when this elector stops leading (lost the Lease, or closed). */
    public Builder onStoppedLeading(Runnable callback) {
      this.onStoppedLeading = requireNonNull(callback);
      return this;
    }

    /** Runs with the holder's identity whenever the observed holder changes (this elector included). */
    public Builder onNewLeader(Consumer<String> callback) {
      this.onNewLeader = requireNonNull(callback);
      return this;
    }

    /** Runs callbacks on {@code executor} instead of the elector's own callback thread. */
    Builder callbackExecutor(Executor executor) {
      this.callbacks = requireNonNull(executor);
      return this;
    }

    /**
     * @throws IllegalArgumentException unless leaseDuration > renewDeadline > 1.2 x retryPeriod > 0
     *     (client-go's constraint) and the lease duration is whole seconds
     */
    public LeaderElector build() {
      checkArgument(!retryPeriod.isNegative() && !retryPeriod.isZero(), "retryPeriod must be > 0");
      checkArgument(renewDeadline.toMillis() > JITTER * retryPeriod.toMillis(),
          "renewDeadline (%s) must be greater than 1.2 x retryPeriod (%s)", renewDeadline, retryPeriod);
      checkArgument(leaseDuration.compareTo(renewDeadline) > 0, "leaseDuration (%s) must be greater than "
          + "renewDeadline (%s)", leaseDuration, renewDeadline);
      checkArgument(leaseDuration.getNano() == 0, "leaseDuration must be whole seconds, got %s", leaseDuration);
      return new LeaderElector(this);
    }
  }
}
