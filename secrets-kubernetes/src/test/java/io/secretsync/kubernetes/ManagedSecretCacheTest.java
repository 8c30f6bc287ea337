package io.secretsync.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.SecretData;
import io.secretsync.core.TargetSecret;
import io.secretsync.core.TargetWriter.Action;
import io.secretsync.core.TargetWriter.Change;
import io.secretsync.core.TargetWriter.Planner;
import io.secretsync.core.TargetWriter.WriteResult;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.server.AuditLog;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The writer reading through a {@link ManagedSecretCache} against FakeKubernetes over HTTPS: a sync
 * that changes nothing sends no Secret request, Secrets changed or deleted behind the cache are
 * still made right, a stale entry costs a conflict and a retry but never a change, and unmanaged
 * Secrets are always read from the server. Asserted on the fake's audit log and the stored Secret.
 */
class ManagedSecretCacheTest {
  private static final String NS = "cached";
  private static final String SECRETS = "/api/v1/namespaces/" + NS + "/secrets";
  private static final ImmutableMap<String, String> MANAGED =
      ImmutableMap.of("reconcile.external-secrets.io/managed", "true");

  @RegisterExtension
  static final FakeKubernetes kube = FakeKubernetes.start();

  private static KubernetesClient client;
  private static ManagedSecretCache cache;
  private static KubernetesSecretWriter writer;

  @BeforeAll
  static void connect() throws InterruptedException {
    client = TestFiles.adminClient(kube);
    kube.createNamespace(NS);
    cache = ManagedSecretCache.watch(client, NS);
    assertTrue(cache.awaitSynced(Duration.ofSeconds(20)), "the watch lists");
    writer = KubernetesSecretWriter.builder(client).cache(cache).build();
  }

  @AfterAll
  static void disconnect() {
    cache.close();
    client.close();
  }

  @BeforeEach
  void clearAudit() {
    kube.auditLog().clear();
  }

  private static TargetSecret secret(String name, Map<String, String> data, Map<String, String> labels,
      Map<String, String> annotations) {
    return new TargetSecret(NS, name, "Opaque", ImmutableMap.copyOf(labels), ImmutableMap.copyOf(annotations),
        ImmutableList.of(), false, SecretData.ofStrings(data), "");
  }

  /** What a sync engine does: create when missing, else update to {@code data} keeping what else it finds. */
  private static Planner toData(String name, Map<String, String> data, Map<String, String> labels) {
    return current -> current.isEmpty() ? new Change.Create(secret(name, data, labels, Map.of()))
        : new Change.Update(secret(name, data, labels, current.get().annotations())
            .withResourceVersion(current.get().resourceVersion()));
  }

  /** Requests about the Secret {@code name} (the watch's own requests are on the collection). */
  private static List<AuditLog.Entry> requests(String name) {
    return kube.auditLog().entries(e -> e.path().equals(SECRETS + "/" + name)
        || (e.path().equals(SECRETS) && !e.method().equals("GET")));
  }

  private static long count(String method, String name, int status) {
    return kube.auditLog().entries(e -> e.method().equals(method) && e.path().equals(SECRETS + "/" + name)
        && e.status() == status).size();
  }

  private static Map<String, String> dataOf(String name) {
    ObjectNode stored = kube.get(SECRETS + "/" + name).orElseThrow();
    Map<String, String> out = new TreeMap<>();
    stored.path("data").properties().forEach(e -> out.put(e.getKey(),
        new String(Base64.getDecoder().decode(e.getValue().asText()))));
    return out;
  }

