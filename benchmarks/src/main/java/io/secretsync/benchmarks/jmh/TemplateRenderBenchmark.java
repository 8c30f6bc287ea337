package io.secretsync.benchmarks.jmh;

import io.secretsync.core.SecretData;
import io.secretsync.core.TemplateRenderer;
import io.secretsync.core.manifest.ManifestLoader;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.TargetTemplate;
import io.secretsync.core.template.SecretTemplating;
import java.util.Map;
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
 * {@code target.template} rendering (engine v2): a connection URL and a dotenv file built from five
 * values with pipelines ({@code trim}, {@code upper}, {@code b64enc}, {@code quote}) and a {@code range}, as ESO users write them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TemplateRenderBenchmark {
  private final SecretTemplating templating = new SecretTemplating();
  private final ExternalSecret externalSecret = new ManifestLoader().loadString("""
      apiVersion: external-secrets.io/v1
      kind: ExternalSecret
      metadata:
        name: app-1
        namespace: team-0
      spec:
        secretStoreRef:
          name: vault-team-0
          kind: ClusterSecretStore
        target:
          name: app-1
          template:
            engineVersion: v2
            data:
              url: "postgres://{{ .username }}:{{ .password | trim }}@{{ .host }}:{{ .port }}/app?sslmode={{ .sslmode }}"
              .env: |
                DB_USER={{ .username | quote }}
                DB_PASSWORD={{ .password | b64enc }}
                DB_HOST={{ .host | upper }}
                {{- range $k, $v := . }}
                RAW_{{ $k | upper }}={{ $v | quote }}
                {{- end }}
        dataFrom:
          - extract:
              key: team-0/app-1/config
      """, "template.yaml").throwIfErrors().externalSecrets().get(0);
  private final TargetTemplate template = externalSecret.spec().target().template().orElseThrow();
  private final SecretData data = SecretData.ofStrings(Map.of("username", "user-1", "password", "p@ss/w0rd?1",
      "host", "db-3.internal", "port", "5432", "sslmode", "verify-full"));

  @Benchmark
  public TemplateRenderer.Rendered render() {
    return templating.render(externalSecret, template, data);
  }
}
