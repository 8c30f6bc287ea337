package io.secretsync.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.InvalidSecretDataException;
import io.secretsync.core.SecretData;
import io.secretsync.core.TargetException;
import io.secretsync.core.TargetSecret;
import io.secretsync.core.TargetSecret.OwnerReference;
import io.secretsync.core.TargetWriter.Action;
import io.secretsync.core.TargetWriter.Change;
import io.secretsync.core.TargetWriter.WriteResult;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.server.AuditLog;
import io.secretsync.testkit.server.FaultInjector.Fault;
import io.secretsync.testkit.server.ServerResponse;
import io.secretsync.testkit.server.TestHttpServer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Secret writer against FakeKubernetes over HTTPS: writes only when something changed,
 * optimistic concurrency, immutable and owned Secrets, validation before sending; asserted on the
 * fake's audit log and on the Secret as the API returns it.
 */
class KubernetesSecretWriterTest {
  private static final String NS = "writer";
  private static final String SECRETS = "/api/v1/namespaces/" + NS + "/secrets";

  @RegisterExtension
  static final FakeKubernetes kube = FakeKubernetes.start();

  private static KubernetesClient client;
  private static KubernetesSecretWriter writer;

  @BeforeAll
  static void connect() {
    client = TestFiles.adminClient(kube);
    writer = KubernetesSecretWriter.create(client);
    kube.createNamespace(NS);
  }

  @AfterAll
  static void disconnect() {
    client.close();
  }

  @BeforeEach
  void clearAudit() {
    kube.auditLog().clear();
  }

  private static TargetSecret secret(String name, Map<String, String> data) {
    return new TargetSecret(NS, name, "Opaque", ImmutableMap.of("reconcile.external-secrets.io/managed", "true"),
        ImmutableMap.of(), ImmutableList.of(), false, SecretData.ofStrings(data), "");
  }

  private static List<AuditLog.Entry> writes() {
    return kube.auditLog().entries(e -> e.path().startsWith(SECRETS) && !e.method().equals("GET"));
  }

  private static List<AuditLog.Entry> requests() {
    return kube.auditLog().entries(e -> e.path().startsWith(SECRETS));
  }

  /** Another client writes the Secret (in-process, not through the writer). */
  private static void foreignWrite(ObjectNode secret) {
    String name = secret.path("metadata").path("name").asText();
    boolean exists = kube.get(SECRETS + "/" + name).isPresent();
    kube.call(exists ? "PUT" : "POST", exists ? SECRETS + "/" + name : SECRETS, secret.toString(), false);
  }

  private static ObjectNode json(TargetSecret secret) {
    return SecretJson.toJson(secret);
  }

  private static Map<String, String> dataOf(String name) {
    ObjectNode stored = kube.get(SECRETS + "/" + name).orElseThrow();
    Map<String, String> out = new java.util.TreeMap<>();
    stored.path("data").properties().forEach(e -> out.put(e.getKey(),
        new String(Base64.getDecoder().decode(e.getValue().asText()))));
    return out;
  }

  @Test
  void createThenIdenticalUpdateMakesNoSecondWrite() {
    TargetSecret desired = secret("unchanged", Map.of("password", "s3cr3t"));

    WriteResult first = writer.apply(NS, "unchanged", current -> new Change.Create(desired));
    WriteResult second = writer.apply(NS, "unchanged", current -> new Change.Update(
        desired.withResourceVersion(current.orElseThrow().resourceVersion())));
    WriteResult third = writer.apply(NS, "unchanged", current -> new Change.Keep());

    assertEquals(Action.CREATED, first.action());
    assertEquals(Action.UNCHANGED, second.action());
    assertEquals(Action.UNCHANGED, third.action());
    assertEquals(1, writes().size(), "one create, nothing else: " + writes());
    assertEquals(3, kube.auditLog().count("GET", SECRETS + "/unchanged"));
  }

