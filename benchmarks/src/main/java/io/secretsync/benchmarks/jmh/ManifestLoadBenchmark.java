package io.secretsync.benchmarks.jmh;

import io.secretsync.core.manifest.ManifestLoader;
import io.secretsync.core.manifest.Manifests;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Loading ESO manifests (parse, validate, build the model): one ClusterSecretStore and 100
 * ExternalSecrets shaped as the load scenario's, per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ManifestLoadBenchmark {
  static final int EXTERNAL_SECRETS = 100;
  private final String yaml = manifests(EXTERNAL_SECRETS);

  static String manifests(int count) {
    StringBuilder b = new StringBuilder("""
        apiVersion: external-secrets.io/v1
        kind: ClusterSecretStore
        metadata:
          name: vault-team-0
        spec:
          provider:
            vault:
              server: "https://vault.example.internal:8200"
              path: "secret"
              version: "v2"
              auth:
                kubernetes:
                  mountPath: kubernetes
                  role: vault-team-0
                  serviceAccountRef:
                    name: external-secrets
                    namespace: external-secrets
        """);
    for (int i = 0; i < count; i++) {
      b.append("---\n").append("""
          apiVersion: external-secrets.io/v1
          kind: ExternalSecret
          metadata:
            name: app-%1$d
            namespace: team-0
          spec:
            refreshInterval: 1h
            secretStoreRef:
              name: vault-team-0
              kind: ClusterSecretStore
            target:
              name: app-%1$d
            data:
              - secretKey: username
                remoteRef:
                  key: team-0/app-%1$d/config
                  property: username
              - secretKey: password
                remoteRef:
                  key: team-0/app-%1$d/config
                  property: password
            dataFrom:
              - extract:
                  key: team-0/app-%1$d/extra
          """.formatted(i));
    }
    return b.toString();
  }

  @Benchmark
  public Manifests load100ExternalSecrets() {
    return new ManifestLoader().loadString(yaml, "bench.yaml");
  }
}
