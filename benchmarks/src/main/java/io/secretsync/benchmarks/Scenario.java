package io.secretsync.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.core.manifest.ManifestLoader;
import io.secretsync.core.manifest.Manifests;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.FakeVault;
import io.secretsync.testkit.Sandbox;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The benchmark's world on a {@link Sandbox}: {@code S} ClusterSecretStores (one Vault role and
 * policy each, Kubernetes auth with a TokenRequest for the {@code external-secrets} service account,
 * the CA from a ConfigMap) and {@code N} ExternalSecrets, each with two {@code data[]} entries on
 * one Vault key ({@code team-<s>/app-<i>/config}: {@code username}, {@code password}) and one
 * {@code dataFrom.extract} of another ({@code team-<s>/app-<i>/extra}). ExternalSecret {@code i}
 * lives in namespace {@code team-<i mod S>} and reads through store {@code i mod S}. So the
 * distinct Vault keys are {@code 2N} and the target Secrets {@code N}.
 */
final class Scenario implements AutoCloseable {
  static final String MOUNT = "secret";
  static final String SA_NAMESPACE = "external-secrets";
  static final String SA_NAME = "external-secrets";
  static final String AUDIENCE = FakeKubernetes.DEFAULT_AUDIENCE;
  static final String PEER_ROLE = "bench-peer-reader";
  private static final ObjectMapper JSON = new ObjectMapper();

  final int n;
  final int s;
  final Sandbox sandbox;
  final FakeVault vault;
  final FakeKubernetes kube;
  final String reviewerJwt;
  private final SplittableRandom random = new SplittableRandom(42);
  private final int[] generation;

  Scenario(int n, int s) {
    if (n < 1 || s < 1 || s > n) {
      throw new IllegalArgumentException("need 1 <= stores <= externalSecrets, got N=" + n + " S=" + s);
    }
    this.n = n;
    this.s = s;
    this.generation = new int[n];
    this.sandbox = Sandbox.start();
    this.vault = sandbox.vault().orElseThrow();
    this.kube = sandbox.kubernetes().orElseThrow();
    this.reviewerJwt = configureCluster();
    configureVault();
    vault.auditLog().clear();
    kube.auditLog().clear();
  }

  static String team(int store) {
    return "team-" + store;
  }

  static String storeName(int store) {
    return "vault-" + team(store);
  }

  int storeOf(int es) {
    return es % s;
  }

  String namespaceOf(int es) {
    return team(storeOf(es));
  }

  static String name(int es) {
    return "app-" + es;
  }

  String configKey(int es) {
    return team(storeOf(es)) + "/" + name(es) + "/config";
  }

  String extraKey(int es) {
    return team(storeOf(es)) + "/" + name(es) + "/extra";
  }

  /** Every distinct Vault key the ExternalSecrets read, in ExternalSecret order. */
  List<String> distinctKeys() {
    List<String> keys = new ArrayList<>(2 * n);
    for (int i = 0; i < n; i++) {
      keys.add(configKey(i));
      keys.add(extraKey(i));
    }
    return keys;
  }

