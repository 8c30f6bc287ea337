package io.secretsync.testkit.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.secretsync.testkit.IssuedCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.X509TrustManager;

/**
 * A loopback HTTP server for fakes: HTTPS (TLS 1.2 and 1.3) from a {@link IssuedCertificate} or an
 * {@link SSLContext}, or plain HTTP when asked. Built on the JDK's {@code com.sun.net.httpserver}; each
 * exchange runs on its own pooled thread, so long-lived streamed answers never starve other requests.
 * Any method token is accepted ({@code LIST}, {@code PATCH} ...).
 *
 * <p>Per request the server, in order: reads the whole body (over {@value #MAX_BODY_BYTES} bytes: 413);
 * routes {@code /_testkit/} to the {@link TestkitEndpoints} if configured; otherwise applies the next
 * matching fault of the {@link FaultInjector} (delay, then answer normally; reset: drop the connection;
 * status and sealed: answer via the {@link FaultResponder}, with {@code Retry-After} if the fault has
 * one; malformed: 200 with a body that is not JSON; truncated and cut: the real answer, cut short);
 * calls the {@link Handler}; writes the answer; and records method, path, status, namespace and note
 * in the {@link AuditLog}. {@link #stopListening()} and {@link #startListening()} close and reopen
 * the port, so that clients meet a refused connection in between.
 *
 * <pre>{@code
 * try (TestHttpServer server = TestHttpServer.builder()
 *     .tls(pki.serverCertificate())
 *     .handler(request -> ServerResponse.json(200, Map.of("ok", true)))
 *     .start()) {
 *   String base = server.baseUrl();   // https://127.0.0.1:<port>
 * }
 * }</pre>
 *
 * Thread-safe. {@link #close()} stops the listener, tells streams to end, and drops open connections.
 */
public final class TestHttpServer implements AutoCloseable {
  /** Largest accepted request body, as Vault's default listener limit (32 MiB). */
  public static final int MAX_BODY_BYTES = 32 * 1024 * 1024;

  private static final AtomicInteger SERVER_IDS = new AtomicInteger();

  static {
    // The JDK's HTTP server leaves Nagle's algorithm on unless told otherwise, so a small response
    // waits for the client's delayed ACK (about 40 ms a request on Linux). The setting is read once,
    // when the first server of the JVM starts; an explicit -Dsun.net.httpserver.nodelay wins.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final Object listening = new Object();
  private volatile HttpServer server;
  private final InetSocketAddress boundAddress;
  private final SSLContext sslContext;
  private final Configurator configurator;
  private final ExecutorService executor;
  private final boolean https;
  private final Handler handler;
  private final AuditLog auditLog;
  private final FaultInjector faults;
  private final FaultResponder faultResponder;
  private final ErrorRenderer errors;
  private final TestkitEndpoints testkit;
  private volatile boolean closing;

  private TestHttpServer(Builder b) throws IOException {
    this.handler = Objects.requireNonNull(b.handler, "handler is required");
    this.errors = b.errors;
    this.auditLog = b.auditLog != null ? b.auditLog : new AuditLog(Clock.systemUTC());
    this.faults = b.faults != null ? b.faults : new FaultInjector();
    this.faultResponder = b.faultResponder != null ? b.faultResponder
        : FaultResponder.defaultFor(b.errors);
    this.testkit = b.testkit;
    InetSocketAddress address = new InetSocketAddress(b.bindAddress, b.port);
    SSLContext context = b.sslContext;
    if (context == null && b.certificate != null) {
      context = b.clientTrust != null ? b.certificate.sslContext(b.clientTrust)
          : b.certificate.serverSslContext();
    }
    this.https = context != null;
    this.sslContext = context;
    this.configurator = https ? new Configurator(context, b.clientTrust != null, b.clientAuthRequired) : null;
    String name = b.name + "-" + SERVER_IDS.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    this.executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, name + "-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    this.server = bind(address);
    this.boundAddress = server.getAddress();
  }

  private HttpServer bind(InetSocketAddress address) throws IOException {
    HttpServer s;
    if (https) {
      HttpsServer secure = HttpsServer.create(address, 128);
      secure.setHttpsConfigurator(configurator);
      s = secure;
    } else {
      s = HttpServer.create(address, 128);
    }
    s.setExecutor(executor);
    s.createContext("/", this::exchange);
    s.start();
    return s;
  }

  /**
   * Closes the listening port and every open connection: until {@link #startListening()}, clients
   * get "connection refused", as from a server that is down. Idempotent.
   */
  public void stopListening() {
    synchronized (listening) {
      if (server == null || closing) {
        return;
      }
      server.stop(0);
      server = null;
    }
  }

  /**
   * Listens again on the same address and port after {@link #stopListening()}; the fake's state is
   * as it was. Idempotent.
   *
   * @throws UncheckedIOException when the port cannot be bound again
   */
  public void startListening() {
    synchronized (listening) {
      if (server != null || closing) {
        return;
      }
      try {
        server = bind(boundAddress);
      } catch (IOException e) {
        throw new UncheckedIOException("could not bind " + boundAddress + " again", e);
      }
    }
  }

  /** Whether the port is open (false between {@link #stopListening()} and {@link #startListening()}). */
  public boolean isListening() {
    return server != null;
  }

  /** A builder; {@link Builder#handler(Handler)} and either {@code tls(...)} or {@code plainHttp()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** {@code https://127.0.0.1:<port>} (or {@code http://...}), without a trailing slash. */
  public String baseUrl() {
    return (https ? "https" : "http") + "://" + hostLiteral() + ":" + port();
  }

  /** The bound port. */
  public int port() {
    return boundAddress.getPort();
  }

  /** The bound address. */
  public InetSocketAddress address() {
    return boundAddress;
  }

  /** True when serving HTTPS. */
  public boolean isHttps() {
    return https;
  }

  /** The audit log this server records into. */
  public AuditLog auditLog() {
    return auditLog;
  }

  /** The fault injector this server consults. */
  public FaultInjector faults() {
    return faults;
  }

  /** Stops listening, ends streams and drops open connections. Idempotent. */
  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    synchronized (listening) {
      if (server != null) {
        server.stop(0);
      }
    }
    executor.shutdownNow();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "TestHttpServer{" + baseUrl() + "}";
  }

