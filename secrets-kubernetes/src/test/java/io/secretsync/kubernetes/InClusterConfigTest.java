package io.secretsync.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.InvalidConfigException;
import io.secretsync.kubernetes.KubernetesClient.ConfigMap;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.TestClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-cluster configuration from a service account folder and environment, as a pod sees them. */
class InClusterConfigTest {
  private static final TestClock clock = TestClock.at(Instant.parse("2026-03-01T10:00:00Z"));
  private static FakeKubernetes kube;

  @TempDir
  Path serviceAccount;

  @BeforeAll
  static void cluster() {
    kube = FakeKubernetes.builder().clock(clock).start();
    kube.createNamespace("sync");
    kube.createServiceAccount("sync", "controller");
  }

  @AfterAll
  static void stop() {
    kube.close();
  }

  private Map<String, String> podEnvironment() {
    return Map.of("KUBERNETES_SERVICE_HOST", "127.0.0.1", "KUBERNETES_SERVICE_PORT", Integer.toString(kube.port()));
  }

  /** Writes the token as the kubelet does: a new file moved over the old one. */
  private void writeToken(String token) throws IOException {
    Path next = Files.writeString(serviceAccount.resolve(".token.next"), token);
    Files.move(next, serviceAccount.resolve("token"), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  private void mountServiceAccount() throws IOException {
    writeToken(kube.serviceAccountToken("sync", "controller", List.of(), Duration.ofMinutes(10)));
    Files.writeString(serviceAccount.resolve("ca.crt"), kube.caCertificatePem());
    Files.writeString(serviceAccount.resolve("namespace"), "sync\n");
  }

  @Test
  void serverTokenCaAndNamespaceComeFromTheEnvironmentAndFolder() throws IOException {
    mountServiceAccount();

    KubernetesConfig config = KubernetesConfig.loader().environment(podEnvironment())
        .serviceAccountDirectory(serviceAccount).load();

    assertEquals("https://127.0.0.1:" + kube.port(), config.server().toString());
    assertEquals("sync", config.namespace());
    assertEquals(serviceAccount.resolve("token"), config.bearerTokenFile().orElseThrow());
    assertEquals(1, config.caCertificates().size());
    try (KubernetesClient client = KubernetesClient.create(config)) {
      client.createConfigMap(ConfigMap.of("sync", "in-cluster", Map.of("ok", "yes")), "");
      assertEquals("yes", client.getConfigMap("sync", "in-cluster").orElseThrow().data().get("ok"));
    }
  }

  @Test
  void podNamespaceVariableWinsOverTheFile() throws IOException {
    mountServiceAccount();
    Map<String, String> environment = new java.util.HashMap<>(podEnvironment());
    environment.put("POD_NAMESPACE", "from-env");

    KubernetesConfig config = KubernetesConfig.loader().environment(environment)
        .serviceAccountDirectory(serviceAccount).loadInCluster();

    assertEquals("from-env", config.namespace());
  }

  @Test
  void ipv6ServiceHostIsBracketed() throws IOException {
    mountServiceAccount();

    KubernetesConfig config = KubernetesConfig.loader()
        .environment(Map.of("KUBERNETES_SERVICE_HOST", "fd00::1", "KUBERNETES_SERVICE_PORT", "443"))
        .serviceAccountDirectory(serviceAccount).load();

    assertEquals("https://[fd00::1]:443", config.server().toString());
  }

  @Test
  void outsideAPodTheInClusterConfigurationSaysWhatIsMissing() throws IOException {
    InvalidConfigException noEnvironment = assertThrows(InvalidConfigException.class,
        () -> KubernetesConfig.loader().environment(Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1"))
            .serviceAccountDirectory(serviceAccount).loadInCluster());
    InvalidConfigException noToken = assertThrows(InvalidConfigException.class,
        () -> KubernetesConfig.loader().environment(podEnvironment()).serviceAccountDirectory(serviceAccount)
            .loadInCluster());

    assertTrue(noEnvironment.getMessage().contains("KUBERNETES_SERVICE_PORT"), noEnvironment.getMessage());
    assertEquals(serviceAccount.resolve("token").toString(), noToken.field());
  }

  @Test
  void missingCaFileFallsBackToTheSystemRootsAsClientGoDoes() throws IOException {
    writeToken("t");

    KubernetesConfig config = KubernetesConfig.loader().environment(podEnvironment())
        .serviceAccountDirectory(serviceAccount).loadInCluster();

    assertTrue(config.caCertificates().isEmpty());
    assertEquals("default", config.namespace(), "no namespace file: default");
  }

  @Test
  void rotatedTokenIsPickedUpBeforeTheOldOneExpires() throws IOException {
    mountServiceAccount();
    KubernetesConfig config = KubernetesConfig.loader().environment(podEnvironment())
        .serviceAccountDirectory(serviceAccount).load();
    try (KubernetesClient client = KubernetesClient.create(config)) {
      client.createConfigMap(ConfigMap.of("sync", "rotation", Map.of("n", "1")), "");

      // the kubelet writes a fresh token; then the first one expires
      writeToken(kube.serviceAccountToken("sync", "controller", List.of(), Duration.ofHours(1)));
      clock.advance(Duration.ofMinutes(15));
      kube.auditLog().clear();

      assertEquals("1", client.getConfigMap("sync", "rotation").orElseThrow().data().get("n"));
      assertFalse(kube.auditLog().entries().stream().anyMatch(e -> e.status() == 401),
          "the new token was sent straight away: " + kube.auditLog().entries());

      // an expired token in the file is refused by the server as Unauthorized
      writeToken(kube.serviceAccountToken("sync", "controller", List.of(), Duration.ofMinutes(10)));
      // past the expiry plus the API server's one minute of leeway (go-jose's DefaultLeeway)
      clock.advance(Duration.ofMinutes(15));
      KubernetesApiException expired = assertThrows(KubernetesApiException.class,
          () -> client.getConfigMap("sync", "rotation"));
      assertEquals(401, expired.code());
      assertTrue(expired.hints().get(0).contains("token file " + serviceAccount.resolve("token")),
          expired.hints().toString());
    }
  }

  @Test
  void tokenFileThatVanishesBeforeTheFirstRequestIsNamed() throws IOException {
    mountServiceAccount();
    KubernetesConfig config = KubernetesConfig.loader().environment(podEnvironment())
        .serviceAccountDirectory(serviceAccount).load();
    Files.delete(serviceAccount.resolve("token"));
    kube.auditLog().clear();

    try (KubernetesClient client = KubernetesClient.create(config)) {
      KubernetesApiException e = assertThrows(KubernetesApiException.class, () -> client.getSecret("sync", "x"));

      assertTrue(e.isTransportFailure());
      assertTrue(e.getMessage().contains("cannot read the bearer token file " + serviceAccount.resolve("token")),
          e.getMessage());
      assertTrue(kube.auditLog().entries().isEmpty(), "nothing was sent");
    }
  }
}
