package io.secretsync.kubernetes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.SecretData;
import io.secretsync.core.TargetSecret;
import io.secretsync.core.TargetSecret.OwnerReference;
import io.secretsync.kubernetes.KubernetesClient.ConfigMap;
import io.secretsync.kubernetes.KubernetesClient.PatchType;
import io.secretsync.kubernetes.KubernetesClient.ResourceType;
import io.secretsync.kubernetes.KubernetesClient.ServiceAccountToken;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.server.ServerResponse;
import io.secretsync.testkit.server.TestHttpServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The REST client against FakeKubernetes over HTTPS: verbs, typed mappings, and Status errors as typed exceptions. */
class KubernetesClientTest {

  @RegisterExtension
  static final FakeKubernetes kube = FakeKubernetes.builder().withEsoCrds().start();

  private static KubernetesClient client;

  @BeforeAll
  static void connect() {
    client = TestFiles.adminClient(kube);
    kube.createNamespace("client");
  }

  @AfterAll
  static void disconnect() {
    client.close();
  }

  private static TargetSecret secret(String name, Map<String, byte[]> data) {
    return new TargetSecret("client", name, "Opaque", ImmutableMap.of("app", "billing"),
        ImmutableMap.of("example.com/owner", "team-a"),
        ImmutableList.of(new OwnerReference("apps/v1", "Deployment", "billing", "0b7a-uid", false, false)),
        false, SecretData.of(data), "");
  }

  @Test
  void secretRoundTripKeepsMetadataTypeAndExactBytes() {
    byte[] binary = {0, 1, 2, (byte) 0xff, (byte) 0xfe};
    TargetSecret created = client.createSecret(secret("round-trip", Map.of("bin", binary,
        "text", "s3cr3t".getBytes(StandardCharsets.UTF_8))), "test-manager");

    TargetSecret read = client.getSecret("client", "round-trip").orElseThrow();

    assertEquals(created, read);
    assertFalse(read.resourceVersion().isEmpty());
    assertEquals("Opaque", read.type());
    assertEquals(Map.of("app", "billing"), read.labels());
    assertEquals(Map.of("example.com/owner", "team-a"), read.annotations());
    assertEquals("Deployment", read.ownerReferences().get(0).kind());
    assertArrayEquals(binary, read.data().get("bin").orElseThrow());
    ObjectNode wire = kube.get("/api/v1/namespaces/client/secrets/round-trip").orElseThrow();
    assertEquals("czNjcjN0", wire.path("data").path("text").asText(), "base64 on the wire");
  }

  @Test
  void listSecretsByLabelSelector() {
    client.createSecret(secret("listed-a", Map.of("k", new byte[] {1})), "");
    client.createSecret(new TargetSecret("client", "listed-b", "Opaque", ImmutableMap.of("app", "other"),
        ImmutableMap.of(), ImmutableList.of(), false, SecretData.empty(), ""), "");

    List<String> names = client.listSecrets("client", "app=other").stream().map(TargetSecret::name).toList();

    assertEquals(List.of("listed-b"), names);
  }

  @Test
  void staleReplaceIsATypedConflict() {
    TargetSecret first = client.createSecret(secret("stale", Map.of("k", new byte[] {1})), "");
    client.replaceSecret(first.withData(SecretData.ofStrings(Map.of("k", "2"))), "");

    KubernetesApiException e = assertThrows(KubernetesApiException.class,
        () -> client.replaceSecret(first.withData(SecretData.ofStrings(Map.of("k", "3"))), ""));

    assertTrue(e.isConflict());
    assertEquals(409, e.code());
    assertEquals("Conflict", e.reason());
    assertEquals("PUT /api/v1/namespaces/client/secrets/stale", e.request());
    assertTrue(e.getMessage().contains("the object has been modified"), e.getMessage());
  }

  @Test
  void createOfAnExistingNameIsAlreadyExists() {
    client.createSecret(secret("twice", Map.of()), "");

    KubernetesApiException e = assertThrows(KubernetesApiException.class,
        () -> client.createSecret(secret("twice", Map.of()), ""));

    assertTrue(e.isAlreadyExists());
    assertFalse(e.isConflict());
  }

  @Test
  void missingObjectsAreEmptyOnReadAndNotFoundOnDelete() {
    assertTrue(client.getSecret("client", "nothing-here").isEmpty());

    KubernetesApiException e = assertThrows(KubernetesApiException.class,
        () -> client.deleteSecret("client", "nothing-here", ""));

    assertTrue(e.isNotFound());
    assertEquals("NotFound", e.reason());
  }

