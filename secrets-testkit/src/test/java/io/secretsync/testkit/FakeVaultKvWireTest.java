package io.secretsync.testkit;

import static io.secretsync.testkit.WireClient.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** KV v2 and v1 over HTTPS with plain OkHttp: exact JSON shapes, status codes and error bodies. */
class FakeVaultKvWireTest {
  private static final Instant T0 = Instant.parse("2025-01-02T03:04:05.5Z");
  private static final String T0_TEXT = "2025-01-02T03:04:05.5Z";

  private final TestClock clock = TestClock.at(T0);
  private final FakeVault vault = FakeVault.builder().clock(clock).start();
  private final WireClient wire = new WireClient(vault);
  private final String root = vault.rootToken();

  @AfterEach
  void stop() {
    vault.close();
  }

  @Test
  void writeThenReadReturnsVaultsEnvelopeWithSortedDataAndVersionMetadata() throws IOException {
    WireClient.Answer write = wire.post("/v1/secret/data/example-api/env-file", root,
        q("{'data':{'zeta':'1','dotenv':'API_KEY=abc','nested':{'b':2,'a':1.50}}}")).expect(200);
    assertEquals(q("{'request_id':'*','lease_id':'','renewable':false,'lease_duration':0,"
        + "'data':{'created_time':'" + T0_TEXT + "','custom_metadata':null,'deletion_time':'',"
        + "'destroyed':false,'version':1},'wrap_info':null,'warnings':null,'auth':null,"
        + "'mount_type':'kv'}"), write.masked("request_id"));
    assertEquals("application/json", write.headers().get("Content-Type"));
    assertEquals("no-store", write.headers().get("Cache-Control"));

    WireClient.Answer read = wire.get("/v1/secret/data/example-api/env-file", root).expect(200);
    assertEquals(q("{'request_id':'*','lease_id':'','renewable':false,'lease_duration':0,"
        + "'data':{'data':{'dotenv':'API_KEY=abc','nested':{'a':1.50,'b':2},'zeta':'1'},"
        + "'metadata':{'created_time':'" + T0_TEXT + "','custom_metadata':null,"
        + "'deletion_time':'','destroyed':false,'version':1}},'wrap_info':null,'warnings':null,"
        + "'auth':null,'mount_type':'kv'}"), read.masked("request_id"));
  }

  @Test
  void versionsCasAndMissingData() throws IOException {
    String path = "/v1/secret/data/app/config";
    wire.post(path, root, q("{'options':{'cas':0},'data':{'v':'1'}}")).expect(200);
    assertEquals(q("{'errors':['check-and-set parameter did not match the current version']}"),
        wire.post(path, root, q("{'options':{'cas':0},'data':{'v':'2'}}")).expect(400).body());
    wire.post(path, root, q("{'options':{'cas':1},'data':{'v':'2'}}")).expect(200);
    assertEquals("1", wire.get(path + "?version=1", root).expect(200).json()
        .path("data").path("data").path("v").asText());
    assertEquals(2, wire.get(path + "?version=0", root).json().path("data").path("metadata")
        .path("version").asInt());
    assertEquals("{\"errors\":[]}", wire.get(path + "?version=7", root).expect(404).body());
    assertEquals(q("{'errors':['no data provided']}"),
        wire.post(path, root, q("{'options':{}}")).expect(400).body());
    assertEquals(q("{'errors':['error parsing check-and-set parameter']}"),
        wire.post(path, root, q("{'options':{'cas':'x'},'data':{}}")).expect(400).body());
    wire.post("/v1/secret/config", root, q("{'cas_required':true}")).expect(204);
    assertEquals(q("{'errors':['check-and-set parameter required for this call']}"),
        wire.post(path, root, q("{'data':{'v':'3'}}")).expect(400).body());
    assertEquals(q("{'request_id':'*','lease_id':'','renewable':false,'lease_duration':0,"
        + "'data':{'cas_required':true,'delete_version_after':'0s','max_versions':0},"
        + "'wrap_info':null,'warnings':null,'auth':null,'mount_type':'kv'}"),
        wire.get("/v1/secret/config", root).expect(200).masked("request_id"));
  }

