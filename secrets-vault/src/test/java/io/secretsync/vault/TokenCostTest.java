package io.secretsync.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.SecretStore;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.testkit.TestClock;
import io.secretsync.testkit.server.AuditLog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** What the token lifecycle costs Vault, counted in FakeVault's audit log. */
class TokenCostTest {

  private static final RemoteRef DOTENV = RemoteRef.of("example-api/env-file", "dotenv");

  private static String read(SecretStore store) {
    return new String(store.getSecret(DOTENV), StandardCharsets.UTF_8);
  }

  @Test
  void aThousandReadsCostOneLogin() {
    try (Walkthrough w = Walkthrough.start(); SecretStore store = w.apiStore()) {
      for (int i = 0; i < 1000; i++) {
        assertEquals(Walkthrough.DOTENV, read(store));
      }
      assertEquals(1, w.logins());
      assertEquals(1000, w.vault.requestCount("GET", "/v1/secret/data/example-api/env-file"));
      assertEquals(0, w.vault.requestCount("GET", "/v1/auth/token/lookup-self"));
      assertEquals(0, w.vault.requestCount("POST", "/v1/auth/token/renew-self"));
    }
  }

  @Test
  void sixteenConcurrentFirstUsesShareOneLogin() throws Exception {
    try (Walkthrough w = Walkthrough.start(); SecretStore store = w.apiStore()) {
      ExecutorService pool = Executors.newFixedThreadPool(16);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<String>> reads = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        reads.add(pool.submit(() -> {
          go.await();
          return read(store);
        }));
      }
      go.countDown();
      for (Future<String> r : reads) {
        assertEquals(Walkthrough.DOTENV, r.get());
      }
      pool.shutdown();
      assertEquals(1, w.logins());
      assertEquals(1, w.platform.tokenRequests.get());
    }
  }

  @Test
  void tokenExpiredByVaultsClockCausesOneLoginAndNoFailedRead() {
    TestClock vaultClock = TestClock.create();
    try (Walkthrough w = Walkthrough.startWithFakesClock(vaultClock); SecretStore store = w.apiStore()) {
      assertEquals(Walkthrough.DOTENV, read(store));
      vaultClock.advance(Duration.ofMinutes(61)); // the role's ttl=1h has run out, by Vault's clock only
      assertEquals(Walkthrough.DOTENV, read(store));
      assertEquals(2, w.logins());
      List<AuditLog.Entry> reads = w.vault.auditLog().entries(e -> e.path().equals("/v1/secret/data/example-api/env-file"));
      assertEquals(List.of(200, 403, 200), reads.stream().map(AuditLog.Entry::status).toList());
      for (int i = 0; i < 10; i++) {
        read(store);
      }
      assertEquals(2, w.logins());
    }
  }

  @Test
  void tokenPastItsTtlByTheStoresClockIsReplacedBeforeUse() {
    try (Walkthrough w = Walkthrough.start(); SecretStore store = w.apiStore()) {
      read(store);
      w.clock.advance(Duration.ofMinutes(61));
      read(store);
      assertEquals(2, w.logins());
      List<AuditLog.Entry> reads = w.vault.auditLog().entries(e -> e.path().equals("/v1/secret/data/example-api/env-file"));
      assertTrue(reads.stream().allMatch(e -> e.status() == 200), reads.toString());
    }
  }

  @Test
  void renewalAtTwoThirdsKeepsTheToken() {
    try (Walkthrough w = Walkthrough.start(); SecretStore store = w.apiStore()) {
      read(store);
      w.clock.advance(Duration.ofMinutes(41));
      read(store);
      assertEquals(1, w.logins());
      assertEquals(200, w.vault.auditLog().last("POST", "/v1/auth/token/renew-self").orElseThrow().status());
      w.clock.advance(Duration.ofMinutes(41)); // past the first TTL: alive only thanks to the renewal
      read(store);
      assertEquals(1, w.logins());
    }
  }

  @Test
  void closeRevokesTheToken() {
    try (Walkthrough w = Walkthrough.start()) {
      SecretStore store = w.apiStore();
      read(store);
      store.close();
      store.close();
      assertEquals(1, w.awaitCount("POST", "/v1/auth/token/revoke-self", 1));
      assertEquals(204, w.vault.auditLog().last("POST", "/v1/auth/token/revoke-self").orElseThrow().status());
    }
  }

  @Test
  void validateReusesTheHeldToken() {
    try (Walkthrough w = Walkthrough.start(); SecretStore store = w.apiStore()) {
      store.validate();
      long requests = w.vault.auditLog().entries().size();
      store.validate();
      store.validate();
      assertEquals(requests, w.vault.auditLog().entries().size());
      assertEquals(1, w.logins());
    }
  }
}