  @Test
  void updateReplacesAtTheResourceVersionReadAndKeepsFinalizers() {
    ObjectNode seeded = json(secret("kept-fields", Map.of("a", "1")));
    ((ObjectNode) seeded.get("metadata")).putArray("finalizers").add("example.com/keep");
    foreignWrite(seeded);

    WriteResult result = writer.apply(NS, "kept-fields", current -> new Change.Update(current.orElseThrow()
        .withData(SecretData.ofStrings(Map.of("a", "2")))));

    assertEquals(Action.UPDATED, result.action());
    ObjectNode stored = kube.get(SECRETS + "/kept-fields").orElseThrow();
    assertEquals("example.com/keep", stored.path("metadata").path("finalizers").path(0).asText());
    assertEquals(Map.of("a", "2"), dataOf("kept-fields"));
    assertEquals(result.secret().orElseThrow().resourceVersion(), stored.path("metadata").path("resourceVersion").asText());
  }

  @Test
  void concurrentWriterCausesAConflictThatIsRetriedWithTheRightData() {
    foreignWrite(json(secret("raced", Map.of("theirs", "1"))));
    AtomicInteger plans = new AtomicInteger();

    WriteResult result = writer.apply(NS, "raced", current -> {
      if (plans.incrementAndGet() == 1) {
        // between our read and our write, someone else adds a key
        foreignWrite(json(secret("raced", Map.of("theirs", "1", "late", "2"))));
      }
      TargetSecret now = current.orElseThrow();
      return new Change.Update(now.withData(now.data().toBuilder().putString("ours", "3").build()));
    });

    assertEquals(Action.UPDATED, result.action());
    assertEquals(2, plans.get());
    assertEquals(Map.of("theirs", "1", "late", "2", "ours", "3"), dataOf("raced"), "nothing lost");
    List<Integer> putStatuses = writes().stream().filter(e -> e.method().equals("PUT")).map(AuditLog.Entry::status)
        .toList();
    assertEquals(List.of(409, 200), putStatuses);
  }

  @Test
  void conflictsThatNeverStopGiveUpAfterTheBoundAndKeepTheOtherWritersData() {
    foreignWrite(json(secret("contended", Map.of("v", "0"))));
    AtomicInteger plans = new AtomicInteger();
    KubernetesSecretWriter threeTries = KubernetesSecretWriter.builder(client).maxAttempts(3).build();

    TargetException e = assertThrows(TargetException.class, () -> threeTries.apply(NS, "contended", current -> {
      foreignWrite(json(secret("contended", Map.of("v", Integer.toString(plans.incrementAndGet())))));
      return new Change.Update(current.orElseThrow().withData(SecretData.ofStrings(Map.of("v", "mine"))));
    }));

    assertEquals(3, plans.get());
    assertTrue(e.getMessage().contains("3 conflicts in a row"), e.getMessage());
    assertEquals(Map.of("v", "3"), dataOf("contended"));
  }

  @Test
  void createRaceTurnsIntoAnUpdate() {
    AtomicInteger plans = new AtomicInteger();

    WriteResult result = writer.apply(NS, "born-twice", current -> {
      if (plans.incrementAndGet() == 1) {
        foreignWrite(json(secret("born-twice", Map.of("theirs", "x"))));
        return new Change.Create(secret("born-twice", Map.of("ours", "y")));
      }
      TargetSecret now = current.orElseThrow();
      return new Change.Update(now.withData(now.data().toBuilder().putString("ours", "y").build()));
    });

    assertEquals(Action.UPDATED, result.action());
    assertEquals(Map.of("theirs", "x", "ours", "y"), dataOf("born-twice"));
    assertEquals(List.of(409), writes().stream().filter(e -> e.method().equals("POST")).map(AuditLog.Entry::status)
        .toList());
  }

  @Test
  void deleteUsesTheResourceVersionAsAPrecondition() {
    foreignWrite(json(secret("doomed", Map.of("k", "v"))));
    AtomicInteger plans = new AtomicInteger();

    WriteResult result = writer.apply(NS, "doomed", current -> {
      if (plans.incrementAndGet() == 1) {
        foreignWrite(json(secret("doomed", Map.of("k", "changed"))));
      }
      return new Change.Delete(current.orElseThrow().resourceVersion());
    });

    assertEquals(Action.DELETED, result.action());
    assertEquals(2, plans.get(), "the stale delete conflicted and was planned again");
    assertTrue(kube.get(SECRETS + "/doomed").isEmpty());
  }

