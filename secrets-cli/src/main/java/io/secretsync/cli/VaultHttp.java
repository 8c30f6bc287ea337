package io.secretsync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The HTTP calls the {@code vault} CLI makes for the walkthrough's commands ({@code vault kv put},
 * {@code vault write}, {@code vault policy write}, {@code vault auth enable}), sent with
 * {@code X-Vault-Token} to {@code VAULT_ADDR} trusting {@code VAULT_CACERT}. Failures name the
 * request and Vault's error text, never the token. Thread-safe.
 */
final class VaultHttp implements AutoCloseable {
  private static final MediaType JSON_TYPE = MediaType.get("application/json");
  static final ObjectMapper JSON = new ObjectMapper();

  private final String address;
  private final String token;
  private final OkHttpClient http;

  VaultHttp(String address, String caPem, String token) {
    this.address = address.endsWith("/") ? address.substring(0, address.length() - 1) : address;
    this.token = token;
    X509TrustManager trust = trusting(caPem);
    try {
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, new TrustManager[] {trust}, null);
      this.http = new OkHttpClient.Builder().sslSocketFactory(tls.getSocketFactory(), trust)
          .callTimeout(30, TimeUnit.SECONDS).build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /** A trust manager that trusts exactly the certificates of {@code pem}. */
  static X509TrustManager trusting(String pem) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return (X509TrustManager) factory.getTrustManagers()[0];
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("not a PEM CA certificate: " + e.getMessage(), e);
    }
  }

  /** {@code vault write <path> ...}: POST with a JSON body; returns the answer's JSON (empty for 204). */
  JsonNode write(String path, JsonNode body) {
    return send("POST", path, body);
  }

  /** {@code vault read <path>}. */
  JsonNode read(String path) {
    return send("GET", path, null);
  }

  /** {@code vault policy write <name> -}. */
  void putPolicy(String name, String hcl) {
    send("PUT", "sys/policies/acl/" + name, JSON.createObjectNode().put("policy", hcl));
  }

  private JsonNode send(String method, String path, JsonNode body) {
    Request.Builder request = new Request.Builder().url(address + "/v1/" + path)
        .header("X-Vault-Token", token).header("X-Vault-Request", "true");
    request.method(method, body == null ? null : RequestBody.create(body.toString(), JSON_TYPE));
    try (Response response = http.newCall(request.build()).execute()) {
      String text = response.body().string();
      JsonNode json = text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
      if (!response.isSuccessful()) {
        throw new IllegalStateException(method + " " + path + ": Vault answered HTTP " + response.code() + ": "
            + json.path("errors"));
      }
      return json;
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " at " + address + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  @Override
  public String toString() {
    return "VaultHttp{" + address + "}";
  }
}