  private String hostLiteral() {
    InetAddress a = boundAddress.getAddress();
    String host = a.getHostAddress();
    return host.contains(":") ? "[" + host + "]" : host;
  }

  private void exchange(HttpExchange ex) {
    boolean cut = false;
    try {
      ServerRequest request;
      try {
        request = read(ex);
      } catch (BodyTooLargeException e) {
        ServerRequest stub = ServerRequest.builder(ex.getRequestMethod(),
            ex.getRequestURI().getRawPath()).build();
        send(ex, stub, errors.render(413, "http: request body too large"), true);
        return;
      }
      if (TestkitEndpoints.isControlPath(request)) {
        send(ex, request, testkit != null ? testkit.handle(request) : errors.render(404, ""), false);
        return;
      }
      ServerResponse response;
      Optional<FaultInjector.Fault> fault = faults.next(request.method(), request.rawPath());
      if (fault.isEmpty()) {
        response = invoke(request);
      } else {
        FaultInjector.Fault f = fault.get();
        switch (f.mode()) {
          case DELAY:
            sleep(f.delayMillis());
            response = invoke(request).withAuditNote("fault: delayed " + f.delayMillis() + " ms");
            break;
          case RESET:
            response = ServerResponse.dropConnection().withAuditNote("fault: connection dropped");
            break;
          case MALFORMED:
            response = ServerResponse.jsonText(f.status(), MALFORMED_JSON)
                .withAuditNote("fault: malformed");
            break;
          case TRUNCATED:
          case CUT:
            sendPartial(ex, request, invoke(request), f.mode() == FaultInjector.Mode.CUT);
            return; // not reached: sendPartial always throws to make the JDK drop the connection
          default:
            response = faultResponder.respond(request, f)
                .withAuditNote("fault: " + f.mode().jsonName());
            if (f.retryAfterSeconds() >= 0) {
              response = response.withHeader("Retry-After", Integer.toString(f.retryAfterSeconds()));
            }
            break;
        }
      }
      send(ex, request, response, true);
    } catch (ConnectionCut e) {
      cut = true;
      throw e; // the JDK server closes the connection when an exchange throws
    } catch (IOException | RuntimeException e) {
      // The client went away or the exchange broke; nothing more can be sent.
    } finally {
      if (!cut) {
        ex.close();
      }
    }
  }

  /** A body that starts like a Vault or Kubernetes answer and then is not JSON. */
  static final String MALFORMED_JSON = "{\"request_id\": \"0\", \"data\": {\"data\": <html>502 Bad Gateway";

