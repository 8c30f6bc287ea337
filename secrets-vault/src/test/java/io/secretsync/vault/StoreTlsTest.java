package io.secretsync.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.core.InvalidConfigException;
import io.secretsync.core.SecretStore;
import io.secretsync.core.SecretStoreException.InvalidStoreConfigException;
import io.secretsync.core.SecretStoreException.TlsException;
import io.secretsync.core.StoreContext;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.StoreKind;
import io.secretsync.testkit.FakeVault;
import io.secretsync.testkit.InMemoryPlatform;
import io.secretsync.testkit.IssuedCertificate;
import io.secretsync.testkit.TestClock;
import io.secretsync.testkit.TestPki;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

/** Trust and client certificates as a store configures them: caBundle, caProvider, mTLS, plain HTTP. */
class StoreTlsTest {

  private final InMemoryPlatform platform = new InMemoryPlatform();
  private final VaultStoreProvider provider = new VaultStoreProvider(d -> { });

  private ObjectNode settings(String server, String token) {
    platform.putSecret("external-secrets", "vault-token", Map.of("token", token));
    ObjectNode vault = VaultClient.JSON.createObjectNode().put("server", server).put("path", "secret");
    vault.putObject("auth").putObject("tokenSecretRef").put("name", "vault-token").put("namespace", "external-secrets");
    return vault;
  }

  private SecretStore store(ObjectNode vault, Map<String, String> annotations) {
    return provider.newStore(Stores.store(StoreKind.CLUSTER_SECRET_STORE, "", vault, annotations, Optional.empty()),
        new StoreContext(platform, TestClock.create()));
  }

  private static String read(SecretStore store) {
    return new String(store.getSecret(RemoteRef.of("app", "v")), StandardCharsets.UTF_8);
  }

  @Test
  void caFromAConfigMapIsTrusted() {
    try (FakeVault vault = FakeVault.start()) {
      vault.kv("secret").put("app", Map.of("v", "ok"));
      platform.putConfigMap("external-secrets", "vault-ca", Map.of("ca.crt", vault.caCertificatePem()));
      ObjectNode settings = settings(vault.address(), vault.rootToken());
      settings.putObject("caProvider").put("type", "ConfigMap").put("name", "vault-ca")
          .put("namespace", "external-secrets").put("key", "ca.crt");
      try (SecretStore store = store(settings, Map.of())) {
        store.validate();
        assertEquals("ok", read(store));
      }
    }
  }

  @Test
  void aCaRotatedInItsConfigMapIsPickedUpAfterATlsFailure() {
    try (FakeVault vault = FakeVault.start()) {
      vault.kv("secret").put("app", Map.of("v", "ok"));
      platform.putConfigMap("external-secrets", "vault-ca", Map.of("ca.crt",
          TestPki.create("Previous CA", TestPki.KeyType.EC_P256).caCertificatePem()));
      ObjectNode settings = settings(vault.address(), vault.rootToken());
      settings.putObject("caProvider").put("type", "ConfigMap").put("name", "vault-ca")
          .put("namespace", "external-secrets").put("key", "ca.crt");
      try (SecretStore store = store(settings, Map.of())) {
        assertThrows(TlsException.class, () -> read(store));
        platform.putConfigMap("external-secrets", "vault-ca", Map.of("ca.crt", vault.caCertificatePem()));
        assertEquals("ok", read(store));
      }
    }
  }

  @Test
  void missingCaConfigMapKeyNamesTheCaProvider() {
    try (FakeVault vault = FakeVault.start()) {
      ObjectNode settings = settings(vault.address(), vault.rootToken());
      settings.putObject("caProvider").put("type", "ConfigMap").put("name", "vault-ca")
          .put("namespace", "external-secrets").put("key", "ca.crt");
      try (SecretStore store = store(settings, Map.of())) {
        InvalidStoreConfigException e = assertThrows(InvalidStoreConfigException.class, store::validate);
        assertTrue(e.getMessage().startsWith("spec.provider.vault.caProvider: cannot read the CA certificate from "
            + "ConfigMap external-secrets/vault-ca key ca.crt"), e.getMessage());
      }
    }
  }

  @Test
  void aWrongCaFailsTheHandshake() {
    try (FakeVault vault = FakeVault.start()) {
      ObjectNode settings = settings(vault.address(), vault.rootToken())
          .put("caBundle", TestPki.create("Some Other CA", TestPki.KeyType.EC_P256).caCertificatePem());
      try (SecretStore store = store(settings, Map.of())) {
        TlsException e = assertThrows(TlsException.class, store::validate);
        assertTrue(e.getMessage().contains("not signed by a trusted CA"), e.getMessage());
      }
    }
  }

  @Test
  void aCertificateForAnotherHostFailsHostNameVerification() {
    TestPki pki = TestPki.create();
    try (FakeVault vault = FakeVault.builder().pki(pki).serverCertificate(pki.wrongHostServerCertificate()).start()) {
      ObjectNode settings = settings(vault.address(), vault.rootToken()).put("caBundle", pki.caCertificatePem());
      try (SecretStore store = store(settings, Map.of())) {
        TlsException e = assertThrows(TlsException.class, store::validate);
        assertTrue(e.getMessage().contains("not valid for host 127.0.0.1"), e.getMessage());
      }
    }
  }

  @Test
  void plainHttpIsRefusedByDefaultAndWorksWhenTheStoreAllowsIt() {
    try (FakeVault vault = FakeVault.builder().plainHttp().start()) {
      vault.kv("secret").put("app", Map.of("v", "ok"));
      ObjectNode settings = settings(vault.address(), vault.rootToken());
      InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> store(settings, Map.of()));
      assertEquals("spec.provider.vault.server", e.field());
      try (SecretStore store = store(settings, Map.of(VaultStoreProvider.ALLOW_HTTP_ANNOTATION, "true"))) {
        assertEquals("ok", read(store));
      }
    }
  }

  @Test
  void clientCertificateFromSecretsIsPresented() throws Exception {
    TestPki pki = TestPki.create();
    IssuedCertificate client = pki.clientCertificate("external-secrets");
    try (MockWebServer server = new MockWebServer()) {
      server.useHttps(pki.serverCertificate().sslContext(pki.trustManager()).getSocketFactory());
      server.requireClientAuth();
      server.enqueue(ScriptedVault.json(200, "{\"data\":{\"data\":{\"v\":\"ok\"}}}"));
      server.start();
      platform.putSecret("external-secrets", "vault-client", Map.of("tls.crt", client.chainPem(), "tls.key",
          client.privateKeyPem()));
      ObjectNode settings = settings(server.url("/").toString(), "static-token").put("caBundle", pki.caCertificatePem());
      ObjectNode tls = settings.putObject("tls");
      tls.putObject("certSecretRef").put("name", "vault-client").put("namespace", "external-secrets");
      tls.putObject("keySecretRef").put("name", "vault-client").put("namespace", "external-secrets");
      try (SecretStore store = store(settings, Map.of())) {
        assertEquals("ok", read(store));
      }
      RecordedRequest request = server.takeRequest();
      assertEquals(client.certificate(), request.getHandshake().peerCertificates().get(0));
    }
  }
}