  @Test
  void deleteWithAStaleResourceVersionConflicts() {
    TargetSecret created = client.createSecret(secret("guarded", Map.of()), "");
    client.replaceSecret(created.withData(SecretData.ofStrings(Map.of("x", "y"))), "");

    KubernetesApiException e = assertThrows(KubernetesApiException.class,
        () -> client.deleteSecret("client", "guarded", created.resourceVersion()));

    assertTrue(e.isConflict());
    assertTrue(client.getSecret("client", "guarded").isPresent());
  }

  @Test
  void invalidObjectCarriesTheServersCauses() {
    ObjectNode bad = SecretJson.toJson(secret("bad-key", Map.of("bad key", new byte[] {1})));

    KubernetesApiException e = assertThrows(KubernetesApiException.class,
        () -> client.create(ResourceType.SECRETS, bad, ""));

    assertTrue(e.isInvalid());
    assertEquals("Invalid", e.reason());
    assertEquals("data[bad key]", e.causes().get(0).field());
    assertEquals("FieldValueInvalid", e.causes().get(0).reason());
  }

  @Test
  void mergePatchRemovesAKeyAndApplyPatchSetsOne() {
    client.createSecret(secret("patched", Map.of("a", new byte[] {1}, "b", new byte[] {2})), "");
    ObjectNode merge = ApiTransport.object();
    merge.putObject("data").putNull("a");
    ObjectNode apply = ApiTransport.object().put("apiVersion", "v1").put("kind", "Secret");
    apply.putObject("metadata").put("name", "patched").put("namespace", "client");
    apply.putObject("stringData").put("c", "three");

    client.patchSecret("client", "patched", PatchType.MERGE, merge, "");
    TargetSecret after = client.patchSecret("client", "patched", PatchType.APPLY, apply, "applier");

    assertEquals(List.of("b", "c"), List.copyOf(after.data().keys()));
    assertEquals("three", after.data().getString("c").orElseThrow());
  }

  @Test
  void configMapWithStringAndBinaryData() {
    ConfigMap map = new ConfigMap("client", "bundle", ImmutableMap.of(), ImmutableMap.of(),
        ImmutableMap.of("ca.crt", "-----BEGIN CERTIFICATE-----"), SecretData.of(Map.of("blob", new byte[] {9, 8})),
        false, "");

    client.createConfigMap(map, "");
    ConfigMap read = client.getConfigMap("client", "bundle").orElseThrow();

    assertEquals("-----BEGIN CERTIFICATE-----", new String(read.value("ca.crt").orElseThrow(), StandardCharsets.UTF_8));
    assertArrayEquals(new byte[] {9, 8}, read.value("blob").orElseThrow());
    assertTrue(read.value("nope").isEmpty());
  }

  @Test
  void tokenRequestCarriesTheAudiencesTheServerReviews() {
    kube.createServiceAccount("client", "vault-auth");

    ServiceAccountToken token = client.requestServiceAccountToken("client", "vault-auth", List.of("vault"),
        Duration.ofMinutes(10));
    ObjectNode review = ApiTransport.object().put("apiVersion", "authentication.k8s.io/v1").put("kind", "TokenReview");
    review.putObject("spec").put("token", token.token()).putArray("audiences").add("vault");
    ObjectNode answer = client.create(new ResourceType("authentication.k8s.io", "v1", "tokenreviews", false), review, "");

    assertTrue(answer.path("status").path("authenticated").asBoolean(), answer.toString());
    assertEquals("system:serviceaccount:client:vault-auth", answer.path("status").path("user").path("username").asText());
    assertFalse(token.toString().contains(token.token()));
    assertTrue(token.expirationTimestamp().isAfter(java.time.Instant.now()));
  }

  @Test
  void tokenForAMissingServiceAccountIsNotFound() {
    KubernetesApiException e = assertThrows(KubernetesApiException.class,
        () -> client.requestServiceAccountToken("client", "ghost", List.of(), Duration.ofMinutes(10)));

    assertTrue(e.isNotFound(), e.getMessage());
  }

