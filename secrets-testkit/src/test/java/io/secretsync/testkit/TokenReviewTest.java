package io.secretsync.testkit;

import static io.secretsync.testkit.KubeWire.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TokenRequest and TokenReview over HTTPS: the review accepts the fake's own tokens for the right
 * audience and rejects expired, foreign, wrong-audience and orphaned ones, as a real API server does
 * for Vault's Kubernetes auth.
 */
class TokenReviewTest {
  private static final String REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews";

  private static final TestClock clock = TestClock.create();
  @RegisterExtension
  static final FakeKubernetes kube = FakeKubernetes.builder().clock(clock).start();
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  private final KubeWire wire = new KubeWire(kube);
  private String ns;

  @BeforeEach
  void serviceAccountInAFreshNamespace() {
    ns = "review-" + NAMESPACES.incrementAndGet();
    kube.createNamespace(ns);
    kube.createServiceAccount(ns, "external-secrets");
  }

  private String requestToken(String audiencesJson, long seconds) {
    JsonNode answer = wire.post("/api/v1/namespaces/" + ns + "/serviceaccounts/"
        + "external-secrets/token", q("{'apiVersion':'authentication.k8s.io/v1','kind':"
            + "'TokenRequest','spec':{'audiences':" + audiencesJson + ",'expirationSeconds':"
            + seconds + "}}")).expect(201).json();
    assertEquals("TokenRequest", answer.path("kind").asText());
    return answer.path("status").path("token").asText();
  }

  private JsonNode review(String token, String audiencesJson) {
    JsonNode r = wire.post(REVIEWS, q("{'apiVersion':'authentication.k8s.io/v1','kind':"
        + "'TokenReview','spec':{'token':'" + token + "','audiences':" + audiencesJson + "}}"))
        .expect(201).json();
    assertEquals("TokenReview", r.path("kind").asText());
    return r.path("status");
  }

  @Test
  void acceptsATokenRequestTokenForTheRequestedAudience() {
    String token = requestToken("['vault']", 3600);
    JsonNode status = review(token, "['vault']");
    assertTrue(status.path("authenticated").asBoolean());
    JsonNode user = status.path("user");
    assertEquals("system:serviceaccount:" + ns + ":external-secrets",
        user.path("username").asText());
    assertEquals(kube.get("v1", "ServiceAccount", ns, "external-secrets")
        .orElseThrow().path("metadata").path("uid").asText(), user.path("uid").asText());
    assertEquals(q("['system:serviceaccounts','system:serviceaccounts:" + ns + "',"
        + "'system:authenticated']"), user.path("groups").toString());
    assertTrue(user.path("extra").path("authentication.kubernetes.io/credential-id").get(0)
        .asText().startsWith("JTI="));
    assertEquals(q("['vault']"), status.path("audiences").toString());
    assertFalse(status.has("error"));
  }

  @Test
  void theTokenCarriesTheServiceAccountClaims() {
    String token = requestToken("['vault']", 3600);
    JsonNode claims = claims(token);
    assertEquals("https://kubernetes.default.svc.cluster.local", claims.path("iss").asText());
    assertEquals("system:serviceaccount:" + ns + ":external-secrets",
        claims.path("sub").asText());
    assertEquals(q("['vault']"), claims.path("aud").toString());
    assertEquals(clock.instant().getEpochSecond() + 3600, claims.path("exp").asLong());
    assertEquals(claims.path("iat").asLong(), claims.path("nbf").asLong());
    assertEquals(ns, claims.path("kubernetes.io").path("namespace").asText());
    assertEquals("external-secrets", claims.path("kubernetes.io").path("serviceaccount")
        .path("name").asText());
    JsonNode header = part(token, 0);
    assertEquals("ES256", header.path("alg").asText());
    assertFalse(header.path("kid").asText().isEmpty());
  }

  @Test
  void rejectsAnExpiredToken() {
    String token = requestToken("['vault']", 600);
    clock.advance(Duration.ofMinutes(12));
    JsonNode status = review(token, "['vault']");
    assertFalse(status.path("authenticated").asBoolean(false));
    assertEquals("[invalid bearer token, service account token has expired]",
        status.path("error").asText());
    assertEquals("{}", status.path("user").toString());
  }

