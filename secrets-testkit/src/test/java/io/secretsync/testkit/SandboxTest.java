package io.secretsync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** Vault's Kubernetes auth in the sandbox reaches the fake API server as a real Vault reaches a cluster. */
class SandboxTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void kubernetesLoginGoesThroughTheFakeApiServersTokenReview() throws IOException {
    try (Sandbox sandbox = Sandbox.start()) {
      FakeKubernetes kube = sandbox.kubernetes();
      kube.createNamespace("vault-auth");
      kube.createServiceAccount("vault-auth", "vault-auth");
      kube.call("POST", "/api/v1/namespaces/vault-auth/secrets", "{\"metadata\":{\"name\":\"vault-auth-token\","
          + "\"annotations\":{\"kubernetes.io/service-account.name\":\"vault-auth\"}},"
          + "\"type\":\"kubernetes.io/service-account-token\"}", false);
      String reviewerJwt = new String(Base64.getDecoder().decode(kube.get(
          "/api/v1/namespaces/vault-auth/secrets/vault-auth-token").orElseThrow().path("data").path("token").asText()),
          StandardCharsets.UTF_8);
      kube.createNamespace("external-secrets");
      kube.createServiceAccount("external-secrets", "external-secrets");

      FakeVault vault = sandbox.vault();
      vault.kubernetesAuth().enable().config(kube.baseUrl(), sandbox.pki().caCertificatePem(), reviewerJwt)
          .role("external-secrets-example-api", Map.of(
              "bound_service_account_names", "external-secrets",
              "bound_service_account_namespaces", "external-secrets",
              "audience", "https://kubernetes.default.svc.cluster.local",
              "policies", "example-api", "ttl", "1h"));
      String jwt = kube.serviceAccountToken("external-secrets", "external-secrets",
          List.of("https://kubernetes.default.svc.cluster.local"), Duration.ofMinutes(10));

      OkHttpClient http = new OkHttpClient.Builder()
          .sslSocketFactory(sandbox.pki().clientSslContext().getSocketFactory(), sandbox.pki().trustManager()).build();
      Request login = new Request.Builder().url(vault.address() + "/v1/auth/kubernetes/login")
          .post(RequestBody.create("{\"role\":\"external-secrets-example-api\",\"jwt\":\"" + jwt + "\"}",
              MediaType.get("application/json"))).build();
      try (Response response = http.newCall(login).execute()) {
        JsonNode body = JSON.readTree(response.body().string());
        assertEquals(200, response.code(), body.toString());
        assertTrue(body.path("auth").path("client_token").asText().startsWith("hvs."));
        assertEquals("external-secrets", body.path("auth").path("metadata").path("service_account_name").asText());
      }
      assertEquals(1, kube.auditLog().count("POST", "/apis/authentication.k8s.io/v1/tokenreviews"),
          "Vault asked the fake API server");
    }
  }
}
