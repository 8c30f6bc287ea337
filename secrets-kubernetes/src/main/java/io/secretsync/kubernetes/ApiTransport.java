package io.secretsync.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.core.ServerTrust;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.SocketFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.ConnectionSpec;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.TlsVersion;

/**
 * The HTTP layer of a {@link KubernetesClient}: one OkHttp client per configuration (TLS, client
 * certificate, bearer or basic credentials, client-side rate limit), and the one place where an
 * answer becomes JSON or a {@link KubernetesApiException}. A token read from a file is read again
 * and the request repeated once when the server answers 401. A request answered 429 or 5xx with a
 * {@code Retry-After} of at most {@link #MAX_RETRY_AFTER} is sent again after that wait, at most
 * {@link #MAX_RETRIES} times (the API server sends Retry-After when it did not process the request:
 * rate limits, priority and fairness, a server shutting down), as client-go does. Thread-safe.
 */
final class ApiTransport implements AutoCloseable {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ApiTransport.class);
  static final ObjectMapper JSON = new ObjectMapper();
  /** How often a request answered 429 or 5xx with {@code Retry-After} is sent again (client-go: 10). */
  static final int MAX_RETRIES = 3;
  /** The longest {@code Retry-After} waited for; a longer one fails the request at once. */
  static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(10);
  static final String USER_AGENT = "secrets-sync/0.1 (java)";
  private static final org.slf4j.Logger REQUESTS = org.slf4j.LoggerFactory.getLogger("io.secretsync.kubernetes.requests");

  /** TLS 1.3 and 1.2 with OkHttp's modern cipher suites: an API server offering only TLS 1.1 or older is refused. */
  static final ConnectionSpec TLS_1_2_OR_NEWER = new ConnectionSpec.Builder(ConnectionSpec.MODERN_TLS)
      .tlsVersions(TlsVersion.TLS_1_3, TlsVersion.TLS_1_2)
      .build();

  /**
   * Idle connections kept for reuse (OkHttp keeps 5 by default): enough for the default workers of a
   * controller (8), its watches and status writes, so that a busy sync pass opens no new TLS
   * connection once warm. Idle connections close after 5 minutes, or on {@link #close()}.
   */
  static final int MAX_IDLE_CONNECTIONS = 32;

  private final KubernetesConfig config;
  private final HttpUrl server;
  private final OkHttpClient client;
  private final OkHttpClient watchClient;
  private final BearerToken bearer;
  private final Sleeper sleeper;

  /** Waits before a retry; replaced in tests. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  ApiTransport(KubernetesConfig config) {
    this(config, d -> Thread.sleep(d.toMillis()));
  }

  ApiTransport(KubernetesConfig config, Sleeper sleeper) {
    this.config = config;
    this.sleeper = sleeper;
    this.server = HttpUrl.get(config.server().toString());
    TokenBucket bucket = new TokenBucket(config.qps(), config.burst(), System::nanoTime);
    BearerToken token = BearerToken.of(config);
    this.bearer = token;
    OkHttpClient.Builder builder = new OkHttpClient.Builder()
        .connectionPool(new okhttp3.ConnectionPool(MAX_IDLE_CONNECTIONS, 5, java.util.concurrent.TimeUnit.MINUTES))
        .socketFactory(new NoDelaySocketFactory())
        .connectTimeout(config.connectTimeout())
        .readTimeout(config.requestTimeout())
        .writeTimeout(config.requestTimeout())
        .callTimeout(config.requestTimeout().plus(config.connectTimeout()))
        .followRedirects(false)
        .retryOnConnectionFailure(true)
        .connectionSpecs(List.of(TLS_1_2_OR_NEWER, ConnectionSpec.CLEARTEXT))
        .addInterceptor(chain -> {
          try {
            bucket.acquire();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the client-side rate limit");
          }
          return chain.proceed(chain.request());
        })
        .addInterceptor(authenticator(token, config))
        .addNetworkInterceptor(ApiTransport::logRequest);
    if (server.isHttps()) {
      TlsSetup tls = TlsSetup.of(config);
      builder.sslSocketFactory(tls.context.getSocketFactory(), tls.trustManager);
      tls.hostnameVerifier.ifPresent(builder::hostnameVerifier);
    }
    config.proxy().ifPresent(builder::proxy);
    this.client = builder.build();
    this.watchClient = client.newBuilder().readTimeout(Duration.ZERO).callTimeout(Duration.ZERO).build();
  }

  /**
   * Logs each request on logger {@code io.secretsync.kubernetes.requests} at debug: method, path,
   * status and time; never the query, a header or a body.
   */
  private static Response logRequest(Interceptor.Chain chain) throws IOException {
    if (!REQUESTS.isDebugEnabled()) {
      return chain.proceed(chain.request());
    }
    Request request = chain.request();
    long start = System.nanoTime();
    try {
      Response response = chain.proceed(request);
      REQUESTS.debug("{} {} -> {} ({} ms)", request.method(), request.url().encodedPath(), response.code(), (System.nanoTime() - start) / 1_000_000);
      return response;
    } catch (IOException e) {
      REQUESTS.debug("{} {} -> {} ({} ms)", request.method(), request.url().encodedPath(),
          e.getClass().getSimpleName(), (System.nanoTime() - start) / 1_000_000);
      throw e;
    }
  }

  private static Interceptor authenticator(BearerToken token, KubernetesConfig config) {
    return chain -> {
      Request request = chain.request().newBuilder().header("User-Agent", USER_AGENT).build();
      Optional<String> bearer;
      try {
        bearer = token.current();
      } catch (IOException e) {
        throw new TokenUnreadable(config.bearerTokenFile().map(Object::toString).orElse("the token file"), e);
      }
      if (bearer.isPresent()) {
        request = request.newBuilder().header("Authorization", "Bearer " + bearer.get()).build();
      } else if (config.basicAuth().isPresent()) {
        request = request.newBuilder().header("Authorization",
            Credentials.basic(config.basicAuth().get().username(), config.basicAuth().get().password())).build();
      }
      Response response = chain.proceed(request);
      if (response.code() == 401 && token.fromFile()) {
        token.invalidate();
        Optional<String> again = token.current();
        if (again.isPresent() && !again.equals(bearer)) {
          response.close();
          return chain.proceed(request.newBuilder().header("Authorization", "Bearer " + again.get()).build());
        }
      }
      return response;
    };
  }

  KubernetesConfig config() {
    return config;
  }

  /** A request to the API server: method, path segments after the server's base path, query, body. */
  static final class Call {
    final String method;
    final List<String> segments;
    final Map<String, String> query = new LinkedHashMap<>();
    JsonNode body;
    String contentType = "application/json";

    Call(String method, List<String> segments) {
      this.method = method;
      this.segments = List.copyOf(segments);
    }

    Call query(String name, String value) {
      if (value != null && !value.isEmpty()) {
        query.put(name, value);
      }
      return this;
    }

    Call body(JsonNode json) {
      this.body = json;
      return this;
    }

    Call contentType(String type) {
      this.contentType = type;
      return this;
    }

    String describe() {
      return method + " /" + String.join("/", segments);
    }
  }

  /**
   * Sends {@code call} and returns the answer's JSON.
   *
   * @throws KubernetesApiException for an error answer or no answer
   */
  JsonNode send(Call call) {
    Request request = request(call);
    for (int retry = 1; ; retry++) {
      try (Response response = client.newCall(request).execute()) {
        String text = body(response);
        if (!response.isSuccessful()) {
          Optional<Duration> wait = retry <= MAX_RETRIES ? retryAfter(response) : Optional.empty();
          if (wait.isEmpty()) {
            throw failure(call, response.code(), text);
          }
          log.debug("{} answered {} with Retry-After {}; retry {} of {}", call.describe(), response.code(),
              wait.get(), retry, MAX_RETRIES);
          pause(call, wait.get());
          continue;
        }
        return parse(call, response, text);
      } catch (IOException e) {
        throw unreachable(call, e);
      }
    }
  }

  /**
   * The wait a 429 or 5xx answer asks for in its {@code Retry-After} header (whole seconds, as the
   * API server sends it), when it is at most {@link #MAX_RETRY_AFTER}; empty otherwise (no retry).
   */
  static Optional<Duration> retryAfter(Response response) {
    int code = response.code();
    if (code != 429 && (code < 500 || code > 599)) {
      return Optional.empty();
    }
    String header = response.header("Retry-After");
    if (header == null) {
      return Optional.empty();
    }
    try {
      long seconds = Long.parseLong(header.trim());
      if (seconds < 0 || seconds > MAX_RETRY_AFTER.toSeconds()) {
        return Optional.empty();
      }
      return Optional.of(Duration.ofSeconds(seconds));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private void pause(Call call, Duration wait) throws InterruptedIOException {
    try {
      sleeper.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting to retry " + call.describe());
    }
  }

  private JsonNode parse(Call call, Response response, String text) {
    if (text.isEmpty()) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new KubernetesApiException(call.describe(), response.code(), "", "the answer is not JSON", List.of(),
          List.of("check that " + config.server() + " is a Kubernetes API server"), e);
    }
  }

  /** An open streamed answer; {@link #close()} cancels it, also from another thread. */
  record Stream(okhttp3.Call call, Response response) implements AutoCloseable {
    @Override
    public void close() {
      call.cancel();
      response.close();
    }
  }

  /**
   * Opens a streamed answer (a watch); the caller closes it.
   *
   * @throws KubernetesApiException for an error answer or no answer
   */
  Stream open(Call call) {
    okhttp3.Call http = watchClient.newCall(request(call));
    Response response;
    try {
      response = http.execute();
    } catch (IOException e) {
      throw unreachable(call, e);
    }
    if (!response.isSuccessful()) {
      try (response) {
        throw failure(call, response.code(), body(response));
      } catch (IOException e) {
        throw unreachable(call, e);
      }
    }
    return new Stream(http, response);
  }

  private Request request(Call call) {
    HttpUrl.Builder url = server.newBuilder();
    call.segments.forEach(url::addPathSegment);
    call.query.forEach(url::addQueryParameter);
    RequestBody body = null;
    if (call.body != null) {
      try {
        body = RequestBody.create(JSON.writeValueAsBytes(call.body), MediaType.get(call.contentType));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException("cannot serialise a JSON tree", e);
      }
    } else if (call.method.equals("POST") || call.method.equals("PUT") || call.method.equals("PATCH")) {
      body = RequestBody.create(new byte[0], MediaType.get(call.contentType));
    }
    return new Request.Builder().url(url.build()).method(call.method, body).header("Accept", "application/json").build();
  }

  private static String body(Response response) throws IOException {
    ResponseBody body = response.body();
    return body == null ? "" : body.string();
  }

  /** The exception for an error answer: the {@code Status} when the body is one, else the HTTP status. */
  KubernetesApiException failure(Call call, int code, String text) {
    String reason = "";
    String message = "";
    List<KubernetesApiException.Cause> causes = new ArrayList<>();
    try {
      JsonNode status = text.isEmpty() ? null : JSON.readTree(text);
      if (status != null && status.isObject() && "Status".equals(status.path("kind").asText())) {
        reason = status.path("reason").asText("");
        message = status.path("message").asText("");
        code = status.path("code").asInt(0) > 0 ? status.path("code").asInt() : code;
        for (JsonNode cause : status.path("details").path("causes")) {
          causes.add(new KubernetesApiException.Cause(cause.path("reason").asText(""), cause.path("message").asText(""),
              cause.path("field").asText("")));
        }
      }
    } catch (IOException notJson) {
      // fall through: a plain-text answer (a proxy, a load balancer)
    }
    message = redacted(message);
    List<KubernetesApiException.Cause> shown = new ArrayList<>();
    for (KubernetesApiException.Cause c : causes) {
      shown.add(new KubernetesApiException.Cause(redacted(c.reason()), redacted(c.message()), redacted(c.field())));
    }
    causes = shown;
    reason = redacted(reason);
    if (message.isEmpty()) {
      String snippet = redacted(text.strip());
      message = "HTTP " + code + (snippet.isEmpty() ? "" : ": " + (snippet.length() > 200 ? snippet.substring(0, 200) + "..."
          : snippet));
    }
    return new KubernetesApiException(call.describe(), code, reason, message, causes, hints(code), null);
  }

  /**
   * {@code text} from the server with the credentials this client sends replaced: a server or
   * proxy that echoes the bearer token or password in its error shows it to no one.
   */
  private String redacted(String text) {
    String out = text;
    List<String> secrets = new ArrayList<>();
    config.bearerToken().ifPresent(secrets::add);
    config.basicAuth().ifPresent(b -> secrets.add(b.password()));
    try {
      bearer.current().ifPresent(secrets::add);
    } catch (IOException unreadable) {
      // nothing more to redact than what the configuration holds
    }
    for (String secret : secrets) {
      if (!secret.isEmpty()) {
        out = out.replace(secret, "<redacted>");
      }
    }
    return out;
  }

  private List<String> hints(int code) {
    return switch (code) {
      case 401 -> List.of("the API server did not accept the credentials (" + config.credentialsDescription()
          + ") of " + config.source() + ": renew the token or certificate");
      case 403 -> List.of("grant this identity the RBAC permission the message names (a Role or ClusterRole and a "
          + "binding)");
      default -> List.of();
    };
  }

  /** The bearer token file could not be read: no request was sent. */
  private static final class TokenUnreadable extends IOException {
    private static final long serialVersionUID = 1L;
    final String file;

    TokenUnreadable(String file, IOException cause) {
      super("cannot read the bearer token file " + file, cause);
      this.file = file;
    }
  }

  private KubernetesApiException unreachable(Call call, IOException e) {
    if (e instanceof TokenUnreadable unreadable) {
      return new KubernetesApiException(call.describe(), 0, "", "cannot read the bearer token file " + unreadable.file
          + " (" + e.getCause().getClass().getSimpleName() + "); nothing was sent", List.of(),
          List.of("check that the service account token is mounted (automountServiceAccountToken) or that the "
              + "kubeconfig's tokenFile exists"), e);
    }
    boolean tls = e instanceof SSLException;
    String what = tls ? "TLS handshake with " + config.server() + " failed: " + tlsProblem(e)
        : "cannot reach " + config.server() + ": " + e.getClass().getSimpleName()
            + (e.getMessage() == null ? "" : " " + e.getMessage());
    List<String> hints = tls
        ? List.of("check the CA the client trusts (certificate-authority-data, certificate-authority or ca.crt) and "
            + "that the server's certificate names " + server.host())
        : List.of("check that the API server " + config.server() + " is up and reachable from here");
    return new KubernetesApiException(call.describe(), 0, "", what, List.of(), hints, e);
  }

  /** Which TLS problem {@code e} is, in words; the JDK's own text follows in parentheses. */
  private String tlsProblem(IOException e) {
    String detail = " (" + e.getMessage() + ")";
    if (e instanceof SSLPeerUnverifiedException) {
      return "the server's certificate is not valid for host " + config.tlsServerName().orElse(server.host()) + detail;
    }
    if (causedBy(e, CertificateExpiredException.class)) {
      return "the server's certificate (or one of its CAs) has expired" + detail;
    }
    if (causedBy(e, CertificateNotYetValidException.class)) {
      return "the server's certificate is not valid yet" + detail;
    }
    if (causedBy(e, ServerTrust.SelfSignedException.class)) {
      return "the server's certificate is self-signed and not trusted" + detail;
    }
    if (causedBy(e, CertPathBuilderException.class) || causedBy(e, CertPathValidatorException.class)) {
      return "the server's certificate is not signed by a trusted CA" + detail;
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String message = t.getMessage() == null ? "" : t.getMessage();
      if (message.contains("protocol_version") || message.contains("not accepted by client preferences")
          || message.contains("No appropriate protocol")
          || message.contains("protocol is disabled")) {
        return "the server offers no TLS version this client accepts; TLS 1.2 is the minimum" + detail;
      }
    }
    return e.getMessage();
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  /** Builds a JSON object node. */
  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  @Override
  public void close() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  /** Sockets with TCP_NODELAY, so small requests are not held back by Nagle's algorithm. */
  private static final class NoDelaySocketFactory extends SocketFactory {
    private final SocketFactory delegate = SocketFactory.getDefault();

    private static Socket noDelay(Socket socket) throws SocketException {
      socket.setTcpNoDelay(true);
      return socket;
    }

    @Override
    public Socket createSocket() throws IOException {
      return noDelay(delegate.createSocket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return noDelay(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return noDelay(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return noDelay(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return noDelay(delegate.createSocket(address, port, localAddress, localPort));
    }
  }
}