  @Test
  void softDeleteUndeleteAndDestroyAnswerAsVault() throws IOException {
    String data = "/v1/secret/data/app/db";
    wire.post(data, root, q("{'data':{'password':'s3cret'}}")).expect(200);
    wire.post(data, root, q("{'data':{'password':'s3cret2'}}")).expect(200);
    clock.advance(Duration.ofSeconds(1));
    wire.delete(data, root).expect(204);
    assertEquals(q("{'request_id':'*','lease_id':'','renewable':false,'lease_duration':0,"
        + "'data':{'data':null,'metadata':{'created_time':'" + T0_TEXT + "','custom_metadata':null,"
        + "'deletion_time':'2025-01-02T03:04:06.5Z','destroyed':false,'version':2}},"
        + "'wrap_info':null,'warnings':null,'auth':null,'mount_type':''}"),
        wire.get(data, root).expect(404).masked("request_id"));
    wire.post("/v1/secret/undelete/app/db", root, q("{'versions':[2]}")).expect(204);
    assertEquals("s3cret2", wire.get(data, root).expect(200).json().path("data").path("data")
        .path("password").asText());
    wire.put("/v1/secret/destroy/app/db", root, q("{'versions':[1]}")).expect(204);
    WireClient.Answer destroyed = wire.get(data + "?version=1", root).expect(404);
    assertEquals(q("{'created_time':'" + T0_TEXT + "','custom_metadata':null,'deletion_time':'',"
        + "'destroyed':true,'version':1}"), destroyed.json().path("data").path("metadata")
        .toString());
    assertTrue(destroyed.json().path("data").path("data").isNull());
    assertEquals(q("{'errors':['No version number provided']}"),
        wire.post("/v1/secret/delete/app/db", root, q("{'versions':[]}")).expect(400).body());
    assertEquals(q("{'errors':['no version number provided']}"),
        wire.post("/v1/secret/destroy/app/db", root, "{}").expect(400).body());
    wire.post("/v1/secret/delete/app/db", root, q("{'versions':'2'}")).expect(204);
    assertEquals(404, wire.get(data, root).code());
  }

  @Test
  void metadataReadListCustomMetadataAndMaxVersions() throws IOException {
    wire.post("/v1/secret/metadata/app/db", root,
        q("{'max_versions':2,'custom_metadata':{'owner':'team-a'}}")).expect(204);
    for (int i = 1; i <= 3; i++) {
      wire.post("/v1/secret/data/app/db", root, q("{'data':{'n':'" + i + "'}}")).expect(200);
    }
    wire.post("/v1/secret/data/app/db/child", root, q("{'data':{'x':'y'}}")).expect(200);
    wire.post("/v1/secret/data/other", root, q("{'data':{'x':'y'}}")).expect(200);
    WireClient.Answer meta = wire.get("/v1/secret/metadata/app/db", root).expect(200);
    assertEquals(q("{'cas_required':false,'created_time':'" + T0_TEXT + "','current_version':3,"
        + "'custom_metadata':{'owner':'team-a'},'delete_version_after':'0s',"
        + "'last_updated_by':{'actor':'root','operation':'update'},'max_versions':2,"
        + "'oldest_version':2,'updated_time':'" + T0_TEXT + "','versions':{"
        + "'2':{'created_by':{'actor':'root','operation':'update'},'created_time':'" + T0_TEXT
        + "','deleted_by':null,'deletion_time':'','destroyed':false},"
        + "'3':{'created_by':{'actor':'root','operation':'update'},'created_time':'" + T0_TEXT
        + "','deleted_by':null,'deletion_time':'','destroyed':false}}}"),
        meta.json().path("data").toString());
    assertEquals("{\"errors\":[]}", wire.get("/v1/secret/data/app/db?version=1", root)
        .expect(404).body());
    assertEquals(q("{'owner':'team-a'}"), wire.get("/v1/secret/data/app/db", root).json()
        .path("data").path("metadata").path("custom_metadata").toString());

    assertEquals(q("{'keys':['app/','other']}"), wire.list("/v1/secret/metadata", root)
        .expect(200).json().path("data").toString());
    assertEquals(q("{'keys':['db','db/']}"), wire.get("/v1/secret/metadata/app?list=true", root)
        .expect(200).json().path("data").toString());
    assertEquals("{\"errors\":[]}", wire.list("/v1/secret/metadata/nothing", root).expect(404)
        .body());
    assertEquals("{\"errors\":[]}", wire.get("/v1/secret/metadata/app?list=maybe", root)
        .expect(400).body());

    wire.patch("/v1/secret/metadata/app/db", root, q("{'custom_metadata':{'owner':null,'tier':"
        + "'gold'}}")).expect(204);
    assertEquals(q("{'tier':'gold'}"), wire.get("/v1/secret/metadata/app/db", root).json()
        .path("data").path("custom_metadata").toString());
    String longKey = "k".repeat(129);
    assertEquals(q("{'errors':['1 error occurred:\\n\\t* custom_metadata validation failed: "
        + "length of key \\'" + longKey + "\\' is 129 but must be 0 < len(key) <= 128\\n\\n']}")
        .replace("\\'", "\\\""), wire.post("/v1/secret/metadata/app/db", root,
        q("{'custom_metadata':{'" + longKey + "':'v'}}")).expect(400).body());
    wire.delete("/v1/secret/metadata/app/db", root).expect(204);
    assertEquals("{\"errors\":[]}", wire.get("/v1/secret/metadata/app/db", root).expect(404)
        .body());
  }