  private String configureCluster() {
    kube.createNamespace("vault-auth");
    kube.createServiceAccount("vault-auth", "vault-auth");
    kube.call("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "{\"metadata\":{\"name\":"
        + "\"vault-auth-tokenreview\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\","
        + "\"name\":\"system:auth-delegator\"},\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"vault-auth\","
        + "\"namespace\":\"vault-auth\"}]}", false);
    kube.call("POST", "/api/v1/namespaces/vault-auth/secrets", "{\"metadata\":{\"name\":\"vault-auth-token\","
        + "\"annotations\":{\"kubernetes.io/service-account.name\":\"vault-auth\"}},"
        + "\"type\":\"kubernetes.io/service-account-token\"}", false);
    String jwt = new String(Base64.getDecoder().decode(kube.get("/api/v1/namespaces/vault-auth/secrets/vault-auth-token")
        .orElseThrow().path("data").path("token").asText()), StandardCharsets.UTF_8);
    kube.createNamespace(SA_NAMESPACE);
    kube.createServiceAccount(SA_NAMESPACE, SA_NAME);
    ObjectNode ca = JSON.createObjectNode();
    ca.putObject("metadata").put("name", "vault-ca");
    ca.putObject("data").put("ca.crt", vault.caCertificatePem());
    kube.call("POST", "/api/v1/namespaces/" + SA_NAMESPACE + "/configmaps", ca.toString(), false);
    for (int j = 0; j < s; j++) {
      kube.createNamespace(team(j));
      kube.createNamespace("floor-" + team(j));
      kube.createNamespace("floorget-" + team(j));
    }
    return jwt;
  }

  private void configureVault() {
    vault.kubernetesAuth().enable().config(kube.baseUrl(), kube.caCertificatePem(), reviewerJwt);
    for (int j = 0; j < s; j++) {
      vault.policies().put(team(j), "path \"" + MOUNT + "/data/" + team(j) + "/*\" {\n  capabilities = [\"read\"]\n}\n");
      vault.kubernetesAuth().role(storeName(j), Map.of(
          "bound_service_account_names", SA_NAME,
          "bound_service_account_namespaces", SA_NAMESPACE,
          "audience", AUDIENCE,
          "policies", team(j),
          "ttl", "1h"));
    }
    vault.policies().put(PEER_ROLE, "path \"" + MOUNT + "/data/*\" {\n  capabilities = [\"read\"]\n}\n");
    vault.kubernetesAuth().role(PEER_ROLE, Map.of(
        "bound_service_account_names", SA_NAME,
        "bound_service_account_namespaces", SA_NAMESPACE,
        "audience", AUDIENCE,
        "policies", PEER_ROLE,
        "ttl", "1h"));
    for (int i = 0; i < n; i++) {
      putValues(i);
    }
  }

  private void putValues(int es) {
    vault.kv(MOUNT).put(configKey(es), Map.of("username", "user-" + es,
        "password", "pw-" + es + "-" + generation[es] + "-" + Long.toHexString(random.nextLong())));
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("host", "db-" + (es % 7) + ".internal");
    extra.put("port", 5432);
    extra.put("options", Map.of("sslmode", "verify-full", "pool", 8));
    vault.kv(MOUNT).put(extraKey(es), extra);
  }

  /**
   * Changes the password of every {@code 1/fraction}-th ExternalSecret's config key (a new KV
   * version), in process, so the change itself is not counted as a request. Returns the changed
   * ExternalSecret indexes.
   */
  List<Integer> churn(double fraction) {
    int every = (int) Math.round(1 / fraction);
    List<Integer> changed = new ArrayList<>();
    for (int i = 0; i < n; i += every) {
      generation[i]++;
      vault.kv(MOUNT).put(configKey(i), Map.of("username", "user-" + i,
          "password", "pw-" + i + "-" + generation[i] + "-" + Long.toHexString(random.nextLong())));
      changed.add(i);
    }
    return changed;
  }

  /** The ClusterSecretStore manifest of store {@code j}, or of the peers' reader role. */
  String storeYaml(String name, String role) {
    return "apiVersion: external-secrets.io/v1\n"
        + "kind: ClusterSecretStore\n"
        + "metadata:\n"
        + "  name: " + name + "\n"
        + "spec:\n"
        + "  provider:\n"
        + "    vault:\n"
        + "      server: \"" + vault.address() + "\"\n"
        + "      path: \"" + MOUNT + "\"\n"
        + "      version: \"v2\"\n"
        + "      caProvider:\n"
        + "        type: ConfigMap\n"
        + "        name: vault-ca\n"
        + "        namespace: " + SA_NAMESPACE + "\n"
        + "        key: ca.crt\n"
        + "      auth:\n"
        + "        kubernetes:\n"
        + "          mountPath: kubernetes\n"
        + "          role: " + role + "\n"
        + "          serviceAccountRef:\n"
        + "            name: " + SA_NAME + "\n"
        + "            namespace: " + SA_NAMESPACE + "\n";
  }

  String externalSecretYaml(int es) {
    return "apiVersion: external-secrets.io/v1\n"
        + "kind: ExternalSecret\n"
        + "metadata:\n"
        + "  name: " + name(es) + "\n"
        + "  namespace: " + namespaceOf(es) + "\n"
        + "spec:\n"
        + "  refreshInterval: 1h\n"
        + "  secretStoreRef:\n"
        + "    name: " + storeName(storeOf(es)) + "\n"
        + "    kind: ClusterSecretStore\n"
        + "  target:\n"
        + "    name: " + name(es) + "\n"
        + "  data:\n"
        + "    - secretKey: username\n"
        + "      remoteRef:\n"
        + "        key: " + configKey(es) + "\n"
        + "        property: username\n"
        + "    - secretKey: password\n"
        + "      remoteRef:\n"
        + "        key: " + configKey(es) + "\n"
        + "        property: password\n"
        + "  dataFrom:\n"
        + "    - extract:\n"
        + "        key: " + extraKey(es) + "\n";
  }

  /** The S stores and N ExternalSecrets, loaded from their YAML as a user's manifests would be. */
  Manifests manifests() {
    StringBuilder yaml = new StringBuilder();
    for (int j = 0; j < s; j++) {
      yaml.append(storeYaml(storeName(j), storeName(j))).append("---\n");
    }
    for (int i = 0; i < n; i++) {
      yaml.append(externalSecretYaml(i)).append("---\n");
    }
    return new ManifestLoader().loadString(yaml.toString(), "benchmark.yaml").throwIfErrors();
  }

  SecretStoreResource peerStore() {
    return new ManifestLoader().loadString(storeYaml(PEER_ROLE, PEER_ROLE), "peer.yaml").throwIfErrors()
        .stores().get(0);
  }

  /** A JWT of the {@code external-secrets} service account, as a pod's projected token. */
  String serviceAccountJwt() {
    return kube.serviceAccountToken(SA_NAMESPACE, SA_NAME, List.of(AUDIENCE), java.time.Duration.ofHours(1));
  }

  static List<ExternalSecret> externalSecrets(Manifests manifests) {
    return manifests.externalSecrets();
  }

  @Override
  public void close() {
    sandbox.close();
  }
}