  @Test
  void immutableSecretKeepsItsDataAndTakesMetadata() {
    TargetSecret frozen = new TargetSecret(NS, "frozen", "Opaque", ImmutableMap.of(), ImmutableMap.of(),
        ImmutableList.of(), true, SecretData.ofStrings(Map.of("k", "old")), "");
    foreignWrite(json(frozen));

    TargetException.ImmutableTargetException e = assertThrows(TargetException.ImmutableTargetException.class,
        () -> writer.apply(NS, "frozen", current -> new Change.Update(current.orElseThrow()
            .withData(SecretData.ofStrings(Map.of("k", "new"))))));
    WriteResult relabelled = writer.apply(NS, "frozen", current -> {
      TargetSecret now = current.orElseThrow();
      return new Change.Update(new TargetSecret(NS, "frozen", now.type(), ImmutableMap.of("team", "a"),
          now.annotations(), now.ownerReferences(), true, now.data(), now.resourceVersion()));
    });

    assertTrue(e.getMessage().contains("is immutable and its data would change"), e.getMessage());
    assertEquals(Action.UPDATED, relabelled.action());
    assertEquals(Map.of("k", "old"), dataOf("frozen"));
    assertEquals("a", kube.get(SECRETS + "/frozen").orElseThrow().path("metadata").path("labels").path("team").asText());
    assertEquals(1, writes().size(), "only the metadata update was sent: " + writes());
  }

  @Test
  void immutableSecretCannotBecomeMutable() {
    foreignWrite(json(new TargetSecret(NS, "frozen-flag", "Opaque", ImmutableMap.of(), ImmutableMap.of(),
        ImmutableList.of(), true, SecretData.ofStrings(Map.of("k", "v")), "")));

    assertThrows(TargetException.ImmutableTargetException.class, () -> writer.apply(NS, "frozen-flag", current -> {
      TargetSecret now = current.orElseThrow();
      return new Change.Update(new TargetSecret(NS, "frozen-flag", now.type(), ImmutableMap.of("x", "y"),
          now.annotations(), now.ownerReferences(), false, now.data(), now.resourceVersion()));
    }));
    assertTrue(writes().isEmpty());
  }

  private static OwnerReference externalSecret(String name, String uid) {
    return new OwnerReference("external-secrets.io/v1", "ExternalSecret", name, uid, true, true);
  }

  @Test
  void secretOwnedByAnotherExternalSecretIsNeitherTakenOverNorDeleted() {
    TargetSecret owned = new TargetSecret(NS, "owned", "Opaque", ImmutableMap.of(), ImmutableMap.of(),
        ImmutableList.of(externalSecret("other", "uid-other")), false, SecretData.ofStrings(Map.of("k", "theirs")), "");
    foreignWrite(json(owned));

    TargetException.OwnershipException takeOver = assertThrows(TargetException.OwnershipException.class,
        () -> writer.apply(NS, "owned", "mine", current -> new Change.Update(new TargetSecret(NS, "owned", "Opaque",
            ImmutableMap.of(), ImmutableMap.of(), ImmutableList.of(externalSecret("mine", "uid-mine")), false,
            SecretData.ofStrings(Map.of("k", "ours")), current.orElseThrow().resourceVersion()))));
    TargetException.OwnershipException delete = assertThrows(TargetException.OwnershipException.class,
        () -> writer.apply(NS, "owned", "mine", current -> new Change.Delete(current.orElseThrow().resourceVersion())));

    assertEquals("ExternalSecret", takeOver.ownerKind());
    assertEquals("other", takeOver.ownerName());
    assertTrue(takeOver.getMessage().contains("is controlled by ExternalSecret other"), takeOver.getMessage());
    assertEquals("other", delete.ownerName());
    assertTrue(writes().isEmpty(), writes().toString());
    assertEquals(Map.of("k", "theirs"), dataOf("owned"));
  }

