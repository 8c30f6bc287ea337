package io.secretsync.vault;

import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableList;
import com.google.common.hash.Hashing;
import io.secretsync.core.CommonIssue;
import io.secretsync.core.Diagnosis;
import io.secretsync.core.SecretStoreException;
import io.secretsync.core.StoreContext;
import io.secretsync.core.model.SecretStoreResource;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;

/**
 * Tells apart the walkthrough's issues 1, 2 and 3 after Vault refused a Kubernetes login with the
 * bare 403 of a failed TokenReview, the way an operator would: it reads {@code auth/<mount>/config}
 * with an operator token ({@code vault read auth/<mount>/config}) and compares
 * {@code kubernetes_host} with the cluster's API server and {@code kubernetes_ca_cert} with the
 * cluster's CA; when both agree, the reviewer JWT is what the API server refused, and the result of
 * a TokenReview sent with the cluster's own reviewer token says why. Vault never returns the reviewer
 * JWT, so that evidence comes from the cluster. Stateless and thread-safe; results never contain a
 * token or a JWT.
 */
public final class KubernetesAuthCheck {
  private KubernetesAuthCheck() {}

  /**
   * What the cluster says about itself, seen through the operator's kubeconfig.
   *
   * @param apiServer the API server URL, e.g. {@code https://rke-api.example.internal:6443}
   * @param caCertificates the cluster's CA (the kubeconfig's certificate-authority-data); empty if unknown
   * @param reviewer the TokenReview sent with the cluster's reviewer token, if one was found
   */
  public record Cluster(String apiServer, ImmutableList<X509Certificate> caCertificates,
      Optional<ReviewerCheck> reviewer) {
    public Cluster {
      checkNotNull(apiServer, "apiServer");
      caCertificates = ImmutableList.copyOf(caCertificates);
      checkNotNull(reviewer, "reviewer");
    }
  }

  /**
   * A TokenReview sent to the API server with a reviewer token as bearer token.
   *
   * @param source where the token came from, e.g. {@code Secret vault-auth/vault-auth-token}
   * @param status the HTTP status: 201 accepted, 401 token rejected, 403 not allowed to review
   */
  public record ReviewerCheck(String source, int status) {
    public ReviewerCheck {
      checkNotNull(source, "source");
    }
  }

  /** The mount path of the store's Kubernetes auth, when it logs in with Kubernetes auth. */
  public static Optional<String> kubernetesMountPath(SecretStoreResource store) {
    VaultSettings settings = VaultSettingsParser.parse(checkNotNull(store, "store"));
    return settings.auth() instanceof VaultSettings.KubernetesAuthSettings k ? Optional.of(k.mountPath())
        : Optional.empty();
  }

  /**
   * A client that reaches the store's Vault as the store does: its server, namespace and trust
   * ({@code caBundle}, {@code caProvider}) and client certificate.
   *
   * @throws SecretStoreException when the settings or the CA cannot be read
   */
  public static VaultClient storeClient(SecretStoreResource store, StoreContext context) {
    return VaultConnector.client(VaultSettingsParser.parse(checkNotNull(store, "store")), checkNotNull(context),
        duration -> Thread.sleep(duration.toMillis()));
  }

