package io.secretsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.Sandbox;
import io.secretsync.testkit.TestPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The walkthrough's setup, on a sandbox: Vault through its HTTP API (the calls the vault CLI makes
 * for {@code auth enable}, {@code write auth/kubernetes/config}, {@code policy write}, {@code write
 * auth/kubernetes/role/...} and {@code kv put}), Kubernetes through the fake's API (in-process) or
 * kubectl (see the process test), and the walkthrough's six manifests with the sandbox's Vault
 * address as {@code server}.
 */
final class Walkthrough {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String API_ENV = "API_BASE_URL=https://api.example.com\nAPI_TOKEN=walkthrough-api-token\n";
  static final String WORKER_CONFIG = "{\"queue\":\"jobs\",\"concurrency\":4}\n";
  static final String ADMIN_CONFIG = "admin:\n  listen: 0.0.0.0:8080\n  session_secret: walkthrough-session\n";

  /** The apps: name, Vault path, property, Secret key, content. */
  record App(String name, String path, String property, String key, String content) {
    String namespace() {
      return name;
    }

    String secret() {
      return name.equals("example-api") ? "example-api-env-file" : name + "-config-file";
    }
  }

  static final List<App> APPS = List.of(
      new App("example-api", "example-api/env-file", "dotenv", ".env", API_ENV),
      new App("example-worker", "example-worker/config-file", "config.json", "config.json", WORKER_CONFIG),
      new App("example-admin", "example-admin/config-file", "config", "config.yml", ADMIN_CONFIG));

  private Walkthrough() {}

  /** Vault over HTTPS with the root token, as the vault CLI talks to it. */
  static final class Vault {
    private final OkHttpClient client;
    private final String address;
    private final String token;

    Vault(String address, String token, X509TrustManager trust) {
      this.address = address;
      this.token = token;
      try {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new javax.net.ssl.TrustManager[] {trust}, null);
        this.client = new OkHttpClient.Builder().sslSocketFactory(context.getSocketFactory(), trust).build();
      } catch (java.security.GeneralSecurityException e) {
        throw new AssertionError(e);
      }
    }

    static Vault of(Sandbox sandbox) {
      return new Vault(sandbox.vaultAddress(), sandbox.vaultRootToken(), sandbox.pki().trustManager());
    }

    static Vault of(String address, String token, Path caFile) throws IOException {
      return new Vault(address, token, TestPki.trustManagerFor(
          TestPki.parseCertificates(Files.readString(caFile), caFile.toString())));
    }

    /** One request, as the vault CLI sends it; asserts the status. */
    String call(String method, String path, ObjectNode body, int expected) {
      Request.Builder b = new Request.Builder().url(address + "/v1/" + path)
          .header("X-Vault-Token", token).header("X-Vault-Request", "true")
          .method(method, body == null ? null : RequestBody.create(body.toString(),
              MediaType.get("application/json")));
      try (Response r = client.newCall(b.build()).execute()) {
        String text = r.body().string();
        assertEquals(expected, r.code(), () -> method + " " + path + ": " + text);
        return text;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** {@code vault kv put secret/<path> <property>=@file}. */
    void kvPut(String path, String property, String content) {
      ObjectNode body = JSON.createObjectNode();
      body.putObject("data").put(property, content);
      call("POST", "secret/data/" + path, body, 200);
    }

    /** {@code vault policy write <name> -}. */
    void policy(String name, String hcl) {
      call("PUT", "sys/policies/acl/" + name, JSON.createObjectNode().put("policy", hcl), 204);
    }

    /**
     * The walkthrough's Vault side: Kubernetes auth at {@code kubernetes} with the API server, its CA
     * and the reviewer JWT; per app a read policy on {@code secret/data/<app>/*}, a role bound to
     * external-secrets/external-secrets, and its file in KV v2.
     */
    void configure(String kubernetesHost, String kubernetesCa, String reviewerJwt) {
      call("POST", "sys/auth/kubernetes", JSON.createObjectNode().put("type", "kubernetes"), 204);
      ObjectNode config = JSON.createObjectNode();
      config.put("kubernetes_host", kubernetesHost);
      config.put("kubernetes_ca_cert", kubernetesCa);
      config.put("token_reviewer_jwt", reviewerJwt);
      call("POST", "auth/kubernetes/config", config, 204);
      for (App app : APPS) {
        policy(app.name(), "path \"secret/data/" + app.name() + "/*\" {\n  capabilities = [\"read\"]\n}\n");
        ObjectNode role = JSON.createObjectNode();
        role.put("bound_service_account_names", "external-secrets");
        role.put("bound_service_account_namespaces", "external-secrets");
        role.put("audience", FakeKubernetes.DEFAULT_AUDIENCE);
        role.put("policies", app.name());
        role.put("ttl", "1h");
        call("POST", "auth/kubernetes/role/external-secrets-" + app.name(), role, 204);
        kvPut(app.path(), app.property(), app.content());
      }
    }
  }

  /** The walkthrough on an in-process sandbox: Kubernetes objects through the fake's API, Vault over HTTPS. */
  static void configure(Sandbox sandbox) {
    FakeKubernetes kube = sandbox.kubernetes().orElseThrow();
    kube.createNamespace("vault-auth");
    kube.createServiceAccount("vault-auth", "vault-auth");
    kube.apply("""
        apiVersion: v1
        kind: Secret
        metadata:
          name: vault-auth-token
          namespace: vault-auth
          annotations:
            kubernetes.io/service-account.name: vault-auth
        type: kubernetes.io/service-account-token
        """);
    String reviewerJwt = new String(kube.secretData("vault-auth", "vault-auth-token").orElseThrow().get("token"),
        StandardCharsets.UTF_8);
    kube.createNamespace("external-secrets");
    kube.createServiceAccount("external-secrets", "external-secrets");
    ObjectNode ca = JSON.createObjectNode();
    ca.put("apiVersion", "v1");
    ca.put("kind", "ConfigMap");
    ca.putObject("metadata").put("name", "vault-ca").put("namespace", "external-secrets");
    ca.putObject("data").put("ca.crt", sandbox.caCertificatePem());
    kube.create(ca);
    for (App app : APPS) {
      kube.createNamespace(app.namespace());
    }
    Vault.of(sandbox).configure(sandbox.kubernetesUrl(), sandbox.caCertificatePem(), reviewerJwt);
  }

  /** Writes the walkthrough's six manifests into {@code dir} with {@code server} set to {@code vaultAddress}. */
  static Path writeManifests(Path dir, String vaultAddress) throws IOException {
    Files.createDirectories(dir);
    for (String file : MANIFESTS) {
      String text;
      try (java.io.InputStream in = Walkthrough.class.getResourceAsStream("/io/secretsync/testkit/walkthrough/" + file)) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      Files.writeString(dir.resolve(file), text.replace("https://vault.example.internal:8200", vaultAddress));
    }
    return dir;
  }

  /** The walkthrough's manifests, as the testkit holds them. */
  static final List<String> MANIFESTS = List.of(
      "cluster-secret-store-example-api.yaml", "external-secret-example-api.yaml",
      "cluster-secret-store-example-worker.yaml", "external-secret-example-worker.yaml",
      "cluster-secret-store-example-admin.yaml", "external-secret-example-admin.yaml");
}
