package io.secretsync.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Client-side rate limiting: a token bucket, on an injected clock. */
class TokenBucketTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  private void advanceMillis(long millis) {
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  @Test
  void burstGoesAtOnceThenRequestsAreSpacedAtTheRate() {
    TokenBucket bucket = new TokenBucket(5, 10, nanos::get);

    for (int i = 0; i < 10; i++) {
      assertEquals(0, bucket.reserve(), "request " + i + " of the burst");
    }
    assertEquals(TimeUnit.MILLISECONDS.toNanos(200), bucket.reserve());
    assertEquals(TimeUnit.MILLISECONDS.toNanos(400), bucket.reserve(), "callers queue up in order");
  }

  @Test
  void idleTimeRefillsUpToTheBurstOnly() {
    TokenBucket bucket = new TokenBucket(5, 10, nanos::get);
    for (int i = 0; i < 10; i++) {
      bucket.reserve();
    }

    advanceMillis(600);
    assertEquals(0, bucket.reserve());
    assertEquals(0, bucket.reserve());
    assertEquals(0, bucket.reserve());
    assertEquals(TimeUnit.MILLISECONDS.toNanos(200), bucket.reserve());

    advanceMillis(60_000);
    for (int i = 0; i < 10; i++) {
      assertEquals(0, bucket.reserve(), "refilled to the burst");
    }
    assertEquals(TimeUnit.MILLISECONDS.toNanos(200), bucket.reserve(), "never beyond the burst");
  }

  @Test
  void defaultsAreDocumentedAndConfigurable() {
    KubernetesConfig defaults = KubernetesConfig.builder("https://a.example.com").build();
    KubernetesConfig clientGo = KubernetesConfig.builder("https://a.example.com").qps(5).burst(10).build();

    assertEquals(KubernetesConfig.DEFAULT_QPS, defaults.qps());
    assertEquals(KubernetesConfig.DEFAULT_BURST, defaults.burst());
    assertEquals(5, clientGo.qps());
    assertEquals(10, clientGo.burst());
    assertThrows(IllegalArgumentException.class, () -> KubernetesConfig.builder("https://a.example.com").qps(0));
    assertThrows(IllegalArgumentException.class, () -> KubernetesConfig.builder("https://a.example.com").burst(0));
  }
}
