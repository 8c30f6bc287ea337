package io.secretsync.testkit;

import static io.secretsync.testkit.WireClient.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsync.testkit.server.AuditLog;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes auth login against a TokenReview server started here over HTTPS with its own CA:
 * success, and every failure with Vault's status and text (TokenReview failures: a bare 403 with the
 * real cause only in the audit log).
 */
class KubernetesAuthLoginTest {
  private static final String AUDIENCE = "https://kubernetes.default.svc.cluster.local";
  private static final String LOGIN = "/v1/auth/kubernetes/login";
  private static final String PERMISSION_DENIED = q("{'errors':['permission denied']}");
  private static final String UID = "aa9aa8ff-98d0-11e7-9bb7-0800276d99bf";

  private final TestClock clock = TestClock.at(Instant.parse("2025-06-01T10:00:00Z"));
  private final long now = clock.instant().getEpochSecond();
  private final FakeVault vault = FakeVault.builder().clock(clock).start();
  private final WireClient wire = new WireClient(vault);
  private final TokenReviewServer kube = new TokenReviewServer();
  private final String jwt = TokenReviewServer.jwt("external-secrets", "external-secrets", UID,
      List.of(AUDIENCE), now - 60, now + 3600);

  @BeforeEach
  void setUp() {
    kube.allowedReviewers.add("reviewer-jwt");
    kube.accounts.put(jwt, new TokenReviewServer.Account("external-secrets", "external-secrets",
        UID, List.of(AUDIENCE)));
    vault.kubernetesAuth().enable().config(kube.url(), kube.caPem(), "reviewer-jwt");
    vault.kubernetesAuth().role("external-secrets-example-api", Map.of(
        "bound_service_account_names", "external-secrets",
        "bound_service_account_namespaces", "external-secrets",
        "audience", AUDIENCE, "policies", "example-api", "ttl", "1h"));
  }

  @AfterEach
  void stop() {
    vault.close();
    kube.close();
  }

  private WireClient.Answer login(String role, String token) throws IOException {
    return wire.post(LOGIN, null, WireClient.JSON.writeValueAsString(Map.of("role", role,
        "jwt", token)));
  }

  private String lastNote() {
    return vault.auditLog().last("POST", LOGIN).flatMap(AuditLog.Entry::note).orElse("");
  }

  @Test
  void loginReviewsTheJwtWithTheReviewerTokenAndIssuesATokenWithTheRolesPolicies()
      throws IOException {
    WireClient.Answer answer = login("external-secrets-example-api", jwt).expect(200);
    assertEquals(q("{'request_id':'*','lease_id':'','renewable':false,'lease_duration':0,"
        + "'data':null,'wrap_info':null,'warnings':null,'auth':{'client_token':'*',"
        + "'accessor':'*','policies':['default','example-api'],"
        + "'token_policies':['default','example-api'],'metadata':{"
        + "'role':'external-secrets-example-api','service_account_name':'external-secrets',"
        + "'service_account_namespace':'external-secrets','service_account_secret_name':'',"
        + "'service_account_uid':'" + UID + "'},'lease_duration':3600,'renewable':true,"
        + "'entity_id':'*','token_type':'service','orphan':true,'mfa_requirement':null,"
        + "'num_uses':0},'mount_type':'kubernetes'}"),
        answer.masked("request_id", "auth.client_token", "auth.accessor", "auth.entity_id"));
    String token = answer.json().path("auth").path("client_token").asText();
    assertTrue(token.startsWith("hvs."));

    assertEquals(1, kube.requests.size());
    TokenReviewServer.Captured review = kube.requests.get(0);
    assertEquals("Bearer reviewer-jwt", review.authorization());
    assertEquals(q("{'metadata':{},'spec':{'token':'" + jwt + "','audiences':['" + AUDIENCE
        + "']},'status':{'user':{}}}"), review.body().toString());

    JsonNode self = wire.get("/v1/auth/token/lookup-self", token).expect(200).json()
        .path("data");
    assertEquals("auth/kubernetes/login", self.path("path").asText());
    assertEquals("kubernetes-external-secrets-external-secrets", self.path("display_name")
        .asText());
    assertEquals("2025-06-01T11:00:00Z", self.path("expire_time").asText());
    assertFalse(lastNote().contains(jwt), "audit log never holds the JWT");
  }