  private static String rvOf(String name) {
    return kube.get(SECRETS + "/" + name).orElseThrow().path("metadata").path("resourceVersion").asText();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
      Thread.sleep(10);
    }
  }

  private static boolean cachedAt(ManagedSecretCache c, String name, String rv) {
    return c.get(NS, name).map(s -> s.resourceVersion().equals(rv)).orElse(false);
  }

  /** Another client writes the Secret (in-process, not through the writer). */
  private static void foreignWrite(ObjectNode secret) {
    String name = secret.path("metadata").path("name").asText();
    boolean exists = kube.get(SECRETS + "/" + name).isPresent();
    kube.call(exists ? "PUT" : "POST", exists ? SECRETS + "/" + name : SECRETS, secret.toString(), false);
  }

  @Test
  void aSyncThatChangesNothingSendsNoSecretRequest() {
    Map<String, String> data = Map.of("password", "s3cr3t");

    WriteResult first = writer.apply(NS, "steady", toData("steady", data, MANAGED));
    kube.auditLog().clear();
    WriteResult second = writer.apply(NS, "steady", toData("steady", data, MANAGED));
    WriteResult third = writer.apply(NS, "steady", current -> new Change.Keep());

    assertEquals(Action.CREATED, first.action());
    assertEquals(Action.UNCHANGED, second.action());
    assertEquals(Action.UNCHANGED, third.action());
    assertEquals(List.of(), requests("steady"), "its own create answer is cached: nothing is sent");
    assertEquals(first.secret().orElseThrow().resourceVersion(), third.secret().orElseThrow().resourceVersion());
  }

  @Test
  void aSecretEditedBehindTheCacheIsRepairedFromWhatTheWatchReported() throws InterruptedException {
    writer.apply(NS, "edited", toData("edited", Map.of("password", "right"), MANAGED));
    foreignWrite(SecretJson.toJson(secret("edited", Map.of("password", "wrong"), MANAGED, Map.of("note", "hand"))));
    String edited = rvOf("edited");
    await("the watch reports the edit", () -> cachedAt(cache, "edited", edited));
    kube.auditLog().clear();

    WriteResult repaired = writer.apply(NS, "edited", toData("edited", Map.of("password", "right"), MANAGED));

    assertEquals(Action.UPDATED, repaired.action());
    assertEquals(Map.of("password", "right"), dataOf("edited"));
    assertEquals(0, kube.auditLog().count("GET", SECRETS + "/edited"), "read from the cache");
    assertEquals(1, count("PUT", "edited", 200), "written once, at the edited resourceVersion");
  }

  @Test
  void aSecretDeletedBehindTheCacheIsCreatedAgain() throws InterruptedException {
    writer.apply(NS, "deleted", toData("deleted", Map.of("password", "right"), MANAGED));
    kube.call("DELETE", SECRETS + "/deleted", "", false);
    await("the watch reports the deletion", () -> cache.get(NS, "deleted").isEmpty());
    kube.auditLog().clear();

    WriteResult repaired = writer.apply(NS, "deleted", toData("deleted", Map.of("password", "right"), MANAGED));

    assertEquals(Action.CREATED, repaired.action());
    assertEquals(Map.of("password", "right"), dataOf("deleted"));
    assertEquals(1, count("GET", "deleted", 404), "a Secret not in the cache is read from the server");
  }

  @Test
  void aStaleEntryLeadsToAConflictAndARetryThatKeepsTheOtherChange() {
    ManagedSecretCache stale = ManagedSecretCache.unwatched(); // sees only its writer's own requests
    KubernetesSecretWriter staleWriter = KubernetesSecretWriter.builder(client).cache(stale).build();
    staleWriter.apply(NS, "stale", toData("stale", Map.of("password", "v1"), MANAGED));
    String created = rvOf("stale");
    assertTrue(cachedAt(stale, "stale", created));
    foreignWrite(SecretJson.toJson(secret("stale", Map.of("password", "v1"), MANAGED, Map.of("team", "payments"))));
    kube.auditLog().clear();

    WriteResult written = staleWriter.apply(NS, "stale", toData("stale", Map.of("password", "v2"), MANAGED));

    assertEquals(Action.UPDATED, written.action());
    assertEquals(1, count("PUT", "stale", 409), "the write at the cached resourceVersion is refused");
    assertEquals(1, count("GET", "stale", 200), "then the Secret is read from the server");
    assertEquals(1, count("PUT", "stale", 200), "and written at the version read");
    assertEquals(Map.of("password", "v2"), dataOf("stale"));
    assertEquals("payments", kube.get(SECRETS + "/stale").orElseThrow().path("metadata").path("annotations")
        .path("team").asText(), "the other client's change is kept");
    assertTrue(cachedAt(stale, "stale", rvOf("stale")), "the cache holds the write's answer");
  }

  @Test
  void aStaleEntryOfADeletedSecretLeadsToACreate() {
    ManagedSecretCache stale = ManagedSecretCache.unwatched();
    KubernetesSecretWriter staleWriter = KubernetesSecretWriter.builder(client).cache(stale).build();
    staleWriter.apply(NS, "gone", toData("gone", Map.of("password", "v1"), MANAGED));
    kube.call("DELETE", SECRETS + "/gone", "", false);
    kube.auditLog().clear();

    WriteResult written = staleWriter.apply(NS, "gone", toData("gone", Map.of("password", "v2"), MANAGED));

    assertEquals(Action.CREATED, written.action());
    assertEquals(1, count("PUT", "gone", 404));
    assertEquals(1, count("GET", "gone", 404));
    assertEquals(Map.of("password", "v2"), dataOf("gone"));
  }

  @Test
  void anUnmanagedSecretIsAlwaysReadFromTheServer() {
    foreignWrite(SecretJson.toJson(secret("unmanaged", Map.of("existing", "x"), Map.of(), Map.of())));
    Map<String, String> merged = Map.of("existing", "x", "added", "y");

    WriteResult first = writer.apply(NS, "unmanaged", toData("unmanaged", merged, Map.of()));
    WriteResult second = writer.apply(NS, "unmanaged", toData("unmanaged", merged, Map.of()));

    assertEquals(Action.UPDATED, first.action());
    assertEquals(Action.UNCHANGED, second.action());
    assertEquals(2, kube.auditLog().count("GET", SECRETS + "/unmanaged"), "one read per apply");
    assertEquals(Optional.empty(), cache.get(NS, "unmanaged"));
  }

  @Test
  void aCacheNotYetSyncedOrClosedAnswersNothing() {
    ManagedSecretCache fed = ManagedSecretCache.fedExternally(NS);
    fed.record(NS, "x", Optional.of(SecretJson.toJson(secret("x", Map.of("a", "1"), MANAGED, Map.of()))));
    assertEquals(Optional.empty(), fed.get(NS, "x"), "not synced");
    ManagedSecretCache closed = ManagedSecretCache.unwatched();
    closed.record(NS, "x", Optional.of(SecretJson.toJson(secret("x", Map.of("a", "1"), MANAGED, Map.of()))));
    assertTrue(closed.get(NS, "x").isPresent());
    closed.close();
    assertEquals(Optional.empty(), closed.get(NS, "x"), "closed");
  }

  @Test
  void anEntryKeepsWhatTheWriterReadsAndAReplaceFromItSendsWhatOneFromTheJsonWould() {
    ObjectNode json = SecretJson.toJson(secret("compact", Map.of("password", "p"), MANAGED, Map.of("note", "n")));
    ObjectNode meta = (ObjectNode) json.get("metadata");
    meta.put("uid", "u-1").put("resourceVersion", "7");
    meta.putArray("finalizers").add("example.com/keep");
    ObjectNode withoutManagedFields = json.deepCopy();
    meta.putArray("managedFields").addObject().put("manager", "someone");

    ManagedSecretCache.Entry entry = ManagedSecretCache.Entry.of(json);

    assertEquals(SecretJson.fromJson(json), entry.secret());
    assertEquals("7", entry.resourceVersion());
    assertTrue(entry.managed());
    ObjectNode base = entry.json();
    assertTrue(base.path("data").isMissingNode(), "the data is held once, as bytes");
    assertTrue(base.path("metadata").path("managedFields").isMissingNode());
    TargetSecret desired = secret("compact", Map.of("password", "q"), MANAGED, Map.of()).withResourceVersion("7");
    assertEquals(SecretJson.replaceInto(withoutManagedFields, desired), SecretJson.replaceInto(base, desired));
    assertTrue(json.path("metadata").has("managedFields") && json.has("data"), "the answer is left unchanged");
  }

  @Test
  void anEntryOfASecretThatCannotBeReadFailsWhenRead() {
    ObjectNode json = SecretJson.toJson(secret("broken", Map.of("password", "p"), MANAGED, Map.of()));
    ((ObjectNode) json.get("data")).put("password", "not base64!");

    ManagedSecretCache.Entry entry = ManagedSecretCache.Entry.of(json);

    assertEquals(NS + "/broken", entry.key());
    assertFalse(entry.managed(), "a Secret that cannot be read is read from the server");
    KubernetesApiException e = assertThrows(KubernetesApiException.class, entry::secret);
    assertTrue(e.getMessage().contains("data[password] is not base64"), e.getMessage());
  }
}
