package io.secretsync.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import io.secretsync.core.StoreRegistry;
import io.secretsync.core.SyncEngine;
import io.secretsync.core.SyncResult;
import io.secretsync.core.SyncResult.Outcome;
import io.secretsync.core.model.ConfigNode;
import io.secretsync.core.model.CreationPolicy;
import io.secretsync.core.model.DeletionPolicy;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ObjectMeta;
import io.secretsync.core.model.ProviderConfig;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import io.secretsync.core.model.StoreRef;
import io.secretsync.core.model.Target;
import io.secretsync.kubernetes.KubernetesClient.ResourceType;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.InMemorySecretStore;
import io.secretsync.testkit.server.AuditLog;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sync engine's planner driving the Kubernetes writer against FakeKubernetes: every
 * creationPolicy x deletionPolicy pair ESO allows, asserted on the Secret as the API returns it
 * (labels, annotations, ownerReferences, type, data), ESO's errors for the pairs it rejects, and no
 * write at all for an unchanged second sync.
 */
class EnginePolicyMatrixTest {
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static FakeKubernetes kube;
  private static KubernetesClient client;
  private static InMemorySecretStore vault;
  private static StoreRegistry registry;
  private static SyncEngine engine;

  private String ns;

  @BeforeAll
  static void cluster() {
    kube = FakeKubernetes.builder().withEsoCrds().start();
    client = TestFiles.adminClient(kube);
    vault = InMemorySecretStore.create("vault-matrix");
    registry = StoreRegistry.builder().provider(InMemorySecretStore.provider()).build();
    registry.put(new SecretStoreResource(StoreKind.CLUSTER_SECRET_STORE, ObjectMeta.of("", "vault-example-api"), "",
        new ProviderConfig(InMemorySecretStore.PROVIDER_NAME, ConfigNode.of("spec.provider.memory",
            JsonNodeFactory.instance.objectNode().put("name", vault.name()))),
        Optional.empty(), Duration.ZERO, ImmutableList.of()));
    engine = SyncEngine.builder().stores(registry).writer(KubernetesSecretWriter.create(client)).build();
  }

  @AfterAll
  static void stop() {
    registry.close();
    client.close();
    kube.close();
  }

  @BeforeEach
  void freshNamespace() {
    ns = "matrix-" + NAMESPACES.incrementAndGet();
    kube.createNamespace(ns);
    vault.put("app/db", Map.of("password", "pw-1"));
  }

  static Stream<Arguments> allowedPairs() {
    return pairs().filter(a -> !rejected((CreationPolicy) a.get()[0], (DeletionPolicy) a.get()[1]));
  }

  static Stream<Arguments> rejectedPairs() {
    return pairs().filter(a -> rejected((CreationPolicy) a.get()[0], (DeletionPolicy) a.get()[1]));
  }

  private static Stream<Arguments> pairs() {
    Stream.Builder<Arguments> pairs = Stream.builder();
    for (CreationPolicy c : CreationPolicy.values()) {
      for (DeletionPolicy d : DeletionPolicy.values()) {
        pairs.add(Arguments.of(c, d));
      }
    }
    return pairs.build();
  }

  /** ESO's webhook rules: Delete needs a Secret the ExternalSecret owns; Merge needs one it writes. */
  private static boolean rejected(CreationPolicy c, DeletionPolicy d) {
    return (d == DeletionPolicy.DELETE
        && (c == CreationPolicy.MERGE || c == CreationPolicy.NONE || c == CreationPolicy.CREATE_OR_MERGE))
        || (d == DeletionPolicy.MERGE && c == CreationPolicy.NONE);
  }

  /** The ExternalSecret, stored in the fake cluster (so its uid is real) and as the engine's model. */
  private ExternalSecret externalSecret(CreationPolicy c, DeletionPolicy d) {
    ObjectNode es = ApiTransport.object().put("apiVersion", "external-secrets.io/v1").put("kind", "ExternalSecret");
    es.putObject("metadata").put("name", "es").put("namespace", ns);
    ObjectNode spec = es.putObject("spec");
    spec.putObject("secretStoreRef").put("name", "vault-example-api").put("kind", "ClusterSecretStore");
    spec.putObject("target").put("name", "target").put("creationPolicy", c.wireName())
        .put("deletionPolicy", d.wireName());
    spec.putArray("data").addObject().put("secretKey", "password").putObject("remoteRef").put("key", "app/db")
        .put("property", "password");
    String uid = client.get(ResourceType.EXTERNAL_SECRETS, ns, "es")
        .orElseGet(() -> client.create(ResourceType.EXTERNAL_SECRETS, es, ""))
        .path("metadata").path("uid").asText();
    return ExternalSecret.builder(ns, "es")
        .metadata(ObjectMeta.of(ns, "es").withUid(uid))
        .store(StoreRef.clusterSecretStore("vault-example-api"))
        .target(Target.defaults().withName("target").withPolicies(c, d))
        .data("password", RemoteRef.of("app/db", "password"))
        .build();
  }

