package io.secretsync.vault;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.InvalidConfigException;
import io.secretsync.core.SecretStoreException;
import io.secretsync.core.SecretStoreException.AuthenticationException;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * An HTTPS connection to one Vault server: the transport under the KV stores and the auth methods.
 * It sends {@code X-Vault-Request: true}, {@code X-Vault-Namespace} (the auth namespace for logins
 * and token self-service, the store namespace for everything else), the configured extra headers
 * and, with read-your-writes, the last {@code X-Vault-Index} seen. Failed requests are retried
 * with exponential backoff and jitter on 412, 429, 5xx and I/O errors, never on other 4xx answers
 * and never on TLS failures. Every failure ends as a {@link SecretStoreException} subclass naming
 * the request; tokens and values never appear in one.
 *
 * <p>Plain {@code http://} is refused unless {@link Builder#allowHttp} is set; certificates and
 * host names are always verified. The underlying OkHttp client is shared by every
 * {@code VaultClient} with the same server, trust and client certificate. Instances are immutable
 * apart from the read-your-writes index, and thread-safe.
 */
public final class VaultClient {

  private static final MediaType JSON_TYPE = MediaType.get("application/json");
  static final ObjectMapper JSON = JsonMapper.builder()
      .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
      .build();

  private final HttpUrl server;
  private final Optional<String> namespace;
  private final Optional<String> authNamespace;
  private final ImmutableMap<String, String> headers;
  private final boolean readYourWrites;
  private final boolean forwardInconsistent;
  private final RetryPolicy retry;
  private final Sleeper sleeper;
  private final TlsConfig tls;
  private final OkHttpClient http;
  private final AtomicReference<String> lastIndex = new AtomicReference<>();

  private VaultClient(Builder builder, TlsConfig tls) {
    this.server = builder.server;
    this.namespace = builder.namespace;
    this.authNamespace = builder.authNamespace;
    this.headers = ImmutableMap.copyOf(builder.headers);
    this.readYourWrites = builder.readYourWrites || builder.forwardInconsistent;
    this.forwardInconsistent = builder.forwardInconsistent;
    this.retry = builder.retry;
    this.sleeper = builder.sleeper;
    this.tls = tls;
    this.http = HttpClients.forServer(server, tls, builder.connectTimeout, builder.readTimeout);
  }

  /**
   * Starts a client for {@code server}, e.g. {@code https://vault.example.internal:8200}.
   *
   * @throws InvalidConfigException when the URL is not an absolute http(s) URL
   */
  public static Builder builder(String server) {
    checkNotNull(server, "server");
    HttpUrl url = HttpUrl.parse(server.trim());
    if (url == null) {
      throw new InvalidConfigException("server", "\"" + server + "\" is not an http(s) URL such as "
          + "https://vault.example.internal:8200");
    }
    return new Builder(url);
  }

  /** The server's base URL. */
  public String server() {
    return server.toString();
  }

  /** The Vault namespace requests go to, if any. */
  public Optional<String> namespace() {
    return namespace;
  }

  /**
   * Logs in: {@code POST /v1/<path>} with {@code body} (sent to the auth namespace), and returns the
   * token from the answer's {@code auth} block with its TTL, renewability and policies. For
   * {@link VaultAuth} implementations; tokens obtained here are renewed and revoked by the
   * {@link TokenManager} that asked for them.
   *
   * @param path the login path, e.g. {@code auth/kubernetes/login}
   * @param body the login fields; the values are sent, never logged or shown
   * @param issuedTo whom the token stands for, for messages (e.g. {@code kubernetes role "app"});
   *     must not contain credentials
   * @throws AuthenticationException when Vault refuses the login (its error text is kept)
   * @throws SecretStoreException on transport and server failures
   */
  public VaultToken login(String path, Map<String, String> body, String issuedTo) {
    checkNotNull(path, "path");
    checkNotNull(issuedTo, "issuedTo");
    ObjectNode json = JSON.createObjectNode();
    body.forEach(json::put);
    Reply reply = send(VaultRequest.login(stripSlashes(path), json), Optional.empty());
    return tokenFromAuth(reply.body().path("auth"), issuedTo, path);
  }

  /** {@code POST auth/token/renew-self}: the same token with the TTL Vault granted this time. */
  VaultToken renewSelf(VaultToken token, Duration increment) {
    ObjectNode body = JSON.createObjectNode().put("increment", increment.getSeconds() + "s");
    Reply reply = send(VaultRequest.tokenSelf("POST", "auth/token/renew-self", Optional.of(body)), Optional.of(token));
    JsonNode auth = reply.body().path("auth");
    if (!auth.isObject()) {
      throw new SecretStoreException("POST auth/token/renew-self: the answer has no auth block");
    }
    return token.withLease(Duration.ofSeconds(auth.path("lease_duration").asLong(0)),
        auth.path("renewable").asBoolean(false));
  }

  /** {@code POST auth/token/revoke-self}. */
  void revokeSelf(VaultToken token) {
    send(VaultRequest.tokenSelf("POST", "auth/token/revoke-self", Optional.empty()), Optional.of(token));
  }

  /** {@code GET auth/token/lookup-self}: the token's {@code data}. */
  JsonNode lookupSelf(VaultToken token) {
    return send(VaultRequest.tokenSelf("GET", "auth/token/lookup-self", Optional.empty()), Optional.of(token))
        .body().path("data");
  }

  /**
   * Sends {@code request} with {@code token}, retrying as the policy allows. Returns 2xx answers
   * and, for reads and lists, 404 answers (their bodies matter: a deleted KV v2 version); throws
   * for everything else.
   */
  Reply send(VaultRequest request, Optional<VaultToken> token) {
    Request httpRequest = toHttp(request, token);
    int attempt = 0;
    while (true) {
      attempt++;
      Optional<Duration> retryAfter = Optional.empty();
      Reply reply;
      try (Response response = http.newCall(httpRequest).execute()) {
        reply = new Reply(response.code(), parse(response));
        if (readYourWrites && response.header("X-Vault-Index") != null) {
          lastIndex.set(response.header("X-Vault-Index"));
        }
        retryAfter = RetryPolicy.parseRetryAfter(response.header("Retry-After"));
      } catch (IOException e) {
        Optional<Duration> delay = RetryPolicy.retryableFailure(e) ? retry.delayBefore(attempt, Optional.empty())
            : Optional.empty();
        if (delay.isEmpty()) {
          throw VaultFailures.forTransport(request, server, e);
        }
        sleep(delay.get(), request);
        continue;
      }
      if (reply.isSuccess() || (reply.status() == 404 && request.purpose().answers404())) {
        return reply;
      }
      if (RetryPolicy.retryableStatus(reply.status())) {
        Optional<Duration> delay = retry.delayBefore(attempt, retryAfter);
        if (delay.isPresent()) {
          sleep(delay.get(), request);
          continue;
        }
      }
      throw VaultFailures.forStatus(request, reply.status(), reply.body(), token, namespaceFor(request));
    }
  }

  private Request toHttp(VaultRequest request, Optional<VaultToken> token) {
    HttpUrl.Builder url = server.newBuilder().addPathSegment("v1");
    for (String segment : request.path().split("/", -1)) {
      if (!segment.isEmpty()) {
        url.addPathSegment(segment);
      }
    }
    if (request.path().endsWith("/")) {
      url.addPathSegment("");
    }
    request.query().forEach(url::addQueryParameter);
    Request.Builder http = new Request.Builder().url(url.build());
    headers.forEach(http::header);
    http.header("X-Vault-Request", "true");
    namespaceFor(request).ifPresent(ns -> http.header("X-Vault-Namespace", ns));
    token.ifPresent(t -> http.header("X-Vault-Token", t.secret()));
    if (readYourWrites && request.purpose() != VaultRequest.Purpose.LOGIN) {
      String index = lastIndex.get();
      if (index != null) {
        http.header("X-Vault-Index", index);
      }
      if (forwardInconsistent) {
        http.header("X-Vault-Inconsistent", "forward-active-node");
      }
    }
    RequestBody body = request.body().map(b -> RequestBody.create(b.toString(), JSON_TYPE)).orElse(null);
    if (body == null && request.method().equals("POST")) {
      body = RequestBody.create(new byte[0], null);
    }
    return http.method(request.method(), body).build();
  }

  private Optional<String> namespaceFor(VaultRequest request) {
    return request.purpose().usesAuthNamespace() ? authNamespace.or(() -> namespace) : namespace;
  }

  private void sleep(Duration delay, VaultRequest request) {
    try {
      sleeper.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SecretStoreException.UnreachableException(request.describe() + ": interrupted while waiting to retry",
          List.of(), e);
    }
  }

  /**
   * The answer's JSON. An error answer that is not JSON (a proxy's HTML page, say) keeps its status
   * and loses its body; a successful one is a {@link NotJsonAnswer}, retried like a broken connection.
   */
  private static JsonNode parse(Response response) throws IOException {
    ResponseBody body = response.body();
    if (body == null) {
      return JSON.createObjectNode();
    }
    byte[] bytes = body.bytes();
    if (bytes.length == 0) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      if (response.isSuccessful()) {
        throw new NotJsonAnswer(response.code(), bytes.length, response.header("Content-Type", "none"));
      }
      return JSON.createObjectNode();
    }
  }

  /**
   * A successful answer whose body is not JSON: a proxy or load balancer answering for Vault, or an
   * answer cut short. The message gives status, size and content type, never the body (it may hold
   * part of a secret).
   */
  static final class NotJsonAnswer extends IOException {
    private static final long serialVersionUID = 1L;

    NotJsonAnswer(int status, int bytes, String contentType) {
      super("the answer (HTTP " + status + ", " + bytes + " bytes, " + contentType + ") is not JSON");
    }
  }

  private static VaultToken tokenFromAuth(JsonNode auth, String issuedTo, String path) {
    String token = auth.path("client_token").asText("");
    if (!auth.isObject() || token.isEmpty()) {
      throw new AuthenticationException("POST " + path + ": the login answer has no auth.client_token", List.of(), null);
    }
    List<String> policies = new ArrayList<>();
    auth.path("policies").forEach(p -> policies.add(p.asText()));
    return new VaultToken(token, Duration.ofSeconds(auth.path("lease_duration").asLong(0)),
        auth.path("renewable").asBoolean(false), auth.path("token_type").asText("service"), policies, issuedTo, true);
  }

  private static String stripSlashes(String path) {
    String p = path;
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    return p;
  }

  /** The underlying OkHttp client; for tests that check sharing. */
  OkHttpClient http() {
    return http;
  }

  @Override
  public String toString() {
    return "VaultClient{" + server + namespace.map(ns -> ", namespace=" + ns).orElse("") + ", " + tls + "}";
  }

  /** An answer: status and JSON body ({@code {}} when there was none). */
  record Reply(int status, JsonNode body) {
    boolean isSuccess() {
      return status >= 200 && status < 300;
    }
  }

  /** How retries wait; replaced in tests so that no test sleeps. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  /** Builds a {@link VaultClient}. Not thread-safe; {@link #build()} may be called more than once. */
  public static final class Builder {
    private final HttpUrl server;
    private Optional<String> namespace = Optional.empty();
    private Optional<String> authNamespace = Optional.empty();
    private final Map<String, String> headers = new LinkedHashMap<>();
    private List<X509Certificate> caCertificates = List.of();
    private boolean addSystemRoots;
    private Optional<TlsConfig.ClientKey> clientKey = Optional.empty();
    private boolean allowHttp;
    private boolean readYourWrites;
    private boolean forwardInconsistent;
    private RetryPolicy retry = RetryPolicy.defaults();
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration readTimeout = Duration.ofSeconds(15);
    private Sleeper sleeper = duration -> Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);

    private Builder(HttpUrl server) {
      this.server = server;
    }

    /** The Vault Enterprise namespace of every request ({@code X-Vault-Namespace}). */
    public Builder namespace(String value) {
      this.namespace = Optional.of(checkNotNull(value, "namespace")).filter(s -> !s.isBlank());
      return this;
    }

    /** The namespace for logins and token renewal/revocation; defaults to {@link #namespace}. */
    public Builder authNamespace(String value) {
      this.authNamespace = Optional.of(checkNotNull(value, "authNamespace")).filter(s -> !s.isBlank());
      return this;
    }

    /** An extra header on every request; the Vault token and namespace headers cannot be set here. */
    public Builder header(String name, String value) {
      checkNotNull(name, "name");
      checkNotNull(value, "value for %s", name);
      checkArgument(!name.equalsIgnoreCase("X-Vault-Token") && !name.equalsIgnoreCase("X-Vault-Namespace")
          && !name.equalsIgnoreCase("Authorization"), "header %s is set by the client itself", name);
      headers.put(name, value);
      return this;
    }

    /**
     * Trusts exactly the certificates in {@code pem} (PEM text, raw or base64-encoded, one or more
     * certificates) instead of the system roots, unless {@link #addSystemRoots} is also set.
     */
    public Builder caCertificatesPem(String pem) {
      this.caCertificates = Pem.certificates(checkNotNull(pem, "pem").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return this;
    }

    Builder caCertificates(List<X509Certificate> certificates) {
      this.caCertificates = ImmutableList.copyOf(certificates);
      return this;
    }

    /** Trusts the system roots as well as the configured CA certificates. */
    public Builder addSystemRoots(boolean value) {
      this.addSystemRoots = value;
      return this;
    }

    /** Presents this client certificate (PEM chain, leaf first) with its private key (PEM) for mTLS. */
    public Builder clientCertificatePem(String certificateChainPem, String privateKeyPem) {
      byte[] chain = checkNotNull(certificateChainPem, "certificateChainPem").getBytes(java.nio.charset.StandardCharsets.UTF_8);
      byte[] key = checkNotNull(privateKeyPem, "privateKeyPem").getBytes(java.nio.charset.StandardCharsets.UTF_8);
      this.clientKey = Optional.of(new TlsConfig.ClientKey(Pem.certificates(chain), Pem.privateKey(key)));
      return this;
    }

    Builder clientKey(Optional<TlsConfig.ClientKey> value) {
      this.clientKey = value;
      return this;
    }

    /**
     * Permits a plain {@code http://} server. Off by default: over plain HTTP the login JWT, the
     * Vault token and every secret value cross the network readable by anyone on the path.
     */
    public Builder allowHttp(boolean value) {
      this.allowHttp = value;
      return this;
    }

    /** Sends the last {@code X-Vault-Index} seen with every request (Vault Enterprise consistency). */
    public Builder readYourWrites(boolean value) {
      this.readYourWrites = value;
      return this;
    }

    /** Adds {@code X-Vault-Inconsistent: forward-active-node}; implies {@link #readYourWrites}. */
    public Builder forwardInconsistent(boolean value) {
      this.forwardInconsistent = value;
      return this;
    }

    /** Retries after the first attempt (default 2) with exponential backoff from {@code baseInterval} (default 500ms). */
    public Builder retries(int maxRetries, Duration baseInterval) {
      checkArgument(maxRetries >= 0, "maxRetries must not be negative");
      checkArgument(!baseInterval.isNegative(), "baseInterval must not be negative");
      this.retry = RetryPolicy.of(maxRetries, baseInterval);
      return this;
    }

    Builder retry(RetryPolicy value) {
      this.retry = checkNotNull(value);
      return this;
    }

    Builder sleeper(Sleeper value) {
      this.sleeper = checkNotNull(value);
      return this;
    }

    public Builder connectTimeout(Duration value) {
      checkArgument(!value.isNegative() && !value.isZero(), "connectTimeout must be positive");
      this.connectTimeout = value;
      return this;
    }

    public Builder readTimeout(Duration value) {
      checkArgument(!value.isNegative() && !value.isZero(), "readTimeout must be positive");
      this.readTimeout = value;
      return this;
    }

    /**
     * @throws InvalidConfigException when the server is plain {@code http://} and that was not
     *     allowed
     */
    public VaultClient build() {
      if (!server.isHttps() && !allowHttp) {
        throw new InvalidConfigException("server", PLAIN_HTTP_REFUSED, List.of(PLAIN_HTTP_HINT));
      }
      TlsConfig tls = TlsConfig.create(caCertificates, addSystemRoots, clientKey);
      return new VaultClient(this, tls);
    }
  }

  static final String PLAIN_HTTP_REFUSED = "plain http:// is refused: the Kubernetes service account JWT, the Vault "
      + "token and every secret value would cross the network unencrypted";
  static final String PLAIN_HTTP_HINT = "use https:// with caBundle or caProvider; for a throwaway local Vault only, "
      + "allow it explicitly with the store annotation " + VaultStoreProvider.ALLOW_HTTP_ANNOTATION
      + ": \"true\" (or VaultClient.Builder.allowHttp(true))";
}
