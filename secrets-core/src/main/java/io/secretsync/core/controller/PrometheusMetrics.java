package io.secretsync.core.controller;

import static com.google.common.base.Preconditions.checkArgument;

import io.secretsync.core.SyncResult;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import io.secretsync.core.model.StoreRef;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A {@link SyncListener} that keeps ESO's metrics and renders them in the Prometheus text
 * exposition format (version 0.0.4), without any metrics library:
 *
 * <ul>
 *   <li>{@code externalsecret_sync_calls_total}, {@code externalsecret_sync_calls_error}
 *       (counters; labels {@code name}, {@code namespace});
 *   <li>{@code externalsecret_status_condition} (gauge; {@code condition="Ready"}, {@code status}
 *       True or False, the opposite status set to 0);
 *   <li>{@code externalsecret_reconcile_duration} (a histogram in seconds; ESO's is a gauge of
 *       nanoseconds, which cannot be aggregated);
 *   <li>{@code externalsecret_provider_api_calls_count} (counter; {@code provider}, {@code call},
 *       {@code status} success or error);
 *   <li>{@code secretstore_status_condition}, {@code clustersecretstore_status_condition} and the
 *       matching {@code *_reconcile_duration} histograms for store validations;
 *   <li>{@code secretsync_store_circuit_open} (gauge, 1 while a store's circuit is open or half-open).
 * </ul>
 *
 * The series of an ExternalSecret or store are dropped when it is removed. Thread-safe; serve
 * {@link #scrape()} with {@link MetricsServer} or any HTTP server.
 */
public final class PrometheusMetrics implements SyncListener {

  /** The Content-Type of {@link #scrape()}'s output. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** Histogram bucket upper bounds in seconds, unless others are given. */
  public static final List<Double> DEFAULT_BUCKETS =
      List.of(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0);

  private final double[] buckets;

  private final Family syncCalls = new Family("externalsecret_sync_calls_total", "counter",
      "Total number of the External Secret sync calls", "name", "namespace");
  private final Family syncErrors = new Family("externalsecret_sync_calls_error", "counter",
      "Total number of the External Secret sync errors", "name", "namespace");
  private final Family esCondition = new Family("externalsecret_status_condition", "gauge",
      "The status condition of a specific External Secret", "name", "namespace", "condition", "status");
  private final Family esDuration;
  private final Family providerCalls = new Family("externalsecret_provider_api_calls_count", "counter",
      "Number of API calls made to an upstream secret provider API", "provider", "call", "status");
  private final Family storeCondition = new Family("secretstore_status_condition", "gauge",
      "The status condition of a specific Secret Store", "name", "namespace", "condition", "status");
  private final Family clusterStoreCondition = new Family("clustersecretstore_status_condition", "gauge",
      "The status condition of a specific Cluster Secret Store", "name", "condition", "status");
  private final Family storeDuration;
  private final Family clusterStoreDuration;
  private final Family circuitOpen = new Family("secretsync_store_circuit_open", "gauge",
      "1 while the circuit breaker of a store is open or half-open, else 0", "kind", "namespace", "name");

  private PrometheusMetrics(double[] buckets) {
    this.buckets = buckets;
    this.esDuration = new Family("externalsecret_reconcile_duration", "histogram",
        "The duration of External Secret syncs, in seconds", "name", "namespace");
    this.storeDuration = new Family("secretstore_reconcile_duration", "histogram",
        "The duration of Secret Store validations, in seconds", "name", "namespace");
    this.clusterStoreDuration = new Family("clustersecretstore_reconcile_duration", "histogram",
        "The duration of Cluster Secret Store validations, in seconds", "name");
  }

  /** Metrics with {@link #DEFAULT_BUCKETS}. */
  public static PrometheusMetrics create() {
    return withBuckets(DEFAULT_BUCKETS.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** Metrics whose histograms use {@code upperBounds} (seconds, strictly increasing; +Inf is implied). */
  public static PrometheusMetrics withBuckets(double... upperBounds) {
    checkArgument(upperBounds.length > 0, "at least one bucket is needed");
    for (int i = 0; i < upperBounds.length; i++) {
      checkArgument(Double.isFinite(upperBounds[i]), "bucket bounds must be finite");
      checkArgument(i == 0 || upperBounds[i] > upperBounds[i - 1], "bucket bounds must increase");
    }
    return new PrometheusMetrics(upperBounds.clone());
  }

  @Override
  public void syncFinished(ExternalSecret es, SyncResult result, Duration duration) {
    String name = es.metadata().name();
    String namespace = es.metadata().namespace();
    syncCalls.add(1, name, namespace);
    syncErrors.add(result.failed() ? 1 : 0, name, namespace);
    esDuration.observe(buckets, seconds(duration), name, namespace);
  }

  @Override
  public void externalSecretStatusChanged(ExternalSecret es, ExternalSecretStatus status) {
    status.ready().ifPresent(ready -> {
      String name = es.metadata().name();
      String namespace = es.metadata().namespace();
      boolean isTrue = ready.isTrue();
      esCondition.set(isTrue ? 1 : 0, name, namespace, ready.type(), "True");
      esCondition.set(isTrue ? 0 : 1, name, namespace, ready.type(), "False");
    });
  }

  @Override
  public void externalSecretRemoved(ExternalSecret es) {
    String name = es.metadata().name();
    String namespace = es.metadata().namespace();
    Predicate<List<String>> match = labels -> labels.get(0).equals(name) && labels.get(1).equals(namespace);
    syncCalls.removeIf(match);
    syncErrors.removeIf(match);
    esCondition.removeIf(match);
    esDuration.removeIf(match);
  }

  @Override
  public void storeValidated(SecretStoreResource store, StoreStatus status, Duration duration) {
    String name = store.metadata().name();
    boolean isTrue = status.isReady();
    String type = status.ready().type();
    if (store.kind() == StoreKind.CLUSTER_SECRET_STORE) {
      clusterStoreCondition.set(isTrue ? 1 : 0, name, type, "True");
      clusterStoreCondition.set(isTrue ? 0 : 1, name, type, "False");
      clusterStoreDuration.observe(buckets, seconds(duration), name);
    } else {
      String namespace = store.metadata().namespace();
      storeCondition.set(isTrue ? 1 : 0, name, namespace, type, "True");
      storeCondition.set(isTrue ? 0 : 1, name, namespace, type, "False");
      storeDuration.observe(buckets, seconds(duration), name, namespace);
    }
  }

  @Override
  public void storeRemoved(SecretStoreResource store) {
    String name = store.metadata().name();
    if (store.kind() == StoreKind.CLUSTER_SECRET_STORE) {
      clusterStoreCondition.removeIf(labels -> labels.get(0).equals(name));
      clusterStoreDuration.removeIf(labels -> labels.get(0).equals(name));
    } else {
      String namespace = store.metadata().namespace();
      Predicate<List<String>> match = labels -> labels.get(0).equals(name) && labels.get(1).equals(namespace);
      storeCondition.removeIf(match);
      storeDuration.removeIf(match);
    }
    circuitOpen.removeIf(labels -> labels.get(0).equals(store.kind().wireName())
        && labels.get(1).equals(store.metadata().namespace()) && labels.get(2).equals(name));
  }

  @Override
  public void circuitStateChanged(StoreRef ref, String namespace, StoreCircuitBreaker.State state) {
    circuitOpen.set(state == StoreCircuitBreaker.State.CLOSED ? 0 : 1, ref.kind().wireName(), namespace, ref.name());
  }

  @Override
  public void providerApiCall(String provider, String call, boolean success) {
    providerCalls.add(1, provider, call, success ? "success" : "error");
  }

  /** Every metric in the text exposition format, families and series in a stable order. */
  public String scrape() {
    StringBuilder out = new StringBuilder();
    for (Family family : List.of(syncCalls, syncErrors, esCondition, esDuration, providerCalls, storeCondition,
        clusterStoreCondition, storeDuration, clusterStoreDuration, circuitOpen)) {
      family.render(out, buckets);
    }
    return out.toString();
  }

  private static double seconds(Duration duration) {
    return duration.toNanos() / 1e9;
  }

  /** One metric family: its series by label values. */
  private static final class Family {
    final String name;
    final String type;
    final String help;
    final String[] labelNames;
    private final Map<List<String>, double[]> series = new TreeMap<>(Family::compare);

    Family(String name, String type, String help, String... labelNames) {
      this.name = name;
      this.type = type;
      this.help = help;
      this.labelNames = labelNames;
    }

    synchronized void add(double amount, String... labels) {
      series.computeIfAbsent(List.of(labels), k -> new double[1])[0] += amount;
    }

    synchronized void set(double value, String... labels) {
      series.computeIfAbsent(List.of(labels), k -> new double[1])[0] = value;
    }

    /** Histogram series hold the bucket counts, then the sum, then the count. */
    synchronized void observe(double[] bounds, double value, String... labels) {
      double[] h = series.computeIfAbsent(List.of(labels), k -> new double[bounds.length + 2]);
      for (int i = 0; i < bounds.length; i++) {
        if (value <= bounds[i]) {
          h[i]++;
        }
      }
      h[bounds.length] += value;
      h[bounds.length + 1]++;
    }

    synchronized void removeIf(Predicate<List<String>> match) {
      series.keySet().removeIf(match);
    }

    synchronized void render(StringBuilder out, double[] bounds) {
      if (series.isEmpty()) {
        return;
      }
      out.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
      out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
      series.forEach((labels, values) -> {
        if (!type.equals("histogram")) {
          sample(out, name, labels, null, values[0]);
          return;
        }
        for (int i = 0; i < bounds.length; i++) {
          sample(out, name + "_bucket", labels, BigDecimal.valueOf(bounds[i]).stripTrailingZeros().toPlainString(),
              values[i]);
        }
        sample(out, name + "_bucket", labels, "+Inf", values[bounds.length + 1]);
        sample(out, name + "_sum", labels, null, values[bounds.length]);
        sample(out, name + "_count", labels, null, values[bounds.length + 1]);
      });
    }

    private void sample(StringBuilder out, String sampleName, List<String> labels, String le, double value) {
      out.append(sampleName).append('{');
      for (int i = 0; i < labelNames.length; i++) {
        if (i > 0) {
          out.append(',');
        }
        out.append(labelNames[i]).append("=\"").append(escapeLabel(labels.get(i))).append('"');
      }
      if (le != null) {
        out.append(",le=\"").append(le).append('"');
      }
      out.append("} ").append(number(value)).append('\n');
    }

    private static int compare(List<String> a, List<String> b) {
      for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
        int c = a.get(i).compareTo(b.get(i));
        if (c != 0) {
          return c;
        }
      }
      return Integer.compare(a.size(), b.size());
    }

    @Override
    public String toString() {
      return name + Arrays.toString(labelNames);
    }
  }

  static String number(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }

  private static String escapeLabel(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private static String escapeHelp(String value) {
    return value.replace("\\", "\\\\").replace("\n", "\\n");
  }
}