  private Optional<JsonNode> target() {
    return kube.get("/api/v1/namespaces/" + ns + "/secrets/target").map(JsonNode.class::cast);
  }

  private void foreignSecret() {
    kube.call("POST", "/api/v1/namespaces/" + ns + "/secrets", "{\"metadata\":{\"name\":\"target\",\"labels\":"
        + "{\"team\":\"a\"}},\"data\":{\"other\":\"" + b64("kept") + "\"}}", false);
  }

  private List<AuditLog.Entry> writes() {
    return kube.auditLog().entries(e -> e.path().startsWith("/api/v1/namespaces/" + ns + "/secrets")
        && !e.method().equals("GET"));
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, String> data(JsonNode secret) {
    Map<String, String> out = new TreeMap<>();
    secret.path("data").properties().forEach(e -> out.put(e.getKey(),
        new String(Base64.getDecoder().decode(e.getValue().asText()), StandardCharsets.UTF_8)));
    return out;
  }

  /** ESO's data hash, computed here independently: SHA3-224 of Go's %+v of map[string][]byte. */
  private static String esoHash(Map<String, String> data) throws Exception {
    StringBuilder text = new StringBuilder("map[");
    boolean first = true;
    for (Map.Entry<String, String> e : new TreeMap<>(data).entrySet()) {
      text.append(first ? "" : " ").append(e.getKey()).append(":[");
      byte[] bytes = e.getValue().getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < bytes.length; i++) {
        text.append(i > 0 ? " " : "").append(bytes[i] & 0xff);
      }
      text.append(']');
      first = false;
    }
    text.append(']');
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA3-224")
        .digest(text.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private static String createdBy(String namespace, String name) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA3-224")
        .digest((namespace + "/" + name).getBytes(StandardCharsets.UTF_8)));
  }

  @ParameterizedTest(name = "{0} x {1}")
  @MethodSource("allowedPairs")
  void withDataAndNoTargetYet(CreationPolicy c, DeletionPolicy d) throws Exception {
    ExternalSecret es = externalSecret(c, d);
    kube.auditLog().clear();

    SyncResult result = engine.sync(es);

    assertTrue(result.ready(), result.toString());
    switch (c) {
      case OWNER, ORPHAN, CREATE_OR_MERGE -> {
        assertEquals(Outcome.CREATED, result.outcome(), result.toString());
        JsonNode secret = target().orElseThrow();
        JsonNode meta = secret.path("metadata");
        assertEquals("Opaque", secret.path("type").asText());
        assertEquals(Map.of("password", "pw-1"), data(secret));
        assertEquals("true", meta.path("labels").path(SyncEngine.LABEL_MANAGED).asText());
        assertEquals(esoHash(Map.of("password", "pw-1")), meta.path("annotations").path(SyncEngine.ANNOTATION_DATA_HASH)
            .asText());
        if (c == CreationPolicy.OWNER) {
          assertEquals(createdBy(ns, "es"), meta.path("labels").path(SyncEngine.LABEL_CREATED_BY).asText());
          JsonNode owner = meta.path("ownerReferences").path(0);
          assertEquals("external-secrets.io/v1", owner.path("apiVersion").asText());
          assertEquals("ExternalSecret", owner.path("kind").asText());
          assertEquals("es", owner.path("name").asText());
          assertEquals(es.metadata().uid(), owner.path("uid").asText());
          assertTrue(owner.path("controller").asBoolean());
          assertTrue(owner.path("blockOwnerDeletion").asBoolean());
          assertEquals(1, meta.path("ownerReferences").size());
        } else {
          assertTrue(meta.path("ownerReferences").isMissingNode(), meta.toString());
          assertFalse(meta.path("labels").has(SyncEngine.LABEL_CREATED_BY));
        }
        assertEquals(c == CreationPolicy.CREATE_OR_MERGE,
            meta.path("annotations").has(SyncEngine.ANNOTATION_MANAGED_KEYS));
        assertEquals(1, writes().size());
        assertEquals("POST", writes().get(0).method());
        assertEquals("externalsecrets.external-secrets.io/es", meta.path("managedFields").path(0).path("manager")
            .asText(), "ESO's field manager: " + meta.path("managedFields"));
      }
      case MERGE -> {
        assertEquals(Outcome.SKIPPED, result.outcome());
        assertEquals(new SyncResult.Condition("Ready", "True", "SecretMissing",
            "secret will not be created due to CreationPolicy=Merge"), result.condition());
        assertTrue(target().isEmpty());
        assertTrue(writes().isEmpty());
      }
      case NONE -> {
        assertEquals(Outcome.SKIPPED, result.outcome());
        assertTrue(target().isEmpty());
        assertTrue(writes().isEmpty());
      }
    }
  }

