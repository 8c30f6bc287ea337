package io.secretsync.vault;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.io.IOException;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OkHttp clients of every Vault connection in the process: one per (server origin, trust,
 * client certificate, timeouts), shared by every store that matches, all on one connection pool and
 * dispatcher. HTTP/2 is used where the server offers it through ALPN. A client lives as long as a
 * {@link VaultClient} holds it (weak values), so stores that go away release theirs. Thread-safe.
 */
final class HttpClients {

  /** TLS 1.3 and 1.2 with OkHttp's modern cipher suites: a server that offers only TLS 1.1 or older is refused. */
  static final okhttp3.ConnectionSpec TLS_1_2_OR_NEWER = new okhttp3.ConnectionSpec.Builder(okhttp3.ConnectionSpec.MODERN_TLS)
      .tlsVersions(okhttp3.TlsVersion.TLS_1_3, okhttp3.TlsVersion.TLS_1_2)
      .build();

  /**
   * Idle connections kept for reuse, over every Vault server of the process (OkHttp keeps 5 by
   * default): enough for the default workers of a controller (8) on a few servers over HTTP/1.1, so
   * that a busy sync pass opens no new TLS connection once warm. Idle connections close after 5
   * minutes; the pool's cleanup thread ends when the pool is empty.
   */
  static final int MAX_IDLE_CONNECTIONS = 32;

  /** The root of all clients: its connection pool and dispatcher are shared by every derived client. */
  private static final OkHttpClient ROOT = new OkHttpClient.Builder()
      .connectionPool(new okhttp3.ConnectionPool(MAX_IDLE_CONNECTIONS, 5, java.util.concurrent.TimeUnit.MINUTES))
      .protocols(java.util.List.of(Protocol.HTTP_2, Protocol.HTTP_1_1))
      .connectionSpecs(java.util.List.of(TLS_1_2_OR_NEWER, okhttp3.ConnectionSpec.CLEARTEXT))
      .socketFactory(new NoDelaySocketFactory())
      .retryOnConnectionFailure(false)
      .followRedirects(false)
      .addNetworkInterceptor(HttpClients::logRequest)
      .build();

  private static final Cache<Key, OkHttpClient> CLIENTS = CacheBuilder.newBuilder().weakValues().build();

  private static final Logger REQUESTS = LoggerFactory.getLogger("io.secretsync.vault.requests");

  private HttpClients() {}

  /**
   * Logs each request on logger {@code io.secretsync.vault.requests} at debug: method, path, status
   * and time; never the query, a header (the token) or a body.
   */
  private static Response logRequest(Interceptor.Chain chain) throws IOException {
    if (!REQUESTS.isDebugEnabled()) {
      return chain.proceed(chain.request());
    }
    Request request = chain.request();
    long start = System.nanoTime();
    try {
      Response response = chain.proceed(request);
      REQUESTS.debug("{} {} -> {} ({} ms)", request.method(), request.url().encodedPath(), response.code(),
          (System.nanoTime() - start) / 1_000_000);
      return response;
    } catch (IOException e) {
      REQUESTS.debug("{} {} -> {} ({} ms)", request.method(), request.url().encodedPath(),
          e.getClass().getSimpleName(), (System.nanoTime() - start) / 1_000_000);
      throw e;
    }
  }

  /** What makes two connections interchangeable. */
  record Key(String origin, String trustId, String clientCertId, Duration connectTimeout, Duration readTimeout) {}

  static OkHttpClient forServer(HttpUrl server, TlsConfig tls, Duration connectTimeout, Duration readTimeout) {
    Key key = new Key(server.scheme() + "://" + server.host() + ":" + server.port(), tls.trustId(), tls.clientCertId(),
        connectTimeout, readTimeout);
    try {
      return CLIENTS.get(key, () -> {
        OkHttpClient.Builder builder = ROOT.newBuilder()
            .connectTimeout(connectTimeout)
            .readTimeout(readTimeout)
            .writeTimeout(readTimeout);
        if (server.isHttps()) {
          builder.sslSocketFactory(tls.socketFactory(), tls.trustManager());
        }
        return builder.build();
      });
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create an HTTP client for " + key.origin(), e.getCause());
    }
  }
}
