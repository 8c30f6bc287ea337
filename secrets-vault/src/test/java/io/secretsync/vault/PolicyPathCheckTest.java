package io.secretsync.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.CommonIssue;
import io.secretsync.core.Diagnosis;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The policy line behind a denied KV v2 read, found with the root token against FakeVault. */
class PolicyPathCheckTest {

  private static Optional<Diagnosis> check(Walkthrough w, String key) {
    return PolicyPathCheck.check("ExternalSecret example-api/example-api-env-file", w.clusterStore("example-api"), key,
        KubernetesAuthCheck.storeClient(w.clusterStore("example-api"), w.context()), w.vault.rootToken());
  }

  @Test
  void aPolicyPathWithoutTheDataSegmentIsNamedWithItsFix() {
    try (Walkthrough w = Walkthrough.start()) {
      w.vault.policies().put("example-api", "path \"secret/example-api/*\" {\n  capabilities = [\"read\"]\n}\n");
      Diagnosis d = check(w, "example-api/env-file").orElseThrow();
      assertEquals(Optional.of(CommonIssue.POLICY_PATH), d.issue());
      assertEquals("policies of auth/kubernetes/role/external-secrets-example-api", d.check());
      assertTrue(d.message().startsWith("example-api: path \"secret/example-api/*\" matches secret/example-api/env-file"),
          d.message());
      assertEquals("write the path with the data/ segment: path \"secret/data/example-api/*\" { capabilities = "
          + "[\"read\"] }", d.fixes().get(0));
    }
  }

  @Test
  void aRoleWhosePoliciesGrantNothingOnTheKeyIsSaidSo() {
    try (Walkthrough w = Walkthrough.start()) {
      Diagnosis d = check(w, "example-worker/config-file").orElseThrow();
      assertTrue(d.message().startsWith("no policy of the role (example-api) grants read on "
          + "secret/data/example-worker/config-file"), d.message());
    }
  }

  @Test
  void globsMatchAsVaultMatchesThem() {
    assertTrue(PolicyPathCheck.matches("secret/example-api/*", "secret/example-api/env-file"));
    assertFalse(PolicyPathCheck.matches("secret/example-api/*", "secret/data/example-api/env-file"));
    assertTrue(PolicyPathCheck.matches("secret/+/env-file", "secret/example-api/env-file"));
    assertFalse(PolicyPathCheck.matches("secret/+/env-file", "secret/a/b/env-file"));
    assertTrue(PolicyPathCheck.matches("secret/data/example-api/env-file", "secret/data/example-api/env-file"));
  }
}