  @ParameterizedTest(name = "{0} x {1}")
  @MethodSource("allowedPairs")
  void secondSyncOfUnchangedDataWritesNothing(CreationPolicy c, DeletionPolicy d) {
    if (c == CreationPolicy.MERGE) {
      foreignSecret();
    }
    ExternalSecret es = externalSecret(c, d);
    engine.sync(es);
    Optional<JsonNode> before = target();
    kube.auditLog().clear();

    SyncResult again = engine.sync(es);

    assertTrue(again.ready(), again.toString());
    assertTrue(writes().isEmpty(), "no write request: " + writes());
    assertEquals(before, target());
    assertEquals(c == CreationPolicy.NONE ? Outcome.SKIPPED : Outcome.UNCHANGED, again.outcome());
  }

  @ParameterizedTest(name = "{0} x {1}")
  @MethodSource("allowedPairs")
  void intoAnExistingSecretOfSomeoneElse(CreationPolicy c, DeletionPolicy d) {
    foreignSecret();
    ExternalSecret es = externalSecret(c, d);

    SyncResult result = engine.sync(es);

    JsonNode after = target().orElseThrow();
    if (c == CreationPolicy.NONE) {
      assertEquals(Outcome.SKIPPED, result.outcome());
      assertEquals(Map.of("other", "kept"), data(after));
      return;
    }
    assertEquals(Outcome.UPDATED, result.outcome(), result.toString());
    boolean merges = c == CreationPolicy.MERGE || c == CreationPolicy.CREATE_OR_MERGE;
    assertEquals(merges ? Map.of("other", "kept", "password", "pw-1") : Map.of("password", "pw-1"), data(after));
    assertEquals("a", after.path("metadata").path("labels").path("team").asText(), "labels of others are kept");
    assertEquals("true", after.path("metadata").path("labels").path(SyncEngine.LABEL_MANAGED).asText());
    assertEquals(c == CreationPolicy.OWNER, after.path("metadata").path("ownerReferences").path(0).path("controller")
        .asBoolean(), "Owner takes ownership");
  }

  @ParameterizedTest(name = "{0} x {1}")
  @MethodSource("allowedPairs")
  void whenTheProviderNoLongerHasTheSecret(CreationPolicy c, DeletionPolicy d) {
    if (c == CreationPolicy.MERGE || c == CreationPolicy.NONE) {
      foreignSecret();
    }
    ExternalSecret es = externalSecret(c, d);
    vault.put("app/db", Map.of("password", "pw-1"));
    engine.sync(es);
    JsonNode before = target().orElseThrow();
    vault.remove("app/db");
    kube.auditLog().clear();

    SyncResult result = engine.sync(es);

    if (d == DeletionPolicy.RETAIN) {
      assertEquals(Outcome.FAILED, result.outcome());
      assertEquals("could not get secret data from provider", result.message());
      assertEquals(before, target().orElseThrow());
      assertTrue(writes().isEmpty());
      return;
    }
    if (d == DeletionPolicy.DELETE) {
      if (c == CreationPolicy.OWNER) {
        assertEquals(Outcome.DELETED, result.outcome(), result.toString());
        assertEquals("SecretDeleted", result.condition().reason());
        assertTrue(target().isEmpty());
        assertEquals(List.of("DELETE"), writes().stream().map(AuditLog.Entry::method).toList());
      } else {
        assertEquals(Outcome.FAILED, result.outcome(), "ESO deletes only a Secret the ExternalSecret owns");
        assertEquals("could not delete secret", result.message());
        assertEquals(before, target().orElseThrow());
        assertTrue(writes().isEmpty());
      }
      return;
    }
    assertTrue(result.ready(), result.toString());
    JsonNode after = target().orElseThrow();
    assertFalse(data(after).containsKey("password"), "the managed key is removed");
    assertEquals(c == CreationPolicy.MERGE, data(after).containsKey("other"), "only a Secret merged into had others' keys");
  }

