package io.secretsync.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.SecretStoreException.UnreachableException;
import io.secretsync.testkit.FakeVault;
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
 * Answers that arrive broken: a 200 whose body is not JSON, a body cut short of its Content-Length,
 * a chunked body whose connection drops. Each is retried like a dropped connection and, when the
 * retries run out, named for what it is, without quoting the body (it may hold part of a secret).
 */
class BrokenAnswersTest {
  private static FakeVault vault;
  private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    vault = FakeVault.start();
    vault.kv("secret").put("app", Map.of("password", "s3cr3t-value-of-the-app"));
  }

  @AfterAll
  static void stop() {
    vault.close();
  }

  @AfterEach
  void clear() {
    vault.faults().clear();
    vault.auditLog().clear();
  }

  private VaultClient.Reply read() {
    VaultClient client = VaultClient.builder(vault.address()).caCertificatesPem(vault.caCertificatePem())
        .sleeper(sleeps::add).retries(2, Duration.ofMillis(1)).build();
    return client.send(VaultRequest.read("secret/data/app", Map.of(), List.of()),
        Optional.of(VaultToken.of(vault.rootToken(), "root")));
  }

  @Test
  void anAnswerThatIsNotJsonIsRetriedThenNamedWithoutItsBody() {
    vault.faults().add(Fault.malformedJson());
    UnreachableException e = assertThrows(UnreachableException.class, this::read);
    assertTrue(e.getMessage().contains("GET secret/data/app at 127.0.0.1:" + vault.port()
        + ": the answer (HTTP 200, "), e.getMessage());
    assertTrue(e.getMessage().endsWith("is not JSON"), e.getMessage());
    assertFalse(e.getMessage().contains("Bad Gateway"), "the body is not quoted: " + e.getMessage());
    assertEquals(3, vault.requestCount("GET", "/v1/secret/data/app"));
  }

  @Test
  void aTruncatedAnswerIsRetried() {
    vault.faults().add(Fault.truncatedBody().times(1));
    assertEquals("s3cr3t-value-of-the-app", read().body().path("data").path("data").path("password").asText());
    assertEquals(1, sleeps.size());
  }

  @Test
  void answersCutShortUntilTheRetriesRunOutSayTheConnectionClosed() {
    for (Fault fault : List.of(Fault.truncatedBody(), Fault.cutMidBody())) {
      vault.faults().clear();
      vault.faults().add(fault);
      UnreachableException e = assertThrows(UnreachableException.class, this::read);
      assertTrue(e.getMessage().contains("the connection closed before the whole answer arrived"), e.getMessage());
      assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
    }
  }
}