  @Test
  void withoutAReviewerJwtTheLoginJwtAuthenticatesTheReview() throws IOException {
    vault.kubernetesAuth().config(Map.of("kubernetes_host", kube.url(),
        "kubernetes_ca_cert", kube.caPem()));
    kube.allowedReviewers.add(jwt);
    login("external-secrets-example-api", jwt).expect(200);
    assertEquals("Bearer " + jwt, kube.requests.get(0).authorization());
    JsonNode config = wire.get("/v1/auth/kubernetes/config", vault.rootToken()).expect(200)
        .json().path("data");
    assertEquals(q("{'disable_iss_validation':true,'disable_local_ca_jwt':false,'issuer':'',"
        + "'kubernetes_ca_cert':'*','kubernetes_host':'" + kube.url() + "','pem_keys':[],"
        + "'token_reviewer_jwt_set':false,'use_annotations_as_alias_metadata':false}"),
        maskField(config, "kubernetes_ca_cert"));
  }

  private static String maskField(JsonNode node, String field) {
    ((com.fasterxml.jackson.databind.node.ObjectNode) node).put(field, "*");
    return node.toString();
  }

  @Test
  void requestAndRoleErrorsAre400() throws IOException {
    assertEquals(q("{'errors':['missing role']}"), login("", jwt).expect(400).body());
    assertEquals(q("{'errors':['missing jwt']}"), login("external-secrets-example-api", "")
        .expect(400).body());
    assertEquals(q("{'errors':['invalid role name \\'nope\\'']}").replace("\\'", "\\\""),
        login("nope", jwt).expect(400).body());
    assertTrue(kube.requests.isEmpty(), "no TokenReview before the role checks pass");
  }

  @Test
  void claimChecksAnswer403WithVaultsMessage() throws IOException {
    vault.kubernetesAuth().role("other-name", Map.of("bound_service_account_names", "someone",
        "bound_service_account_namespaces", "external-secrets", "audience", AUDIENCE));
    assertEquals(q("{'errors':['service account name not authorized']}"),
        login("other-name", jwt).expect(403).body());
    vault.kubernetesAuth().role("other-ns", Map.of("bound_service_account_names", "external-*",
        "bound_service_account_namespaces", List.of("default", "kube-*"), "audience", AUDIENCE));
    assertEquals(q("{'errors':['namespace not authorized']}"),
        login("other-ns", jwt).expect(403).body());
    vault.kubernetesAuth().role("other-aud", Map.of("bound_service_account_names", "*",
        "bound_service_account_namespaces", "*", "audience", "vault"));
    assertEquals(q("{'errors':['invalid audience (aud) claim: audience claim does not match any "
        + "expected audience']}"), login("other-aud", jwt).expect(403).body());
    clock.advance(Duration.ofHours(2));
    assertEquals(q("{'errors':['invalid expiration time (exp) claim: token is expired']}"),
        login("external-secrets-example-api", jwt).expect(403).body());
    assertEquals(PERMISSION_DENIED, login("external-secrets-example-api", "not.a-jwt")
        .expect(403).body());
    assertTrue(kube.requests.isEmpty(), "claims are checked before any TokenReview");
  }

