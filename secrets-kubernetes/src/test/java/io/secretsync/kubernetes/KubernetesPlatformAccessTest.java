package io.secretsync.kubernetes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.SecretData;
import io.secretsync.core.SecretSyncException;
import io.secretsync.core.StoreRegistry;
import io.secretsync.core.model.ClusterStoreCondition;
import io.secretsync.core.model.ConfigNode;
import io.secretsync.core.model.ObjectMeta;
import io.secretsync.core.model.ProviderConfig;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import io.secretsync.kubernetes.KubernetesClient.ConfigMap;
import io.secretsync.kubernetes.KubernetesClient.ResourceType;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.InMemorySecretStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What providers read from the cluster: CA bundles, credentials, service account tokens, namespace labels. */
class KubernetesPlatformAccessTest {
  private static final String NS = "platform";

  @RegisterExtension
  static final FakeKubernetes kube = FakeKubernetes.start();

  private static KubernetesClient client;
  private static KubernetesPlatformAccess platform;

  @BeforeAll
  static void cluster() {
    client = TestFiles.adminClient(kube);
    platform = KubernetesPlatformAccess.create(client);
    kube.createNamespace(NS);
    client.createConfigMap(new ConfigMap(NS, "vault-ca", ImmutableMap.of(), ImmutableMap.of(),
        ImmutableMap.of("ca.crt", kube.caCertificatePem()), SecretData.of(Map.of("ca.der", new byte[] {48, -126})),
        false, ""), "");
    client.createSecret(new io.secretsync.core.TargetSecret(NS, "vault-token", "Opaque", ImmutableMap.of(),
        ImmutableMap.of(), ImmutableList.of(), false, SecretData.ofStrings(Map.of("token", "hvs.s3cr3t",
            "role-id", "r")), ""), "");
    kube.createServiceAccount(NS, "vault-auth");
  }

  @AfterAll
  static void disconnect() {
    client.close();
  }

  @Test
  void caBundleFromAConfigMapsDataOrBinaryData() {
    assertEquals(kube.caCertificatePem(), new String(platform.configMapValue(NS, "vault-ca", "ca.crt"),
        StandardCharsets.UTF_8));
    assertArrayEquals(new byte[] {48, -126}, platform.configMapValue(NS, "vault-ca", "ca.der"));
  }

  @Test
  void secretValueAndAMissingKeyNamesTheKeysThatExistNeverTheirValues() {
    assertEquals("hvs.s3cr3t", new String(platform.secretValue(NS, "vault-token", "token"), StandardCharsets.UTF_8));

    SecretSyncException e = assertThrows(SecretSyncException.class,
        () -> platform.secretValue(NS, "vault-token", "tokn"));

    assertEquals("Secret platform/vault-token has no key \"tokn\" (keys: role-id, token)", e.getMessage());
    assertFalse(e.getMessage().contains("s3cr3t"));
  }

  @Test
  void missingObjectsAreNamed() {
    SecretSyncException secret = assertThrows(SecretSyncException.class,
        () -> platform.secretValue(NS, "nope", "token"));
    SecretSyncException configMap = assertThrows(SecretSyncException.class,
        () -> platform.configMapValue("elsewhere", "vault-ca", "ca.crt"));

    assertEquals("Secret platform/nope does not exist", secret.getMessage());
    assertEquals("ConfigMap elsewhere/vault-ca does not exist", configMap.getMessage());
  }

  @Test
  void serviceAccountTokenFromTokenRequestWithTheAudiencesAskedFor() {
    String token = platform.serviceAccountToken(NS, "vault-auth", List.of("vault"), Duration.ofMinutes(10));

    ObjectNode review = ApiTransport.object().put("apiVersion", "authentication.k8s.io/v1").put("kind", "TokenReview");
    review.putObject("spec").put("token", token).putArray("audiences").add("vault");
    ObjectNode answer = client.create(new ResourceType("authentication.k8s.io", "v1", "tokenreviews", false), review,
        "");
    assertTrue(answer.path("status").path("authenticated").asBoolean(), answer.toString());
    assertEquals("vault", answer.path("status").path("audiences").path(0).asText());
  }

  @Test
  void tokenForAMissingServiceAccountSaysWhatToCreate() {
    SecretSyncException e = assertThrows(SecretSyncException.class,
        () -> platform.serviceAccountToken(NS, "ghost", List.of("vault"), Duration.ofMinutes(10)));

    assertTrue(e.getMessage().startsWith("cannot get a token for service account platform/ghost"), e.getMessage());
    assertTrue(e.hints().get(0).contains("create the service account ghost"), e.hints().toString());
  }

  @Test
  void namespaceLabelsDecideClusterSecretStoreSelectorConditions() {
    kube.call("POST", "/api/v1/namespaces", "{\"metadata\":{\"name\":\"team-a\",\"labels\":{\"secrets\":\"allowed\"}}}",
        true);
    kube.createNamespace("team-b");
    InMemorySecretStore store = InMemorySecretStore.create("platform-conditions");
    SecretStoreResource clusterStore = new SecretStoreResource(StoreKind.CLUSTER_SECRET_STORE,
        ObjectMeta.of("", "shared"), "", new ProviderConfig(InMemorySecretStore.PROVIDER_NAME,
            ConfigNode.of("spec.provider.memory", JsonNodeFactory.instance.objectNode().put("name", store.name()))),
        Optional.empty(), Duration.ZERO, ImmutableList.of(new ClusterStoreCondition(
            ImmutableMap.of("secrets", "allowed"), ImmutableList.of(), ImmutableList.of())));
    try (StoreRegistry registry = StoreRegistry.builder().provider(InMemorySecretStore.provider())
        .namespaceLabels(platform).build()) {
      assertTrue(registry.admits(clusterStore, "team-a"));
      assertFalse(registry.admits(clusterStore, "team-b"));
      assertFalse(registry.admits(clusterStore, "does-not-exist"));
    }
    assertEquals("team-a", platform.labels("team-a").get("kubernetes.io/metadata.name"));
  }

  @Test
  void templateSourcesReadConfigMapsAndSecrets() {
    assertEquals(kube.caCertificatePem(), platform.configMap(NS, "vault-ca").orElseThrow().get("ca.crt"));
    assertEquals("r", new String(platform.secret(NS, "vault-token").orElseThrow().get("role-id"),
        StandardCharsets.UTF_8));
    assertTrue(platform.configMap(NS, "absent").isEmpty());
    assertTrue(platform.secret(NS, "absent").isEmpty());
  }
}
