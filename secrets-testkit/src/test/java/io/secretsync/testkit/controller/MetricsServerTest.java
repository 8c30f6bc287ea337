package io.secretsync.testkit.controller;

import static io.secretsync.testkit.controller.ControllerFixture.NAMESPACE;
import static io.secretsync.testkit.controller.ControllerFixture.es;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.secretsync.core.controller.MetricsServer;
import io.secretsync.core.controller.PrometheusMetrics;
import io.secretsync.testkit.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
  private static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  @Test
  void servesParsableMetricsAndTheControllersHealthOverHttp() throws Exception {
    try (ControllerFixture fx = new ControllerFixture();
        MetricsServer server = MetricsServer.builder()
            .metrics(fx.metrics)
            .address(ANY_LOOPBACK_PORT)
            .liveness(fx.controller::isLive)
            .readiness(fx.controller::isReady)
            .start()) {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      fx.putSecret("app", "v");
      fx.controller.applyExternalSecret(es("app").build());

      assertEquals(503, get(client, server.uri().resolve("/healthz")).statusCode());
      assertEquals(503, get(client, server.uri().resolve("/readyz")).statusCode());

      fx.startWithStore();
      assertEquals(200, get(client, server.uri().resolve("/healthz")).statusCode());
      assertEquals(503, get(client, server.uri().resolve("/readyz")).statusCode(), "not ready before the first sync");
      fx.scheduler.runPending();
      HttpResponse<String> ready = get(client, server.uri().resolve("/readyz"));
      assertEquals(200, ready.statusCode());
      assertEquals("ok\n", ready.body());

      HttpResponse<String> metrics = get(client, server.uri().resolve("/metrics"));
      assertEquals(200, metrics.statusCode());
      assertEquals(PrometheusMetrics.CONTENT_TYPE, metrics.headers().firstValue("Content-Type").orElseThrow());
      PrometheusText parsed = PrometheusText.parse(metrics.body());
      assertEquals(1, parsed.value("externalsecret_sync_calls_total", Map.of("name", "app", "namespace", NAMESPACE)));

      assertEquals(404, get(client, server.uri().resolve("/other")).statusCode());
      HttpResponse<String> post = client.send(HttpRequest.newBuilder(server.uri().resolve("/metrics"))
          .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(405, post.statusCode());

      fx.controller.close();
      assertEquals(503, get(client, server.uri().resolve("/healthz")).statusCode());
    }
  }

  @Test
  void servesHttpsWithTheGivenCertificate() throws Exception {
    TestPki pki = TestPki.create();
    PrometheusMetrics metrics = PrometheusMetrics.create();
    metrics.providerApiCall("vault", "ReadSecretData", true);
    try (MetricsServer server = MetricsServer.builder()
        .metrics(metrics)
        .address(ANY_LOOPBACK_PORT)
        .tls(pki.serverCertificate().serverSslContext())
        .start()) {
      assertEquals("https", server.uri().getScheme());
      HttpClient trusting = HttpClient.newBuilder().sslContext(pki.clientSslContext()).build();
      HttpResponse<String> response = get(trusting, server.uri().resolve("/metrics"));
      assertEquals(200, response.statusCode());
      assertEquals(1, PrometheusText.parse(response.body()).value("externalsecret_provider_api_calls_count",
          Map.of("provider", "vault", "call", "ReadSecretData", "status", "success")));

      HttpClient untrusting = HttpClient.newBuilder().sslContext(TestPki.create().clientSslContext()).build();
      IOException refused = assertThrows(IOException.class, () -> get(untrusting, server.uri().resolve("/metrics")));
      assertEquals(SSLHandshakeException.class, rootOrSsl(refused).getClass());
    }
  }

  private static Throwable rootOrSsl(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLHandshakeException) {
        return t;
      }
    }
    return e;
  }

  private static HttpResponse<String> get(HttpClient client, URI uri) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
