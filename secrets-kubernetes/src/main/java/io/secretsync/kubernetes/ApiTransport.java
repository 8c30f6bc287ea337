package io.secretsync.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.SocketFactory;
import javax.net.ssl.SSLException;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * The HTTP layer of a {@link KubernetesClient}: one OkHttp client per configuration (TLS, client
 * certificate, bearer or basic credentials, client-side rate limit), and the one place where an
 * answer becomes JSON or a {@link KubernetesApiException}. A token read from a file is read again
 * and the request repeated once when the server answers 401. Thread-safe.
 */
final class ApiTransport implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String USER_AGENT = "secrets-sync/0.1 (java)";
  private static final org.slf4j.Logger REQUESTS = org.slf4j.LoggerFactory.getLogger("io.secretsync.kubernetes.requests");

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

  ApiTransport(KubernetesConfig config) {
    this.config = config;
    this.server = HttpUrl.get(config.server().toString());
    TokenBucket bucket = new TokenBucket(config.qps(), config.burst(), System::nanoTime);
    BearerToken token = BearerToken.of(config);
    OkHttpClient.Builder builder = new OkHttpClient.Builder()
        .connectionPool(new okhttp3.ConnectionPool(MAX_IDLE_CONNECTIONS, 5, java.util.concurrent.TimeUnit.MINUTES))
        .socketFactory(new NoDelaySocketFactory())
        .connectTimeout(config.connectTimeout())
        .readTimeout(config.requestTimeout())
        .writeTimeout(config.requestTimeout())
        .callTimeout(config.requestTimeout().plus(config.connectTimeout()))
        .followRedirects(false)
        .retryOnConnectionFailure(true)
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
    try (Response response = client.newCall(request(call)).execute()) {
      String text = body(response);
      if (!response.isSuccessful()) {
        throw failure(call, response.code(), text);
      }
      if (text.isEmpty()) {
        return JSON.createObjectNode();
      }
      try {
        return JSON.readTree(text);
      } catch (IOException e) {
        throw new KubernetesApiException(call.describe(), response.code(), "", "the answer is not JSON", List.of(),
            List.of("check that " + config.server() + " is a Kubernetes API server"), e);
      }
    } catch (IOException e) {
      throw unreachable(call, e);
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
    if (message.isEmpty()) {
      String snippet = text.strip();
      message = "HTTP " + code + (snippet.isEmpty() ? "" : ": " + (snippet.length() > 200 ? snippet.substring(0, 200) + "..."
          : snippet));
    }
    return new KubernetesApiException(call.describe(), code, reason, message, causes, hints(code), null);
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
    String what = tls ? "TLS handshake with " + config.server() + " failed: " + e.getMessage()
        : "cannot reach " + config.server() + ": " + e.getClass().getSimpleName()
            + (e.getMessage() == null ? "" : " " + e.getMessage());
    List<String> hints = tls
        ? List.of("check the CA the client trusts (certificate-authority-data, certificate-authority or ca.crt) and "
            + "that the server's certificate names " + server.host())
        : List.of("check that the API server " + config.server() + " is up and reachable from here");
    return new KubernetesApiException(call.describe(), 0, "", what, List.of(), hints, e);
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
