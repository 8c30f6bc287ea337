package io.secretsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import io.secretsync.core.SecretStoreException.AuthenticationException;
import io.secretsync.core.SecretStoreException.PropertyNotFoundException;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommonIssueTest {

  private static final class Refused extends AuthenticationException implements CommonIssue.Evidence {
    private final ImmutableList<CommonIssue> issues;

    Refused(List<CommonIssue> issues) {
      super("POST auth/kubernetes/login: login refused", List.of("check the role"), null);
      this.issues = ImmutableList.copyOf(issues);
    }

    @Override
    public ImmutableList<CommonIssue> commonIssues() {
      return issues;
    }
  }

  @Test
  void theIssuesAreTheWalkthroughsSixInItsOrder() {
    assertEquals(6, CommonIssue.values().length);
    for (CommonIssue issue : CommonIssue.values()) {
      assertEquals(issue.ordinal() + 1, issue.number());
    }
    assertEquals("issue 5: The Vault policy path uses the wrong KV v2 path", CommonIssue.POLICY_PATH.toString());
  }

  @Test
  void evidenceAnywhereInTheCauseChainNamesTheIssues() {
    Refused refused = new Refused(List.of(CommonIssue.ROLE_BOUND_ELSEWHERE));
    SecretSyncException wrapped = new SecretSyncException("sync failed", List.of(), refused);
    assertEquals(List.of(CommonIssue.ROLE_BOUND_ELSEWHERE), CommonIssue.of(wrapped));
  }

  @Test
  void aMissingPropertyIsIssueSixAndAnythingElseIsNone() {
    assertEquals(List.of(CommonIssue.PROPERTY_MISSING),
        CommonIssue.of(new PropertyNotFoundException("cannot find secret data for key: \"env\"", List.of())));
    assertTrue(CommonIssue.of(new SecretStoreException.UnreachableException("down", List.of(), null)).isEmpty());
  }

  @Test
  void aFailedDiagnosisCarriesTheCandidatesAndTheHintsAsFixes() {
    Diagnosis d = Diagnosis.failed("ClusterSecretStore vault-example-api", "login", new Refused(
        List.of(CommonIssue.STALE_KUBERNETES_HOST, CommonIssue.WRONG_CLUSTER_CA)));
    assertTrue(d.failed());
    assertEquals(2, d.issues().size());
    assertTrue(d.issue().isEmpty(), "two candidates decide nothing");
    assertEquals(List.of("check the role"), d.fixes());
    assertEquals(Diagnosis.Status.OK, Diagnosis.ok("s", "reach", "answers").status());
  }
}