  @Test
  void rejectsATokenFromAnotherCluster() {
    try (FakeKubernetes other = FakeKubernetes.start()) {
      other.createNamespace(ns);
      other.createServiceAccount(ns, "external-secrets");
      String foreign = other.serviceAccountToken(ns, "external-secrets",
          List.of("vault"), Duration.ofHours(1));
      JsonNode status = review(foreign, "['vault']");
      assertFalse(status.path("authenticated").asBoolean(false));
      assertEquals("[invalid bearer token, go-jose/go-jose: error in cryptographic primitive]",
          status.path("error").asText());
    }
  }

  @Test
  void rejectsATokenForAnotherAudience() {
    String token = requestToken("['other']", 3600);
    JsonNode status = review(token, "['vault']");
    assertFalse(status.path("authenticated").asBoolean(false));
    assertEquals("[invalid bearer token, token audiences [\"other\"] is invalid for the target "
        + "audiences [\"vault\"]]", status.path("error").asText());
    assertTrue(review(token, "[]").path("error").asText().contains(
        "[\"https://kubernetes.default.svc.cluster.local\"]"));
  }

  @Test
  void rejectsATokenWhoseServiceAccountWasRecreated() {
    String token = requestToken("['vault']", 3600);
    kube.delete("v1", "ServiceAccount", ns, "external-secrets");
    assertTrue(review(token, "['vault']").path("error").asText()
        .contains("serviceaccount \"external-secrets\" not found"));
    kube.createServiceAccount(ns, "external-secrets");
    JsonNode status = review(token, "['vault']");
    assertFalse(status.path("authenticated").asBoolean(false));
    assertTrue(status.path("error").asText().contains("does not match claim"), status::toString);
  }

  @Test
  void aLegacySecretTokenIsValidUntilItsSecretIsDeleted() {
    kube.apply("""
        apiVersion: v1
        kind: Secret
        metadata:
          name: reviewer-token
          namespace: %s
          annotations:
            kubernetes.io/service-account.name: external-secrets
        type: kubernetes.io/service-account-token
        """.formatted(ns));
    String token = new String(kube.secretData(ns, "reviewer-token").orElseThrow()
        .get("token"), StandardCharsets.UTF_8);
    assertEquals("kubernetes/serviceaccount", claims(token).path("iss").asText());
    clock.advance(Duration.ofDays(400));
    assertTrue(review(token, "[]").path("authenticated").asBoolean());
    wire.as(kube, token).post(REVIEWS, q("{'spec':{'token':'x'}}")).expect(201);
    kube.delete("v1", "Secret", ns, "reviewer-token");
    assertEquals("[invalid bearer token, Token has been invalidated]",
        review(token, "[]").path("error").asText());
    wire.as(kube, token).post(REVIEWS, q("{'spec':{'token':'x'}}")).expect(401);
  }

  @Test
  void tokenRequestAndReviewRefuseBadInput() {
    JsonNode tooShort = wire.post("/api/v1/namespaces/" + ns + "/serviceaccounts/"
        + "external-secrets/token", q("{'spec':{'expirationSeconds':60}}")).expect(422).json();
    assertEquals("TokenRequest.authentication.k8s.io \"external-secrets\" is invalid: "
        + "spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 "
        + "minutes", tooShort.path("message").asText());
    JsonNode noAccount = wire.post("/api/v1/namespaces/" + ns + "/serviceaccounts/"
        + "nobody/token", q("{'spec':{}}")).expect(404).json();
    assertEquals("serviceaccounts \"nobody\" not found", noAccount.path("message").asText());
    JsonNode empty = wire.post(REVIEWS, q("{'spec':{'token':''}}")).expect(400).json();
    assertEquals("token is required for TokenReview in authentication",
        empty.path("message").asText());
    wire.as(kube, "not-a-jwt").post(REVIEWS, q("{'spec':{'token':'x'}}")).expect(401);
  }

  private static JsonNode claims(String token) {
    return part(token, 1);
  }

  private static JsonNode part(String token, int index) {
    try {
      return KubeWire.JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[index]));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
