package io.secretsync.benchmarks;

import io.github.jopenlibs.vault.SslConfig;
import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import io.github.jopenlibs.vault.response.LogicalResponse;
import io.secretsync.core.SecretStore;
import io.secretsync.core.StoreContext;
import io.secretsync.core.model.MetadataPolicy;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.kubernetes.KubernetesClient;
import io.secretsync.kubernetes.KubernetesPlatformAccess;
import io.secretsync.vault.VaultStoreProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.vault.authentication.KubernetesAuthentication;
import org.springframework.vault.authentication.KubernetesAuthenticationOptions;
import org.springframework.vault.authentication.LifecycleAwareSessionManager;
import org.springframework.vault.client.ClientHttpRequestFactoryFactory;
import org.springframework.vault.client.VaultClients;
import org.springframework.vault.client.VaultEndpoint;
import org.springframework.vault.core.VaultTemplate;
import org.springframework.vault.core.VaultVersionedKeyValueOperations;
import org.springframework.vault.support.ClientOptions;
import org.springframework.vault.support.SslConfiguration;
import org.springframework.vault.support.Versioned;
import org.springframework.web.client.RestTemplate;

/**
 * Read throughput side by side: every distinct key read once by this library's Vault store, by
 * Spring Vault ({@link VaultTemplate}, {@link KubernetesAuthentication},
 * {@link LifecycleAwareSessionManager}) and by vault-java-driver (Kubernetes login, then
 * {@code logical().read}), each with the same number of threads against the same FakeVault, each
 * logging in with Kubernetes auth as the {@code external-secrets} service account. Logins are part
 * of the measured run, as in a real start. A warm-up over a tenth of the keys (at most 500) precedes each
 * measured run, so that no contender pays for the JIT alone.
 */
final class PeerReads {

  /** One contender's run. */
  record Result(String contender, int keys, long wallNanos, double p50Micros, double p99Micros,
      RequestCounts requests, int failures) {
    double readsPerSecond() {
      return wallNanos == 0 ? 0 : keys * 1e9 / wallNanos;
    }
  }

  private interface Reader extends AutoCloseable {
    /** Reads {@code key}; returns its number of properties. */
    int read(String key) throws Exception;

    @Override
    default void close() {}
  }

  private interface ReaderFactory {
    Reader open() throws Exception;
  }

  private final Scenario scenario;
  private final int workers;

  PeerReads(Scenario scenario, int workers) {
    this.scenario = scenario;
    this.workers = workers;
  }

  List<Result> run() throws Exception {
    List<String> keys = scenario.distinctKeys();
    List<String> warmup = keys.subList(0, Math.max(1, Math.min(500, keys.size() / 10)));
    List<Result> results = new ArrayList<>();
    results.add(measure("secrets-sync", keys, warmup, this::library));
    results.add(measure("spring-vault", keys, warmup, this::springVault));
    results.add(measure("vault-java-driver", keys, warmup, () -> vaultJavaDriver(false)));
    results.add(measure("vault-java-driver+shared-client", keys, warmup, () -> vaultJavaDriver(true)));
    return results;
  }

  private Result measure(String name, List<String> keys, List<String> warmup, ReaderFactory factory)
      throws Exception {
    try (Reader reader = factory.open()) {
      readAll(reader, warmup, new Meters.Latencies(), new AtomicInteger());
    }
    Meters.Latencies latencies = new Meters.Latencies();
    AtomicInteger failures = new AtomicInteger();
    RequestCounts.Snapshot before = RequestCounts.Snapshot.of(scenario);
    long t0 = System.nanoTime();
    try (Reader reader = factory.open()) {
      readAll(reader, keys, latencies, failures);
    }
    long wall = System.nanoTime() - t0;
    LibraryRun.sleepQuietly(100);
    return new Result(name, keys.size(), wall, latencies.quantileMicros(0.5), latencies.quantileMicros(0.99),
        RequestCounts.between(before, RequestCounts.Snapshot.of(scenario)), failures.get());
  }

