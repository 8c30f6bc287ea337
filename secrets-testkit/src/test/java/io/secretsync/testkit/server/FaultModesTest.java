package io.secretsync.testkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretsync.testkit.FakeVault;
import io.secretsync.testkit.TestPki;
import java.io.IOException;
import java.net.ConnectException;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fault modes a fake can inject beyond status, delay, reset and sealed, and taking a fake down. */
class FaultModesTest {
  private static final TestPki PKI = TestPki.create();
  private static final String BODY = "{\"data\":{\"value\":\"" + "x".repeat(400) + "\"}}";

  private final FaultInjector faults = new FaultInjector();
  private final AuditLog audit = new AuditLog(java.time.Clock.systemUTC());
  private final OkHttpClient client = new OkHttpClient.Builder()
      .sslSocketFactory(PKI.clientSslContext().getSocketFactory(), PKI.trustManager())
      .retryOnConnectionFailure(false).build();
  private TestHttpServer server;

  private TestHttpServer start() {
    server = TestHttpServer.builder().tls(PKI.serverCertificate()).faults(faults).auditLog(audit)
        .handler(r -> ServerResponse.jsonText(200, BODY)).start();
    return server;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private Response get(String path) throws IOException {
    return client.newCall(new Request.Builder().url(server.baseUrl() + path).build()).execute();
  }

  @Test
  void aStatusFaultCanCarryRetryAfter() throws IOException {
    start();
    faults.add(FaultInjector.Fault.status(429).withRetryAfter(3).times(1));
    try (Response r = get("/v1/secret/data/a")) {
      assertEquals(429, r.code());
      assertEquals("3", r.header("Retry-After"));
    }
    try (Response r = get("/v1/secret/data/a")) {
      assertEquals(200, r.code());
      assertEquals(null, r.header("Retry-After"));
    }
  }

  @Test
  void everySecondRequestFailsWithEveryNthTwo() throws IOException {
    start();
    faults.add(FaultInjector.Fault.status(500).everyNth(2));
    int failed = 0;
    for (int i = 0; i < 10; i++) {
      try (Response r = get("/x")) {
        if (r.code() == 500) {
          failed++;
        }
        assertEquals(i % 2 == 1 ? 500 : 200, r.code(), "request " + i);
      }
    }
    assertEquals(5, failed);
  }

  @Test
  void aFaultCanBeLimitedToOneMethod() throws IOException {
    start();
    faults.add(FaultInjector.Fault.status(409).onMethod("put"));
    try (Response r = get("/x")) {
      assertEquals(200, r.code());
    }
    try (Response r = client.newCall(new Request.Builder().url(server.baseUrl() + "/x")
        .put(okhttp3.RequestBody.create("{}", okhttp3.MediaType.get("application/json"))).build()).execute()) {
      assertEquals(409, r.code());
    }
  }

  @Test
  void endedWatchesEndTheirAnswer() throws IOException {
    try (io.secretsync.testkit.FakeKubernetes kube = io.secretsync.testkit.FakeKubernetes.builder().pki(PKI).start()) {
      kube.createNamespace("w");
      Request watch = new Request.Builder().url(kube.baseUrl() + "/api/v1/namespaces/w/configmaps?watch=true")
          .header("Authorization", "Bearer " + kube.adminToken()).build();
      try (Response r = client.newCall(watch).execute()) {
        assertEquals(200, r.code());
        kube.apply("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: w}\ndata: {k: v}\n");
        assertTrue(r.body().source().readUtf8LineStrict().contains("\"ADDED\""), "the watch is streaming");
        kube.endWatches();
        r.body().string(); // returns because the answer ends, instead of after the watch's timeout
      }
    }
  }

  @Test
  void aMalformedAnswerIsNotJson() throws IOException {
    start();
    faults.add(FaultInjector.Fault.malformedJson().times(1));
    try (Response r = get("/x")) {
      assertEquals(200, r.code());
      String text = r.body().string();
      assertThrows(IOException.class, () -> new ObjectMapper().readTree(text));
    }
  }

  @Test
  void aTruncatedAnswerEndsBeforeItsContentLength() throws IOException {
    start();
    faults.add(FaultInjector.Fault.truncatedBody().times(1));
    try (Response r = get("/x")) {
      assertEquals(200, r.code());
      assertEquals(BODY.length(), r.body().contentLength());
      assertThrows(IOException.class, () -> r.body().string());
    }
    assertEquals(List.of("fault: truncated body"), audit.entries().stream()
        .map(e -> e.note().orElse("")).toList());
    try (Response r = get("/x")) {
      assertEquals(BODY, r.body().string(), "the next request is answered in full");
    }
  }

  @Test
  void aCutAnswerIsChunkedAndDropsMidway() throws IOException {
    start();
    faults.add(FaultInjector.Fault.cutMidBody().times(1));
    try (Response r = get("/x")) {
      assertEquals(200, r.code());
      assertEquals(-1, r.body().contentLength(), "chunked");
      assertThrows(IOException.class, () -> r.body().string());
    }
  }

  @Test
  void newModesRoundTripThroughJson() {
    FaultInjector.Fault f = FaultInjector.Fault.status(429).withRetryAfter(2).everyNth(3).onPathPrefix("secret/")
        .onMethod("GET");
    assertEquals(f, FaultInjector.Fault.fromJson(new ObjectMapper().valueToTree(f.toJson())));
    assertEquals(FaultInjector.Mode.CUT, FaultInjector.Fault.fromJson(
        new ObjectMapper().valueToTree(Map.of("mode", "cut"))).mode());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FaultInjector.Fault.fromJson(
        new ObjectMapper().valueToTree(Map.of("mode", "status", "status", 500, "every", 0))));
    assertTrue(e.getMessage().contains("\"every\""), e.getMessage());
  }

  @Test
  void aStoppedServerRefusesConnectionsAndComesBackOnItsPort() throws IOException {
    start();
    int port = server.port();
    server.stopListening();
    assertFalse(server.isListening());
    IOException refused = assertThrows(IOException.class, () -> get("/x").close());
    assertTrue(refused instanceof ConnectException, refused.toString());
    server.startListening();
    assertEquals(port, server.port());
    try (Response r = get("/x")) {
      assertEquals(200, r.code());
    }
  }

  @Test
  void revokingLoginTokensKeepsTheRootToken() throws IOException {
    try (FakeVault vault = FakeVault.builder().pki(PKI).start()) {
      String token = vault.createToken(List.of("default"), java.time.Duration.ofHours(1));
      assertEquals(200, vault.call("POST", "auth/token/lookup", Map.of("token", token)).status());
      assertEquals(1, vault.revokeLoginTokens("token"));
      assertEquals(403, vault.call("POST", "auth/token/lookup", Map.of("token", token)).status());
      vault.stopListening();
      vault.startListening();
      try (Response r = client.newCall(new Request.Builder().url(vault.address() + "/v1/auth/token/lookup-self")
          .header("X-Vault-Token", vault.rootToken()).build()).execute()) {
        assertEquals(200, r.code(), "the root token still works, on the same port");
      }
    }
  }
}