  /**
   * Reads {@code auth/<mountPath>/config} with {@code operatorToken} through {@code client} and says
   * which of issues 1 to 3 it is; with no config to read, which candidates remain and why.
   *
   * @param subject what is diagnosed, for the result, e.g. {@code ClusterSecretStore vault-example-api}
   */
  public static Diagnosis check(String subject, VaultClient client, String operatorToken, String mountPath,
      Cluster cluster) {
    checkNotNull(subject, "subject");
    checkNotNull(client, "client");
    checkNotNull(operatorToken, "operatorToken");
    checkNotNull(mountPath, "mountPath");
    checkNotNull(cluster, "cluster");
    String check = "auth/" + mountPath + "/config";
    List<CommonIssue> candidates = List.of(CommonIssue.STALE_KUBERNETES_HOST, CommonIssue.WRONG_CLUSTER_CA,
        CommonIssue.REVIEWER_JWT_REJECTED);
    JsonNode data;
    try {
      VaultClient.Reply reply = client.send(VaultRequest.read(check, Map.of(), List.of()),
          Optional.of(VaultToken.of(operatorToken, "the operator token (VAULT_TOKEN)")));
      if (reply.status() == 404) {
        return Diagnosis.failed(subject, check, "Vault has no " + check + " (GET " + check + " answered 404)",
            List.of(), List.of("enable and configure Kubernetes auth: vault auth enable -path=" + mountPath
                + " kubernetes; vault write " + check + " kubernetes_host=... kubernetes_ca_cert=@ca.crt "
                + "token_reviewer_jwt=..."));
      }
      data = reply.body().path("data");
    } catch (SecretStoreException e) {
      return Diagnosis.failed(subject, check, "cannot read " + check + " with VAULT_TOKEN: " + e.getMessage(),
          candidates, List.of("use a Vault token allowed to read " + check + " (VAULT_TOKEN, as the vault CLI "
              + "takes it) to tell the candidates apart"));
    }
    String host = data.path("kubernetes_host").asText("");
    if (!sameServer(host, cluster.apiServer())) {
      return Diagnosis.failed(subject, check, "kubernetes_host is " + host + " but the cluster's API server is "
              + cluster.apiServer() + ": Vault sends its TokenReviews to another (old) API server",
          List.of(CommonIssue.STALE_KUBERNETES_HOST),
          List.of("vault write " + check + " kubernetes_host=\"" + cluster.apiServer() + "\" kubernetes_ca_cert=@ca.crt "
                  + "token_reviewer_jwt=\"$TOKEN_REVIEWER_JWT\" (a config write replaces the fields it is given; "
                  + "give all three)",
              "if Vault reaches this cluster by another address (e.g. from inside the cluster), check that "
                  + host + " is this cluster"));
    }
    String caPem = data.path("kubernetes_ca_cert").asText("");
    if (!cluster.caCertificates().isEmpty()) {
      ImmutableList<X509Certificate> vaultCas;
      try {
        vaultCas = caPem.isBlank() ? ImmutableList.of() : Pem.certificates(caPem.getBytes(StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        vaultCas = ImmutableList.of();
      }
      if (vaultCas.stream().noneMatch(cluster.caCertificates()::contains)) {
        return Diagnosis.failed(subject, check, "kubernetes_ca_cert is " + describe(vaultCas)
                + " but the cluster's CA is " + describe(cluster.caCertificates())
                + ": Vault cannot verify the API server's certificate",
            List.of(CommonIssue.WRONG_CLUSTER_CA),
            List.of("kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}'"
                    + " | base64 -d > ca.crt",
                "vault write " + check + " kubernetes_host=\"" + host + "\" kubernetes_ca_cert=@ca.crt "
                    + "token_reviewer_jwt=\"$TOKEN_REVIEWER_JWT\""));
      }
    }
    String agreed = "kubernetes_host and kubernetes_ca_cert match the cluster";
    if (!data.path("token_reviewer_jwt_set").asBoolean(true)) {
      return Diagnosis.failed(subject, check, agreed + ", but no token_reviewer_jwt is set: Vault reviews "
              + "each login JWT with itself, and a service account without system:auth-delegator may not",
          List.of(CommonIssue.REVIEWER_JWT_REJECTED), reviewerFixes(check));
    }
    String evidence = cluster.reviewer().map(r -> switch (r.status()) {
      case 200, 201 -> "; the cluster accepts its own reviewer token from " + r.source()
          + ", so Vault holds another one (expired, or from another cluster)";
      case 401 -> "; the API server also rejects the reviewer token from " + r.source()
          + " (401 Unauthorized: expired or from another cluster)";
      case 403 -> "; the reviewer token from " + r.source() + " may not create TokenReviews (403 Forbidden: its "
          + "service account lacks the system:auth-delegator binding)";
      default -> "; a TokenReview with the reviewer token from " + r.source() + " answered HTTP " + r.status();
    }).orElse("; no reviewer token was found in the cluster to check (a service-account-token Secret of a "
        + "service account bound to system:auth-delegator)");
    return Diagnosis.failed(subject, check, agreed + ", so the API server refused the reviewer JWT Vault holds"
        + evidence, List.of(CommonIssue.REVIEWER_JWT_REJECTED), reviewerFixes(check));
  }

  private static List<String> reviewerFixes(String check) {
    return List.of("TOKEN_REVIEWER_JWT=$(kubectl -n vault-auth get secret vault-auth-token -o jsonpath='{.data.token}'"
            + " | base64 -d)",
        "vault write " + check + " kubernetes_host=... kubernetes_ca_cert=@ca.crt "
            + "token_reviewer_jwt=\"$TOKEN_REVIEWER_JWT\"",
        "the reviewer's service account needs: kubectl create clusterrolebinding vault-auth-tokenreview "
            + "--clusterrole=system:auth-delegator --serviceaccount=vault-auth:vault-auth");
  }

  static boolean sameServer(String a, String b) {
    HttpUrl x = HttpUrl.parse(a.trim());
    HttpUrl y = HttpUrl.parse(b.trim());
    if (x == null || y == null) {
      return a.trim().equalsIgnoreCase(b.trim());
    }
    return x.scheme().equals(y.scheme()) && x.host().toLowerCase(Locale.ROOT).equals(y.host().toLowerCase(Locale.ROOT))
        && x.port() == y.port() && trimSlashes(x.encodedPath()).equals(trimSlashes(y.encodedPath()));
  }

  private static String trimSlashes(String path) {
    String p = path;
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  private static String describe(List<X509Certificate> certificates) {
    if (certificates.isEmpty()) {
      return "empty";
    }
    return certificates.stream().map(c -> {
      try {
        return "\"" + c.getSubjectX500Principal().getName() + "\" (sha256 "
            + Hashing.sha256().hashBytes(c.getEncoded()).toString().substring(0, 16) + ")";
      } catch (CertificateEncodingException e) {
        return "\"" + c.getSubjectX500Principal().getName() + "\"";
      }
    }).collect(Collectors.joining(", "));
  }
}
