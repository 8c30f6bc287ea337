package io.secretsync.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.SecretStore;
import io.secretsync.core.SecretStoreException.AuthenticationException;
import io.secretsync.core.SecretStoreException.PermissionDeniedException;
import io.secretsync.core.SecretStoreException.PropertyNotFoundException;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.TestPki;
import io.secretsync.testkit.server.AuditLog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The walkthrough's six common issues, each reproduced against the fakes: the error is typed, and
 * its message and hints say which issue it is, or, where Vault's answer cannot tell, which
 * candidates remain and how to tell them apart. Vault's real cause is asserted from its audit log
 * only, never from the answer.
 */
class CommonIssuesTest {

  private static final RemoteRef DOTENV = RemoteRef.of("example-api/env-file", "dotenv");

  private static <T extends Throwable> T failure(Walkthrough w, Class<T> type) {
    try (SecretStore store = w.apiStore()) {
      return assertThrows(type, () -> store.getSecret(DOTENV));
    }
  }

  private static String lastLoginNote(Walkthrough w) {
    AuditLog.Entry login = w.vault.auditLog().last("POST", "/v1/auth/kubernetes/login").orElseThrow();
    assertEquals(403, login.status());
    return login.note().orElse("");
  }

  /** A bare 403 after a failed TokenReview names all three candidates and the check for each. */
  private static void assertTokenReviewCandidates(AuthenticationException e) {
    String message = e.getMessage();
    assertTrue(message.startsWith("POST auth/kubernetes/login: login refused (HTTP 403): permission denied for "
        + "kubernetes role \"external-secrets-example-api\""), message);
    assertTrue(message.contains("service account external-secrets/external-secrets"), message);
    assertTrue(message.contains("TokenReview"), message);
    assertTrue(message.contains("(1) kubernetes_host"), message);
    assertTrue(message.contains("(2) kubernetes_ca_cert"), message);
    assertTrue(message.contains("(3) token_reviewer_jwt"), message);
    String hints = String.join("\n", e.hints());
    assertTrue(hints.contains("vault read -field=kubernetes_host auth/kubernetes/config"), hints);
    assertTrue(hints.contains("vault read -field=kubernetes_ca_cert auth/kubernetes/config"), hints);
    assertTrue(hints.contains("401 Unauthorized means it is expired or from another cluster"), hints);
    assertFalse(message.contains("eyJ") || hints.contains("eyJ"), "no JWT in the error");
  }

  @Test
  void issue1VaultAuthPointsAtAnOldApiServer() {
    try (Walkthrough w = Walkthrough.start()) {
      String oldHost;
      try (FakeKubernetes oldCluster = FakeKubernetes.start()) {
        oldHost = oldCluster.baseUrl();
      }
      w.vault.kubernetesAuth().config(oldHost, w.kube.caCertificatePem(), w.reviewerJwt);
      assertTokenReviewCandidates(failure(w, AuthenticationException.class));
      assertTrue(lastLoginNote(w).contains("cannot reach"), lastLoginNote(w));
    }
  }

  @Test
  void issue2VaultHasTheWrongClusterCa() {
    try (Walkthrough w = Walkthrough.start()) {
      w.vault.kubernetesAuth().config(w.kube.baseUrl(),
          TestPki.create("Old Cluster CA", TestPki.KeyType.EC_P256).caCertificatePem(), w.reviewerJwt);
      assertTokenReviewCandidates(failure(w, AuthenticationException.class));
      assertTrue(lastLoginNote(w).contains("TLS"), lastLoginNote(w));
    }
  }