  @Test
  void patchNeedsMergePatchContentTypeAndAnExistingSecret() throws IOException {
    String path = "/v1/secret/data/app/cfg";
    assertEquals(q("{'errors':['PATCH requires Content-Type of application/merge-patch+json, "
        + "provided application/json; charset=utf-8']}"), wire.send("PATCH", path, root,
        q("{'data':{}}"), Map.of()).expect(415).body());
    WireClient.Answer missing = wire.patch(path, root, q("{'data':{'a':'1'}}")).expect(404);
    assertEquals("", missing.body());
    wire.post(path, root, q("{'data':{'a':'1','b':'2'}}")).expect(200);
    assertEquals(2, wire.patch(path, root, q("{'data':{'b':null,'c':'3'}}")).expect(200).json()
        .path("data").path("version").asInt());
    assertEquals(q("{'a':'1','c':'3'}"), wire.get(path, root).json().path("data").path("data")
        .toString());
  }

  @Test
  void pathsOutsideTheV2ApiAnswer404WithVaultsWarning() throws IOException {
    wire.post("/v1/secret/data/app/x", root, q("{'data':{'a':'1'}}")).expect(200);
    assertEquals(q("{'request_id':'*','lease_id':'','renewable':false,'lease_duration':0,"
        + "'data':null,'wrap_info':null,'warnings':['Invalid path for a versioned K/V secrets "
        + "engine. See the API docs for the appropriate API endpoints to use. If using the Vault "
        + "CLI, use Xvault kv getX for this operation.'],'auth':null,'mount_type':''}")
        .replace("X", "'"), wire.get("/v1/secret/app/x", root).expect(404)
        .masked("request_id"));
    assertEquals("Non-listing operations on the root of a K/V v2 mount are not supported.",
        wire.get("/v1/secret/data", root).expect(404).json().path("warnings").get(0).asText());
  }

  @Test
  void requestErrorsAnswerAsVault() throws IOException {
    assertEquals(q("{'errors':['error parsing JSON']}"),
        wire.post("/v1/secret/data/x", root, "{not json").expect(400).body());
    assertEquals("{\"errors\":[]}", wire.send("BREW", "/v1/secret/data/x", root, null,
        Map.of()).expect(405).body());
    assertEquals(q("{'errors':['1 error occurred:\\n\\t* unsupported operation\\n\\n']}"),
        wire.get("/v1/secret/delete/x", root).expect(405).body());
    assertEquals("{\"errors\":[]}", wire.get("/v2/secret/data/x", root).expect(404).body());
    assertEquals(q("{'errors':['no handler for route \\'nomount/data/x\\'. route entry not "
        + "found.']}").replace("\\'", "\\\""), wire.get("/v1/nomount/data/x", root).expect(404)
        .body());
    assertEquals("{\"errors\":[\"cannot write to a path ending in '/'\"]}",
        wire.post("/v1/secret/data/x/", root, "{}").expect(400).body());
    assertEquals("{\"errors\":[]}", wire.get("/v1/secret/data/never-written", root).expect(404)
        .body());
  }

  @Test
  void kvVersion1ReadsFlatDataWithTheMountLease() throws IOException {
    vault.enableKv("kv1", 1);
    assertEquals(q("{'errors':['missing data fields']}"),
        wire.post("/v1/kv1/app/cfg", root, "{}").expect(400).body());
    wire.post("/v1/kv1/app/cfg", root, q("{'user':'u','password':'p'}")).expect(204);
    wire.post("/v1/kv1/app/other", root, q("{'a':'b'}")).expect(204);
    assertEquals(q("{'request_id':'*','lease_id':'','renewable':false,'lease_duration':2764800,"
        + "'data':{'password':'p','user':'u'},'wrap_info':null,'warnings':null,'auth':null,"
        + "'mount_type':'kv'}"), wire.get("/v1/kv1/app/cfg", root).expect(200)
        .masked("request_id"));
    assertEquals(q("{'keys':['cfg','other']}"), wire.list("/v1/kv1/app", root).expect(200).json()
        .path("data").toString());
    wire.delete("/v1/kv1/app/cfg", root).expect(204);
    assertEquals("{\"errors\":[]}", wire.get("/v1/kv1/app/cfg", root).expect(404).body());
    assertEquals("{\"errors\":[]}", wire.get("/v1/kv1/data/app/other", root).expect(404).body());
  }

  @Test
  void javaSeedingIsVisibleOverTheWire() throws IOException {
    assertEquals(1, vault.kv("secret").put("example-api/env-file", Map.of("dotenv", "A=1")));
    assertEquals(2, vault.kv("secret").put("example-api/env-file", Map.of("dotenv", "A=2")));
    assertEquals("A=2", wire.get("/v1/secret/data/example-api/env-file", root).json()
        .path("data").path("data").path("dotenv").asText());
    assertEquals(Map.of("dotenv", "A=1"), vault.kv("secret").get("example-api/env-file", 1)
        .orElseThrow());
    assertEquals(List.of("env-file"), vault.kv("secret").list("example-api"));
    vault.kv("secret").delete("example-api/env-file");
    assertTrue(vault.kv("secret").get("example-api/env-file").isEmpty());
    assertEquals(1, vault.requestCount("GET", "/v1/secret/data/example-api/env-file"));
  }
}