  @Test
  void unreachableApiServerIsABare403WithTheCauseInTheAuditLog() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    vault.kubernetesAuth().config("https://127.0.0.1:" + closedPort, kube.caPem(),
        "reviewer-jwt");
    assertEquals(PERMISSION_DENIED, login("external-secrets-example-api", jwt).expect(403)
        .body());
    assertTrue(lastNote().startsWith("TokenReview failed: cannot reach 127.0.0.1:" + closedPort),
        lastNote());
  }

  @Test
  void apiServerCertificateFromAnUnknownCaIsABare403() throws IOException {
    vault.kubernetesAuth().config(kube.url(), TestPki.create().caCertificatePem(),
        "reviewer-jwt");
    assertEquals(PERMISSION_DENIED, login("external-secrets-example-api", jwt).expect(403)
        .body());
    assertTrue(lastNote().startsWith("TokenReview failed: TLS to 127.0.0.1"), lastNote());
    assertTrue(kube.requests.isEmpty());
  }

  @Test
  void rejectedReviewerTokenIsABare403() throws IOException {
    vault.kubernetesAuth().config(kube.url(), kube.caPem(), "stale-reviewer-jwt");
    assertEquals(PERMISSION_DENIED, login("external-secrets-example-api", jwt).expect(403)
        .body());
    assertTrue(lastNote().contains("HTTP 401"), lastNote());
    assertEquals("Bearer stale-reviewer-jwt", kube.requests.get(0).authorization());
  }

  @Test
  void tokenTheApiServerDoesNotAuthenticateIsABare403() throws IOException {
    String unknown = TokenReviewServer.jwt("external-secrets", "external-secrets", UID,
        List.of(AUDIENCE), now - 10, now + 600);
    assertEquals(PERMISSION_DENIED, login("external-secrets-example-api", unknown).expect(403)
        .body());
    assertTrue(lastNote().contains("lookup failed: [invalid bearer token"), lastNote());
  }

  @Test
  void configAndRoleAnswersHaveVaultsShape() throws IOException {
    String root = vault.rootToken();
    assertEquals(q("{'alias_name_source':'serviceaccount_uid','audience':'" + AUDIENCE + "',"
        + "'bound_service_account_names':['external-secrets'],"
        + "'bound_service_account_namespace_selector':'',"
        + "'bound_service_account_namespaces':['external-secrets'],"
        + "'policies':['example-api'],'token_bound_cidrs':[],'token_explicit_max_ttl':0,"
        + "'token_max_ttl':0,'token_no_default_policy':false,'token_num_uses':0,"
        + "'token_period':0,'token_policies':['example-api'],'token_ttl':3600,"
        + "'token_type':'default','ttl':3600}"),
        wire.get("/v1/auth/kubernetes/role/External-Secrets-Example-Api", root).expect(200)
            .json().path("data").toString());
    WireClient.Answer noAudience = wire.post("/v1/auth/kubernetes/role/plain", root,
        q("{'bound_service_account_names':['a'],'bound_service_account_namespaces':['b']}"))
        .expect(200);
    assertEquals(q("['Role plain does not have an audience configured. While audiences are not "
        + "required, consider specifying one if your use case would benefit from additional JWT "
        + "claim verification.']"), noAudience.json().path("warnings").toString());
    assertEquals(q("{'errors':['\\'bound_service_account_names\\' can not be empty']}")
        .replace("\\'", "\\\""), wire.post("/v1/auth/kubernetes/role/bad", root,
        q("{'bound_service_account_namespaces':['b']}")).expect(400).body());
    assertEquals(q("{'errors':['token ttl should not be greater than token max ttl']}"),
        wire.post("/v1/auth/kubernetes/role/bad", root, q("{'bound_service_account_names':['a'],"
            + "'bound_service_account_namespaces':['b'],'token_ttl':'2h','token_max_ttl':'1h'}"))
            .expect(400).body());
    assertEquals(q("{'keys':['external-secrets-example-api','plain']}"),
        wire.list("/v1/auth/kubernetes/role", root).expect(200).json().path("data").toString());
    assertEquals(q("{'errors':['no host provided']}"),
        wire.post("/v1/auth/kubernetes/config", root, "{}").expect(400).body());
    assertEquals(q("{'errors':['The provided CA PEM data contains no valid certificates']}"),
        wire.post("/v1/auth/kubernetes/config", root, q("{'kubernetes_host':'https://k',"
            + "'kubernetes_ca_cert':'garbage'}")).expect(400).body());
  }

  @Test
  void loginWithoutConfigIsA500() throws IOException {
    wire.post("/v1/sys/auth/k8s-two", vault.rootToken(), q("{'type':'kubernetes'}")).expect(204);
    wire.post("/v1/auth/k8s-two/role/r", vault.rootToken(), q("{'bound_service_account_names':"
        + "'*','bound_service_account_namespaces':'*','audience':'x'}")).expect(204);
    assertEquals(q("{'errors':['could not load backend configuration']}"),
        wire.post("/v1/auth/k8s-two/login", null, WireClient.JSON.writeValueAsString(
            Map.of("role", "r", "jwt", jwt))).expect(500).body());
  }
}
