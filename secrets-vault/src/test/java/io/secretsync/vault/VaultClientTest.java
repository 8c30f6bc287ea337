package io.secretsync.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.InvalidConfigException;
import io.secretsync.core.SecretStoreException;
import io.secretsync.core.SecretStoreException.AuthenticationException;
import io.secretsync.core.SecretStoreException.UnreachableException;
import io.secretsync.vault.VaultClient.Reply;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import io.secretsync.testkit.TestPki;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client's wire behaviour: headers, namespaces, retries and how answers become errors. */
class VaultClientTest {

  private final MockWebServer server = new MockWebServer();
  private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
  private final VaultToken token = VaultToken.of("hvs.abc", "test token");
  private final TestPki pki = TestPki.create();

  @BeforeEach
  void start() throws Exception {
    server.setServerSocketFactory(new NoDelayServerSockets());
    server.useHttps(pki.serverCertificate().serverSslContext().getSocketFactory());
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private VaultClient.Builder client() {
    return VaultClient.builder(server.url("/").toString()).caCertificatesPem(pki.caCertificatePem()).sleeper(sleeps::add);
  }

  private Reply read(VaultClient client, String path) {
    return client.send(VaultRequest.read(path, Map.of(), List.of()), Optional.of(token));
  }

  @Test
  void serverErrorsAreRetriedWithGrowingBackoff() throws Exception {
    server.enqueue(ScriptedVault.json(503, "{\"errors\":[\"Vault is sealed\"]}"));
    server.enqueue(ScriptedVault.json(500, "{\"errors\":[\"1 error occurred:\\n\\t* internal error\\n\\n\"]}"));
    server.enqueue(ScriptedVault.json(200, "{\"data\":{\"data\":{}}}"));
    VaultClient client = client().retries(2, Duration.ofMillis(100)).build();
    assertEquals(200, read(client, "secret/data/app").status());
    assertEquals(3, server.getRequestCount());
    assertEquals(2, sleeps.size());
    assertTrue(sleeps.get(0).compareTo(Duration.ofMillis(50)) >= 0 && sleeps.get(0).compareTo(Duration.ofMillis(100)) <= 0,
        sleeps.toString());
    assertTrue(sleeps.get(1).compareTo(Duration.ofMillis(100)) >= 0 && sleeps.get(1).compareTo(Duration.ofMillis(200)) <= 0,
        sleeps.toString());
  }

  @Test
  void exhaustedRetriesEndAsUnreachableWithVaultsText() {
    for (int i = 0; i < 3; i++) {
      server.enqueue(ScriptedVault.json(503, "{\"errors\":[\"Vault is sealed\"]}"));
    }
    VaultClient client = client().retries(2, Duration.ofMillis(1)).build();
    UnreachableException e = assertThrows(UnreachableException.class, () -> read(client, "secret/data/app"));
    assertEquals(3, server.getRequestCount());
    assertTrue(e.getMessage().contains("GET secret/data/app: Vault answered HTTP 503: Vault is sealed"), e.getMessage());
    assertTrue(e.hints().get(0).contains("unseal"), e.hints().toString());
  }

  @Test
  void clientErrorsAreNeverRetried() {
    for (int status : new int[] {400, 403, 405}) {
      server.enqueue(ScriptedVault.json(status, "{\"errors\":[\"nope\"]}"));
      VaultClient client = client().retries(3, Duration.ofMillis(1)).build();
      assertThrows(SecretStoreException.class, () -> read(client, "secret/data/app"));
    }
    server.enqueue(ScriptedVault.json(404, "{\"errors\":[]}"));
    assertEquals(404, read(client().retries(3, Duration.ofMillis(1)).build(), "secret/data/app").status());
    assertEquals(4, server.getRequestCount());
    assertTrue(sleeps.isEmpty());
  }

  @Test
  void preconditionFailedAndRateLimitsAreRetriedHonouringRetryAfter() {
    server.enqueue(ScriptedVault.json(412, "{\"errors\":[\"required index state not present\"]}"));
    server.enqueue(new MockResponse.Builder(ScriptedVault.json(429, "{\"errors\":[\"rate limit quota exceeded\"]}"))
        .setHeader("Retry-After", "7").build());
    server.enqueue(ScriptedVault.json(200, "{}"));
    VaultClient client = client().retries(2, Duration.ofMillis(10)).build();
    assertEquals(200, read(client, "secret/data/app").status());
    assertEquals(Duration.ofSeconds(7), sleeps.get(1));
  }

  @Test
  void retryAfterLongerThanAMinuteEndsTheRetries() {
    server.enqueue(new MockResponse.Builder(ScriptedVault.json(429, "{\"errors\":[\"rate limit quota exceeded\"]}"))
        .setHeader("Retry-After", "600").build());
    VaultClient client = client().retries(2, Duration.ofMillis(10)).build();
    assertThrows(UnreachableException.class, () -> read(client, "secret/data/app"));
    assertEquals(1, server.getRequestCount());
  }

  @Test
  void droppedConnectionsAreRetried() {
    server.enqueue(new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build());
    server.enqueue(ScriptedVault.json(200, "{}"));
    VaultClient client = client().retries(1, Duration.ofMillis(1)).build();
    assertEquals(200, read(client, "secret/data/app").status());
    assertEquals(1, sleeps.size());
  }

  @Test
  void connectionRefusedIsUnreachableAfterRetries() throws Exception {
    String url = server.url("/").toString();
    server.close();
    VaultClient client = VaultClient.builder(url).caCertificatesPem(pki.caCertificatePem()).sleeper(sleeps::add)
        .retries(2, Duration.ofMillis(1)).build();
    UnreachableException e = assertThrows(UnreachableException.class, () -> read(client, "secret/data/app"));
    assertTrue(e.getMessage().contains("cannot connect"), e.getMessage());
    assertEquals(2, sleeps.size());
  }

  @Test
  void requestsCarryVaultHeadersAndTheRightNamespace() throws Exception {
    server.enqueue(ScriptedVault.json(200, "{\"auth\":{\"client_token\":\"hvs.x\",\"lease_duration\":60,"
        + "\"renewable\":true,\"policies\":[\"default\"]}}"));
    server.enqueue(ScriptedVault.json(200, "{}"));
    VaultClient client = client().namespace("team-a").authNamespace("admin").header("X-Team", "blue").build();
    VaultToken login = client.login("auth/kubernetes/login", Map.of("role", "r", "jwt", "j.w.t"), "role r");
    assertEquals(Duration.ofSeconds(60), login.ttl());
    assertEquals(List.of("default"), login.policies());
    read(client, "secret/data/app");
    RecordedRequest loginRequest = server.takeRequest();
    assertEquals("POST", loginRequest.getMethod());
    assertEquals("/v1/auth/kubernetes/login", loginRequest.getUrl().encodedPath());
    assertEquals("admin", loginRequest.getHeaders().get("X-Vault-Namespace"));
    assertNull(loginRequest.getHeaders().get("X-Vault-Token"));
    assertEquals("{\"role\":\"r\",\"jwt\":\"j.w.t\"}".length(), loginRequest.getBody().utf8().length());
    RecordedRequest readRequest = server.takeRequest();
    assertEquals("GET", readRequest.getMethod());
    assertEquals("/v1/secret/data/app", readRequest.getUrl().encodedPath());
    assertEquals("team-a", readRequest.getHeaders().get("X-Vault-Namespace"));
    assertEquals("hvs.abc", readRequest.getHeaders().get("X-Vault-Token"));
    assertEquals("true", readRequest.getHeaders().get("X-Vault-Request"));
    assertEquals("blue", readRequest.getHeaders().get("X-Team"));
  }

  @Test
  void listsAreSentAsGetWithListTrue() throws Exception {
    server.enqueue(ScriptedVault.json(200, "{\"data\":{\"keys\":[\"a\",\"b/\"]}}"));
    client().build().send(VaultRequest.list("secret/metadata/dev", List.of()), Optional.of(token));
    RecordedRequest request = server.takeRequest();
    assertEquals("/v1/secret/metadata/dev/?list=true", request.getUrl().encodedPath() + "?" + request.getUrl().encodedQuery());
  }

  @Test
  void readYourWritesEchoesTheLastIndex() throws Exception {
    server.enqueue(new MockResponse.Builder(ScriptedVault.json(200, "{}")).setHeader("X-Vault-Index", "idx-1").build());
    server.enqueue(ScriptedVault.json(200, "{}"));
    VaultClient client = client().forwardInconsistent(true).build();
    read(client, "secret/data/a");
    read(client, "secret/data/b");
    assertNull(server.takeRequest().getHeaders().get("X-Vault-Index"));
    RecordedRequest second = server.takeRequest();
    assertEquals("idx-1", second.getHeaders().get("X-Vault-Index"));
    assertEquals("forward-active-node", second.getHeaders().get("X-Vault-Inconsistent"));
  }

  @Test
  void loginRefusalKeepsVaultsTextButNotTheCredentials() {
    server.enqueue(ScriptedVault.json(400, "{\"errors\":[\"invalid role name \\\"nope\\\"\"]}"));
    AuthenticationException e = assertThrows(AuthenticationException.class,
        () -> client().build().login("auth/kubernetes/login", Map.of("role", "nope", "jwt", "secret.jwt.value"), "r"));
    assertTrue(e.getMessage().contains("POST auth/kubernetes/login: login refused (HTTP 400): invalid role name"),
        e.getMessage());
    assertFalse(e.getMessage().contains("secret.jwt.value"));
  }

  @Test
  void plainHttpIsRefusedUnlessAllowed() {
    InvalidConfigException e = assertThrows(InvalidConfigException.class,
        () -> VaultClient.builder("http://vault:8200").build());
    assertTrue(e.getMessage().contains("unencrypted"), e.getMessage());
    assertTrue(e.hints().get(0).contains("allowHttp"), e.hints().toString());
  }

  @Test
  void clientsWithTheSameServerAndTrustShareOneHttpClient() {
    VaultClient a = client().namespace("a").build();
    VaultClient b = client().namespace("b").build();
    assertSame(a.http(), b.http());
    VaultClient other = VaultClient.builder("https://vault.example:8200").build();
    assertFalse(a.http() == other.http());
    assertSame(a.http().connectionPool(), other.http().connectionPool());
  }

  @Test
  void multiErrorBodiesAreSplitIntoVaultsMessages() throws Exception {
    var body = VaultClient.JSON.readTree("{\"errors\":[\"2 errors occurred:\\n\\t* permission denied\\n\\t* invalid token\\n\\n\"]}");
    assertEquals(List.of("permission denied", "invalid token"), VaultFailures.errors(body));
    assertTrue(VaultFailures.isMultiError(body));
    var bare = VaultClient.JSON.readTree("{\"errors\":[\"permission denied\"]}");
    assertEquals(List.of("permission denied"), VaultFailures.errors(bare));
    assertFalse(VaultFailures.isMultiError(bare));
    assertInstanceOf(VaultFailures.InvalidTokenException.class,
        VaultFailures.forStatus(VaultRequest.read("p", Map.of(), List.of()), 403, body, Optional.of(token), Optional.empty()));
    assertInstanceOf(SecretStoreException.PermissionDeniedException.class, VaultFailures.forStatus(
        VaultRequest.read("p", Map.of(), List.of()), 403,
        VaultClient.JSON.readTree("{\"errors\":[\"1 error occurred:\\n\\t* permission denied\\n\\n\"]}"),
        Optional.of(token), Optional.empty()));
  }
}
