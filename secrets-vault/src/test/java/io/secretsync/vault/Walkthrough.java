package io.secretsync.vault;

import io.secretsync.core.SecretStore;
import io.secretsync.core.StoreContext;
import io.secretsync.core.manifest.ManifestLoader;
import io.secretsync.core.manifest.Manifests;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.FakeVault;
import io.secretsync.testkit.TestClock;
import io.secretsync.testkit.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The walkthrough's cluster and Vault: FakeKubernetes and FakeVault with one CA (as the
 * {@code Sandbox} wires them, here with an injected clock), set up with exactly the walkthrough's
 * commands: the reviewer service account, its token Secret and RBAC binding, the KV data, Kubernetes
 * auth config with the reviewer JWT and cluster CA, the three policies and roles, the
 * {@code vault-ca} ConfigMap. Its ClusterSecretStore and ExternalSecret manifests are loaded as
 * written from the test kit, with only the server address pointed at the fake.
 */
final class Walkthrough implements AutoCloseable {

  static final String DOTENV = "API_KEY=abc123\nDB_URL=postgres://api@db:5432/api\n";
  static final String CONFIG_JSON = "{\"queue\":\"jobs\",\"concurrency\":4}\n";
  static final String CONFIG_YML = "admin:\n  users: [alice]\n";
  static final List<String> APPS = List.of("example-api", "example-worker", "example-admin");
  static final String AUDIENCE = "https://kubernetes.default.svc.cluster.local";
  private static final String MANIFESTS = "/io/secretsync/testkit/walkthrough/";

  /** The clock of the stores made here. */
  final TestClock clock;
  final FakeVault vault;
  final FakeKubernetes kube;
  final FakeKubernetesPlatform platform;
  final String reviewerJwt;

  private Walkthrough(TestClock clock, TestClock fakesClock) {
    this.clock = clock;
    TestPki pki = TestPki.create();
    kube = FakeKubernetes.builder().pki(pki).clock(fakesClock).withEsoCrds().start();
    vault = FakeVault.builder().pki(pki).clock(fakesClock).start();
    platform = new FakeKubernetesPlatform(kube);
    reviewerJwt = configureCluster();
    configureVault();
  }

  /** Vault, the API server and the stores share one clock. */
  static Walkthrough start() {
    TestClock clock = TestClock.create();
    return new Walkthrough(clock, clock);
  }

  /** Vault and the API server run on {@code fakesClock}; stores made here use a clock of their own. */
  static Walkthrough startWithFakesClock(TestClock fakesClock) {
    return new Walkthrough(TestClock.create(), fakesClock);
  }

  /** The walkthrough's kubectl steps; returns the reviewer JWT read from its token Secret. */
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
    kube.createNamespace("external-secrets");
    kube.createServiceAccount("external-secrets", "external-secrets");
    for (String app : APPS) {
      kube.createNamespace(app);
    }
    // kubectl -n external-secrets create configmap vault-ca --from-file=ca.crt=./vault-ca.crt
    kube.call("POST", "/api/v1/namespaces/external-secrets/configmaps", VaultClient.JSON.createObjectNode()
        .<com.fasterxml.jackson.databind.node.ObjectNode>set("metadata", VaultClient.JSON.createObjectNode()
            .put("name", "vault-ca"))
        .<com.fasterxml.jackson.databind.node.ObjectNode>set("data", VaultClient.JSON.createObjectNode()
            .put("ca.crt", vault.caCertificatePem()))
        .toString(), false);
    return jwt;
  }

  private void configureVault() {
    // vault kv put secret/example-api/env-file dotenv=@.env (and the two other apps)
    vault.kv("secret").put("example-api/env-file", Map.of("dotenv", DOTENV));
    vault.kv("secret").put("example-worker/config-file", Map.of("config.json", CONFIG_JSON));
    vault.kv("secret").put("example-admin/config-file", Map.of("config", CONFIG_YML));
    // vault auth enable kubernetes; vault write auth/kubernetes/config kubernetes_host=... kubernetes_ca_cert=@ca.crt
    //   token_reviewer_jwt="$TOKEN_REVIEWER_JWT"
    vault.kubernetesAuth().enable().config(kube.baseUrl(), kube.caCertificatePem(), reviewerJwt);
    for (String app : APPS) {
      vault.policies().put(app, "path \"secret/data/" + app + "/*\" {\n  capabilities = [\"read\"]\n}\n");
      vault.kubernetesAuth().role("external-secrets-" + app, Map.of(
          "bound_service_account_names", "external-secrets",
          "bound_service_account_namespaces", "external-secrets",
          "audience", AUDIENCE,
          "policies", app,
          "ttl", "1h"));
    }
  }

  /** The manifest text of {@code file}, with the server pointed at the fake. */
  String manifest(String file) {
    try (InputStream in = Walkthrough.class.getResourceAsStream(MANIFESTS + file)) {
      if (in == null) {
        throw new IllegalStateException("missing test kit resource " + MANIFESTS + file);
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return text.replace("https://vault.example.internal:8200", vault.address());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Manifests load(String file) {
    return new ManifestLoader().loadString(manifest(file), file).throwIfErrors();
  }

  SecretStoreResource clusterStore(String app) {
    return load("cluster-secret-store-" + app + ".yaml").stores().get(0);
  }

  ExternalSecret externalSecret(String app) {
    return load("external-secret-" + app + ".yaml").externalSecrets().get(0);
  }

  StoreContext context() {
    return new StoreContext(platform, clock);
  }

  /** The example-api store made by the provider, with time from {@link #clock}. */
  SecretStore apiStore() {
    return new VaultStoreProvider().newStore(clusterStore("example-api"), context());
  }

  long logins() {
    return vault.requestCount("POST", "/v1/auth/kubernetes/login");
  }

  long tokenReviews() {
    return kube.auditLog().count("POST", "/apis/authentication.k8s.io/v1/tokenreviews");
  }

  /**
   * The count of {@code method path} in Vault's audit log once it reaches {@code expected}, or what it
   * is after a few seconds. The fake records a body-less answer (a 204) just after sending it, so a
   * client can see the answer a moment before the log does.
   */
  long awaitCount(String method, String path, long expected) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    long count = vault.requestCount(method, path);
    while (count < expected && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      count = vault.requestCount(method, path);
    }
    return count;
  }

  @Override
  public void close() {
    vault.close();
    kube.close();
  }
}
