package io.secretsync.testkit;

import static io.secretsync.testkit.WireClient.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsync.testkit.server.AuditLog;
import io.secretsync.testkit.server.FaultInjector;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** sys/*, tokens, ACL, namespaces, audit log and faults over HTTPS with plain OkHttp. */
class FakeVaultSysWireTest {
  private static final String INVALID_TOKEN =
      q("{'errors':['2 errors occurred:\\n\\t* permission denied\\n\\t* invalid token\\n\\n']}");
  private static final String DENIED =
      q("{'errors':['1 error occurred:\\n\\t* permission denied\\n\\n']}");

  private final TestClock clock = TestClock.at(Instant.parse("2025-03-04T05:06:07Z"));
  private final FakeVault vault = FakeVault.builder().clock(clock).start();
  private final WireClient wire = new WireClient(vault);
  private final String root = vault.rootToken();

  @AfterEach
  void stop() {
    vault.close();
  }

  @Test
  void healthIsABareObjectAndNeedsNoToken() throws IOException {
    JsonNode h = wire.get("/v1/sys/health", null).expect(200).json();
    assertEquals(List.of("initialized", "sealed", "standby", "performance_standby",
        "replication_performance_mode", "replication_dr_mode", "server_time_utc", "version",
        "enterprise", "cluster_name", "cluster_id", "echo_duration_ms", "clock_skew_ms"),
        fieldNames(h));
    assertFalse(h.path("sealed").asBoolean());
    assertEquals(clock.instant().getEpochSecond(), h.path("server_time_utc").asLong());
    vault.seal();
    JsonNode sealed = wire.get("/v1/sys/health", null).expect(503).json();
    assertTrue(sealed.path("sealed").asBoolean());
    assertFalse(sealed.has("cluster_name"));
    assertEquals(q("{'errors':['Vault is sealed']}"),
        wire.get("/v1/secret/data/x", root).expect(503).body());
    assertTrue(wire.get("/v1/sys/seal-status", null).expect(200).json().path("sealed")
        .asBoolean());
    vault.unseal();
    wire.get("/v1/sys/health", null).expect(200);
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> names = new java.util.ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void mountsListEnableAndDisableLikeTheDevServer() throws IOException {
    WireClient.Answer list = wire.get("/v1/sys/mounts", root).expect(200);
    JsonNode secret = list.json().path("data").path("secret/");
    assertEquals(List.of("accessor", "config", "deprecation_status", "description",
        "external_entropy_access", "local", "options", "plugin_version", "running_plugin_version",
        "running_sha256", "seal_wrap", "type", "uuid"), fieldNames(secret));
    assertEquals(q("{'version':'2'}"), secret.path("options").toString());
    assertEquals("kv", secret.path("type").asText());
    assertEquals(secret, list.json().path("secret/"), "legacy top-level copy");
    assertEquals(List.of("cubbyhole/", "identity/", "secret/", "sys/"),
        fieldNames(list.json().path("data")));

    wire.post("/v1/sys/mounts/kv-one", root, q("{'type':'kv','options':{'version':'1'}}"))
        .expect(204);
    wire.post("/v1/sys/mounts/team/kv", root, q("{'type':'kv-v2'}")).expect(204);
    assertEquals(q("{'errors':['path is already in use at secret/']}"),
        wire.post("/v1/sys/mounts/secret", root, q("{'type':'kv'}")).expect(400).body());
    assertEquals(q("{'errors':['plugin not found in the catalog: pki']}"),
        wire.post("/v1/sys/mounts/pki", root, q("{'type':'pki'}")).expect(400).body());
    JsonNode after = wire.get("/v1/sys/mounts", root).json().path("data");
    assertEquals("1", after.path("kv-one/").path("options").path("version").asText());
    assertEquals("2", after.path("team/kv/").path("options").path("version").asText());
    wire.delete("/v1/sys/mounts/kv-one", root).expect(204);
    assertTrue(wire.get("/v1/sys/mounts", root).json().path("data").path("kv-one/")
        .isMissingNode());
  }

  @Test
  void authMethodsEnableAtAnyPathListAndNeedSudo() throws IOException {
    wire.post("/v1/sys/auth/k8s/team-a", root, q("{'type':'kubernetes','description':'team'}"))
        .expect(204);
    WireClient.Answer list = wire.get("/v1/sys/auth", root).expect(200);
    JsonNode k8s = list.json().path("data").path("k8s/team-a/");
    assertEquals("kubernetes", k8s.path("type").asText());
    assertEquals("team", k8s.path("description").asText());
    assertEquals(q("{'default_lease_ttl':0,'force_no_cache':false,'max_lease_ttl':0,"
        + "'token_type':'default-service'}"), k8s.path("config").toString());
    assertTrue(k8s.path("accessor").asText().startsWith("auth_kubernetes_"));
    assertEquals(List.of("k8s/team-a/", "token/"), fieldNames(list.json().path("data")));
    assertEquals(q("{'errors':['path is already in use at auth/k8s/team-a/']}"),
        wire.post("/v1/sys/auth/k8s/team-a", root, q("{'type':'kubernetes'}")).expect(400)
            .body());
    assertEquals(q("{'errors':['plugin not found in the catalog: approle']}"),
        wire.post("/v1/sys/auth/approle", root, q("{'type':'approle'}")).expect(400).body());
    vault.policies().put("auth-admin", "path \"sys/auth/*\" { capabilities = "
        + "[\"create\", \"update\"] }");
    String noSudo = vault.createToken(List.of("auth-admin"), Duration.ofHours(1));
    assertEquals(DENIED, wire.post("/v1/sys/auth/other", noSudo, q("{'type':'kubernetes'}"))
        .expect(403).body());
    wire.post("/v1/auth/k8s/team-a/config", root, q("{'kubernetes_host':'https://k8s'}"))
        .expect(204);
    wire.delete("/v1/sys/auth/k8s/team-a", root).expect(204);
    assertEquals(q("{'errors':['no handler for route \\'auth/k8s/team-a/config\\'. route "
        + "entry not found.']}").replace("\\'", "\\\""),
        wire.get("/v1/auth/k8s/team-a/config", root).expect(404).body());
  }

  @Test
  void uiMountsPreflightTellsTheKvVersionToTokensWithAccess() throws IOException {
    JsonNode d = wire.get("/v1/sys/internal/ui/mounts/secret/app/x", root).expect(200).json()
        .path("data");
    assertEquals("secret/", d.path("path").asText());
    assertEquals("2", d.path("options").path("version").asText());
    vault.policies().put("app", "path \"secret/data/app/*\" { capabilities = [\"read\"] }");
    String app = vault.createToken(List.of("app"), Duration.ofHours(1));
    wire.get("/v1/sys/internal/ui/mounts/secret/app/x", app).expect(200);
    String other = vault.createToken(List.of(), Duration.ofHours(1));
    assertEquals("{\"errors\":[\"preflight capability check returned 403, please ensure "
        + "client's policies grant access to path \\\"secret/app1/\\\"\"]}", wire.get("/v1/sys/internal/ui/mounts/secret/app1", other)
        .expect(403).body());
    assertEquals(DENIED, wire.get("/v1/sys/mounts", app).expect(403).body());
  }

  @Test
  void policiesAreParsedStoredAndListedAsVaultDoes() throws IOException {
    String hcl = "path \"secret/data/app/*\" {\n  capabilities = [\"read\", \"list\"]\n}\n";
    wire.put("/v1/sys/policies/acl/App", root, WireClient.JSON.writeValueAsString(
        Map.of("policy", hcl))).expect(204);
    assertEquals(q("{'name':'app','policy':'" + hcl.replace("\"", "\\'").replace("\n", "\\n")
        + "'}").replace("\\'", "\\\""), wire.get("/v1/sys/policies/acl/app", root).expect(200)
        .json().path("data").toString());
    assertEquals(q("{'keys':['app','default','root']}"), wire.list("/v1/sys/policies/acl", root)
        .expect(200).json().path("data").toString());
    assertEquals(q("{'errors':['failed to parse policy: At 2:19: literal not terminated']}"),
        wire.put("/v1/sys/policies/acl/bad", root, WireClient.JSON.writeValueAsString(Map.of(
            "policy", "path \"a\" {\n  capabilities = [\"read]\n}"))).expect(400).body());
    assertEquals(q("{'errors':['failed to parse policy: path \\'a/*\\': invalid capability "
        + "\\'reed\\'']}").replace("\\'", "\\\""), wire.put("/v1/sys/policies/acl/bad", root,
        WireClient.JSON.writeValueAsString(Map.of("policy",
            "path \"a/*\" { capabilities = [\"reed\"] }"))).expect(400).body());
    assertEquals("{\"errors\":[\"'policy' parameter not supplied or empty\"]}",
        wire.put("/v1/sys/policies/acl/x", root, "{}").expect(400).body());
    assertEquals(q("{'errors':['cannot delete \\'default\\' policy']}").replace("\\'", "\\\""),
        wire.delete("/v1/sys/policies/acl/default", root).expect(400).body());
    wire.delete("/v1/sys/policies/acl/app", root).expect(204);
    assertEquals("{\"errors\":[]}", wire.get("/v1/sys/policies/acl/app", root).expect(404)
        .body());
  }

  @Test
  void createAndUpdateCapabilitiesFollowTheExistenceCheck() throws IOException {
    vault.policies().put("creator", "path \"secret/data/new/*\" { capabilities = [\"create\"] }");
    String creator = vault.createToken(List.of("creator"), Duration.ofHours(1));
    wire.post("/v1/secret/data/new/a", creator, q("{'data':{'v':'1'}}")).expect(200);
    assertEquals(DENIED, wire.post("/v1/secret/data/new/a", creator, q("{'data':{'v':'2'}}"))
        .expect(403).body());
    assertEquals(DENIED, wire.get("/v1/secret/data/new/a", creator).expect(403).body());
    vault.policies().put("updater", "path \"secret/data/new/*\" { capabilities = [\"update\"] }\n"
        + "path \"secret/data/new/locked\" { capabilities = [\"deny\"] }");
    String updater = vault.createToken(List.of("updater"), Duration.ofHours(1));
    assertEquals(DENIED, wire.post("/v1/secret/data/new/b", updater, q("{'data':{'v':'1'}}"))
        .expect(403).body());
    wire.post("/v1/secret/data/new/a", updater, q("{'data':{'v':'2'}}")).expect(200);
    vault.kv("secret").put("new/locked", Map.of("v", "1"));
    assertEquals(DENIED, wire.post("/v1/secret/data/new/locked", updater,
        q("{'data':{'v':'2'}}")).expect(403).body());
    Optional<AuditLog.Entry> entry = vault.auditLog().last("POST", "/v1/secret/data/new/locked");
    assertEquals(403, entry.orElseThrow().status());
    assertTrue(entry.get().note().orElseThrow().contains("grant no update on "
        + "secret/data/new/locked"), entry.get().note().get());
  }

  @Test
  void tokensLookupRenewWithinMaxTtlExpireByTheClockAndRevoke() throws IOException {
    assertEquals(q("{'errors':['permission denied']}"),
        wire.get("/v1/auth/token/lookup-self", null).expect(403).body());
    assertEquals(INVALID_TOKEN, wire.get("/v1/auth/token/lookup-self", "hvs.unknown")
        .expect(403).body());
    JsonNode created = wire.post("/v1/auth/token/create", root,
        q("{'policies':['app'],'ttl':'1h','explicit_max_ttl':'90m','meta':{'team':'a'}}"))
        .expect(200).json();
    JsonNode auth = created.path("auth");
    assertEquals(List.of("client_token", "accessor", "policies", "token_policies", "metadata",
        "lease_duration", "renewable", "entity_id", "token_type", "orphan", "mfa_requirement",
        "num_uses"), fieldNames(auth));
    String token = auth.path("client_token").asText();
    assertTrue(token.startsWith("hvs."), "Vault-looking token");
    assertEquals(q("['app','default']"), auth.path("policies").toString());
    assertEquals(3600, auth.path("lease_duration").asInt());
    assertEquals("token", created.path("mount_type").asText());

    JsonNode self = wire.get("/v1/auth/token/lookup-self", token).expect(200).json()
        .path("data");
    assertEquals(List.of("accessor", "creation_time", "creation_ttl", "display_name", "entity_id",
        "expire_time", "explicit_max_ttl", "id", "issue_time", "meta", "num_uses", "orphan", "path",
        "policies", "renewable", "ttl", "type"), fieldNames(self));
    assertEquals(token, self.path("id").asText());
    assertEquals("2025-03-04T06:06:07Z", self.path("expire_time").asText());
    assertEquals(5400, self.path("explicit_max_ttl").asInt());
    assertEquals("auth/token/create", self.path("path").asText());
    assertFalse(self.path("orphan").asBoolean());

    clock.advance(Duration.ofMinutes(50));
    JsonNode renewed = wire.post("/v1/auth/token/renew-self", token, q("{'increment':'1h'}"))
        .expect(200).json();
    assertEquals(2400, renewed.path("auth").path("lease_duration").asInt());
    assertEquals(q("['TTL of \\'1h0m0s\\' exceeded the effective max_ttl of \\'40m0s\\'; TTL "
        + "value is capped accordingly']").replace("\\'", "\\\""),
        renewed.path("warnings").toString());
    clock.advance(Duration.ofMinutes(40));
    assertEquals(INVALID_TOKEN, wire.get("/v1/auth/token/lookup-self", token).expect(403)
        .body());

    String second = vault.createToken(List.of(), Duration.ofHours(1));
    assertEquals(q("{'errors':['lease is not renewable']}"),
        wire.post("/v1/auth/token/renew-self", root, "{}").expect(400).body());
    wire.post("/v1/auth/token/revoke-self", second, null).expect(204);
    assertEquals(INVALID_TOKEN, wire.get("/v1/auth/token/lookup-self", second).expect(403)
        .body());
    assertEquals(INVALID_TOKEN, wire.send("GET", "/v1/auth/token/lookup-self", null, null,
        Map.of("Authorization", "Bearer " + second)).expect(403).body());
    JsonNode rootSelf = wire.get("/v1/auth/token/lookup-self", root).expect(200).json()
        .path("data");
    assertTrue(rootSelf.path("expire_time").isNull());
    assertEquals(q("['root']"), rootSelf.path("policies").toString());
  }

  @Test
  void childPoliciesMustBeASubsetOfTheParents() throws IOException {
    vault.policies().put("app", "path \"auth/token/create\" { capabilities = [\"update\"] }");
    String app = vault.createToken(List.of("app"), Duration.ofHours(1));
    assertEquals(2, wire.post("/v1/auth/token/create", app, "{}").expect(200).json().path("auth")
        .path("policies").size());
    assertEquals(q("{'errors':['child policies must be subset of parent']}"),
        wire.post("/v1/auth/token/create", app, q("{'policies':['admin']}")).body());
  }

  @Test
  void namespacesHaveTheirOwnMountsPoliciesAndTokens() throws IOException {
    vault.createNamespace("team-a");
    vault.enableKv("team-a", "secret", 2);
    vault.kv("team-a", "secret").put("app/db", Map.of("user", "a"));
    vault.policies("team-a").put("reader",
        "path \"secret/data/app/*\" { capabilities = [\"read\"] }");
    String nsToken = vault.createToken("team-a", List.of("reader"), Duration.ofHours(1), true);
    assertTrue(nsToken.matches("hvs\\.[A-Za-z0-9]{24}\\.[A-Za-z0-9]{5}"), nsToken);
    Map<String, String> ns = Map.of("X-Vault-Namespace", "team-a");
    assertEquals("a", wire.send("GET", "/v1/secret/data/app/db", nsToken, null, ns).expect(200)
        .json().path("data").path("data").path("user").asText());
    assertEquals("a", wire.get("/v1/team-a/secret/data/app/db", nsToken).expect(200).json()
        .path("data").path("data").path("user").asText());
    assertEquals(INVALID_TOKEN, wire.get("/v1/secret/data/app/db", nsToken).expect(403).body());
    assertEquals("{\"errors\":[]}", wire.get("/v1/secret/data/app/db", root).expect(404).body());
    assertEquals("a", wire.send("GET", "/v1/secret/data/app/db", root, null, ns).expect(200)
        .json().path("data").path("data").path("user").asText());
    assertTrue(vault.policies().get("reader").isEmpty());
    assertEquals(Optional.of("team-a"),
        vault.auditLog().last("GET", "/v1/secret/data/app/db").orElseThrow().namespace());
  }

  @Test
  void auditLogAndFaultsOverHttpNeedTheRootToken() throws IOException {
    wire.get("/v1/secret/data/a", root).expect(404);
    wire.get("/v1/secret/data/a", root).expect(404);
    assertEquals(2, vault.requestCount("GET", "/v1/secret/data/a"));
    assertEquals(q("{'errors':['permission denied']}"),
        wire.get("/_testkit/requests", "hvs.nope").expect(403).body());
    JsonNode log = wire.get("/_testkit/requests", root).expect(200).json();
    assertEquals(q("{'time':'2025-03-04T05:06:07Z','method':'GET','path':'/v1/secret/data/a',"
        + "'status':404,'namespace':null,'note':null}"), log.path("requests").get(0).toString());
    assertEquals(2, log.path("counts").path("GET /v1/secret/data/a").asInt());
    assertFalse(log.toString().contains(root), "no token in the audit log");

    wire.put("/_testkit/faults", root, q("{'mode':'status','status':502,'pathPrefix':"
        + "'secret/data/','count':1}")).expect(204);
    assertEquals("{\"errors\":[]}", wire.get("/v1/secret/data/a", root).expect(502).body());
    wire.get("/v1/secret/data/a", root).expect(404);
    wire.put("/_testkit/faults", root, q("{'mode':'sealed','count':-1}")).expect(204);
    assertEquals(q("{'errors':['Vault is sealed']}"),
        wire.get("/v1/secret/data/a", root).expect(503).body());
    assertTrue(wire.get("/v1/sys/health", null).expect(503).json().path("sealed").asBoolean());
    wire.delete("/_testkit/faults", root).expect(204);
    wire.get("/v1/sys/health", null).expect(200);
    vault.faults().add(FaultInjector.Fault.reset().times(1));
    assertThrows(IOException.class, () -> wire.get("/v1/sys/health", null));
    wire.get("/v1/sys/health", null).expect(200);
    assertEquals(0, vault.auditLog().entries().stream()
        .filter(e -> e.path().equals("/v1/sys/health")).toList().get(2).status());
  }
}
