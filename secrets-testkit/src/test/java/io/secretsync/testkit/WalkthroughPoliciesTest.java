package io.secretsync.testkit;

import static io.secretsync.testkit.WireClient.q;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The walkthrough's Vault setup, done over HTTPS as the vault CLI would: its three policies written
 * exactly as the walkthrough writes them, its roles, its secrets, and logins as the external-secrets
 * service account. The example-api token reads its KV v2 path and is refused the worker's; the same
 * policy written with the KV v1 path {@code secret/example-api/*} is refused the KV v2 read.
 */
class WalkthroughPoliciesTest {
  private static final String AUDIENCE = "https://kubernetes.default.svc.cluster.local";
  private static final String DENIED =
      q("{'errors':['1 error occurred:\\n\\t* permission denied\\n\\n']}");

  private static final String EXAMPLE_API_POLICY = """
      path "secret/data/example-api/*" {
        capabilities = ["read"]
      }
      """;
  private static final String EXAMPLE_WORKER_POLICY = """
      path "secret/data/example-worker/*" {
        capabilities = ["read"]
      }
      """;
  private static final String EXAMPLE_ADMIN_POLICY = """
      path "secret/data/example-admin/*" {
        capabilities = ["read"]
      }
      """;

  private final TestClock clock = TestClock.at(Instant.parse("2025-06-01T10:00:00Z"));
  private final FakeVault vault = FakeVault.builder().clock(clock).start();
  private final WireClient wire = new WireClient(vault);
  private final TokenReviewServer kube = new TokenReviewServer();
  private final String root = vault.rootToken();
  private final long now = clock.instant().getEpochSecond();
  private final String esoJwt = TokenReviewServer.jwt("external-secrets", "external-secrets",
      "5d1c9a7e-0000-4000-8000-000000000001", List.of(AUDIENCE), now, now + 3600);

  @BeforeEach
  void walkthroughSetup() throws IOException {
    kube.allowedReviewers.add("vault-auth-reviewer-jwt");
    kube.accounts.put(esoJwt, new TokenReviewServer.Account("external-secrets",
        "external-secrets", "5d1c9a7e-0000-4000-8000-000000000001", List.of(AUDIENCE)));

    wire.post("/v1/secret/data/example-api/env-file", root,
        q("{'data':{'dotenv':'API_KEY=abc\\nDEBUG=false\\n'}}")).expect(200);
    wire.post("/v1/secret/data/example-worker/config-file", root,
        q("{'data':{'config.json':'{\\'queue\\':\\'jobs\\'}'}}").replace("\\'", "\\\""))
        .expect(200);
    wire.post("/v1/secret/data/example-admin/config-file", root,
        q("{'data':{'config':'admin: true\\n'}}")).expect(200);

    wire.post("/v1/sys/auth/kubernetes", root, q("{'type':'kubernetes'}")).expect(204);
    wire.post("/v1/auth/kubernetes/config", root, WireClient.JSON.writeValueAsString(Map.of(
        "kubernetes_host", kube.url(), "kubernetes_ca_cert", kube.caPem(),
        "token_reviewer_jwt", "vault-auth-reviewer-jwt"))).expect(204);

    writePolicy("example-api", EXAMPLE_API_POLICY);
    writePolicy("example-worker", EXAMPLE_WORKER_POLICY);
    writePolicy("example-admin", EXAMPLE_ADMIN_POLICY);
    for (String app : List.of("example-api", "example-worker", "example-admin")) {
      wire.post("/v1/auth/kubernetes/role/external-secrets-" + app, root, q("{"
          + "'bound_service_account_names':'external-secrets',"
          + "'bound_service_account_namespaces':'external-secrets',"
          + "'audience':'" + AUDIENCE + "','policies':'" + app + "','ttl':'1h'}")).expect(204);
    }
  }

  @AfterEach
  void stop() {
    vault.close();
    kube.close();
  }

  private void writePolicy(String name, String hcl) throws IOException {
    wire.put("/v1/sys/policies/acl/" + name, root,
        WireClient.JSON.writeValueAsString(Map.of("policy", hcl))).expect(204);
  }

  private String login(String role) throws IOException {
    return wire.post("/v1/auth/kubernetes/login", null, WireClient.JSON.writeValueAsString(
        Map.of("role", role, "jwt", esoJwt))).expect(200).json().path("auth")
        .path("client_token").asText();
  }

  @Test
  void exampleApiTokenReadsItsKvV2PathAndIsRefusedTheWorkersPath() throws IOException {
    String token = login("external-secrets-example-api");
    assertEquals("API_KEY=abc\nDEBUG=false\n", wire.get("/v1/secret/data/example-api/env-file",
        token).expect(200).json().path("data").path("data").path("dotenv").asText());
    assertEquals(DENIED, wire.get("/v1/secret/data/example-worker/config-file", token)
        .expect(403).body());
    assertEquals(DENIED, wire.get("/v1/secret/data/example-admin/config-file", token)
        .expect(403).body());
    assertEquals(DENIED, wire.list("/v1/secret/metadata/example-api", token).expect(403).body());
    assertEquals(DENIED, wire.post("/v1/secret/data/example-api/env-file", token,
        q("{'data':{'dotenv':'x'}}")).expect(403).body());
  }

  @Test
  void exampleWorkerTokenReadsOnlyTheWorkersPath() throws IOException {
    String token = login("external-secrets-example-worker");
    assertEquals("{\"queue\":\"jobs\"}", wire.get("/v1/secret/data/example-worker/config-file",
        token).expect(200).json().path("data").path("data").path("config.json").asText());
    assertEquals(DENIED, wire.get("/v1/secret/data/example-api/env-file", token).expect(403)
        .body());
  }

  @Test
  void theSamePolicyWrittenWithTheKvV1PathIsRefusedTheKvV2Read() throws IOException {
    writePolicy("example-api", """
        path "secret/example-api/*" {
          capabilities = ["read"]
        }
        """);
    String token = login("external-secrets-example-api");
    assertEquals(DENIED, wire.get("/v1/secret/data/example-api/env-file", token).expect(403)
        .body());
    assertEquals(q("{'keys':['default','example-admin','example-api','example-worker','root']}"),
        wire.list("/v1/sys/policies/acl", root).json().path("data").toString());
  }
}
