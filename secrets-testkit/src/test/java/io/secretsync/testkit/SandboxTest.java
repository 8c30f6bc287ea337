package io.secretsync.testkit;

import static io.secretsync.testkit.KubeWire.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox: both servers on one CA, the files it hands out, and Vault's Kubernetes auth reaching
 * the fake API server's TokenReview over HTTPS once configured as the walkthrough does.
 */
class SandboxTest {
  private static final MediaType JSON = MediaType.get("application/json");

  @TempDir Path dir;

  private static KubeWire.Answer vault(Sandbox sandbox, String method, String path, String token,
      String body) {
    OkHttpClient client = new OkHttpClient.Builder()
        .sslSocketFactory(TestPki.sslContext(null, sandbox.pki().trustManager())
            .getSocketFactory(), sandbox.pki().trustManager()).build();
    Request.Builder b = new Request.Builder().url(sandbox.vaultAddress() + path)
        .method(method, body == null ? null : RequestBody.create(body, JSON));
    if (token != null) {
      b.header("X-Vault-Token", token);
    }
    try (Response r = client.newCall(b.build()).execute()) {
      return new KubeWire.Answer(r.code(), r.body().string(), java.util.Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void vaultKubernetesAuthReviewsTokensWithTheFakeApiServerOnceConfigured() {
    try (Sandbox sandbox = Sandbox.start()) {
      FakeKubernetes kube = sandbox.kubernetes().orElseThrow();
      String root = sandbox.vaultRootToken();
      // Kubernetes side, as the walkthrough sets it up.
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
      String reviewerJwt = new String(kube.secretData("vault-auth", "vault-auth-token")
          .orElseThrow().get("token"), StandardCharsets.UTF_8);
      kube.createNamespace("external-secrets");
      kube.createServiceAccount("external-secrets", "external-secrets");

      // Vault side.
      vault(sandbox, "POST", "/v1/sys/auth/kubernetes", root, q("{'type':'kubernetes'}"))
          .expect(204);
      ObjectNode config = KubeWire.JSON.createObjectNode();
      config.put("kubernetes_host", sandbox.kubernetesUrl());
      config.put("kubernetes_ca_cert", sandbox.caCertificatePem());
      config.put("token_reviewer_jwt", reviewerJwt);
      vault(sandbox, "POST", "/v1/auth/kubernetes/config", root, config.toString()).expect(204);
      vault(sandbox, "PUT", "/v1/sys/policies/acl/example-api", root,
          q("{'policy':'path \\'secret/data/example-api/*\\' { capabilities = [\\'read\\'] }'}")
              .replace("\\'", "\\\"")).expect(204);
      vault(sandbox, "POST", "/v1/auth/kubernetes/role/external-secrets-example-api", root,
          q("{'bound_service_account_names':'external-secrets','bound_service_account_namespaces':"
              + "'external-secrets','audience':'https://kubernetes.default.svc.cluster.local',"
              + "'policies':'example-api','ttl':'1h'}")).expect(204);
      vault(sandbox, "POST", "/v1/secret/data/example-api/env-file", root,
          q("{'data':{'dotenv':'API_KEY=example'}}")).expect(200);

      // ESO's login with its service account's token.
      String jwt = kube.serviceAccountToken("external-secrets", "external-secrets",
          List.of("https://kubernetes.default.svc.cluster.local"), Duration.ofMinutes(10));
      kube.auditLog().clear();
      String login = q("{'role':'external-secrets-example-api','jwt':'" + jwt + "'}");
      JsonNode auth = vault(sandbox, "POST", "/v1/auth/kubernetes/login", null, login)
          .expect(200).json().path("auth");
      assertEquals("external-secrets", auth.path("metadata").path("service_account_name")
          .asText());
      assertEquals(1, kube.requestCount("POST", "/apis/authentication.k8s.io/v1/tokenreviews"));
      assertEquals(201, kube.auditLog().last("POST",
          "/apis/authentication.k8s.io/v1/tokenreviews").orElseThrow().status());
      JsonNode secret = vault(sandbox, "GET", "/v1/secret/data/example-api/env-file",
          auth.path("client_token").asText(), null).expect(200).json();
      assertEquals("API_KEY=example", secret.path("data").path("data").path("dotenv").asText());

      // A reviewer token that is no longer valid: Vault answers a bare 403.
      kube.delete("v1", "Secret", "vault-auth", "vault-auth-token");
      JsonNode denied = vault(sandbox, "POST", "/v1/auth/kubernetes/login", null, login)
          .expect(403).json();
      assertEquals(q("{'errors':['permission denied']}"), denied.toString());
      assertEquals(401, kube.auditLog().last("POST",
          "/apis/authentication.k8s.io/v1/tokenreviews").orElseThrow().status());
    }
  }

  @Test
  void writeFilesHandsOutKubeconfigVaultTokenCaAndEnvLast() throws IOException {
    try (Sandbox sandbox = Sandbox.start()) {
      Sandbox.WrittenFiles files = sandbox.writeFiles(dir);
      assertEquals(sandbox.caCertificatePem(), Files.readString(files.caCertificate()));
      String kubeconfig = Files.readString(files.kubeconfig().orElseThrow());
      assertTrue(kubeconfig.contains("current-context: sandbox\n"), kubeconfig);
      assertTrue(kubeconfig.contains("    server: " + sandbox.kubernetesUrl() + "\n"));
      assertTrue(kubeconfig.contains("    token: " + sandbox.kubernetesAdminToken() + "\n"));
      assertTrue(kubeconfig.contains("certificate-authority-data: "
          + java.util.Base64.getEncoder().encodeToString(sandbox.caCertificatePem()
              .getBytes(StandardCharsets.US_ASCII))));
      assertEquals(sandbox.vaultRootToken() + "\n",
          Files.readString(files.vaultToken().orElseThrow()));
      assertEquals(List.of(
          "export VAULT_ADDR='" + sandbox.vaultAddress() + "'",
          "export VAULT_TOKEN='" + sandbox.vaultRootToken() + "'",
          "export VAULT_CACERT='" + files.caCertificate() + "'",
          "export KUBECONFIG='" + files.kubeconfig().orElseThrow() + "'"),
          Files.readAllLines(files.env()));
      assertEquals("rw-------", PosixFilePermissions.toString(
          Files.getPosixFilePermissions(files.vaultToken().orElseThrow())));
      assertTrue(Files.getLastModifiedTime(files.env()).compareTo(
          Files.getLastModifiedTime(files.kubeconfig().orElseThrow())) >= 0);
      assertTrue(sandbox.kubernetes().orElseThrow().get("apiextensions.k8s.io/v1",
          "CustomResourceDefinition", null, "externalsecrets.external-secrets.io").isPresent());
    }
  }

  @Test
  void eitherServerCanBeLeftOutButNotBoth() throws IOException {
    try (Sandbox kubeOnly = Sandbox.builder().vault(false).start()) {
      assertFalse(kubeOnly.vault().isPresent());
      Sandbox.WrittenFiles files = kubeOnly.writeFiles(dir);
      assertTrue(files.vaultToken().isEmpty());
      assertEquals(List.of("export KUBECONFIG='" + files.kubeconfig().orElseThrow() + "'"),
          Files.readAllLines(files.env()));
      IllegalStateException e = assertThrows(IllegalStateException.class,
          kubeOnly::vaultAddress);
      assertEquals("this sandbox was started without Vault", e.getMessage());
    }
    assertThrows(IllegalStateException.class,
        () -> Sandbox.builder().vault(false).kubernetes(false).start());
  }
}
