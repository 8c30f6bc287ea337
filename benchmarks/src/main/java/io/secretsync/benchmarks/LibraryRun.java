package io.secretsync.benchmarks;

import io.secretsync.core.StoreContext;
import io.secretsync.core.StoreRegistry;
import io.secretsync.core.SyncEngine;
import io.secretsync.core.SyncResult;
import io.secretsync.core.controller.SyncController;
import io.secretsync.core.controller.SyncListener;
import io.secretsync.core.manifest.Manifests;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.kubernetes.KubernetesClient;
import io.secretsync.kubernetes.KubernetesConfig;
import io.secretsync.kubernetes.KubernetesPlatformAccess;
import io.secretsync.kubernetes.KubernetesSecretWriter;
import io.secretsync.kubernetes.ManagedSecretCache;
import io.secretsync.vault.VaultStoreProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The library as a user runs it: a {@link SyncController} with {@code workers} threads over a
 * {@link SyncEngine} whose stores come from {@link VaultStoreProvider} (Kubernetes auth, TokenRequest
 * through {@link KubernetesPlatformAccess}) and whose writer is {@link KubernetesSecretWriter}
 * reading through a {@link ManagedSecretCache} (a watch of the managed Secrets, listed before the
 * first pass).
 * The client-side rate limit of the Kubernetes client is raised out of the way (the default 50
 * requests per second would measure the limiter, not the library).
 */
final class LibraryRun implements AutoCloseable {
  private final Scenario scenario;
  private final List<ExternalSecret> externalSecrets;
  private final List<SecretStoreResource> stores;
  private final KubernetesClient client;
  private final ManagedSecretCache cache;
  private final SyncController controller;
  private final Meters.TrackedPool pool;
  private volatile Meters.Latencies latencies = new Meters.Latencies();
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger finished = new AtomicInteger();
  private volatile String firstFailure;

  LibraryRun(Scenario scenario, Manifests manifests, int workers) {
    this.scenario = scenario;
    this.externalSecrets = manifests.externalSecrets();
    this.stores = manifests.stores();
    this.client = kubernetesClient(scenario);
    KubernetesPlatformAccess platform = KubernetesPlatformAccess.create(client);
    StoreRegistry registry = StoreRegistry.builder()
        .provider(new VaultStoreProvider())
        .context(new StoreContext(platform, Clock.systemUTC()))
        .namespaceLabels(platform)
        .build();
    this.cache = ManagedSecretCache.watch(client, "");
    try {
      if (!cache.awaitSynced(Duration.ofMinutes(1))) {
        throw new IllegalStateException("the watch of managed Secrets did not list within a minute");
      }
      Thread.sleep(100); // the fake logs the list just after answering it: keep it out of the first pass
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the watch of managed Secrets listed", e);
    }
    SyncEngine engine = SyncEngine.builder().stores(registry)
        .writer(KubernetesSecretWriter.builder(client).cache(cache).build()).build();
    this.pool = new Meters.TrackedPool("library-worker", workers);
    this.controller = SyncController.builder()
        .engine(engine)
        .executor(pool.executor)
        .workers(workers)
        .storeValidationInterval(Duration.ofHours(1))
        .listener(new SyncListener() {
          @Override
          public void syncFinished(ExternalSecret es, SyncResult result, Duration duration) {
            latencies.add(duration.toNanos());
            if (result.failed()) {
              failures.incrementAndGet();
              if (firstFailure == null) {
                firstFailure = es + ": " + result.message();
              }
            }
            finished.incrementAndGet();
          }
        })
        .build();
  }

  static KubernetesClient kubernetesClient(Scenario scenario) {
    return KubernetesClient.create(KubernetesConfig.builder(scenario.kube.baseUrl())
        .caCertificatesPem(scenario.kube.caCertificatePem())
        .bearerToken(scenario.kube.adminToken())
        .qps(1_000_000)
        .burst(1_000_000)
        .build());
  }

  /** First pass: every store and ExternalSecret applied, the controller started, until idle. */
  PassResult first() throws InterruptedException {
    return measure("first", () -> {
      stores.forEach(controller::applyStore);
      externalSecrets.forEach(controller::applyExternalSecret);
      controller.start();
    });
  }

  /** A later pass: every ExternalSecret asked to sync once more, until idle. */
  PassResult again(String pass) throws InterruptedException {
    return measure(pass, () -> externalSecrets.forEach(es ->
        controller.requestSync(es.metadata().namespace(), es.metadata().name())));
  }

  /** Closes the controller (which revokes the stores' tokens); returns the requests that cost. */
  RequestCounts closeAndCount() {
    RequestCounts.Snapshot before = RequestCounts.Snapshot.of(scenario);
    controller.close();
    cache.close();
    client.close();
    pool.shutdown();
    sleepQuietly(200); // the fakes log a body-less answer just after sending it
    return RequestCounts.between(before, RequestCounts.Snapshot.of(scenario));
  }

  private PassResult measure(String pass, Runnable trigger) throws InterruptedException {
    latencies = new Meters.Latencies();
    failures.set(0);
    finished.set(0);
    RequestCounts.Snapshot before = RequestCounts.Snapshot.of(scenario);
    long cpu0 = pool.cpuNanos();
    long process0 = Meters.processCpuNanos();
    long t0 = System.nanoTime();
    trigger.run();
    long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
    while (finished.get() < externalSecrets.size() || !controller.awaitIdle(Duration.ofMillis(50))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the library did not finish the " + pass + " pass within 30 minutes");
      }
      if (finished.get() < externalSecrets.size()) {
        Thread.sleep(2);
      }
    }
    long wall = System.nanoTime() - t0;
    long process = Meters.processCpuNanos() - process0;
    long cpu = pool.cpuNanos() - cpu0;
    sleepQuietly(100);
    RequestCounts counts = RequestCounts.between(before, RequestCounts.Snapshot.of(scenario));
    return new PassResult("library", pass, finished.get(), wall, latencies.quantileMicros(0.5),
        latencies.quantileMicros(0.99), counts, cpu, process, failures.get());
  }

  String firstFailure() {
    return firstFailure;
  }

  @Override
  public void close() {
    controller.close();
    cache.close();
    client.close();
    pool.shutdown();
  }

  static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
