package io.secretsync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.vault.VaultException;
import org.springframework.vault.authentication.KubernetesAuthentication;
import org.springframework.vault.authentication.KubernetesAuthenticationOptions;
import org.springframework.vault.authentication.SimpleSessionManager;
import org.springframework.vault.authentication.TokenAuthentication;
import org.springframework.vault.client.ClientHttpRequestFactoryFactory;
import org.springframework.vault.client.VaultClients;
import org.springframework.vault.client.VaultEndpoint;
import org.springframework.vault.core.VaultKeyValueOperations;
import org.springframework.vault.core.VaultKeyValueOperationsSupport.KeyValueBackend;
import org.springframework.vault.core.VaultTemplate;
import org.springframework.vault.core.VaultVersionedKeyValueOperations;
import org.springframework.vault.support.ClientOptions;
import org.springframework.vault.support.SslConfiguration;
import org.springframework.vault.support.VaultMetadataResponse;
import org.springframework.vault.support.VaultResponse;
import org.springframework.vault.support.VaultToken;
import org.springframework.vault.support.Versioned;

/**
 * Fidelity check: Spring Vault, a published client with its own code, reads and writes KV v2 through
 * FakeVault over HTTPS trusting only the test CA, and logs in with Kubernetes auth.
 */
class SpringVaultFidelityTest {
  private static final FakeVault VAULT = FakeVault.start();
  private static final ClientHttpRequestFactory FACTORY = ClientHttpRequestFactoryFactory.create(
      new ClientOptions(), SslConfiguration.forTrustStore(SslConfiguration.KeyStoreConfiguration.of(
          new ByteArrayResource(VAULT.caCertificatePem().getBytes(StandardCharsets.US_ASCII)),
          null, "PEM")));
  private static final VaultEndpoint ENDPOINT = VaultEndpoint.from(URI.create(VAULT.address()));

  @AfterAll
  static void stop() {
    VAULT.close();
  }

  private static VaultTemplate template(String token) {
    return new VaultTemplate(ENDPOINT, FACTORY,
        new SimpleSessionManager(new TokenAuthentication(token)));
  }

  @Test
  void versionedKeyValueWriteReadVersionsAndDelete() {
    VaultVersionedKeyValueOperations kv = template(VAULT.rootToken())
        .opsForVersionedKeyValue("secret");
    Versioned.Metadata first = kv.put("spring/app", Map.of("user", "app", "password", "one"));
    assertEquals(1, first.getVersion().getVersion());
    kv.put("spring/app", Map.of("user", "app", "password", "two"));

    Versioned<Map<String, Object>> current = kv.get("spring/app");
    assertEquals("two", current.getRequiredData().get("password"));
    assertEquals(2, current.getVersion().getVersion());
    assertFalse(current.getMetadata().isDestroyed());
    assertTrue(current.getMetadata().getCreatedAt().isBefore(Instant.now().plusSeconds(5)));
    Versioned<Map<String, Object>> v1 = kv.get("spring/app", Versioned.Version.from(1));
    assertEquals("one", v1.getRequiredData().get("password"));

    VaultMetadataResponse metadata = kv.opsForKeyValueMetadata().get("spring/app");
    assertEquals(2, metadata.getCurrentVersion());
    assertEquals(2, metadata.getVersions().size());

    kv.delete("spring/app");
    Versioned<Map<String, Object>> deleted = kv.get("spring/app");
    assertNull(deleted == null ? null : deleted.getData(), "soft-deleted version has no data");
    kv.undelete("spring/app", Versioned.Version.from(2));
    assertEquals("two", kv.get("spring/app").getRequiredData().get("password"));
    kv.destroy("spring/app", Versioned.Version.from(1));
    assertNull(kv.get("spring/app", Versioned.Version.from(1)).getData());
    assertNull(kv.get("spring/missing"));
  }

  @Test
  void keyValueOperationsListAndSeeWhatJavaSeeded() {
    VAULT.kv("secret").put("listing/a", Map.of("k", "v"));
    VAULT.kv("secret").put("listing/sub/b", Map.of("k", "v"));
    VaultKeyValueOperations kv = template(VAULT.rootToken())
        .opsForKeyValue("secret", KeyValueBackend.KV_2);
    assertEquals(List.of("a", "sub/"), kv.list("listing"));
    VaultResponse response = kv.get("listing/a");
    assertEquals("v", response.getRequiredData().get("k"));
  }

  @Test
  void refusedReadSurfacesVaultsPermissionDenied() {
    VAULT.policies().put("spring-reader",
        "path \"secret/data/spring-only/*\" { capabilities = [\"read\"] }");
    String token = VAULT.createToken(List.of("spring-reader"), java.time.Duration.ofHours(1));
    VaultVersionedKeyValueOperations kv = template(token).opsForVersionedKeyValue("secret");
    VaultException e = assertThrows(VaultException.class, () -> kv.get("elsewhere/x"));
    assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
    VAULT.kv("secret").put("spring-only/x", Map.of("a", "b"));
    assertEquals("b", kv.get("spring-only/x").getRequiredData().get("a"));
  }

  @Test
  void kubernetesAuthenticationLogsInThroughTheTokenReview() {
    try (TokenReviewServer kube = new TokenReviewServer()) {
      long now = Instant.now().getEpochSecond();
      String jwt = TokenReviewServer.jwt("apps", "spring-app", "0f0e0d0c-1111-4222-8333-444455556666",
          List.of("vault"), now, now + 600);
      kube.accounts.put(jwt, new TokenReviewServer.Account("apps", "spring-app",
          "0f0e0d0c-1111-4222-8333-444455556666", List.of("vault")));
      kube.allowedReviewers.add("reviewer");
      VAULT.kubernetesAuth("", "k8s-spring").enable().config(kube.url(), kube.caPem(), "reviewer")
          .role("spring", Map.of("bound_service_account_names", "spring-app",
              "bound_service_account_namespaces", "apps", "audience", "vault",
              "token_policies", "spring-reader", "token_ttl", "10m"));
      KubernetesAuthentication auth = new KubernetesAuthentication(
          KubernetesAuthenticationOptions.builder().path("k8s-spring").role("spring")
              .jwtSupplier(() -> jwt).build(),
          VaultClients.createRestTemplate(ENDPOINT, FACTORY));
      VaultToken token = auth.login();
      assertTrue(token.getToken().startsWith("hvs."));
      VAULT.policies().put("spring-reader",
          "path \"secret/data/spring-only/*\" { capabilities = [\"read\"] }");
      VAULT.kv("secret").put("spring-only/k8s", Map.of("from", "k8s"));
      assertEquals("k8s", template(token.getToken()).opsForVersionedKeyValue("secret")
          .get("spring-only/k8s").getRequiredData().get("from"));
    }
  }
}
