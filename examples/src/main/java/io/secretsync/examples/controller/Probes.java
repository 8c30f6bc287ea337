package io.secretsync.examples.controller;

import com.sun.net.httpserver.HttpServer;
import io.secretsync.kubernetes.KubernetesController;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * The Deployment's probes: {@code /healthz} (liveness: started and not closed; a standby replica
 * waiting for the Lease is live), {@code /readyz} (every known ExternalSecret tried at least once, or
 * standing by) and {@code /leader} (this replica holds the Lease). Each answers 200 or 503 with a
 * one-word body. Plain HTTP, as kubelet probes are; it serves no secret.
 */
final class Probes implements AutoCloseable {
  private final HttpServer server;

  private Probes(HttpServer server) {
    this.server = server;
  }

  /** Serves the probes of {@code controller} on {@code port} (0: any free port) of every interface. */
  static Probes start(KubernetesController controller, int port) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
      probe(server, "/healthz", controller::isLive);
      probe(server, "/readyz", controller::isReady);
      probe(server, "/leader", controller::isLeader);
      server.start();
      return new Probes(server);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve the probes on port " + port + ": " + e.getMessage(), e);
    }
  }

  private static void probe(HttpServer server, String path, BooleanSupplier check) {
    server.createContext(path, exchange -> {
      boolean ok = check.getAsBoolean();
      byte[] body = (ok ? "ok\n" : "no\n").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(ok ? 200 : 503, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
  }

  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
