package io.secretsync.core.controller;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;

/**
 * A small HTTP(S) endpoint on the JDK's built-in server: {@code GET /metrics} answers
 * {@link PrometheusMetrics#scrape()}, {@code /healthz} and {@code /readyz} answer 200 {@code ok}
 * or 503 from the liveness and readiness checks (for a controller, {@link SyncController#isLive()}
 * and {@link SyncController#isReady()}). Other paths answer 404, other methods 405. Serves on one
 * daemon thread; {@link #close()} stops it. Thread-safe.
 */
public final class MetricsServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;
  private final boolean https;

  private MetricsServer(HttpServer server, ExecutorService executor, boolean https) {
    this.server = server;
    this.executor = executor;
    this.https = https;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The address the server listens on (the real port when 0 was asked for). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** The base URI, e.g. {@code http://127.0.0.1:8080}. */
  public URI uri() {
    InetSocketAddress address = address();
    String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create((https ? "https" : "http") + "://" + host + ":" + address.getPort());
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** What the handler answers with, fixed when the server starts. */
  private record Endpoints(PrometheusMetrics metrics, BooleanSupplier liveness, BooleanSupplier readiness) {}

  private static void handle(HttpExchange exchange, Endpoints config) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        respond(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
        return;
      }
      switch (exchange.getRequestURI().getPath()) {
        case "/metrics" -> respond(exchange, 200, PrometheusMetrics.CONTENT_TYPE, config.metrics.scrape());
        case "/healthz" -> check(exchange, config.liveness, "not live");
        case "/readyz" -> check(exchange, config.readiness, "not ready");
        default -> respond(exchange, 404, "text/plain; charset=utf-8", "not found\n");
      }
    }
  }

  private static void check(HttpExchange exchange, BooleanSupplier check, String failure) throws IOException {
    boolean ok;
    try {
      ok = check.getAsBoolean();
    } catch (RuntimeException e) {
      ok = false;
    }
    respond(exchange, ok ? 200 : 503, "text/plain; charset=utf-8", ok ? "ok\n" : failure + "\n");
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** Configures a {@link MetricsServer}; the metrics are required. */
  public static final class Builder {
    private PrometheusMetrics metrics;
    private InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080);
    private BooleanSupplier liveness = () -> true;
    private BooleanSupplier readiness = () -> true;
    private Optional<SSLContext> tls = Optional.empty();

    private Builder() {}

    public Builder metrics(PrometheusMetrics prometheus) {
      this.metrics = requireNonNull(prometheus);
      return this;
    }

    /** Where to listen; default 127.0.0.1:8080 (ESO's metrics port, on loopback). Port 0 picks a free port. */
    public Builder address(InetSocketAddress bind) {
      this.address = requireNonNull(bind);
      return this;
    }

    /** Answers {@code /healthz}; default always live. */
    public Builder liveness(BooleanSupplier check) {
      this.liveness = requireNonNull(check);
      return this;
    }

    /** Answers {@code /readyz}; default always ready. */
    public Builder readiness(BooleanSupplier check) {
      this.readiness = requireNonNull(check);
      return this;
    }

    /** Serves HTTPS with {@code context} (its key manager holds the server certificate) instead of HTTP. */
    public Builder tls(SSLContext context) {
      this.tls = Optional.of(context);
      return this;
    }

    /** Binds and starts serving. */
    public MetricsServer start() throws IOException {
      requireNonNull(metrics, "metrics");
      HttpServer server;
      if (tls.isPresent()) {
        HttpsServer httpsServer = HttpsServer.create(address, 0);
        httpsServer.setHttpsConfigurator(new HttpsConfigurator(tls.get()));
        server = httpsServer;
      } else {
        server = HttpServer.create(address, 0);
      }
      ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "secrets-sync-metrics");
        thread.setDaemon(true);
        return thread;
      });
      Endpoints config = new Endpoints(metrics, liveness, readiness);
      server.createContext("/", exchange -> handle(exchange, config));
      server.setExecutor(executor);
      server.start();
      return new MetricsServer(server, executor, tls.isPresent());
    }
  }
}
