package io.secretsync.core;

import com.google.common.collect.ImmutableList;
import io.secretsync.core.SecretStoreException.PropertyNotFoundException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The six common issues of the Vault and External Secrets walkthrough ("Common issues"), in its
 * order. A failure names the issues it may be: one when the evidence decides it, several when it
 * cannot (Vault answers a failed TokenReview with the same bare 403 for issues 1, 2 and 3), none when
 * it is something else (Vault unreachable, TLS, a missing secret).
 */
public enum CommonIssue {
  STALE_KUBERNETES_HOST(1, "Vault auth points to an old Kubernetes API server",
      "write the cluster's API server address to kubernetes_host in auth/<mount>/config"),
  WRONG_CLUSTER_CA(2, "Vault has the wrong cluster CA",
      "write the cluster's CA (the kubeconfig's certificate-authority-data) to kubernetes_ca_cert in "
          + "auth/<mount>/config"),
  REVIEWER_JWT_REJECTED(3, "The token reviewer JWT is expired or from the wrong cluster",
      "create a fresh reviewer token in this cluster (the vault-auth-token Secret) and write it to "
          + "token_reviewer_jwt in auth/<mount>/config"),
  ROLE_BOUND_ELSEWHERE(4, "The Vault role is bound to the wrong service account or namespace",
      "set the role's bound_service_account_names and bound_service_account_namespaces to the store's "
          + "service account, or point auth.kubernetes.serviceAccountRef at one the role allows"),
  POLICY_PATH(5, "The Vault policy path uses the wrong KV v2 path",
      "grant read on <mount>/data/<key>: KV v2 policy paths need the data/ segment"),
  PROPERTY_MISSING(6, "The expected property does not exist in Vault",
      "fix remoteRef.property to one of the secret's properties, or put the property into Vault");

  private final int number;
  private final String title;
  private final String fix;

  CommonIssue(int number, String title, String fix) {
    this.number = number;
    this.title = title;
    this.fix = fix;
  }

  /** Its number in the walkthrough's list, 1 to 6. */
  public int number() {
    return number;
  }

  /** The walkthrough's words for it. */
  public String title() {
    return title;
  }

  /** The general fix; a failure's own hints say it for the store, role and path at hand. */
  public String fix() {
    return fix;
  }

  /** {@code issue 5: The Vault policy path uses the wrong KV v2 path}. */
  @Override
  public String toString() {
    return "issue " + number + ": " + title;
  }

  /**
   * The issues {@code failure} or one of its causes is known to match: those of the first
   * {@link Evidence} in the cause chain, {@link #PROPERTY_MISSING} for a
   * {@link PropertyNotFoundException}, otherwise none.
   */
  public static ImmutableList<CommonIssue> of(Throwable failure) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    for (Throwable t = failure; t != null && seen.put(t, true) == null; t = t.getCause()) {
      if (t instanceof Evidence evidence) {
        return evidence.commonIssues();
      }
      if (t instanceof PropertyNotFoundException) {
        return ImmutableList.of(PROPERTY_MISSING);
      }
    }
    return ImmutableList.of();
  }

  /** Implemented by failures that know which common issues they may be. */
  public interface Evidence {
    /** One issue when decided, several candidates when not, empty when none applies. */
    ImmutableList<CommonIssue> commonIssues();
  }
}