  @Test
  void controllerOfAnotherKindStays() {
    OwnerReference deployment = new OwnerReference("apps/v1", "Deployment", "web", "uid-web", true, true);
    foreignWrite(json(new TargetSecret(NS, "deployment-owned", "Opaque", ImmutableMap.of(), ImmutableMap.of(),
        ImmutableList.of(deployment), false, SecretData.ofStrings(Map.of("k", "v")), "")));

    TargetException.OwnershipException e = assertThrows(TargetException.OwnershipException.class,
        () -> writer.apply(NS, "deployment-owned", "mine", current -> new Change.Update(new TargetSecret(NS,
            "deployment-owned", "Opaque", ImmutableMap.of(), ImmutableMap.of(), ImmutableList.of(), false,
            SecretData.empty(), current.orElseThrow().resourceVersion()))));

    assertEquals("Deployment", e.ownerKind());
    assertTrue(writes().isEmpty());
  }

  @Test
  void anExternalSecretMayReleaseItsOwnSecret() {
    foreignWrite(json(new TargetSecret(NS, "released", "Opaque", ImmutableMap.of(), ImmutableMap.of(),
        ImmutableList.of(externalSecret("mine", "uid-mine")), false, SecretData.ofStrings(Map.of("k", "v")), "")));

    WriteResult result = writer.apply(NS, "released", "mine", current -> new Change.Update(new TargetSecret(NS,
        "released", "Opaque", ImmutableMap.of(), ImmutableMap.of(), ImmutableList.of(), false,
        SecretData.ofStrings(Map.of("k", "v")), current.orElseThrow().resourceVersion())));

    assertEquals(Action.UPDATED, result.action());
    assertTrue(kube.get(SECRETS + "/released").orElseThrow().path("metadata").path("ownerReferences").isMissingNode());
  }

  @Test
  void typeNeverChanges() {
    foreignWrite(json(secret("typed", Map.of("k", "v"))));

    TargetException e = assertThrows(TargetException.class, () -> writer.apply(NS, "typed", current -> {
      TargetSecret now = current.orElseThrow();
      return new Change.Update(new TargetSecret(NS, "typed", "kubernetes.io/basic-auth", now.labels(),
          now.annotations(), now.ownerReferences(), false, SecretData.ofStrings(Map.of("username", "u")),
          now.resourceVersion()));
    }));

    assertTrue(e.getMessage().contains("has type Opaque and cannot become kubernetes.io/basic-auth"), e.getMessage());
    assertTrue(writes().isEmpty());
  }

  @Test
  void badKeyIsRefusedBeforeSending() {
    InvalidSecretDataException e = assertThrows(InvalidSecretDataException.class,
        () -> writer.apply(NS, "bad-key", current -> new Change.Create(secret("bad-key", Map.of("bad key", "v")))));

    assertEquals("data[bad key]", e.field());
    assertTrue(e.getMessage().contains("a valid config key must consist of alphanumeric characters"), e.getMessage());
    assertTrue(writes().isEmpty());
  }

  @Test
  void moreThanOneMebibyteIsRefusedBeforeSending() {
    String half = "x".repeat(512 * 1024);
    InvalidSecretDataException e = assertThrows(InvalidSecretDataException.class,
        () -> writer.apply(NS, "too-large", current -> new Change.Create(secret("too-large",
            Map.of("a", half, "b", half, "c", "!")))));

    assertEquals("data", e.field());
    assertTrue(e.getMessage().contains("may not be more than 1048576 bytes (the values add up to 1048577 bytes)"),
        e.getMessage());
    assertFalse(e.getMessage().contains("xxxx"), "no value in the message");
    assertTrue(writes().isEmpty());
  }

  @Test
  void exactlyOneMebibyteIsAccepted() {
    String half = "x".repeat(512 * 1024);
    WriteResult result = writer.apply(NS, "just-fits", current -> new Change.Create(secret("just-fits",
        Map.of("a", half, "b", half))));

    assertEquals(Action.CREATED, result.action());
  }

  @Test
  void badNameIsRefusedBeforeAnyRequest() {
    InvalidSecretDataException name = assertThrows(InvalidSecretDataException.class,
        () -> writer.apply(NS, "Bad_Name", current -> new Change.Keep()));
    InvalidSecretDataException namespace = assertThrows(InvalidSecretDataException.class,
        () -> writer.apply("Not.A.Label", "fine", current -> new Change.Keep()));

    assertEquals("metadata.name", name.field());
    assertTrue(name.getMessage().contains("a lowercase RFC 1123 subdomain"), name.getMessage());
    assertEquals("metadata.namespace", namespace.field());
    assertTrue(kube.auditLog().entries().isEmpty(), "nothing at all was sent: " + kube.auditLog().entries());
  }

