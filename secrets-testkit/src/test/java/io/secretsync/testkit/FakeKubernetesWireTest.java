package io.secretsync.testkit;

import static io.secretsync.testkit.KubeWire.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsync.testkit.server.FaultInjector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each verb's happy path and each error Status of FakeKubernetes, over plain HTTPS with OkHttp. */
class FakeKubernetesWireTest {
  @RegisterExtension
  static final FakeKubernetes kube = FakeKubernetes.builder().withEsoCrds().start();

  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private final KubeWire wire = new KubeWire(kube);

  /** A fresh namespace per test. */
  private String namespace() {
    String ns = "wire-" + NAMESPACES.incrementAndGet();
    kube.createNamespace(ns);
    return ns;
  }

  private static String secret(String name, String dataJson) {
    return q("{'apiVersion':'v1','kind':'Secret','metadata':{'name':'" + name + "'},'data':"
        + dataJson + "}");
  }

  private static void assertJson(String expected, JsonNode actual) {
    try {
      assertEquals(KubeWire.JSON.readTree(expected), actual);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  // ------------------------------------------------------------------ fresh cluster, discovery

  @Test
  void aFreshClusterHasTheDefaultNamespacesAndAnswersVersionWithoutAToken() {
    JsonNode list = wire.get("/api/v1/namespaces").expect(200).json();
    List<String> names = new ArrayList<>();
    list.path("items").forEach(n -> names.add(n.path("metadata").path("name").asText()));
    assertTrue(names.containsAll(List.of("default", "kube-system", "kube-public")), names::toString);
    assertEquals("NamespaceList", list.path("kind").asText());
    assertEquals("Active", list.path("items").get(0).path("status").path("phase").asText());
    assertEquals("1", wire.as(kube, null).get("/version").expect(200).json().path("major")
        .asText());
  }

  @Test
  void discoveryListsBuiltInAndCustomResources() {
    JsonNode core = wire.get("/api/v1").expect(200).json();
    assertTrue(core.toString().contains(q("'name':'serviceaccounts/token'")), core::toString);
    JsonNode groups = wire.get("/apis").expect(200).json();
    assertTrue(groups.toString().contains(q("'name':'external-secrets.io'")));
    JsonNode eso = wire.get("/apis/external-secrets.io").expect(200).json();
    assertEquals("external-secrets.io/v1", eso.path("preferredVersion").path("groupVersion")
        .asText());
    JsonNode v1 = wire.get("/apis/external-secrets.io/v1").expect(200).json();
    assertTrue(v1.toString().contains(q("'name':'clustersecretstores','singularName':"
        + "'clustersecretstore','namespaced':false,'kind':'ClusterSecretStore'")), v1::toString);
    wire.get("/apis/no.such.group").expect(404);
  }

  // ------------------------------------------------------------------ create, get, list

  @Test
  void createReturns201WithServerSetMetadataAndMergesStringData() {
    String ns = namespace();
    JsonNode created = wire.post("/api/v1/namespaces/" + ns + "/secrets", q(
        "{'apiVersion':'v1','kind':'Secret','metadata':{'name':'db'},'data':{'user':'"
            + b64("app") + "'},'stringData':{'password':'s3cret'}}")).expect(201).json();
    JsonNode meta = created.path("metadata");
    assertEquals(ns, meta.path("namespace").asText());
    assertFalse(meta.path("uid").asText().isEmpty());
    assertFalse(meta.path("resourceVersion").asText().isEmpty());
    assertTrue(meta.path("creationTimestamp").asText().matches(
        "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"));
    assertFalse(meta.has("generation"));
    assertEquals("Opaque", created.path("type").asText());
    assertEquals(b64("s3cret"), created.path("data").path("password").asText());
    assertFalse(created.has("stringData"));
    assertEquals(created, wire.get("/api/v1/namespaces/" + ns + "/secrets/db").expect(200).json());
  }

  @Test
  void getAsTableCarriesTheServerSidePrinterColumns() {
    String ns = namespace();
    wire.post("/api/v1/namespaces/" + ns + "/secrets", secret("t", "{'a':'YQ=='}")).expect(201);
    JsonNode table = wire.get("/api/v1/namespaces/" + ns + "/secrets",
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json").expect(200).json();
    assertEquals("Table", table.path("kind").asText());
    List<String> columns = new ArrayList<>();
    table.path("columnDefinitions").forEach(c -> columns.add(c.path("name").asText()));
    assertEquals(List.of("Name", "Type", "Data", "Age"), columns);
    JsonNode row = table.path("rows").get(0);
    assertEquals("t", row.path("cells").get(0).asText());
    assertEquals("Opaque", row.path("cells").get(1).asText());
    assertEquals(1, row.path("cells").get(2).asInt());
    assertEquals("PartialObjectMetadata", row.path("object").path("kind").asText());
  }

  @Test
  void listFiltersByLabelAndFieldSelectorsAndPages() {
    String ns = namespace();
    for (String name : List.of("a", "b", "c")) {
      wire.post("/api/v1/namespaces/" + ns + "/secrets", q("{'metadata':{'name':'" + name
          + "','labels':{'tier':'" + (name.equals("b") ? "db" : "web") + "'}}}")).expect(201);
    }
    String base = "/api/v1/namespaces/" + ns + "/secrets";
    assertEquals(List.of("a", "c"), names(wire.get(base + "?labelSelector=tier%3Dweb")));
    assertEquals(List.of("b"), names(wire.get(base + "?labelSelector=tier%20in%20(db,cache)")));
    assertEquals(List.of("a", "c"), names(wire.get(base + "?labelSelector=tier!%3Ddb")));
    assertEquals(List.of("c"), names(wire.get(base + "?fieldSelector=metadata.name%3Dc")));
    JsonNode page = wire.get(base + "?limit=2").expect(200).json();
    assertEquals(List.of("a", "b"), names(page));
    String cont = page.path("metadata").path("continue").asText();
    assertEquals(List.of("c"), names(wire.get(base + "?limit=2&continue=" + cont)));
    JsonNode bad = wire.get(base + "?fieldSelector=data.x%3Dy").expect(400).json();
    assertEquals("field label not supported: data.x", bad.path("message").asText());
  }

  private static List<String> names(KubeWire.Answer a) {
    return names(a.expect(200).json());
  }

  private static List<String> names(JsonNode list) {
    List<String> out = new ArrayList<>();
    list.path("items").forEach(i -> out.add(i.path("metadata").path("name").asText()));
    return out;
  }

  // ------------------------------------------------------------------ update, patch, apply

  @Test
  void replaceWithTheCurrentResourceVersionSucceedsAndAStaleOneConflicts() {
    String ns = namespace();
    String path = "/api/v1/namespaces/" + ns + "/configmaps/settings";
    JsonNode created = wire.post("/api/v1/namespaces/" + ns + "/configmaps",
        q("{'metadata':{'name':'settings'},'data':{'mode':'slow'}}")).expect(201).json();
    String rv = created.path("metadata").path("resourceVersion").asText();
    JsonNode updated = wire.put(path, q("{'metadata':{'name':'settings','resourceVersion':'" + rv
        + "'},'data':{'mode':'fast'}}")).expect(200).json();
    assertEquals("fast", updated.path("data").path("mode").asText());
    assertNotEquals(rv, updated.path("metadata").path("resourceVersion").asText());
    assertEquals(created.path("metadata").path("uid"), updated.path("metadata").path("uid"));

    JsonNode conflict = wire.put(path, q("{'metadata':{'name':'settings','resourceVersion':'" + rv
        + "'},'data':{'mode':'slower'}}")).expect(409).json();
    assertJson("""
        {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation \
        cannot be fulfilled on configmaps \\"settings\\": the object has been modified; please \
        apply your changes to the latest version and try again","reason":"Conflict",\
        "details":{"name":"settings","kind":"configmaps"},"code":409}""", conflict);

    JsonNode unconditional = wire.put(path, q("{'metadata':{'name':'settings'},'data':{'mode':"
        + "'any'}}")).expect(200).json();
    assertEquals("any", unconditional.path("data").path("mode").asText());
  }

  @Test
  void mergePatchRemovesKeysSetToNull() {
    String ns = namespace();
    wire.post("/api/v1/namespaces/" + ns + "/secrets", secret("m", "{'a':'YQ==','b':'Yg=='}"))
        .expect(201);
    JsonNode patched = wire.patch("/api/v1/namespaces/" + ns + "/secrets/m",
        "application/merge-patch+json", q("{'data':{'a':null,'c':'Yw=='}}")).expect(200).json();
    assertEquals(q("{'b':'Yg==','c':'Yw=='}"), patched.path("data").toString());
  }

  @Test
  void strategicMergePatchMergesOwnerReferencesByUidAndFinalizersAsASet() {
    String ns = namespace();
    wire.post("/api/v1/namespaces/" + ns + "/configmaps", q("{'metadata':{'name':'s',"
        + "'finalizers':['a/x'],'ownerReferences':[{'apiVersion':'v1','kind':'ConfigMap','name':"
        + "'one','uid':'u1'}]}}")).expect(201);
    JsonNode patched = wire.patch("/api/v1/namespaces/" + ns + "/configmaps/s",
        "application/strategic-merge-patch+json", q("{'metadata':{'finalizers':['b/y'],"
            + "'ownerReferences':[{'apiVersion':'v1','kind':'ConfigMap','name':'two','uid':'u2'}]"
            + "}}")).expect(200).json();
    assertEquals(2, patched.path("metadata").path("ownerReferences").size());
    assertEquals(q("['a/x','b/y']"), patched.path("metadata").path("finalizers").toString());
    JsonNode removed = wire.patch("/api/v1/namespaces/" + ns + "/configmaps/s",
        "application/strategic-merge-patch+json", q("{'metadata':{'$deleteFromPrimitiveList/"
            + "finalizers':['a/x','b/y'],'ownerReferences':[{'$patch':'delete','uid':'u1'}]}}"))
        .expect(200).json();
    assertEquals("u2", removed.path("metadata").path("ownerReferences").get(0).path("uid")
        .asText());
    assertFalse(removed.path("metadata").has("finalizers")
        && removed.path("metadata").path("finalizers").size() > 0);
  }

  @Test
  void jsonPatchAppliesOperationsInOrder() {
    String ns = namespace();
    wire.post("/api/v1/namespaces/" + ns + "/configmaps", q("{'metadata':{'name':'j'},"
        + "'data':{'a':'1'}}")).expect(201);
    JsonNode patched = wire.patch("/api/v1/namespaces/" + ns + "/configmaps/j",
        "application/json-patch+json", q("[{'op':'add','path':'/data/b','value':'2'},"
            + "{'op':'remove','path':'/data/a'},{'op':'test','path':'/data/b','value':'2'}]"))
        .expect(200).json();
    assertEquals(q("{'b':'2'}"), patched.path("data").toString());
  }

  @Test
  void serverSideApplyCreatesOwnsFieldsAndConflictsWithOtherManagersUnlessForced() {
    String ns = namespace();
    String path = "/api/v1/namespaces/" + ns + "/configmaps/app?fieldManager=";
    String config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n"
        + "  mode: fast\n  level: '3'\n";
    JsonNode created = wire.patch(path + "team-a", "application/apply-patch+yaml", config)
        .expect(201).json();
    JsonNode managed = created.path("metadata").path("managedFields").get(0);
    assertEquals("team-a", managed.path("manager").asText());
    assertEquals("Apply", managed.path("operation").asText());
    assertEquals(q("{'f:data':{'.':{},'f:level':{},'f:mode':{}}}"),
        managed.path("fieldsV1").toString());

    JsonNode conflict = wire.patch(path + "team-b", "application/apply-patch+yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  mode: slow\n")
        .expect(409).json();
    assertEquals("Conflict", conflict.path("reason").asText());
    assertEquals("Apply failed with 1 conflict: conflict with \"team-a\": .data.mode",
        conflict.path("message").asText());
    assertEquals(q("[{'reason':'FieldManagerConflict','message':'conflict with \\'team-a\\'',"
        + "'field':'.data.mode'}]").replace("\\'", "\\\""),
        conflict.path("details").path("causes").toString());

    JsonNode forced = wire.patch(path + "team-b&force=true", "application/apply-patch+yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  mode: slow\n")
        .expect(200).json();
    assertEquals("slow", forced.path("data").path("mode").asText());

    JsonNode dropped = wire.patch(path + "team-a", "application/apply-patch+yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  extra: x\n")
        .expect(200).json();
    assertEquals(q("{'mode':'slow','extra':'x'}"), dropped.path("data").toString());

    JsonNode noManager = wire.patch("/api/v1/namespaces/" + ns + "/configmaps/app",
        "application/apply-patch+yaml", config).expect(422).json();
    assertEquals("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is "
        + "required for apply patch", noManager.path("message").asText());
    JsonNode unknown = wire.patch("/api/v1/namespaces/" + ns + "/configmaps/app",
        "text/plain", "x").expect(415).json();
    assertEquals("UnsupportedMediaType", unknown.path("reason").asText());
  }

  // ------------------------------------------------------------------ delete, GC, finalizers

  @Test
  void deleteAnswersSuccessAndCollectsDependentsButOrphanKeepsThem() {
    String ns = namespace();
    String owner = wire.post("/api/v1/namespaces/" + ns + "/configmaps",
        q("{'metadata':{'name':'owner'}}")).expect(201).json().path("metadata").path("uid")
        .asText();
    for (String name : List.of("dep1", "dep2")) {
      wire.post("/api/v1/namespaces/" + ns + "/secrets", q("{'metadata':{'name':'" + name
          + "','ownerReferences':[{'apiVersion':'v1','kind':'ConfigMap','name':'owner','uid':'"
          + owner + "','controller':true}]}}")).expect(201);
    }
    JsonNode status = wire.delete("/api/v1/namespaces/" + ns + "/configmaps/owner").expect(200)
        .json();
    assertEquals(q("{'kind':'Status','apiVersion':'v1','metadata':{},'status':'Success',"
        + "'details':{'name':'owner','kind':'configmaps','uid':'" + owner + "'}}"),
        status.toString());
    wire.get("/api/v1/namespaces/" + ns + "/secrets/dep1").expect(404);
    wire.get("/api/v1/namespaces/" + ns + "/secrets/dep2").expect(404);

    String owner2 = wire.post("/api/v1/namespaces/" + ns + "/configmaps",
        q("{'metadata':{'name':'owner2'}}")).expect(201).json().path("metadata").path("uid")
        .asText();
    wire.post("/api/v1/namespaces/" + ns + "/secrets", q("{'metadata':{'name':'kept',"
        + "'ownerReferences':[{'apiVersion':'v1','kind':'ConfigMap','name':'owner2','uid':'"
        + owner2 + "'}]}}")).expect(201);
    wire.delete("/api/v1/namespaces/" + ns + "/configmaps/owner2?propagationPolicy=Orphan")
        .expect(200);
    JsonNode kept = wire.get("/api/v1/namespaces/" + ns + "/secrets/kept").expect(200).json();
    assertFalse(kept.path("metadata").has("ownerReferences"));
  }

  @Test
  void deleteOfAnObjectWithFinalizersWaitsForThemToBeRemoved() {
    String ns = namespace();
    String path = "/apis/external-secrets.io/v1/namespaces/" + ns + "/externalsecrets/es";
    wire.post("/apis/external-secrets.io/v1/namespaces/" + ns + "/externalsecrets",
        q("{'apiVersion':'external-secrets.io/v1','kind':'ExternalSecret','metadata':{'name':"
            + "'es','finalizers':['externalsecrets.external-secrets.io/externalsecret-cleanup']},"
            + "'spec':{'refreshInterval':'1h'}}")).expect(201);
    JsonNode terminating = wire.delete(path).expect(200).json();
    assertTrue(terminating.path("metadata").has("deletionTimestamp"));
    wire.get(path).expect(200);
    wire.patch(path, "application/merge-patch+json", q("{'metadata':{'finalizers':null}}"))
        .expect(200);
    wire.get(path).expect(404);
  }

  @Test
  void deletingANamespaceDeletesItsObjects() {
    String ns = namespace();
    wire.post("/api/v1/namespaces/" + ns + "/secrets", secret("gone", "{}")).expect(201);
    wire.delete("/api/v1/namespaces/" + ns).expect(200);
    wire.get("/api/v1/namespaces/" + ns + "/secrets/gone").expect(404);
    JsonNode missing = wire.post("/api/v1/namespaces/" + ns + "/secrets", secret("x", "{}"))
        .expect(404).json();
    assertEquals("namespaces \"" + ns + "\" not found", missing.path("message").asText());
  }

  // ------------------------------------------------------------------ custom resources

  @Test
  void customResourcesBumpGenerationOnSpecChangesOnlyAndWriteStatusThroughItsSubresource() {
    String ns = namespace();
    String base = "/apis/external-secrets.io/v1/namespaces/" + ns + "/externalsecrets";
    JsonNode created = wire.post(base, q("{'apiVersion':'external-secrets.io/v1','kind':"
        + "'ExternalSecret','metadata':{'name':'es'},'spec':{'refreshInterval':'1h'},'status':"
        + "{'ignored':true}}")).expect(201).json();
    assertEquals(1, created.path("metadata").path("generation").asInt());
    assertFalse(created.has("status"));
    JsonNode labelled = wire.patch(base + "/es", "application/merge-patch+json",
        q("{'metadata':{'labels':{'a':'b'}},'status':{'ignored':true}}")).expect(200).json();
    assertEquals(1, labelled.path("metadata").path("generation").asInt());
    assertFalse(labelled.has("status"));
    JsonNode changed = wire.patch(base + "/es", "application/merge-patch+json",
        q("{'spec':{'refreshInterval':'2m'}}")).expect(200).json();
    assertEquals(2, changed.path("metadata").path("generation").asInt());
    JsonNode status = wire.patch(base + "/es/status", "application/merge-patch+json",
        q("{'status':{'refreshTime':'2026-01-10T12:00:00Z'},'spec':{'refreshInterval':'9h'}}"))
        .expect(200).json();
    assertEquals("2026-01-10T12:00:00Z", status.path("status").path("refreshTime").asText());
    assertEquals("2m", status.path("spec").path("refreshInterval").asText());
    assertEquals(2, status.path("metadata").path("generation").asInt());
    JsonNode asBeta = wire.get("/apis/external-secrets.io/v1beta1/namespaces/" + ns
        + "/externalsecrets/es").expect(200).json();
    assertEquals("external-secrets.io/v1beta1", asBeta.path("apiVersion").asText());
    wire.patch(base + "/es", "application/strategic-merge-patch+json", "{}").expect(415);
  }

  // ------------------------------------------------------------------ error Statuses

  @Test
  void creatingAnExistingObjectIsAlreadyExists() {
    String ns = namespace();
    wire.post("/api/v1/namespaces/" + ns + "/secrets", secret("db-creds", "{}")).expect(201);
    JsonNode status = wire.post("/api/v1/namespaces/" + ns + "/secrets", secret("db-creds", "{}"))
        .expect(409).json();
    assertJson("""
        {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",\
        "message":"secrets \\"db-creds\\" already exists","reason":"AlreadyExists",\
        "details":{"name":"db-creds","kind":"secrets"},"code":409}""", status);
  }

  @Test
  void readingAMissingObjectIsNotFound() {
    String ns = namespace();
    JsonNode status = wire.get("/api/v1/namespaces/" + ns + "/secrets/db-creds").expect(404)
        .json();
    assertJson("""
        {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",\
        "message":"secrets \\"db-creds\\" not found","reason":"NotFound",\
        "details":{"name":"db-creds","kind":"secrets"},"code":404}""", status);
    JsonNode lease = wire.get("/apis/coordination.k8s.io/v1/namespaces/" + ns + "/leases/x")
        .expect(404).json();
    assertEquals("leases.coordination.k8s.io \"x\" not found", lease.path("message").asText());
    assertEquals("coordination.k8s.io", lease.path("details").path("group").asText());
  }

  @Test
  void anInvalidSecretKeyIsInvalidWithCauses() {
    String ns = namespace();
    JsonNode status = wire.post("/api/v1/namespaces/" + ns + "/secrets",
        secret("s1", "{'bad key':'YQ=='}")).expect(422).json();
    String detail = "a valid config key must consist of alphanumeric characters, '-', '_' or "
        + "'.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
        + "'[-._a-zA-Z0-9]+')";
    assertEquals("Secret \"s1\" is invalid: data[bad key]: Invalid value: \"bad key\": " + detail,
        status.path("message").asText());
    assertEquals("Invalid", status.path("reason").asText());
    assertEquals(422, status.path("code").asInt());
    assertEquals("Secret", status.path("details").path("kind").asText());
    JsonNode cause = status.path("details").path("causes").get(0);
    assertEquals("FieldValueInvalid", cause.path("reason").asText());
    assertEquals("Invalid value: \"bad key\": " + detail, cause.path("message").asText());
    assertEquals("data[bad key]", cause.path("field").asText());
  }

  @Test
  void anInvalidNameIsInvalid() {
    String ns = namespace();
    JsonNode status = wire.post("/api/v1/namespaces/" + ns + "/secrets", secret("Bad_Name", "{}"))
        .expect(422).json();
    assertEquals("Secret \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a "
        + "lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or"
        + " '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex"
        + " used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*"
        + "[a-z0-9])?)*')", status.path("message").asText());
    JsonNode twoErrors = wire.post("/apis/coordination.k8s.io/v1/namespaces/" + ns + "/leases",
        q("{'metadata':{'name':'l'},'spec':{'leaseDurationSeconds':0,'leaseTransitions':-1}}"))
        .expect(422).json();
    assertEquals("Lease.coordination.k8s.io \"l\" is invalid: [spec.leaseDurationSeconds: Invalid"
        + " value: 0: must be greater than 0, spec.leaseTransitions: Invalid value: -1: must be "
        + "greater than or equal to 0]", twoErrors.path("message").asText());
    assertEquals(2, twoErrors.path("details").path("causes").size());
  }

  @Test
  void requestsWithoutAValidTokenAreUnauthorized() {
    String expected = q("{'kind':'Status','apiVersion':'v1','metadata':{},'status':'Failure',"
        + "'message':'Unauthorized','reason':'Unauthorized','code':401}");
    assertEquals(expected, wire.as(kube, null).get("/api/v1/namespaces").expect(401).json()
        .toString());
    assertEquals(expected, wire.as(kube, "not-a-token").get("/api/v1/namespaces").expect(401)
        .json().toString());
  }

  @Test
  void anImmutableSecretRefusesDataChangesButNotLabels() {
    String ns = namespace();
    wire.post("/api/v1/namespaces/" + ns + "/secrets", q("{'metadata':{'name':'frozen'},"
        + "'immutable':true,'data':{'a':'YQ=='}}")).expect(201);
    JsonNode status = wire.patch("/api/v1/namespaces/" + ns + "/secrets/frozen",
        "application/merge-patch+json", q("{'data':{'a':'Yg=='}}")).expect(422).json();
    assertEquals("Secret \"frozen\" is invalid: data: Forbidden: field is immutable when "
        + "`immutable` is set", status.path("message").asText());
    assertEquals("FieldValueForbidden", status.path("details").path("causes").get(0)
        .path("reason").asText());
    wire.patch("/api/v1/namespaces/" + ns + "/secrets/frozen", "application/merge-patch+json",
        q("{'metadata':{'labels':{'a':'b'}}}")).expect(200);
  }

  @Test
  void aSecretOverOneMebibyteIsTooLong() {
    String ns = namespace();
    byte[] big = new byte[Validation1Mib.SIZE + 1];
    String value = Base64.getEncoder().encodeToString(big);
    JsonNode status = wire.post("/api/v1/namespaces/" + ns + "/secrets",
        secret("big", "{'blob':'" + value + "'}")).expect(422).json();
    assertEquals("Secret \"big\" is invalid: data: Too long: may not be more than 1048576 bytes",
        status.path("message").asText());
    assertEquals("FieldValueTooLong", status.path("details").path("causes").get(0)
        .path("reason").asText());
    wire.post("/api/v1/namespaces/" + ns + "/secrets", secret("fits", "{'blob':'"
        + Base64.getEncoder().encodeToString(new byte[Validation1Mib.SIZE]) + "'}")).expect(201);
  }

  /** The 1 MiB limit of Secret data. */
  private static final class Validation1Mib {
    static final int SIZE = 1024 * 1024;
  }

  @Test
  void aBodyInAnotherNamespaceOrBadBase64IsABadRequest() {
    String ns = namespace();
    JsonNode mismatch = wire.post("/api/v1/namespaces/" + ns + "/secrets", q("{'metadata':"
        + "{'name':'x','namespace':'other'}}")).expect(400).json();
    assertEquals("the namespace of the provided object does not match the namespace sent on the "
        + "request", mismatch.path("message").asText());
    JsonNode base64 = wire.post("/api/v1/namespaces/" + ns + "/secrets", secret("x",
        "{'a':'not base64!'}")).expect(400).json();
    assertTrue(base64.path("message").asText().startsWith(
        "Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input "
            + "byte"), base64::toString);
  }

  // ------------------------------------------------------------------ service account tokens

  @Test
  void aServiceAccountTokenSecretIsFilledInByTheTokenController() {
    String ns = namespace();
    kube.createServiceAccount(ns, "reviewer");
    JsonNode created = wire.post("/api/v1/namespaces/" + ns + "/secrets", q("{'metadata':{'name':"
        + "'reviewer-token','annotations':{'kubernetes.io/service-account.name':'reviewer'}},"
        + "'type':'kubernetes.io/service-account-token'}")).expect(201).json();
    JsonNode data = created.path("data");
    assertEquals(kube.caCertificatePem(), new String(Base64.getDecoder().decode(
        data.path("ca.crt").asText()), StandardCharsets.UTF_8));
    assertEquals(ns, new String(Base64.getDecoder().decode(data.path("namespace").asText()),
        StandardCharsets.UTF_8));
    String token = new String(Base64.getDecoder().decode(data.path("token").asText()),
        StandardCharsets.UTF_8);
    assertEquals(kube.get("v1", "ServiceAccount", ns, "reviewer").orElseThrow().path("metadata")
        .path("uid").asText(), created.path("metadata").path("annotations")
        .path("kubernetes.io/service-account.uid").asText());
    wire.as(kube, token).get("/api/v1/namespaces/" + ns + "/secrets").expect(200);
    JsonNode missingAnnotation = wire.post("/api/v1/namespaces/" + ns + "/secrets",
        q("{'metadata':{'name':'t2'},'type':'kubernetes.io/service-account-token'}"))
        .expect(422).json();
    assertEquals("Secret \"t2\" is invalid: metadata.annotations[kubernetes.io/service-account."
        + "name]: Required value", missingAnnotation.path("message").asText());
  }

  // ------------------------------------------------------------------ test controls

  @Test
  void auditLogAndFaultsAreServedToTheAdmin() {
    kube.auditLog().clear();
    wire.get("/api/v1/namespaces/default").expect(200);
    String saToken = kube.serviceAccountToken("default", "default", List.of(),
        java.time.Duration.ofMinutes(10));
    wire.as(kube, saToken).get("/api/v1/namespaces/default/serviceaccounts").expect(200);
    KubeWire.Answer audit = wire.get("/_testkit/requests").expect(200);
    JsonNode requests = audit.json();
    assertEquals(1, requests.path("counts").path("GET /api/v1/namespaces/default").asInt());
    assertFalse(audit.body().contains(kube.adminToken()), "the audit log holds no tokens");
    assertFalse(audit.body().contains(saToken.substring(saToken.lastIndexOf('.') + 1)),
        "the audit log holds no tokens");
    wire.as(kube, null).get("/_testkit/requests").expect(403);

    wire.put("/_testkit/faults", q("{'mode':'status','status':503,'count':1}")).expect(204);
    JsonNode unavailable = wire.get("/api/v1/namespaces").expect(503).json();
    assertEquals("ServiceUnavailable", unavailable.path("reason").asText());
    wire.get("/api/v1/namespaces").expect(200);
    kube.faults().add(FaultInjector.Fault.status(500).onPathPrefix("/apis").times(1));
    wire.get("/api/v1/namespaces").expect(200);
    assertEquals("InternalError", wire.get("/apis").expect(500).json().path("reason").asText());
    assertEquals(List.of(), kube.faults().active());
  }
}
