package io.secretsync.vault;

import io.secretsync.core.SecretStore;
import io.secretsync.core.StoreContext;
import io.secretsync.core.manifest.ManifestLoader;
import io.secretsync.core.manifest.Manifests;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.testkit.FakeVault;
import io.secretsync.testkit.TestClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The walkthrough's setup: Vault configured with exactly its commands (KV data, Kubernetes auth
 * config with the reviewer JWT and cluster CA, the three policies and roles), the {@code vault-ca}
 * ConfigMap, and its ClusterSecretStore and ExternalSecret manifests loaded as written from the
 * test kit, with only the server address pointed at the fake.
 */
final class Walkthrough implements AutoCloseable {

  static final String DOTENV = "API_KEY=abc123\nDB_URL=postgres://api@db:5432/api\n";
  static final String CONFIG_JSON = "{\"queue\":\"jobs\",\"concurrency\":4}\n";
  static final String CONFIG_YML = "admin:\n  users: [alice]\n";
  static final List<String> APPS = List.of("example-api", "example-worker", "example-admin");
  static final String AUDIENCE = "https://kubernetes.default.svc.cluster.local";
  private static final String MANIFESTS = "/io/secretsync/testkit/walkthrough/";

  final TestClock clock = TestClock.create();
  final FakeVault vault;
  final KubernetesStandIn kube;
  final String reviewerJwt;

  private Walkthrough(Clock vaultClock) {
    vault = FakeVault.builder().clock(vaultClock).start();
    kube = new KubernetesStandIn(vaultClock);
    reviewerJwt = kube.reviewerToken("vault-auth", "vault-auth");
  }

  /** Vault, the API server and the store share {@link #clock}. */
  static Walkthrough start() {
    TestClock clock = TestClock.create();
    Walkthrough w = new Walkthrough(clock);
    w.configure();
    return w;
  }

  /** Vault's clock (and the API server's) is {@code vaultClock}; stores made here use {@link #clock}. */
  static Walkthrough startWithVaultClock(Clock vaultClock) {
    Walkthrough w = new Walkthrough(vaultClock);
    w.configure();
    return w;
  }

  private void configure() {
    // vault kv put secret/example-api/env-file dotenv=@.env (and the two other apps)
    vault.kv("secret").put("example-api/env-file", Map.of("dotenv", DOTENV));
    vault.kv("secret").put("example-worker/config-file", Map.of("config.json", CONFIG_JSON));
    vault.kv("secret").put("example-admin/config-file", Map.of("config", CONFIG_YML));
    // vault auth enable kubernetes; vault write auth/kubernetes/config kubernetes_host=... kubernetes_ca_cert=@ca.crt
    //   token_reviewer_jwt="$TOKEN_REVIEWER_JWT"
    vault.kubernetesAuth().enable().config(kube.url(), kube.caPem(), reviewerJwt);
    for (String app : APPS) {
      vault.policies().put(app, "path \"secret/data/" + app + "/*\" {\n  capabilities = [\"read\"]\n}\n");
      vault.kubernetesAuth().role("external-secrets-" + app, Map.of(
          "bound_service_account_names", "external-secrets",
          "bound_service_account_namespaces", "external-secrets",
          "audience", AUDIENCE,
          "policies", app,
          "ttl", "1h"));
    }
    // kubectl -n external-secrets create configmap vault-ca --from-file=ca.crt=./vault-ca.crt
    kube.objects.configMap("external-secrets", "vault-ca", "ca.crt", vault.caCertificatePem());
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
    return new StoreContext(kube, clock);
  }

  /** The example-api store made by the provider, with time from {@link #clock}. */
  SecretStore apiStore() {
    return new VaultStoreProvider().newStore(clusterStore("example-api"), context());
  }

  /**
   * The count of {@code method path} in Vault's audit log once it reaches {@code expected}, or what it
   * is after a few seconds. The fake records a body-less answer (a 204) just after sending it, so a
   * client can see the answer a moment before the log does.
   */
  long awaitCount(String method, String path, long expected) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
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

  long logins() {
    return vault.requestCount("POST", "/v1/auth/kubernetes/login");
  }

  @Override
  public void close() {
    vault.close();
    kube.close();
  }
}
