package io.secretsync.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsync.core.SecretStoreException;
import io.secretsync.core.SecretStoreException.AuthenticationException;
import io.secretsync.core.SecretStoreException.PermissionDeniedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import io.secretsync.testkit.TestClock;
import io.secretsync.testkit.TestPki;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The token lifecycle against a scripted Vault over HTTPS, with time moved by hand. */
class TokenManagerTest {

  private final ScriptedVault vault = new ScriptedVault();
  private final MockWebServer server = new MockWebServer();
  private final TestClock clock = TestClock.create();
  private final TestPki pki = TestPki.create();
  private VaultClient client;
  private TokenManager tokens;

  @BeforeEach
  void start() throws Exception {
    server.setDispatcher(vault);
    server.setServerSocketFactory(new NoDelayServerSockets());
    server.useHttps(pki.serverCertificate().serverSslContext().getSocketFactory());
    server.start();
    client = VaultClient.builder(server.url("/").toString()).caCertificatesPem(pki.caCertificatePem())
        .retries(0, Duration.ZERO).build();
    tokens = new TokenManager(client, kubernetesAuth(), clock);
  }

  @AfterEach
  void stop() {
    tokens.close();
    server.close();
  }

  private static VaultAuth kubernetesAuth() {
    return VaultAuth.kubernetes(KubernetesAuthOptions.builder().role("app").jwt(() -> "header.e30.sig", "test JWT")
        .build());
  }

  private JsonNode read() {
    return tokens.withToken(t -> client.send(VaultRequest.read("secret/data/app", Map.of(), List.of()), Optional.of(t)))
        .body();
  }

  @Test
  void manyReadsShareOneLogin() {
    for (int i = 0; i < 200; i++) {
      assertEquals("s3cr3t", read().path("data").path("data").path("password").asText());
    }
    assertEquals(1, vault.logins.get());
    assertEquals(200, vault.reads.get());
    assertEquals(0, vault.lookups.get());
  }

