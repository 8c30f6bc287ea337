package io.secretsync.testkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.testkit.IssuedCertificate;
import io.secretsync.testkit.TestClock;
import io.secretsync.testkit.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TestHttpServerTest {
  private static final TestPki PKI = TestPki.create();
  private static final IssuedCertificate CERT = PKI.serverCertificate();
  private static final MediaType JSON = MediaType.get("application/json");

  private final TestClock clock = TestClock.at(Instant.parse("2025-01-02T03:04:05Z"));
  private final AuditLog audit = new AuditLog(clock);
  private final FaultInjector faults = new FaultInjector();
  private final OkHttpClient client = new OkHttpClient.Builder()
      .sslSocketFactory(PKI.clientSslContext().getSocketFactory(), PKI.trustManager())
      .retryOnConnectionFailure(false).build();
  private TestHttpServer server;

  private TestHttpServer start(Handler handler) {
    server = TestHttpServer.builder().tls(CERT).auditLog(audit).faults(faults).handler(handler)
        .testkitEndpoints(new TestkitEndpoints(audit, faults,
            r -> r.header("X-Admin").equals(Optional.of("yes")), ErrorRenderer.PLAIN_TEXT))
        .start();
    return server;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private Response call(String method, String path, String body) throws IOException {
    return call(method, path, body, Map.of());
  }

  private Response call(String method, String path, String body, Map<String, String> headers)
      throws IOException {
    Request.Builder b = new Request.Builder().url(server.baseUrl() + path)
        .method(method, body == null ? null : RequestBody.create(body, JSON));
    headers.forEach(b::header);
    return client.newCall(b.build()).execute();
  }

  private static ServerResponse echo(ServerRequest r) {
    return ServerResponse.json(200, Map.of("method", r.method(), "path", r.path(),
        "query", r.queryParameters(), "body", r.bodyUtf8()));
  }

  @Test
  void customMethodsQueryAndBodyReachTheHandler() throws IOException {
    start(TestHttpServerTest::echo);
    try (Response r = call("LIST", "/v1/secret/metadata/?list=true&x=a%20b", null)) {
      assertEquals(200, r.code());
      assertEquals("{\"body\":\"\",\"method\":\"LIST\",\"path\":\"/v1/secret/metadata/\","
          + "\"query\":{\"list\":[\"true\"],\"x\":[\"a b\"]}}", sorted(r));
    }
    try (Response r = call("PATCH", "/apis/x", "{\"a\":1}")) {
      assertTrue(r.body().string().contains("\"body\":\"{\\\"a\\\":1}\""));
    }
    assertEquals(List.of("LIST /v1/secret/metadata/", "PATCH /apis/x"),
        audit.entries().stream().map(AuditLog.Entry::endpoint).toList());
    assertEquals(Instant.parse("2025-01-02T03:04:05Z"), audit.entries().get(0).time());
  }

  private static String sorted(Response r) throws IOException {
    return Json.MAPPER.writeValueAsString(Json.MAPPER.readValue(r.body().string(),
        java.util.TreeMap.class));
  }

  @Test
  void streamedResponseIsChunkedAndDoesNotBlockOtherRequests() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    start(r -> r.path().equals("/watch")
        ? ServerResponse.streaming(200, "application/json", sink -> {
          sink.writeChunk("{\"n\":1}\n".getBytes(StandardCharsets.UTF_8));
          try {
            while (sink.isOpen() && !release.await(50, TimeUnit.MILLISECONDS)) {
              // wait for the test to release the stream
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          sink.writeChunk("{\"n\":2}\n".getBytes(StandardCharsets.UTF_8));
        })
        : ServerResponse.text(200, "other"));
    try (Response watch = call("GET", "/watch", null)) {
      assertEquals("chunked", watch.header("Transfer-Encoding"));
      BufferedSource source = watch.body().source();
      assertEquals("{\"n\":1}", source.readUtf8LineStrict());
      try (Response other = call("GET", "/other", null)) {
        assertEquals("other", other.body().string());
      }
      release.countDown();
      assertEquals("{\"n\":2}", source.readUtf8LineStrict());
      assertTrue(source.exhausted());
    }
  }

  @Test
  void resetFaultDropsTheConnectionForCountRequestsOnly() throws IOException {
    start(r -> ServerResponse.text(200, "fine"));
    faults.add(FaultInjector.Fault.reset().times(1).onPathPrefix("secret/"));
    try (Response r = call("GET", "/v1/other", null)) {
      assertEquals(200, r.code());
    }
    assertThrows(IOException.class, () -> call("GET", "/v1/secret/data/x", null).close());
    try (Response r = call("GET", "/v1/secret/data/x", null)) {
      assertEquals("fine", r.body().string());
    }
    assertEquals(List.of(200, 0, 200),
        audit.entries().stream().map(AuditLog.Entry::status).toList());
    assertEquals(Optional.of("fault: connection dropped"), audit.entries().get(1).note());
  }

  @Test
  void statusAndDelayFaultsUntilCleared() throws IOException {
    start(r -> ServerResponse.text(200, "fine"));
    faults.add(FaultInjector.Fault.status(502));
    for (int i = 0; i < 3; i++) {
      try (Response r = call("GET", "/a", null)) {
        assertEquals(502, r.code());
      }
    }
    faults.clear();
    faults.add(FaultInjector.Fault.delay(java.time.Duration.ofMillis(20)).times(1));
    try (Response r = call("GET", "/a", null)) {
      assertEquals(200, r.code());
    }
    assertEquals(4, audit.count("GET", "/a"));
    assertEquals(Optional.of("fault: delayed 20 ms"), audit.entries().get(3).note());
  }

  @Test
  void controlEndpointsSetFaultsAndReadTheAuditLogWhenAuthorized() throws IOException {
    start(r -> ServerResponse.text(200, "fine").withAuditNamespace("team-a"));
    Map<String, String> admin = Map.of("X-Admin", "yes");
    try (Response r = call("PUT", "/_testkit/faults", "{\"mode\":\"status\",\"status\":429,"
        + "\"pathPrefix\":\"/v1/kv/\",\"count\":2}", Map.of())) {
      assertEquals(403, r.code());
    }
    try (Response r = call("PUT", "/_testkit/faults", "{\"mode\":\"status\",\"status\":429,"
        + "\"pathPrefix\":\"/v1/kv/\",\"count\":2}", admin)) {
      assertEquals(204, r.code());
    }
    try (Response r = call("PUT", "/_testkit/faults", "{\"mode\":\"explode\"}", admin)) {
      assertEquals(400, r.code());
      assertEquals("fault \"mode\" must be one of status, delay, reset, sealed, malformed, truncated, cut, got \"explode\"\n",
          r.body().string());
    }
    try (Response r = call("GET", "/_testkit/faults", null, admin)) {
      assertEquals("{\"faults\":[{\"mode\":\"status\",\"status\":429,\"delayMillis\":0,"
          + "\"pathPrefix\":\"/v1/kv/\",\"count\":2,\"retryAfterSeconds\":-1,\"every\":1,\"method\":\"\"}]}", r.body().string());
    }
    try (Response r = call("GET", "/v1/kv/a", null)) {
      assertEquals(429, r.code());
    }
    try (Response r = call("DELETE", "/_testkit/faults", null, admin)) {
      assertEquals(204, r.code());
    }
    try (Response r = call("GET", "/v1/kv/a", null)) {
      assertEquals(200, r.code());
    }
    try (Response r = call("GET", "/_testkit/requests", null, admin)) {
      assertEquals("{\"requests\":["
          + "{\"time\":\"2025-01-02T03:04:05Z\",\"method\":\"GET\",\"path\":\"/v1/kv/a\","
          + "\"status\":429,\"namespace\":null,\"note\":\"fault: status\"},"
          + "{\"time\":\"2025-01-02T03:04:05Z\",\"method\":\"GET\",\"path\":\"/v1/kv/a\","
          + "\"status\":200,\"namespace\":\"team-a\",\"note\":null}],"
          + "\"counts\":{\"GET /v1/kv/a\":2}}", r.body().string());
    }
    try (Response r = call("DELETE", "/_testkit/requests", null, admin)) {
      assertEquals(204, r.code());
    }
    assertTrue(audit.entries().isEmpty());
    assertEquals(Map.of(), audit.counts());
  }

  @Test
  void handlerFailureIsA500WithTheCauseOnlyInTheAuditLog() throws IOException {
    start(r -> {
      throw new IllegalStateException("boom");
    });
    try (Response r = call("GET", "/x", null)) {
      assertEquals(500, r.code());
      assertEquals("internal error\n", r.body().string());
    }
    assertEquals(Optional.of("handler failed: IllegalStateException"),
        audit.entries().get(0).note());
  }

  @Test
  void plainHttpWhenAsked() throws IOException {
    server = TestHttpServer.builder().plainHttp().handler(r -> ServerResponse.status(204)).start();
    assertFalse(server.isHttps());
    assertTrue(server.baseUrl().startsWith("http://127.0.0.1:"));
    try (Response r = new OkHttpClient().newCall(
        new Request.Builder().url(server.baseUrl() + "/").build()).execute()) {
      assertEquals(204, r.code());
    }
  }

  @Test
  void clientCertificateIsVisibleToTheHandler() throws IOException {
    server = TestHttpServer.builder().tls(CERT).clientAuthentication(PKI.trustManager(), false)
        .handler(r -> ServerResponse.text(200, r.peerCertificates().isEmpty() ? "anonymous"
            : r.peerCertificates().get(0).getSubjectX500Principal().getName()))
        .start();
    IssuedCertificate clientCert = PKI.clientCertificate("jane", "devs");
    OkHttpClient mtls = new OkHttpClient.Builder()
        .sslSocketFactory(PKI.clientSslContext(clientCert).getSocketFactory(), PKI.trustManager())
        .build();
    try (Response r = mtls.newCall(new Request.Builder().url(server.baseUrl() + "/").build())
        .execute()) {
      assertEquals("CN=jane,O=devs", r.body().string());
    }
    try (Response r = call("GET", "/", null)) {
      assertEquals("anonymous", r.body().string());
    }
  }

  @Test
  void faultJsonNamesTheWrongField() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FaultInjector.Fault.fromJson(Json.MAPPER.readTree("{\"mode\":\"status\"}")));
    assertEquals("fault \"status\" is required for mode status", e.getMessage());
    IllegalArgumentException c = assertThrows(IllegalArgumentException.class,
        () -> FaultInjector.Fault.fromJson(Json.MAPPER.readTree("{\"mode\":\"reset\",\"count\":0}")));
    assertTrue(c.getMessage().startsWith("fault \"count\" must be a positive number"));
  }
}
