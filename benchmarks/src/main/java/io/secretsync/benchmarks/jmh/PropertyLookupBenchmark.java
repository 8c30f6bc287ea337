package io.secretsync.benchmarks.jmh;

import io.secretsync.core.PropertyLookup;
import io.secretsync.core.SecretData;
import io.secretsync.core.SecretDocument;
import java.nio.charset.StandardCharsets;
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
 * ESO's Vault property lookup, run once per {@code data[]} entry and per {@code dataFrom.extract}:
 * an exact top-level key, a dotted path into nested JSON, and the whole secret (an empty property:
 * compact JSON with sorted keys), plus the extract of every property.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PropertyLookupBenchmark {
  private final SecretDocument document = SecretDocument.parseJson(("{\"username\":\"app\",\"password\":"
      + "\"pw-1-0-5f3e8a1c\",\"host\":\"db-3.internal\",\"port\":5432,\"options\":{\"sslmode\":\"verify-full\","
      + "\"pool\":{\"min\":2,\"max\":8}},\"tags\":[\"a\",\"b\"],\"dotted.key\":\"exact wins\"}")
      .getBytes(StandardCharsets.UTF_8));

  @Benchmark
  public byte[] topLevelKey() {
    return PropertyLookup.value(document, "password");
  }

  @Benchmark
  public byte[] dottedPath() {
    return PropertyLookup.value(document, "options.pool.max");
  }

  @Benchmark
  public byte[] wholeSecret() {
    return PropertyLookup.value(document, "");
  }

  @Benchmark
  public SecretData extractAll() {
    return PropertyLookup.map(document, "");
  }
}
