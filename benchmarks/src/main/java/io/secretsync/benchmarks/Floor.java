package io.secretsync.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.X509TrustManager;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The floor: the same distinct Vault reads and the same Kubernetes writes, issued with bare OkHttp
 * and nothing else. It holds a token made out of band (no login, no renewal, no revocation), keeps
 * in memory what it last wrote (so it never reads a Secret back) and writes a Secret only when its
 * data changed: create on the first pass, a replace at the remembered resourceVersion after. Its
 * Secrets carry the same data, label and data-hash annotation as the library's, in namespaces
 * {@code floor-team-<s>}. This is what no client can beat with these servers; it is not a usable
 * syncer (no policies, no conflicts, no validation, no status).
 */
final class Floor implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType JSON_TYPE = MediaType.get("application/json");

  private final Scenario scenario;
  private final OkHttpClient http;
  private final String token;
  private final Meters.TrackedPool pool;
  private final Map<Integer, Written> written = new ConcurrentHashMap<>();
  private final boolean readBack;
  private final String name;

  private record Written(String dataHash, String resourceVersion) {}

  /**
   * The floor, or with {@code readBack} the floor plus one {@code GET} of the Secret before each
   * decision (what a writer without a cache of the Secrets must send), in namespaces
   * {@code floorget-team-<s>}.
   */
  Floor(Scenario scenario, int workers, boolean readBack) {
    this.scenario = scenario;
    this.readBack = readBack;
    this.name = readBack ? "floor+get" : "floor";
    X509TrustManager trust = scenario.vault.trustManager();
    this.http = new OkHttpClient.Builder()
        .sslSocketFactory(scenario.vault.clientSslContext().getSocketFactory(), trust)
        .connectTimeout(Duration.ofSeconds(10))
        .readTimeout(Duration.ofSeconds(30))
        .build();
    List<String> policies = new ArrayList<>();
    for (int j = 0; j < scenario.s; j++) {
      policies.add(Scenario.team(j));
    }
    this.token = scenario.vault.createToken(policies, Duration.ofHours(2));
    this.pool = new Meters.TrackedPool("floor-worker", workers);
  }

  PassResult pass(String pass) throws Exception {
    Meters.Latencies latencies = new Meters.Latencies();
    AtomicInteger failures = new AtomicInteger();
    RequestCounts.Snapshot before = RequestCounts.Snapshot.of(scenario);
    long cpu0 = pool.cpuNanos();
    long process0 = Meters.processCpuNanos();
    long t0 = System.nanoTime();
    List<Future<?>> futures = new ArrayList<>(scenario.n);
    for (int i = 0; i < scenario.n; i++) {
      int es = i;
      futures.add(pool.executor.submit(() -> {
        long start = System.nanoTime();
        try {
          sync(es);
        } catch (RuntimeException e) {
          failures.incrementAndGet();
        }
        latencies.add(System.nanoTime() - start);
      }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    long wall = System.nanoTime() - t0;
    long process = Meters.processCpuNanos() - process0;
    long cpu = pool.cpuNanos() - cpu0;
    LibraryRun.sleepQuietly(100);
    RequestCounts counts = RequestCounts.between(before, RequestCounts.Snapshot.of(scenario));
    return new PassResult(name, pass, scenario.n, wall, latencies.quantileMicros(0.5),
        latencies.quantileMicros(0.99), counts, cpu, process, failures.get());
  }

  private void sync(int es) {
    JsonNode config = read(scenario.configKey(es));
    JsonNode extra = read(scenario.extraKey(es));
    Map<String, byte[]> data = new TreeMap<>();
    extra.properties().forEach(e -> data.put(e.getKey(), (e.getValue().isTextual() ? e.getValue().asText()
        : e.getValue().toString()).getBytes(StandardCharsets.UTF_8)));
    data.put("username", config.path("username").asText().getBytes(StandardCharsets.UTF_8));
    data.put("password", config.path("password").asText().getBytes(StandardCharsets.UTF_8));
    String hash = hash(data);
    String namespace = (readBack ? "floorget-" : "floor-") + scenario.namespaceOf(es);
    if (readBack) {
      getSecret(namespace, Scenario.name(es));
    }
    Written last = written.get(es);
    if (last != null && last.dataHash().equals(hash)) {
      return;
    }
    ObjectNode secret = JSON.createObjectNode();
    secret.put("apiVersion", "v1").put("kind", "Secret").put("type", "Opaque");
    ObjectNode metadata = secret.putObject("metadata");
    metadata.put("name", Scenario.name(es)).put("namespace", namespace);
    metadata.putObject("labels").put("reconcile.external-secrets.io/managed", "true");
    metadata.putObject("annotations").put("reconcile.external-secrets.io/data-hash", hash);
    ObjectNode encoded = secret.putObject("data");
    data.forEach((k, v) -> encoded.put(k, Base64.getEncoder().encodeToString(v)));
    String url = scenario.kube.baseUrl() + "/api/v1/namespaces/" + namespace + "/secrets";
    Request.Builder request = new Request.Builder().header("Authorization", "Bearer " + scenario.kube.adminToken());
    if (last == null) {
      request.url(url).post(RequestBody.create(secret.toString(), JSON_TYPE));
    } else {
      metadata.put("resourceVersion", last.resourceVersion());
      request.url(url + "/" + Scenario.name(es)).put(RequestBody.create(secret.toString(), JSON_TYPE));
    }
    JsonNode answer = call(request.build());
    written.put(es, new Written(hash, answer.path("metadata").path("resourceVersion").asText()));
  }

  /** GETs the Secret and throws its body away (a 404 is an answer too). */
  private void getSecret(String namespace, String secretName) {
    Request request = new Request.Builder()
        .url(scenario.kube.baseUrl() + "/api/v1/namespaces/" + namespace + "/secrets/" + secretName)
        .header("Authorization", "Bearer " + scenario.kube.adminToken())
        .build();
    try (Response response = http.newCall(request).execute()) {
      if (!response.isSuccessful() && response.code() != 404) {
        throw new IllegalStateException("GET " + request.url().encodedPath() + ": HTTP " + response.code());
      }
      response.body().bytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private JsonNode read(String key) {
    return call(new Request.Builder()
        .url(scenario.vault.address() + "/v1/" + Scenario.MOUNT + "/data/" + key)
        .header("X-Vault-Token", token)
        .build()).path("data").path("data");
  }

  private JsonNode call(Request request) {
    try (Response response = http.newCall(request).execute()) {
      if (!response.isSuccessful()) {
        throw new IllegalStateException(request.method() + " " + request.url().encodedPath() + ": HTTP "
            + response.code());
      }
      return JSON.readTree(response.body().byteStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String hash(Map<String, byte[]> data) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA3-224");
      data.forEach((k, v) -> {
        digest.update(k.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(v);
        digest.update((byte) 0);
      });
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    pool.shutdown();
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