  @Test
  void builtInTypesNeedTheirKeysAndLabelsMustBeValid() {
    TargetSecret tls = new TargetSecret(NS, "tls", "kubernetes.io/tls", ImmutableMap.of(), ImmutableMap.of(),
        ImmutableList.of(), false, SecretData.ofStrings(Map.of("tls.crt", "c")), "");
    TargetSecret badLabel = new TargetSecret(NS, "labelled", "Opaque", ImmutableMap.of("team", "not valid!"),
        ImmutableMap.of(), ImmutableList.of(), false, SecretData.empty(), "");

    InvalidSecretDataException missingKey = assertThrows(InvalidSecretDataException.class,
        () -> writer.apply(NS, "tls", current -> new Change.Create(tls)));
    InvalidSecretDataException label = assertThrows(InvalidSecretDataException.class,
        () -> writer.apply(NS, "labelled", current -> new Change.Create(badLabel)));

    assertEquals("data[tls.key]", missingKey.field());
    assertEquals("metadata.labels", label.field());
    assertTrue(writes().isEmpty());
  }

  @Test
  void apiFailureIsATargetExceptionWithTheApiErrorAsCause() {
    kube.faults().add(Fault.status(500).onPathPrefix(SECRETS + "/broken").times(1));
    try {
      TargetException e = assertThrows(TargetException.class,
          () -> writer.apply(NS, "broken", current -> new Change.Keep()));

      assertTrue(e.getCause() instanceof KubernetesApiException);
      assertEquals(500, ((KubernetesApiException) e.getCause()).code());
      assertTrue(e.getMessage().startsWith("could not read Secret writer/broken"), e.getMessage());
    } finally {
      kube.faults().clear();
    }
  }

  @Test
  void writesNameTheExternalSecretsFieldManager() {
    List<String> queries = new ArrayList<>();
    try (TestHttpServer server = TestHttpServer.builder().name("recording-apiserver").tls(kube.pki().serverCertificate())
        .handler(request -> {
          if (request.method().equals("GET")) {
            return ServerResponse.jsonText(404, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                + "\"reason\":\"NotFound\",\"code\":404}");
          }
          queries.add(request.method() + " " + request.rawQuery());
          return ServerResponse.jsonText(201, request.bodyUtf8());
        }).start();
        KubernetesClient recorded = KubernetesClient.create(KubernetesConfig.builder(server.baseUrl())
            .caCertificatesPem(kube.caCertificatePem()).build())) {
      KubernetesSecretWriter w = KubernetesSecretWriter.create(recorded);
      String longName = "a-rather-long-external-secret-name-for-a-field-manager";

      w.apply(NS, "short", "db-creds", current -> new Change.Create(secret("short", Map.of())));
      w.apply(NS, "long", longName, current -> new Change.Create(secret("long", Map.of())));
      w.apply(NS, "nobody", current -> new Change.Create(secret("nobody", Map.of())));

      assertEquals("POST fieldManager=externalsecrets.external-secrets.io%2Fdb-creds", queries.get(0));
      assertEquals("POST fieldManager=" + FieldManagers.forExternalSecret(longName).replace("/", "%2F"), queries.get(1));
      assertTrue(FieldManagers.forExternalSecret(longName).startsWith("externalsecrets.external-secrets.io/sha3/"));
      assertEquals(56, FieldManagers.forExternalSecret(longName).length() - "externalsecrets.external-secrets.io/sha3/"
          .length());
      assertEquals("POST fieldManager=secrets-sync", queries.get(2));
    }
  }

  @Test
  void readReturnsTheSecretAsTheApiHasIt() {
    foreignWrite(json(secret("readable", Map.of("k", "v"))));

    Optional<TargetSecret> read = writer.read(NS, "readable");

    assertEquals("v", read.orElseThrow().data().getString("k").orElseThrow());
    assertTrue(writer.read(NS, "absent").isEmpty());
  }
}