  @Test
  void issue3TheReviewerJwtIsFromAnotherCluster() {
    try (Walkthrough w = Walkthrough.start()) {
      String foreignReviewer;
      try (FakeKubernetes otherCluster = FakeKubernetes.start()) {
        otherCluster.createNamespace("vault-auth");
        otherCluster.createServiceAccount("vault-auth", "vault-auth");
        foreignReviewer = otherCluster.serviceAccountToken("vault-auth", "vault-auth", List.of(), Duration.ofHours(1));
      }
      w.vault.kubernetesAuth().config(w.kube.baseUrl(), w.kube.caCertificatePem(), foreignReviewer);
      assertTokenReviewCandidates(failure(w, AuthenticationException.class));
      assertTrue(lastLoginNote(w).contains("401"), lastLoginNote(w));
    }
  }

  @Test
  void issue4TheRoleIsBoundToAnotherServiceAccount() {
    try (Walkthrough w = Walkthrough.start()) {
      w.vault.kubernetesAuth().role("external-secrets-example-api", Map.of(
          "bound_service_account_names", "eso-controller",
          "bound_service_account_namespaces", "external-secrets",
          "audience", Walkthrough.AUDIENCE, "policies", "example-api", "ttl", "1h"));
      AuthenticationException e = failure(w, AuthenticationException.class);
      assertTrue(e.getMessage().contains("service account name not authorized"), e.getMessage());
      assertTrue(e.getMessage().contains("the role is bound to other service accounts"), e.getMessage());
      assertTrue(e.getMessage().contains("external-secrets/external-secrets"), e.getMessage());
      assertTrue(e.hints().get(0).contains(
          "vault read -field=bound_service_account_names auth/kubernetes/role/external-secrets-example-api"),
          e.hints().toString());
    }
  }

  @Test
  void issue4TheRoleIsBoundToAnotherNamespace() {
    try (Walkthrough w = Walkthrough.start()) {
      w.vault.kubernetesAuth().role("external-secrets-example-api", Map.of(
          "bound_service_account_names", "external-secrets",
          "bound_service_account_namespaces", "eso",
          "audience", Walkthrough.AUDIENCE, "policies", "example-api", "ttl", "1h"));
      AuthenticationException e = failure(w, AuthenticationException.class);
      assertTrue(e.getMessage().contains("namespace not authorized"), e.getMessage());
      assertTrue(e.getMessage().contains("the role is bound to other namespaces"), e.getMessage());
      assertTrue(e.hints().get(0).contains("bound_service_account_namespaces"), e.hints().toString());
    }
  }

  @Test
  void issue5ThePolicyPathLacksTheKvV2DataSegment() {
    try (Walkthrough w = Walkthrough.start()) {
      w.vault.policies().put("example-api", "path \"secret/example-api/*\" {\n  capabilities = [\"read\"]\n}\n");
      PermissionDeniedException e = failure(w, PermissionDeniedException.class);
      assertTrue(e.getMessage().startsWith("GET secret/data/example-api/env-file: permission denied (HTTP 403) for "
          + "kubernetes role \"external-secrets-example-api\""), e.getMessage());
      String hints = String.join("\n", e.hints());
      assertTrue(hints.contains("must grant \"read\" on \"secret/data/example-api/env-file\""), hints);
      assertTrue(hints.contains("path \"secret/data/example-api/*\""), hints);
      assertTrue(hints.contains("KV v2 policy paths need the data/ segment"), hints);
      assertTrue(hints.contains("default, example-api"), hints);
      assertEquals(1, w.logins(), "a policy denial is not mistaken for an expired token");
    }
  }

  @Test
  void issue6TheExpectedPropertyDoesNotExist() {
    try (Walkthrough w = Walkthrough.start(); SecretStore store = w.apiStore()) {
      PropertyNotFoundException e = assertThrows(PropertyNotFoundException.class,
          () -> store.getSecret(RemoteRef.of("example-api/env-file", "env")));
      assertEquals("cannot find secret data for key: \"env\"", e.getMessage());
      assertTrue(String.join("\n", e.hints()).contains("dotenv"), e.hints().toString());
      assertFalse(String.join("\n", e.hints()).contains("API_KEY=abc123"), "names only, never values");
    }
  }
}
