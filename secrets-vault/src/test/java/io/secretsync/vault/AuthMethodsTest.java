package io.secretsync.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsync.core.SecretStore;
import io.secretsync.core.SecretStoreException.AuthenticationException;
import io.secretsync.core.StoreContext;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.StoreKind;
import io.secretsync.testkit.InMemoryPlatform;
import io.secretsync.testkit.TestClock;
import io.secretsync.testkit.TestPki;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** AppRole, JWT and static-token auth as stores configure them: the login request on the wire. */
class AuthMethodsTest {

  private final TestPki pki = TestPki.create();
  private final MockWebServer server = new MockWebServer();
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private final TestClock clock = TestClock.create();
  private final InMemoryPlatform platform = new InMemoryPlatform();
  private volatile int loginStatus = 200;

  @BeforeEach
  void start() throws Exception {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        requests.add(request);
        String path = request.getUrl().encodedPath();
        if (path.endsWith("/login")) {
          return loginStatus == 200
              ? ScriptedVault.json(200, "{\"auth\":{\"client_token\":\"hvs.x\",\"lease_duration\":600,"
                  + "\"renewable\":true,\"policies\":[\"default\"]}}")
              : ScriptedVault.json(loginStatus, "{\"errors\":[\"invalid role or secret ID\"]}");
        }
        if (path.equals("/v1/secret/data/app")) {
          return ScriptedVault.json(200, "{\"data\":{\"data\":{\"v\":\"ok\"}}}");
        }
        return ScriptedVault.json(204, "");
      }
    });
    server.useHttps(pki.serverCertificate().serverSslContext().getSocketFactory());
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private SecretStore store(String auth) {
    String yaml = "server: " + server.url("/") + "\npath: secret\ncaBundle: |\n  "
        + pki.caCertificatePem().strip().replace("\n", "\n  ") + "\n" + auth;
    return new VaultStoreProvider(d -> { }).newStore(Stores.store(StoreKind.SECRET_STORE, "apps", yaml, Map.of(),
        Optional.empty()), new StoreContext(platform, clock));
  }

  private JsonNode loginBody() throws Exception {
    RecordedRequest login = requests.stream().filter(r -> r.getUrl().encodedPath().endsWith("/login")).findFirst()
        .orElseThrow();
    return VaultClient.JSON.readTree(login.getBody().utf8());
  }

  private String loginPath() {
    return requests.stream().map(r -> r.getUrl().encodedPath()).filter(p -> p.endsWith("/login")).findFirst()
        .orElseThrow();
  }

  @Test
  void appRoleLogsInWithRoleIdAndSecretIdFromSecrets() throws Exception {
    platform.putSecret("apps", "approle", Map.of("role-id", "role-123", "secret-id", "sid-456"));
    try (SecretStore store = store("""
        auth:
          appRole:
            path: ops-approle
            roleRef: {name: approle, key: role-id}
            secretRef: {name: approle, key: secret-id}
        """)) {
      assertEquals("ok", new String(store.getSecret(RemoteRef.of("app", "v")), java.nio.charset.StandardCharsets.UTF_8));
    }
    assertEquals("/v1/auth/ops-approle/login", loginPath());
    assertEquals("role-123", loginBody().path("role_id").asText());
    assertEquals("sid-456", loginBody().path("secret_id").asText());
  }

  @Test
  void appRoleRefusalSaysWhatToCheckWithoutTheSecretId() {
    loginStatus = 400;
    platform.putSecret("apps", "approle", Map.of("secret-id", "sid-456"));
    try (SecretStore store = store("""
        auth:
          appRole:
            roleId: role-123
            secretRef: {name: approle, key: secret-id}
        """)) {
      AuthenticationException e = assertThrows(AuthenticationException.class, store::validate);
      assertTrue(e.getMessage().contains("POST auth/approle/login: login refused (HTTP 400): invalid role or secret ID"),
          e.getMessage());
      assertFalse(e.getMessage().contains("sid-456") || e.getMessage().contains("role-123"), e.getMessage());
      assertTrue(e.hints().get(0).contains("secret ID"), e.hints().toString());
    }
  }

  @Test
  void jwtAuthUsesATokenRequestTokenForTheVaultAudience() throws Exception {
    try (SecretStore store = store("""
        auth:
          jwt:
            role: eso
            kubernetesServiceAccountToken:
              serviceAccountRef: {name: external-secrets}
        """)) {
      store.validate();
    }
    assertEquals("/v1/auth/jwt/login", loginPath());
    JsonNode body = loginBody();
    assertEquals("eso", body.path("role").asText());
    InMemoryPlatform.TokenRequest request = platform.tokenRequests().get(0);
    assertEquals("apps/external-secrets", request.namespace() + "/" + request.name());
    assertEquals(List.of("vault"), request.audiences());
    assertEquals(java.time.Duration.ofMinutes(10), request.expiration());
    assertEquals(body.path("jwt").asText(), "memory-token-apps-external-secrets-1");
  }

  @Test
  void kubernetesAuthWithSecretRefReadsTheJwtFromTheSecretAtEveryLogin() throws Exception {
    platform.putSecret("apps", "eso-jwt", Map.of("token", "first.jwt.value"));
    try (SecretStore store = store("""
        auth:
          kubernetes:
            role: app
            secretRef: {name: eso-jwt}
        """)) {
      store.validate();
    }
    assertEquals("/v1/auth/kubernetes/login", loginPath());
    assertEquals("first.jwt.value", loginBody().path("jwt").asText());
    assertEquals("app", loginBody().path("role").asText());
  }

  @Test
  void staticTokenIsSentAsItIsAndNeverRevoked() {
    platform.putSecret("apps", "vault-token", Map.of("token", "hvs.static\n"));
    try (SecretStore store = store("auth:\n  tokenSecretRef: {name: vault-token}\n")) {
      assertEquals("ok", new String(store.getSecret(RemoteRef.of("app", "v")), java.nio.charset.StandardCharsets.UTF_8));
    }
    RecordedRequest read = requests.stream().filter(r -> r.getUrl().encodedPath().equals("/v1/secret/data/app"))
        .findFirst().orElseThrow();
    assertEquals("hvs.static", read.getHeaders().get("X-Vault-Token"));
    assertTrue(requests.stream().noneMatch(r -> r.getUrl().encodedPath().contains("revoke")));
    assertTrue(requests.stream().noneMatch(r -> r.getUrl().encodedPath().endsWith("/login")));
  }
}