  @Test
  void concurrentFirstUsesShareOneLogin() throws Exception {
    vault.loginDelayMillis = 100;
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<VaultToken>> results = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      results.add(pool.submit(() -> {
        start.await();
        return tokens.token();
      }));
    }
    start.countDown();
    VaultToken first = results.get(0).get();
    for (Future<VaultToken> result : results) {
      assertSame(first, result.get());
    }
    pool.shutdown();
    assertEquals(1, vault.logins.get());
  }

  @Test
  void concurrentCallersWaitingOnAFailedLoginGetItsFailure() throws Exception {
    vault.loginDelayMillis = 100;
    vault.loginStatus = 403;
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> results = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      results.add(pool.submit(() -> {
        start.await();
        return tokens.token();
      }));
    }
    start.countDown();
    for (Future<?> result : results) {
      Exception e = assertThrows(Exception.class, result::get);
      assertInstanceOf(AuthenticationException.class, e.getCause());
    }
    pool.shutdown();
    assertTrue(vault.logins.get() < 8, "logins: " + vault.logins.get());
  }

  @Test
  void renewsAtTwoThirdsOfTheTtlAndKeepsTheToken() {
    VaultToken first = tokens.token();
    clock.advance(Duration.ofMinutes(39));
    assertSame(first, tokens.token());
    assertEquals(0, vault.renewals.get());
    clock.advance(Duration.ofMinutes(2)); // 41 of 60 minutes
    read();
    assertEquals(1, vault.renewals.get());
    assertEquals(1, vault.logins.get());
    assertEquals("3600s", vault.lastRenewIncrement);
  }

  @Test
  void refusedRenewalLeadsToOneNewLoginAndRevokesTheOldToken() {
    VaultToken first = tokens.token();
    vault.refuseRenewal = true;
    clock.advance(Duration.ofMinutes(41));
    VaultToken second = tokens.token();
    assertNotSame(first, second);
    assertEquals(2, vault.logins.get());
    assertEquals(1, vault.revocations.get());
    assertFalse(vault.valid.contains(first.secret()));
  }

  @Test
  void renewalCappedByMaxTtlMakesTheNextRefreshALogin() {
    tokens.token();
    vault.renewTtl = 1200; // Vault grants less than asked: the max TTL is near
    clock.advance(Duration.ofMinutes(41));
    tokens.token();
    assertEquals(1, vault.renewals.get());
    clock.advance(Duration.ofMinutes(14)); // past two thirds of the 20 minutes granted
    tokens.token();
    assertEquals(1, vault.renewals.get());
    assertEquals(2, vault.logins.get());
  }

  @Test
  void nonRenewableTokenIsReplacedByALoginAtTwoThirds() {
    vault.renewable = false;
    tokens.token();
    clock.advance(Duration.ofMinutes(41));
    tokens.token();
    assertEquals(0, vault.renewals.get());
    assertEquals(2, vault.logins.get());
  }

  @Test
  void tokenExpiredByTheClockIsReplacedBeforeUse() {
    tokens.token();
    vault.dropAllTokens();
    clock.advance(Duration.ofMinutes(61));
    read();
    assertEquals(2, vault.logins.get());
    assertEquals(0, vault.renewals.get());
    assertEquals(1, vault.reads.get());
  }

  @Test
  void tokenRevokedOutOfBandCausesOneLoginAndTheReadSucceeds() {
    read();
    vault.dropAllTokens();
    assertEquals("s3cr3t", read().path("data").path("data").path("password").asText());
    assertEquals(2, vault.logins.get());
    assertEquals(3, vault.reads.get());
  }

  @Test
  void concurrentReadsWithAStaleTokenShareOneNewLogin() throws Exception {
    read();
    vault.dropAllTokens();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<JsonNode>> results = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      results.add(pool.submit(this::read));
    }
    for (Future<JsonNode> result : results) {
      assertEquals("s3cr3t", result.get().path("data").path("data").path("password").asText());
    }
    pool.shutdown();
    assertEquals(2, vault.logins.get());
  }

  @Test
  void policyDenialIsNotRetriedWithANewLogin() {
    PermissionDeniedException e = assertThrows(PermissionDeniedException.class, () -> tokens.withToken(
        t -> client.send(VaultRequest.read("secret/data/denied", Map.of(), List.of("grant read")), Optional.of(t))));
    assertEquals(1, vault.logins.get());
    assertTrue(e.getMessage().contains("GET secret/data/denied: permission denied"), e.getMessage());
    assertTrue(e.getMessage().contains("kubernetes role \"app\""), e.getMessage());
    assertTrue(e.hints().contains("grant read"), e.hints().toString());
    assertTrue(e.hints().toString().contains("default, app"), e.hints().toString());
  }

  @Test
  void closeRevokesTheTokenOnceAndFurtherUseFails() {
    VaultToken token = tokens.token();
    tokens.close();
    tokens.close();
    assertEquals(1, vault.revocations.get());
    assertFalse(vault.valid.contains(token.secret()));
    assertThrows(IllegalStateException.class, tokens::token);
  }

  @Test
  void validateSendsNothingWhileAValidLoginTokenIsHeld() {
    tokens.validate();
    int requests = server.getRequestCount();
    tokens.validate();
    tokens.validate();
    assertEquals(requests, server.getRequestCount());
    assertEquals(1, vault.logins.get());
  }

  @Test
  void staticTokenIsCheckedOnceNeverRenewedNorRevoked() {
    TokenManager staticTokens = new TokenManager(client, VaultAuth.token(() -> "static-token\n", "Secret ns/t key token"),
        clock);
    staticTokens.validate();
    staticTokens.validate();
    assertEquals(1, vault.lookups.get());
    clock.advance(Duration.ofDays(30));
    staticTokens.withToken(t -> client.send(VaultRequest.read("secret/data/app", Map.of(), List.of()), Optional.of(t)));
    staticTokens.close();
    assertEquals(0, vault.renewals.get());
    assertEquals(0, vault.revocations.get());
    assertEquals(0, vault.logins.get());
    assertEquals("static-token", vault.lastHeaders.get("x-vault-token"));
  }

  @Test
  void projectedTokenFileIsReadAgainForEveryLogin(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path file = dir.resolve("token");
    java.nio.file.Files.writeString(file, "first.jwt.one\n");
    TokenManager fileTokens = new TokenManager(client, VaultAuth.kubernetes(KubernetesAuthOptions.builder().role("app")
        .tokenFile(file).build()), clock);
    fileTokens.token();
    assertEquals("first.jwt.one", vault.lastLoginJwt);
    java.nio.file.Files.writeString(file, "second.jwt.two\n");
    vault.dropAllTokens();
    fileTokens.withToken(t -> client.send(VaultRequest.read("secret/data/app", Map.of(), List.of()), Optional.of(t)));
    assertEquals("second.jwt.two", vault.lastLoginJwt);
    assertEquals(2, vault.logins.get());
    fileTokens.close();
  }

  @Test
  void missingTokenFileIsAnAuthenticationErrorNamingTheFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    TokenManager fileTokens = new TokenManager(client, VaultAuth.kubernetes(KubernetesAuthOptions.builder().role("app")
        .tokenFile(dir.resolve("absent")).build()), clock);
    AuthenticationException e = assertThrows(AuthenticationException.class, fileTokens::token);
    assertTrue(e.getMessage().contains("cannot obtain the service account JWT from service account token file"),
        e.getMessage());
    assertEquals(0, vault.logins.get());
  }

  @Test
  void requestsCarryTheVaultRequestHeader() {
    read();
    assertEquals("true", vault.lastHeaders.get("x-vault-request"));
  }

  @Test
  void tokensNeverAppearInToStringOrMessages() {
    VaultToken token = tokens.token();
    assertFalse(token.toString().contains(token.secret()));
    assertFalse(tokens.toString().contains(token.secret()));
    vault.dropAllTokens();
    vault.loginStatus = 403;
    SecretStoreException e = assertThrows(SecretStoreException.class, this::read);
    assertFalse(e.getMessage().contains("hvs."), e.getMessage());
    assertFalse(e.getMessage().contains("header.e30.sig"), e.getMessage());
  }
}
