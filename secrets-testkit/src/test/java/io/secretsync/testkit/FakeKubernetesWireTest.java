package io.secretsync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Plain OkHttp over HTTPS against FakeKubernetes: each verb's happy path and the API server's Status errors. */
class FakeKubernetesWireTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType APPLICATION_JSON = MediaType.get("application/json");

  private final TestClock clock = TestClock.at(Instant.parse("2026-11-28T12:00:00Z"));
  private final FakeKubernetes kube = FakeKubernetes.builder().clock(clock).withEsoCrds().start();
  private final OkHttpClient http = new OkHttpClient.Builder()
      .sslSocketFactory(kube.pki().clientSslContext().getSocketFactory(), kube.pki().trustManager())
      .readTimeout(10, TimeUnit.SECONDS).build();

  @AfterEach
  void close() {
    kube.close();
  }

  private record Answer(int code, JsonNode body) {}

  private Answer call(String method, String path, String body, String contentType, String token) throws IOException {
    Request.Builder request = new Request.Builder().url(kube.baseUrl() + path);
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    RequestBody requestBody = body == null ? null : RequestBody.create(body, MediaType.get(contentType));
    request.method(method, requestBody);
    try (Response response = http.newCall(request.build()).execute()) {
      String text = response.body().string();
      return new Answer(response.code(), text.isEmpty() ? JSON.nullNode() : JSON.readTree(text));
    }
  }

  private Answer call(String method, String path, String body) throws IOException {
    return call(method, path, body, "application/json", kube.adminToken());
  }

  private static String secret(String name, String key, String value) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"" + name + "\"},\"data\":{\"" + key
        + "\":\"" + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) + "\"}}";
  }

  @Test
  void secretLifecycleWithResourceVersions() throws IOException {
    Answer created = call("POST", "/api/v1/namespaces/default/secrets", secret("db", "password", "pw"));
    assertEquals(201, created.code(), created.body().toString());
    String rv = created.body().path("metadata").path("resourceVersion").asText();
    assertFalse(created.body().path("metadata").path("uid").asText().isEmpty());
    assertEquals("Opaque", created.body().path("type").asText());

    Answer got = call("GET", "/api/v1/namespaces/default/secrets/db", null);
    assertEquals(200, got.code());
    assertEquals(created.body(), got.body());

    JsonNode replace = got.body().deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) replace.path("data")).put("password", "bmV3");
    Answer replaced = call("PUT", "/api/v1/namespaces/default/secrets/db", replace.toString());
    assertEquals(200, replaced.code(), replaced.body().toString());
    assertTrue(Long.parseLong(replaced.body().path("metadata").path("resourceVersion").asText()) > Long.parseLong(rv));

    Answer stale = call("PUT", "/api/v1/namespaces/default/secrets/db", replace.toString());
    assertEquals(409, stale.code());
    assertEquals("Conflict", stale.body().path("reason").asText());
    assertEquals("Operation cannot be fulfilled on secrets \"db\": the object has been modified; please apply your "
        + "changes to the latest version and try again", stale.body().path("message").asText());

    Answer patched = call("PATCH", "/api/v1/namespaces/default/secrets/db",
        "{\"metadata\":{\"labels\":{\"team\":\"a\"}}}", "application/merge-patch+json", kube.adminToken());
    assertEquals(200, patched.code());
    assertEquals("a", patched.body().path("metadata").path("labels").path("team").asText());
    assertEquals("bmV3", patched.body().path("data").path("password").asText());

    Answer list = call("GET", "/api/v1/namespaces/default/secrets?labelSelector=team%3Da", null);
    assertEquals("SecretList", list.body().path("kind").asText());
    assertEquals(1, list.body().path("items").size());
    assertEquals(0, call("GET", "/api/v1/namespaces/default/secrets?labelSelector=team%3Db", null).body()
        .path("items").size());
    assertEquals(1, call("GET", "/api/v1/secrets?fieldSelector=metadata.name%3Ddb", null).body().path("items").size());

    assertEquals(200, call("DELETE", "/api/v1/namespaces/default/secrets/db", null).code());
    Answer gone = call("GET", "/api/v1/namespaces/default/secrets/db", null);
    assertEquals(404, gone.code());
    assertEquals("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
        + "\"secrets \\\"db\\\" not found\",\"reason\":\"NotFound\",\"details\":{\"name\":\"db\",\"kind\":\"secrets\"},"
        + "\"code\":404}", gone.body().toString());
  }

  @Test
  void alreadyExistsAndMissingNamespace() throws IOException {
    call("POST", "/api/v1/namespaces/default/secrets", secret("dup", "k", "v"));
    Answer again = call("POST", "/api/v1/namespaces/default/secrets", secret("dup", "k", "v"));
    assertEquals(409, again.code());
    assertEquals("AlreadyExists", again.body().path("reason").asText());
    assertEquals("secrets \"dup\" already exists", again.body().path("message").asText());
    Answer noNamespace = call("POST", "/api/v1/namespaces/nope/secrets", secret("s", "k", "v"));
    assertEquals(404, noNamespace.code());
    assertEquals("namespaces \"nope\" not found", noNamespace.body().path("message").asText());
  }

  @Test
  void invalidSecretsAreRejectedAs422WithCauses() throws IOException {
    Answer badKey = call("POST", "/api/v1/namespaces/default/secrets", secret("s1", "bad key", "v"));
    assertEquals(422, badKey.code());
    assertEquals("Invalid", badKey.body().path("reason").asText());
    assertEquals("Secret \"s1\" is invalid: data[bad key]: Invalid value: \"bad key\": a valid config key must consist "
        + "of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used "
        + "for validation is '[-._a-zA-Z0-9]+')", badKey.body().path("message").asText());
    assertEquals("data[bad key]", badKey.body().path("details").path("causes").get(0).path("field").asText());

    Answer badName = call("POST", "/api/v1/namespaces/default/secrets", secret("Bad_Name", "k", "v"));
    assertEquals(422, badName.code());
    assertTrue(badName.body().path("message").asText().startsWith("Secret \"Bad_Name\" is invalid: metadata.name: "
        + "Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"));

    Answer tooBig = call("POST", "/api/v1/namespaces/default/secrets", secret("big", "k", "x".repeat(1024 * 1024 + 1)));
    assertEquals(422, tooBig.code());
    assertEquals("Secret \"big\" is invalid: data: Too long: may not be more than 1048576 bytes",
        tooBig.body().path("message").asText());
  }

  @Test
  void immutableSecretKeepsItsData() throws IOException {
    String frozen = secret("frozen", "k", "v").replace("\"kind\":\"Secret\",", "\"kind\":\"Secret\",\"immutable\":true,");
    assertEquals(201, call("POST", "/api/v1/namespaces/default/secrets", frozen).code());
    Answer changed = call("PATCH", "/api/v1/namespaces/default/secrets/frozen", "{\"data\":{\"k\":\"eA==\"}}",
        "application/merge-patch+json", kube.adminToken());
    assertEquals(422, changed.code());
    assertEquals("Secret \"frozen\" is invalid: data: Forbidden: field is immutable when `immutable` is set",
        changed.body().path("message").asText());
    Answer labels = call("PATCH", "/api/v1/namespaces/default/secrets/frozen",
        "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}", "application/merge-patch+json", kube.adminToken());
    assertEquals(200, labels.code(), "metadata may still change");
  }

  @Test
  void unauthenticatedRequestsGet401() throws IOException {
    Answer none = call("GET", "/api/v1/namespaces", null, "application/json", null);
    assertEquals(401, none.code());
    assertEquals("Unauthorized", none.body().path("reason").asText());
    assertEquals(401, call("GET", "/api/v1/namespaces", null, "application/json", "not-a-token").code());
  }

  @Test
  void customResourcesHaveAStatusSubresourceAndGenerations() throws IOException {
    call("POST", "/api/v1/namespaces", "{\"metadata\":{\"name\":\"apps\"}}");
    String es = "{\"apiVersion\":\"external-secrets.io/v1\",\"kind\":\"ExternalSecret\",\"metadata\":{\"name\":\"es\"},"
        + "\"spec\":{\"refreshInterval\":\"1h\"},\"status\":{\"ignored\":true}}";
    Answer created = call("POST", "/apis/external-secrets.io/v1/namespaces/apps/externalsecrets", es);
    assertEquals(201, created.code(), created.body().toString());
    assertEquals(1, created.body().path("metadata").path("generation").asInt());
    JsonNode withStatus = created.body().deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) withStatus).putObject("status").put("refreshTime", "now");
    Answer status = call("PUT", "/apis/external-secrets.io/v1/namespaces/apps/externalsecrets/es/status",
        withStatus.toString());
    assertEquals(200, status.code(), status.body().toString());
    assertEquals("now", status.body().path("status").path("refreshTime").asText());
    assertEquals(1, status.body().path("metadata").path("generation").asInt(), "status writes keep the generation");
    Answer spec = call("PATCH", "/apis/external-secrets.io/v1/namespaces/apps/externalsecrets/es",
        "{\"spec\":{\"refreshInterval\":\"2m\"}}", "application/merge-patch+json", kube.adminToken());
    assertEquals(2, spec.body().path("metadata").path("generation").asInt());
    assertEquals("now", spec.body().path("status").path("refreshTime").asText(), "a spec write keeps the status");
    Answer v1beta1 = call("GET", "/apis/external-secrets.io/v1beta1/namespaces/apps/externalsecrets/es", null);
    assertEquals(200, v1beta1.code());
  }

  @Test
  void deletingAnOwnerCollectsItsDependents() throws IOException {
    Answer owner = call("POST", "/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"owner\"}}");
    String uid = owner.body().path("metadata").path("uid").asText();
    call("POST", "/api/v1/namespaces/default/secrets", "{\"metadata\":{\"name\":\"dependent\",\"ownerReferences\":[{"
        + "\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"owner\",\"uid\":\"" + uid + "\",\"controller\":true}]}}");
    call("DELETE", "/api/v1/namespaces/default/configmaps/owner", null);
    assertEquals(404, call("GET", "/api/v1/namespaces/default/secrets/dependent", null).code());
  }

  @Test
  void tokenReviewAcceptsTokensForTheRightAudienceOnly() throws IOException {
    kube.createNamespace("external-secrets");
    kube.createServiceAccount("external-secrets", "external-secrets");
    String aud = "https://kubernetes.default.svc.cluster.local";
    String token = kube.serviceAccountToken("external-secrets", "external-secrets", List.of(aud), Duration.ofHours(1));

    JsonNode ok = review(token, aud);
    assertTrue(ok.path("authenticated").asBoolean(), ok.toString());
    assertEquals("system:serviceaccount:external-secrets:external-secrets", ok.path("user").path("username").asText());
    assertEquals(aud, ok.path("audiences").get(0).asText());
    assertFalse(ok.path("user").path("uid").asText().isEmpty());

    JsonNode wrongAudience = review(token, "vault");
    assertFalse(wrongAudience.path("authenticated").asBoolean());
    assertTrue(wrongAudience.path("error").asText().contains("audiences"), wrongAudience.toString());

    try (FakeKubernetes other = FakeKubernetes.start()) {
      other.createNamespace("external-secrets");
      other.createServiceAccount("external-secrets", "external-secrets");
      String foreign = other.serviceAccountToken("external-secrets", "external-secrets", List.of(aud), Duration.ofHours(1));
      assertFalse(review(foreign, aud).path("authenticated").asBoolean());
    }

    clock.advance(Duration.ofHours(2));
    JsonNode expired = review(token, aud);
    assertFalse(expired.path("authenticated").asBoolean());
    assertTrue(expired.path("error").asText().contains("expired"), expired.toString());
  }

  private JsonNode review(String token, String audience) throws IOException {
    Answer answer = call("POST", "/apis/authentication.k8s.io/v1/tokenreviews", "{\"apiVersion\":"
        + "\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + token
        + "\",\"audiences\":[\"" + audience + "\"]}}");
    assertEquals(201, answer.code());
    return answer.body().path("status");
  }

  @Test
  void watchSeesEventsInOrderAndResumesFromAResourceVersion() throws Exception {
    Answer list = call("GET", "/api/v1/namespaces/default/configmaps", null);
    String from = list.body().path("metadata").path("resourceVersion").asText();
    String created = call("POST", "/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"w\"}}").body()
        .path("metadata").path("resourceVersion").asText();
    call("PATCH", "/api/v1/namespaces/default/configmaps/w", "{\"data\":{\"a\":\"b\"}}", "application/merge-patch+json",
        kube.adminToken());
    call("DELETE", "/api/v1/namespaces/default/configmaps/w", null);

    assertEquals(List.of("ADDED", "MODIFIED", "DELETED"), watch(from, 3));
    assertEquals(List.of("MODIFIED", "DELETED"), watch(created, 2), "resumes after the given resourceVersion");
  }

  @Test
  void watchWithBookmarksGetsTheCurrentResourceVersion() throws IOException {
    String current = call("POST", "/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"b\"}}").body()
        .path("metadata").path("resourceVersion").asText();
    Request request = new Request.Builder().url(kube.baseUrl() + "/api/v1/namespaces/default/configmaps?watch=1"
        + "&allowWatchBookmarks=true&resourceVersion=" + current + "&timeoutSeconds=2")
        .header("Authorization", "Bearer " + kube.adminToken()).build();
    try (Response response = http.newCall(request).execute();
        BufferedReader lines = new BufferedReader(new InputStreamReader(response.body().byteStream(),
            StandardCharsets.UTF_8))) {
      JsonNode event = JSON.readTree(lines.readLine());
      assertEquals("BOOKMARK", event.path("type").asText());
      assertEquals(current, event.path("object").path("metadata").path("resourceVersion").asText());
    }
  }

  @Test
  void watchFromACompactedResourceVersionGets410() throws Exception {
    String from = call("GET", "/api/v1/namespaces/default/configmaps", null).body().path("metadata")
        .path("resourceVersion").asText();
    for (int i = 0; i < 2001; i++) {
      kube.call("POST", "/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"c" + i + "\"}}", false);
    }
    Request request = new Request.Builder().url(kube.baseUrl() + "/api/v1/namespaces/default/configmaps?watch=1"
        + "&resourceVersion=" + from).header("Authorization", "Bearer " + kube.adminToken()).build();
    try (Response response = http.newCall(request).execute()) {
      JsonNode event = JSON.readTree(response.body().string().trim());
      assertEquals("ERROR", event.path("type").asText());
      assertEquals(410, event.path("object").path("code").asInt());
      assertEquals("Expired", event.path("object").path("reason").asText());
    }
  }

  private List<String> watch(String resourceVersion, int events) throws IOException {
    Request request = new Request.Builder().url(kube.baseUrl() + "/api/v1/namespaces/default/configmaps?watch=1"
        + "&resourceVersion=" + resourceVersion + "&timeoutSeconds=5")
        .header("Authorization", "Bearer " + kube.adminToken()).build();
    List<String> types = new ArrayList<>();
    try (Response response = http.newCall(request).execute();
        BufferedReader lines = new BufferedReader(new InputStreamReader(response.body().byteStream(),
            StandardCharsets.UTF_8))) {
      String line;
      while (types.size() < events && (line = lines.readLine()) != null) {
        types.add(JSON.readTree(line).path("type").asText());
      }
    }
    return types;
  }

  @Test
  void auditLogCountsRequestsButNeverTokens() throws IOException {
    call("GET", "/api/v1/namespaces", null);
    Answer requests = call("GET", "/_testkit/requests", null);
    assertEquals(200, requests.code());
    assertTrue(requests.body().toString().contains("/api/v1/namespaces"));
    assertFalse(requests.body().toString().contains(kube.adminToken()));
    assertEquals(403, call("GET", "/_testkit/requests", null, "application/json", "x").code());
  }
}