  /**
   * Sends {@code response}'s status and headers and the first half of its body (announced with its
   * full length, or chunked when {@code chunked}), then throws so that the connection is closed
   * without the rest.
   */
  private void sendPartial(HttpExchange ex, ServerRequest request, ServerResponse response, boolean chunked)
      throws IOException {
    byte[] body = response.body();
    for (Map.Entry<String, List<String>> h : response.headers().entrySet()) {
      for (String v : h.getValue()) {
        ex.getResponseHeaders().add(h.getKey(), v);
      }
    }
    int status = response.status() == 0 ? 200 : response.status();
    ex.sendResponseHeaders(status, chunked ? 0 : Math.max(body.length, 2));
    auditLog.record(request.method(), request.path(), status, response.auditNamespace(),
        Optional.of("fault: " + (chunked ? "cut mid-body" : "truncated body")));
    OutputStream out = ex.getResponseBody();
    out.write(body, 0, body.length / 2);
    out.flush();
    throw new ConnectionCut();
  }

  /** Thrown out of an exchange so that the JDK's server drops the connection mid-answer. */
  private static final class ConnectionCut extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ConnectionCut() {
      super("connection cut by a fault", null, false, false);
    }
  }

  private ServerResponse invoke(ServerRequest request) {
    try {
      return Objects.requireNonNull(handler.handle(request), "handler returned null");
    } catch (IOException | RuntimeException e) {
      return errors.render(500, "internal error")
          .withAuditNote("handler failed: " + e.getClass().getSimpleName());
    }
  }

  private void send(HttpExchange ex, ServerRequest request, ServerResponse response, boolean audit)
      throws IOException {
    if (response.isDropConnection()) {
      if (audit) {
        record(request, response, 0);
      }
      ex.close();
      return;
    }
    for (Map.Entry<String, List<String>> h : response.headers().entrySet()) {
      for (String v : h.getValue()) {
        ex.getResponseHeaders().add(h.getKey(), v);
      }
    }
    int status = response.status();
    Optional<ServerResponse.StreamingBody> stream = response.stream();
    if (stream.isPresent()) {
      ex.sendResponseHeaders(status, 0);
      if (audit) {
        record(request, response, status);
      }
      try (OutputStream out = ex.getResponseBody()) {
        stream.get().writeTo(new Sink(out));
      }
      return;
    }
    byte[] body = response.body();
    boolean noBody = body.length == 0 || status == 204 || status == 304 || status < 200
        || request.method().equals("HEAD");
    ex.sendResponseHeaders(status, noBody ? -1 : body.length);
    if (audit) {
      record(request, response, status);
    }
    if (!noBody) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private void record(ServerRequest request, ServerResponse response, int status) {
    auditLog.record(request.method(), request.path(), status, response.auditNamespace(),
        response.auditNote());
  }

  private ServerRequest read(HttpExchange ex) throws IOException {
    ServerRequest.Builder b = ServerRequest.builder(ex.getRequestMethod(),
        ex.getRequestURI().getRawPath()).rawQuery(ex.getRequestURI().getRawQuery());
    ex.getRequestHeaders().forEach((k, values) -> values.forEach(v -> b.header(k, v)));
    b.remoteAddress(ex.getRemoteAddress());
    if (ex instanceof HttpsExchange hx) {
      try {
        Certificate[] peer = hx.getSSLSession().getPeerCertificates();
        List<X509Certificate> certs = new ArrayList<>();
        for (Certificate c : peer) {
          if (c instanceof X509Certificate x) {
            certs.add(x);
          }
        }
        b.peerCertificates(certs);
      } catch (SSLPeerUnverifiedException e) {
        // no client certificate
      }
    }
    b.body(readBody(ex.getRequestBody()));
    return b.build();
  }

  private static byte[] readBody(InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
    if (bytes.length > MAX_BODY_BYTES) {
      throw new BodyTooLargeException();
    }
    return bytes;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Sink implements ServerResponse.StreamSink {
    private final OutputStream out;

    Sink(OutputStream out) {
      this.out = out;
    }

    @Override
    public void writeChunk(byte[] bytes) throws IOException {
      if (closing) {
        throw new IOException("server closing");
      }
      out.write(bytes);
      out.flush();
    }

    @Override
    public boolean isOpen() {
      return !closing && !Thread.currentThread().isInterrupted();
    }
  }

  private static final class BodyTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;
  }

  private static final class Configurator extends HttpsConfigurator {
    private final boolean clientAuth;
    private final boolean required;

    Configurator(SSLContext context, boolean clientAuth, boolean required) {
      super(context);
      this.clientAuth = clientAuth;
      this.required = required;
    }

    @Override
    public void configure(HttpsParameters params) {
      SSLParameters p = getSSLContext().getDefaultSSLParameters();
      List<String> supported = Arrays.asList(getSSLContext().getSupportedSSLParameters()
          .getProtocols());
      p.setProtocols(List.of("TLSv1.3", "TLSv1.2").stream().filter(supported::contains)
          .toArray(String[]::new));
      if (clientAuth) {
        if (required) {
          p.setNeedClientAuth(true);
        } else {
          p.setWantClientAuth(true);
        }
      }
      params.setSSLParameters(p);
    }
  }

  /** Turns a status or sealed fault into an answer in the faked server's dialect. */
  @FunctionalInterface
  public interface FaultResponder {
    /** The answer for {@code request} under {@code fault} (mode STATUS or SEALED). */
    ServerResponse respond(ServerRequest request, FaultInjector.Fault fault);

    /** STATUS: the error renderer's body with no message; SEALED: 503 "service unavailable". */
    static FaultResponder defaultFor(ErrorRenderer errors) {
      return (request, fault) -> fault.mode() == FaultInjector.Mode.SEALED
          ? errors.render(503, "service unavailable")
          : errors.render(fault.status(), "");
    }
  }

  /** Configures and starts a {@link TestHttpServer}. Not thread-safe. */
  public static final class Builder {
    private IssuedCertificate certificate;
    private SSLContext sslContext;
    private boolean plain;
    private X509TrustManager clientTrust;
    private boolean clientAuthRequired;
    private InetAddress bindAddress = InetAddress.getLoopbackAddress();
    private int port;
    private String name = "test-http";
    private Handler handler;
    private AuditLog auditLog;
    private FaultInjector faults;
    private FaultResponder faultResponder;
    private ErrorRenderer errors = ErrorRenderer.PLAIN_TEXT;
    private TestkitEndpoints testkit;

    private Builder() {}

    /** Serve HTTPS with this certificate (and its chain). */
    public Builder tls(IssuedCertificate certificate) {
      this.certificate = Objects.requireNonNull(certificate, "certificate");
      this.sslContext = null;
      this.plain = false;
      return this;
    }

    /** Serve HTTPS with a ready server context. */
    public Builder tls(SSLContext context) {
      this.sslContext = Objects.requireNonNull(context, "context");
      this.certificate = null;
      this.plain = false;
      return this;
    }

    /** Serve plain HTTP (only when a test needs it). */
    public Builder plainHttp() {
      this.plain = true;
      this.certificate = null;
      this.sslContext = null;
      return this;
    }

    /**
     * Ask clients for a certificate trusted by {@code trust}; {@code required} refuses clients
     * without one. Applies to {@link #tls(IssuedCertificate)}.
     */
    public Builder clientAuthentication(X509TrustManager trust, boolean required) {
      this.clientTrust = Objects.requireNonNull(trust, "trust");
      this.clientAuthRequired = required;
      return this;
    }

    /** The address to bind; default loopback ({@code 127.0.0.1}). */
    public Builder bindAddress(InetAddress address) {
      this.bindAddress = Objects.requireNonNull(address, "address");
      return this;
    }

    /** The port; default 0 = a free port. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.port = port;
      return this;
    }

    /** A short name for the server's threads. */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** The request handler (required). */
    public Builder handler(Handler handler) {
      this.handler = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /** The audit log to record into; default a new one on the system clock. */
    public Builder auditLog(AuditLog auditLog) {
      this.auditLog = Objects.requireNonNull(auditLog, "auditLog");
      return this;
    }

    /** The fault injector to consult; default a new, empty one. */
    public Builder faults(FaultInjector faults) {
      this.faults = Objects.requireNonNull(faults, "faults");
      return this;
    }

    /** How status and sealed faults are answered; default {@link FaultResponder#defaultFor}. */
    public Builder faultResponder(FaultResponder responder) {
      this.faultResponder = Objects.requireNonNull(responder, "responder");
      return this;
    }

    /** How the server renders its own errors (413, 500, 404 for control paths). */
    public Builder errors(ErrorRenderer errors) {
      this.errors = Objects.requireNonNull(errors, "errors");
      return this;
    }

    /** Serve the {@code /_testkit/} control endpoints. */
    public Builder testkitEndpoints(TestkitEndpoints endpoints) {
      this.testkit = Objects.requireNonNull(endpoints, "endpoints");
      return this;
    }

    /**
     * Binds and starts the server.
     *
     * @throws IllegalStateException when neither TLS nor plain HTTP was chosen
     * @throws UncheckedIOException when the port cannot be bound
     */
    public TestHttpServer start() {
      if (!plain && certificate == null && sslContext == null) {
        throw new IllegalStateException("choose tls(...) or plainHttp() before start()");
      }
      try {
        return new TestHttpServer(this);
      } catch (IOException e) {
        throw new UncheckedIOException("could not bind " + bindAddress.getHostAddress() + ":" + port,
            e);
      }
    }
  }
}