  private void readAll(Reader reader, List<String> keys, Meters.Latencies latencies, AtomicInteger failures)
      throws Exception {
    Meters.TrackedPool pool = new Meters.TrackedPool("peer-reader", workers);
    try {
      List<Future<?>> futures = new ArrayList<>(keys.size());
      for (String key : keys) {
        futures.add(pool.executor.submit(() -> {
          long start = System.nanoTime();
          try {
            if (reader.read(key) == 0) {
              failures.incrementAndGet();
            }
          } catch (Exception e) {
            failures.incrementAndGet();
          }
          latencies.add(System.nanoTime() - start);
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  private Reader library() {
    KubernetesClient client = LibraryRun.kubernetesClient(scenario);
    SecretStore store = new VaultStoreProvider().newStore(scenario.peerStore(),
        new StoreContext(KubernetesPlatformAccess.create(client), Clock.systemUTC()));
    return new Reader() {
      @Override
      public int read(String key) {
        return store.read(new RemoteRef.Location(key, Optional.empty(), MetadataPolicy.NONE)).keys().size();
      }

      @Override
      public void close() {
        try {
          store.close();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        client.close();
      }
    };
  }

  private Reader springVault() {
    ClientHttpRequestFactory factory = ClientHttpRequestFactoryFactory.create(new ClientOptions(),
        SslConfiguration.forTrustStore(SslConfiguration.KeyStoreConfiguration.of(
            new ByteArrayResource(scenario.vault.caCertificatePem().getBytes(StandardCharsets.US_ASCII)), null, "PEM")));
    VaultEndpoint endpoint = VaultEndpoint.from(URI.create(scenario.vault.address()));
    RestTemplate rest = VaultClients.createRestTemplate(endpoint, factory);
    KubernetesClient client = LibraryRun.kubernetesClient(scenario);
    KubernetesPlatformAccess platform = KubernetesPlatformAccess.create(client);
    KubernetesAuthentication auth = new KubernetesAuthentication(KubernetesAuthenticationOptions.builder()
        .role(Scenario.PEER_ROLE)
        .jwtSupplier(() -> platform.serviceAccountToken(Scenario.SA_NAMESPACE, Scenario.SA_NAME,
            List.of(Scenario.AUDIENCE), java.time.Duration.ofMinutes(10)))
        .build(), rest);
    ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
    scheduler.setDaemon(true);
    scheduler.initialize();
    LifecycleAwareSessionManager sessions = new LifecycleAwareSessionManager(auth, scheduler, rest);
    VaultTemplate template = new VaultTemplate(endpoint, factory, sessions);
    VaultVersionedKeyValueOperations kv = template.opsForVersionedKeyValue(Scenario.MOUNT);
    return new Reader() {
      @Override
      public int read(String key) {
        Versioned<Map<String, Object>> value = kv.get(key);
        return value == null || value.getData() == null ? 0 : value.getData().size();
      }

      @Override
      public void close() {
        try {
          sessions.destroy(); // revokes the token
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        scheduler.shutdown();
        client.close();
      }
    };
  }

  private Reader vaultJavaDriver(boolean sharedClient) throws Exception {
    KubernetesClient client = LibraryRun.kubernetesClient(scenario);
    String jwt = KubernetesPlatformAccess.create(client).serviceAccountToken(Scenario.SA_NAMESPACE, Scenario.SA_NAME,
        List.of(Scenario.AUDIENCE), java.time.Duration.ofMinutes(10));
    client.close();
    VaultConfig config = new VaultConfig().address(scenario.vault.address()).engineVersion(2);
    if (sharedClient) {
      config.httpClient(HttpClient.newBuilder().sslContext(scenario.vault.clientSslContext()).build());
    } else {
      config.sslConfig(new SslConfig().pemUTF8(scenario.vault.caCertificatePem()).build());
    }
    Vault vault = Vault.create(config.build());
    String token = vault.auth().loginByKubernetes(Scenario.PEER_ROLE, jwt).getAuthClientToken();
    config.token(token);
    Vault reading = Vault.create(config.build());
    return key -> {
      LogicalResponse response = reading.logical().read(Scenario.MOUNT + "/" + key);
      if (response.getRestResponse().getStatus() != 200) {
        return 0;
      }
      return response.getData().size();
    };
  }
}