  @ParameterizedTest(name = "{0} x {1}")
  @MethodSource("rejectedPairs")
  void pairsEsoRejectsAreAnErrorAndTouchNothing(CreationPolicy c, DeletionPolicy d) {
    foreignSecret();
    JsonNode before = target().orElseThrow();
    kube.auditLog().clear();

    SyncResult result = engine.sync(externalSecret(c, d));

    assertEquals(Outcome.FAILED, result.outcome());
    assertEquals(new SyncResult.Condition("Ready", "False", "SecretSyncedError", "invalid ExternalSecret"),
        result.condition());
    assertTrue(writes().isEmpty());
    assertEquals(before, target().orElseThrow());
  }

  @Test
  void ownedByAnotherExternalSecretIsEsosErrorAndKeepsTheData() {
    ExternalSecret first = externalSecret(CreationPolicy.OWNER, DeletionPolicy.RETAIN);
    engine.sync(first);
    ExternalSecret second = ExternalSecret.builder(ns, "es-2").metadata(ObjectMeta.of(ns, "es-2").withUid("uid-2"))
        .store(StoreRef.clusterSecretStore("vault-example-api"))
        .target(Target.defaults().withName("target"))
        .data("password", RemoteRef.of("app/db", "password"))
        .build();
    vault.put("app/db", Map.of("password", "pw-2"));
    kube.auditLog().clear();

    SyncResult result = engine.sync(second);

    assertEquals(Outcome.FAILED, result.outcome());
    assertEquals("target is owned by another ExternalSecret", result.message());
    assertEquals(Map.of("password", "pw-1"), data(target().orElseThrow()));
    assertTrue(writes().isEmpty());
  }

  @Test
  void immutableTargetIsEsosErrorAndKeepsTheData() {
    ExternalSecret es = ExternalSecret.builder(ns, "frozen").metadata(ObjectMeta.of(ns, "frozen").withUid("uid-f"))
        .store(StoreRef.clusterSecretStore("vault-example-api"))
        .target(Target.defaults().withName("target").withPolicies(CreationPolicy.ORPHAN, DeletionPolicy.RETAIN)
            .withImmutable(true))
        .data("password", RemoteRef.of("app/db", "password"))
        .build();
    engine.sync(es);
    assertTrue(target().orElseThrow().path("immutable").asBoolean());
    vault.put("app/db", Map.of("password", "pw-2"));
    kube.auditLog().clear();

    SyncResult result = engine.sync(es);

    assertEquals(Outcome.FAILED, result.outcome());
    assertEquals("could not update secret, target is immutable", result.message());
    assertEquals(Map.of("password", "pw-1"), data(target().orElseThrow()));
    assertTrue(writes().isEmpty());
  }

  @Test
  void deletingTheOwningExternalSecretGarbageCollectsTheSecret() {
    ExternalSecret es = externalSecret(CreationPolicy.OWNER, DeletionPolicy.RETAIN);
    engine.sync(es);
    assertTrue(target().isPresent());

    client.delete(ResourceType.EXTERNAL_SECRETS, ns, "es", "");

    assertTrue(target().isEmpty(), "the ownerReference lets the API server's garbage collector remove it");
  }

  @Test
  void keyedDataHashHidesTheDataAndUnchangedSyncsStillWriteNothing() throws Exception {
    byte[] key = "a-key-the-operator-keeps-secret-32".getBytes(StandardCharsets.UTF_8);
    SyncEngine keyed = SyncEngine.builder().stores(registry).writer(KubernetesSecretWriter.create(client))
        .dataHashKey(key).build();
    ExternalSecret es = externalSecret(CreationPolicy.OWNER, DeletionPolicy.RETAIN);

    keyed.sync(es);
    kube.auditLog().clear();
    SyncResult again = keyed.sync(es);

    String annotation = target().orElseThrow().path("metadata").path("annotations")
        .path(SyncEngine.ANNOTATION_DATA_HASH).asText();
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA3-224");
    mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA3-224"));
    assertEquals(HexFormat.of().formatHex(mac.doFinal("map[password:[112 119 45 49]]".getBytes(StandardCharsets.UTF_8))),
        annotation);
    assertFalse(annotation.equals(esoHash(Map.of("password", "pw-1"))));
    assertEquals(Outcome.UNCHANGED, again.outcome());
    assertTrue(writes().isEmpty());
  }
}
