package io.secretsync.vault;

import io.secretsync.core.CommonIssue;
import io.secretsync.core.SecretStoreException.AuthenticationException;
import io.secretsync.vault.VaultFailures.DiagnosedLoginException;
import io.secretsync.vault.VaultFailures.LoginRefusedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Vault's Kubernetes auth: {@code POST auth/<mount>/login {"role", "jwt"}} with a JWT fetched
 * afresh for every login. A refusal is explained: Vault's error text says which check failed when
 * it can (role missing, service account or namespace not bound, audience, expiry); a bare 403
 * {@code permission denied} means the TokenReview Vault made failed, and Vault answers the same
 * for a stale {@code kubernetes_host}, a wrong {@code kubernetes_ca_cert} and a rejected
 * {@code token_reviewer_jwt}, so the error names all three and the check that tells each apart.
 */
final class KubernetesAuth implements VaultAuth {

  private final KubernetesAuthOptions options;

  KubernetesAuth(KubernetesAuthOptions options) {
    this.options = options;
  }

  @Override
  public VaultToken login(VaultClient client) {
    String jwt = Credentials.obtain(options.jwt(), "the service account JWT", options.jwtSource());
    Optional<JwtClaims> claims = JwtClaims.of(jwt);
    String issuedTo = "kubernetes role \"" + options.role() + "\" at auth/" + options.mountPath() + " ("
        + subject(claims) + ")";
    try {
      return client.login("auth/" + options.mountPath() + "/login", Map.of("role", options.role(), "jwt", jwt), issuedTo);
    } catch (LoginRefusedException e) {
      throw explain(e, claims, issuedTo);
    }
  }

  private String subject(Optional<JwtClaims> claims) {
    return claims.flatMap(JwtClaims::serviceAccount).map(sa -> "as service account " + sa)
        .orElse("JWT from " + options.jwtSource());
  }

  private AuthenticationException explain(LoginRefusedException e, Optional<JwtClaims> claims, String issuedTo) {
    String mount = options.mountPath();
    String role = options.role();
    String sa = claims.flatMap(JwtClaims::serviceAccount).orElse("(unknown: the JWT has no service account subject)");
    String base = e.getMessage() + " for " + issuedTo;
    List<String> hints = new ArrayList<>();
    String diagnosis;
    List<CommonIssue> issues = List.of();
    if (e.mentions("invalid role name")) {
      diagnosis = "role \"" + role + "\" does not exist at auth/" + mount;
      hints.add("list the roles with: vault list auth/" + mount + "/role; fix auth.kubernetes.role or create the role");
    } else if (e.mentions("service account name not authorized")) {
      diagnosis = "the role is bound to other service accounts: its bound_service_account_names do not include the "
          + "name of " + sa;
      hints.add("compare: vault read -field=bound_service_account_names auth/" + mount + "/role/" + role
          + " (must include the name of " + sa + ")");
      hints.add("either bind the role to this service account or set auth.kubernetes.serviceAccountRef to one it allows");
      issues = List.of(CommonIssue.ROLE_BOUND_ELSEWHERE);
    } else if (e.mentions("namespace not authorized")) {
      diagnosis = "the role is bound to other namespaces: its bound_service_account_namespaces do not include the "
          + "namespace of " + sa;
      hints.add("compare: vault read -field=bound_service_account_namespaces auth/" + mount + "/role/" + role
          + " (must include the namespace of " + sa + ")");
      hints.add("either bind the role to this namespace or use a service account in a namespace it allows");
      issues = List.of(CommonIssue.ROLE_BOUND_ELSEWHERE);
    } else if (e.mentions("invalid audience")) {
      List<String> audiences = claims.map(JwtClaims::audiences).orElse(com.google.common.collect.ImmutableList.of());
      diagnosis = "the JWT's audiences " + audiences + " do not include the audience the role requires";
      hints.add("compare: vault read -field=audience auth/" + mount + "/role/" + role);
      hints.add("set auth.kubernetes.serviceAccountRef.audiences to the role's audience"
          + (options.requestedAudiences().isEmpty() ? " (none are requested now, so the API server's default audience "
              + "is used)" : ""));
    } else if (e.mentions("token is expired") || e.mentions("invalid expiration")) {
      diagnosis = "the JWT from " + options.jwtSource() + " has expired";
      hints.add("use auth.kubernetes.serviceAccountRef (a fresh TokenRequest token at every login), or refresh the "
          + "token where it is stored");
    } else if (e.mentions("missing role") || e.mentions("missing jwt")) {
      diagnosis = "Vault did not receive a role or a JWT";
      hints.add("check auth.kubernetes.role and the JWT source " + options.jwtSource());
    } else if (e.status() == 403 && e.saysOnly("permission denied")) {
      diagnosis = "Vault could not verify the JWT through the Kubernetes TokenReview API. Vault gives this same bare "
          + "403 for three causes: (1) kubernetes_host in auth/" + mount + "/config points at a wrong or old API "
          + "server; (2) kubernetes_ca_cert is not the CA of that API server; (3) token_reviewer_jwt is expired, "
          + "from another cluster, or not allowed to create TokenReviews";
      hints.add("(1) stale kubernetes_host: compare `vault read -field=kubernetes_host auth/" + mount + "/config` with "
          + "the cluster's API server `kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}'`; "
          + "if they differ, write the cluster's address to auth/" + mount + "/config");
      hints.add("(2) wrong CA: compare `vault read -field=kubernetes_ca_cert auth/" + mount + "/config` with the "
          + "cluster CA `kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}'"
          + " | base64 -d`; with debug logging Vault's log shows an x509 error for this case");
      hints.add("(3) rejected reviewer JWT: send a TokenReview to the API server with the reviewer JWT as bearer token "
          + "(kubectl --token=\"$TOKEN_REVIEWER_JWT\" create -f tokenreview.yaml): 401 Unauthorized means it is expired "
          + "or from another cluster, 403 Forbidden means its service account lacks the system:auth-delegator binding");
      hints.add("less likely: no Kubernetes auth method is enabled at auth/" + mount + " (vault auth list), or the "
          + "role's token_bound_cidrs exclude this client");
      issues = List.of(CommonIssue.STALE_KUBERNETES_HOST, CommonIssue.WRONG_CLUSTER_CA, CommonIssue.REVIEWER_JWT_REJECTED);
    } else {
      return new AuthenticationException(base, List.of("check the role and the auth method's configuration: vault read "
          + "auth/" + mount + "/role/" + role + " and vault read auth/" + mount + "/config"), e);
    }
    return new DiagnosedLoginException(base + ": " + diagnosis, issues, hints, e);
  }
}
