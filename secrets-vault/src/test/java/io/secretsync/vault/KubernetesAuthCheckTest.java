package io.secretsync.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.CommonIssue;
import io.secretsync.core.Diagnosis;
import io.secretsync.core.SecretStore;
import io.secretsync.core.SecretStoreException.AuthenticationException;
import io.secretsync.core.SecretStoreException.PermissionDeniedException;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.TestPki;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The operator's check that tells the walkthrough's issues 1, 2 and 3 apart after the bare 403 of a
 * failed TokenReview, against the fakes: Vault's auth config read with the root token, compared with
 * the cluster's address and CA; and the common issues the store's own failures name.
 */
class KubernetesAuthCheckTest {

  private static KubernetesAuthCheck.Cluster cluster(Walkthrough w, Optional<KubernetesAuthCheck.ReviewerCheck> r) {
    return new KubernetesAuthCheck.Cluster(w.kube.baseUrl(),
        io.secretsync.vault.Pem.certificates(w.kube.caCertificatePem().getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        r);
  }

  private static Diagnosis check(Walkthrough w, String token, Optional<KubernetesAuthCheck.ReviewerCheck> reviewer) {
    VaultClient client = KubernetesAuthCheck.storeClient(w.clusterStore("example-api"), w.context());
    return KubernetesAuthCheck.check("ClusterSecretStore vault-example-api", client, token, "kubernetes",
        cluster(w, reviewer));
  }

  private static List<CommonIssue> loginIssues(Walkthrough w) {
    try (SecretStore store = w.apiStore()) {
      store.validate();
      throw new AssertionError("the login should fail");
    } catch (AuthenticationException e) {
      return CommonIssue.of(e);
    }
  }

  @Test
  void aStaleKubernetesHostIsIssueOne() {
    try (Walkthrough w = Walkthrough.start()) {
      String oldHost;
      try (FakeKubernetes old = FakeKubernetes.start()) {
        oldHost = old.baseUrl();
      }
      w.vault.kubernetesAuth().config(oldHost, w.kube.caCertificatePem(), w.reviewerJwt);
      assertEquals(List.of(CommonIssue.STALE_KUBERNETES_HOST, CommonIssue.WRONG_CLUSTER_CA,
          CommonIssue.REVIEWER_JWT_REJECTED), loginIssues(w), "the login alone names the three candidates");

      Diagnosis d = check(w, w.vault.rootToken(), Optional.empty());
      assertEquals(Optional.of(CommonIssue.STALE_KUBERNETES_HOST), d.issue());
      assertTrue(d.message().startsWith("kubernetes_host is " + oldHost + " but the cluster's API server is "
          + w.kube.baseUrl()), d.message());
    }
  }

  @Test
  void theWrongCaIsIssueTwo() {
    try (Walkthrough w = Walkthrough.start()) {
      w.vault.kubernetesAuth().config(w.kube.baseUrl(),
          TestPki.create("Old Cluster CA", TestPki.KeyType.EC_P256).caCertificatePem(), w.reviewerJwt);
      Diagnosis d = check(w, w.vault.rootToken(), Optional.empty());
      assertEquals(Optional.of(CommonIssue.WRONG_CLUSTER_CA), d.issue());
      assertTrue(d.message().contains("CN=Old Cluster CA"), d.message());
    }
  }

  @Test
  void aForeignReviewerJwtIsIssueThreeWithTheClustersOwnReviewAsEvidence() {
    try (Walkthrough w = Walkthrough.start()) {
      String foreign;
      try (FakeKubernetes other = FakeKubernetes.start()) {
        other.createNamespace("vault-auth");
        other.createServiceAccount("vault-auth", "vault-auth");
        foreign = other.serviceAccountToken("vault-auth", "vault-auth", List.of(), Duration.ofHours(1));
      }
      w.vault.kubernetesAuth().config(w.kube.baseUrl(), w.kube.caCertificatePem(), foreign);
      Diagnosis d = check(w, w.vault.rootToken(),
          Optional.of(new KubernetesAuthCheck.ReviewerCheck("Secret vault-auth/vault-auth-token", 201)));
      assertEquals(Optional.of(CommonIssue.REVIEWER_JWT_REJECTED), d.issue());
      assertTrue(d.message().contains("the cluster accepts its own reviewer token"), d.message());
      assertFalse(d.message().contains(foreign) || String.join(" ", d.fixes()).contains(foreign));
    }
  }

  @Test
  void aTokenThatMayNotReadTheConfigLeavesTheCandidatesOpen() {
    try (Walkthrough w = Walkthrough.start()) {
      String weak = w.vault.createToken(List.of("example-api"), Duration.ofHours(1));
      Diagnosis d = check(w, weak, Optional.empty());
      assertTrue(d.failed());
      assertEquals(3, d.issues().size(), d.toString());
      assertTrue(d.message().startsWith("cannot read auth/kubernetes/config with VAULT_TOKEN"), d.message());
      assertFalse(d.message().contains(weak));
    }
  }

  @Test
  void aPolicyWithoutTheDataSegmentIsIssueFive() {
    try (Walkthrough w = Walkthrough.start(); SecretStore store = w.apiStore()) {
      w.vault.policies().put("example-api", "path \"secret/example-api/*\" {\n  capabilities = [\"read\"]\n}\n");
      try {
        store.getSecret(RemoteRef.of("example-api/env-file", "dotenv"));
        throw new AssertionError("the read should be denied");
      } catch (PermissionDeniedException e) {
        assertEquals(List.of(CommonIssue.POLICY_PATH), CommonIssue.of(e));
      }
    }
  }

  @Test
  void serversCompareBySchemeHostPortAndPath() {
    assertTrue(KubernetesAuthCheck.sameServer("https://API.example:6443/", "https://api.example:6443"));
    assertFalse(KubernetesAuthCheck.sameServer("https://api.example:6443", "https://api.example:443"));
    assertTrue(KubernetesAuthCheck.sameServer("https://api.example", "https://api.example:443"));
  }
}
