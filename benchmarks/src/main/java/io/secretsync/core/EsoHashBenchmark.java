package io.secretsync.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
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
 * The data-hash annotation computed on every sync (ESO's SHA3-224 over Go's rendering of the data,
 * and the keyed HMAC form), for the benchmark scenario's five small keys and for one 64 KiB value.
 * It sits in core's package, as core's own tests do, because the hash is package-private there; it
 * is part of the benchmark jar only.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EsoHashBenchmark {
  private final SecretData small;
  private final SecretData large;
  private final byte[] key = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  public EsoHashBenchmark() {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("username", "user-17");
    values.put("password", "pw-17-0-5f3e8a1c9d2b7e40");
    values.put("host", "db-3.internal");
    values.put("port", "5432");
    values.put("options", "{\"pool\":8,\"sslmode\":\"verify-full\"}");
    small = SecretData.ofStrings(values);
    byte[] blob = new byte[64 * 1024];
    Arrays.fill(blob, (byte) 'x');
    large = SecretData.of(Map.of("blob", blob));
  }

  @Benchmark
  public String dataHashSmall() {
    return EsoHash.dataHash(small);
  }

  @Benchmark
  public String dataHashLarge() {
    return EsoHash.dataHash(large);
  }

  @Benchmark
  public String dataHmacSmall() {
    return EsoHash.dataHmac(small, key);
  }
}