  @Test
  void customResourceGetListAndStatusSubresource() {
    ObjectNode es = ApiTransport.object().put("apiVersion", "external-secrets.io/v1").put("kind", "ExternalSecret");
    es.putObject("metadata").put("name", "db").put("namespace", "client");
    ObjectNode spec = es.putObject("spec");
    spec.putObject("secretStoreRef").put("name", "vault").put("kind", "ClusterSecretStore");
    spec.putObject("target").put("name", "db-creds");
    spec.putArray("data").addObject().put("secretKey", "password").putObject("remoteRef").put("key", "db");

    ObjectNode created = client.create(ResourceType.EXTERNAL_SECRETS, es, "");
    ObjectNode status = created.deepCopy();
    status.putObject("status").putArray("conditions").addObject().put("type", "Ready").put("status", "True")
        .put("reason", "SecretSynced").put("message", "secret synced");
    client.replaceStatus(ResourceType.EXTERNAL_SECRETS, status, "");
    ObjectNode refresh = ApiTransport.object();
    refresh.putObject("status").put("refreshTime", "2026-03-01T10:00:00Z");
    client.patchStatus(ResourceType.EXTERNAL_SECRETS, "client", "db", refresh, "");

    ObjectNode read = client.get(ResourceType.EXTERNAL_SECRETS, "client", "db").orElseThrow();
    assertEquals("SecretSynced", read.path("status").path("conditions").path(0).path("reason").asText());
    assertEquals("2026-03-01T10:00:00Z", read.path("status").path("refreshTime").asText());
    assertEquals("db-creds", read.path("spec").path("target").path("name").asText());
    KubernetesClient.ObjectList list = client.list(ResourceType.EXTERNAL_SECRETS, "client", "");
    assertEquals(1, list.items().size());
    assertEquals("ExternalSecret", list.items().get(0).path("kind").asText());
    assertFalse(list.resourceVersion().isEmpty());
  }

  @Test
  void nonStatusErrorBodyIsReportedWithItsHttpStatus() {
    try (TestHttpServer proxy = TestHttpServer.builder().name("broken-proxy").tls(kube.pki().serverCertificate())
        .handler(request -> ServerResponse.text(502, "upstream connect error")).start();
        KubernetesClient viaProxy = KubernetesClient.create(KubernetesConfig.builder(proxy.baseUrl())
            .caCertificatesPem(kube.caCertificatePem()).build())) {
      KubernetesApiException e = assertThrows(KubernetesApiException.class, () -> viaProxy.getSecret("a", "b"));

      assertEquals(502, e.code());
      assertEquals("", e.reason());
      assertTrue(e.getMessage().contains("HTTP 502: upstream connect error"), e.getMessage());
    }
  }

  @Test
  void unreachableServerIsATransportFailure() {
    try (KubernetesClient nowhere = KubernetesClient.create(KubernetesConfig.builder("https://127.0.0.1:1")
        .connectTimeout(Duration.ofSeconds(2)).build())) {
      KubernetesApiException e = assertThrows(KubernetesApiException.class, () -> nowhere.getSecret("a", "b"));

      assertTrue(e.isTransportFailure());
      assertTrue(e.getMessage().startsWith("GET /api/v1/namespaces/a/secrets/b: cannot reach https://127.0.0.1:1"),
          e.getMessage());
    }
  }

  @Test
  void customResourceWatchReportsStatusUpdates() throws InterruptedException {
    kube.createNamespace("client-watch");
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (KubernetesClient.Watch watch = client.watch(ResourceType.CLUSTER_SECRET_STORES, "", "",
        event -> seen.add(event.type() + " " + event.object().path("metadata").path("name").asText() + " "
            + event.object().path("status").path("conditions").path(0).path("reason").asText("-")))) {
      assertTrue(watch.awaitSynced(Duration.ofSeconds(10)));
      ObjectNode store = ApiTransport.object().put("apiVersion", "external-secrets.io/v1")
          .put("kind", "ClusterSecretStore");
      store.putObject("metadata").put("name", "vault-backend");
      store.putObject("spec").putObject("provider").putObject("vault").put("server", "https://vault:8200");
      client.create(ResourceType.CLUSTER_SECRET_STORES, store, "");
      ObjectNode status = ApiTransport.object();
      status.putObject("status").putArray("conditions").addObject().put("type", "Ready").put("status", "True")
          .put("reason", "Valid").put("message", "store validated");
      client.patchStatus(ResourceType.CLUSTER_SECRET_STORES, "", "vault-backend", status, "");

      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
      while (seen.size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(List.of("ADDED vault-backend -", "MODIFIED vault-backend Valid"), seen);
    }
  }
}
