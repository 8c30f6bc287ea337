package io.secretsync.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.SecretData;
import io.secretsync.core.TargetException;
import io.secretsync.core.TargetWriter;
import io.secretsync.core.TargetSecret;
import io.secretsync.kubernetes.KubernetesClient.ResourceType;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.server.FaultInjector.Fault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client sends a request again when the API server answers 429 or 5xx with Retry-After (it did
 * not process the request), waits as asked, gives up after a few tries or a long Retry-After, and
 * never retries an answer without one.
 */
class RetryAfterTest {
  private static FakeKubernetes kube;
  private final List<Duration> waits = new CopyOnWriteArrayList<>();
  private KubernetesClient client;

  @BeforeAll
  static void cluster() {
    kube = FakeKubernetes.start();
    kube.createNamespace("retry");
  }

  @AfterAll
  static void stop() {
    kube.close();
  }

  @AfterEach
  void clear() {
    kube.faults().clear();
    kube.auditLog().clear();
    if (client != null) {
      client.close();
    }
  }

  private KubernetesClient client() {
    client = KubernetesClient.create(TestFiles.adminConfig(kube).build(), waits::add);
    return client;
  }

  @Test
  void a429WithRetryAfterIsSentAgainAfterTheWait() {
    kube.faults().add(Fault.status(429).withRetryAfter(2).times(2).onPathPrefix("/api/v1/namespaces/retry/"));
    Optional<?> secret = client().get(ResourceType.SECRETS, "retry", "absent");
    assertEquals(Optional.empty(), secret);
    assertEquals(List.of(Duration.ofSeconds(2), Duration.ofSeconds(2)), waits);
    assertEquals(3, kube.requestCount("GET", "/api/v1/namespaces/retry/secrets/absent"));
  }

  @Test
  void aWriteAnswered503WithRetryAfterIsWrittenOnceItIsAccepted() {
    kube.faults().add(Fault.status(503).withRetryAfter(1).times(1).onPathPrefix("/api/v1/namespaces/retry/secrets"));
    TargetWriter writer = KubernetesSecretWriter.create(client());
    TargetWriter.WriteResult result = writer.apply("retry", "created", current -> new TargetWriter.Change.Create(
        new TargetSecret("retry", "created", "Opaque", ImmutableMap.of(), ImmutableMap.of(), ImmutableList.of(), false,
            SecretData.of(Map.of("k", new byte[] {1, 2})), "")));
    assertEquals(TargetWriter.Action.CREATED, result.action());
    assertEquals(List.of(Duration.ofSeconds(1)), waits);
    assertEquals(Optional.of(List.of((byte) 1, (byte) 2)),
        kube.secretData("retry", "created").map(d -> List.of(d.get("k")[0], d.get("k")[1])));
  }

  @Test
  void retriesStopAfterTheLimitWithTheServersError() {
    kube.faults().add(Fault.status(429).withRetryAfter(1).onPathPrefix("/api/v1/namespaces/retry/"));
    KubernetesApiException e = assertThrows(KubernetesApiException.class,
        () -> client().get(ResourceType.SECRETS, "retry", "absent"));
    assertEquals(429, e.code());
    assertEquals(ApiTransport.MAX_RETRIES, waits.size());
    assertEquals(1 + ApiTransport.MAX_RETRIES, kube.requestCount("GET", "/api/v1/namespaces/retry/secrets/absent"));
  }

  @Test
  void noRetryWithoutRetryAfterOrWithOneTooLong() {
    kube.faults().add(Fault.status(500).times(1).onPathPrefix("/api/v1/namespaces/retry/"));
    kube.faults().add(Fault.status(429).withRetryAfter(600).times(1).onPathPrefix("/api/v1/namespaces/retry/"));
    TargetException plain = assertThrows(TargetException.class,
        () -> KubernetesSecretWriter.create(client()).read("retry", "absent"));
    assertTrue(plain.getMessage().contains("500"), plain.getMessage());
    KubernetesApiException tooLong = assertThrows(KubernetesApiException.class,
        () -> client.get(ResourceType.SECRETS, "retry", "absent"));
    assertEquals(429, tooLong.code());
    assertEquals(List.of(), waits);
    assertEquals(2, kube.requestCount("GET", "/api/v1/namespaces/retry/secrets/absent"));
  }
}
