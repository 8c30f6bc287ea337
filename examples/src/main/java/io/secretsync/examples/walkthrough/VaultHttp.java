package io.secretsync.examples.walkthrough;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The few Vault HTTP calls the walkthrough's {@code vault} commands make, with the JDK's HTTP client:
 * what an operator's setup program would write. The token is sent as {@code X-Vault-Token} and
 * never shown; errors carry Vault's own error text. Thread-safe.
 */
final class VaultHttp {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI address;
  private final String token;
  private final HttpClient http;

  /** {@code address} like {@code VAULT_ADDR}, {@code caPem} like the file {@code VAULT_CACERT} names. */
  VaultHttp(String address, String token, String caPem) {
    this.address = URI.create(address.endsWith("/") ? address : address + "/");
    this.token = token;
    this.http = HttpClient.newBuilder().sslContext(trusting(caPem)).connectTimeout(Duration.ofSeconds(10)).build();
  }

  /** {@code vault auth enable <type>}; an auth method already at that path is left as it is. */
  void authEnable(String type) {
    HttpResponse<String> answer = send("POST", "sys/auth/" + type, Map.of("type", type));
    if (answer.statusCode() == 400 && answer.body().contains("path is already in use")) {
      return;
    }
    check("POST", "sys/auth/" + type, answer);
  }

  /** {@code vault write <path> k=v...}. */
  void write(String path, Map<String, ?> fields) {
    check("POST", path, send("POST", path, fields));
  }

  /** {@code vault policy write <name> -}. */
  void policyWrite(String name, String hcl) {
    check("PUT", "sys/policies/acl/" + name, send("PUT", "sys/policies/acl/" + name, Map.of("policy", hcl)));
  }

  /** {@code vault kv put <mount>/<key> k=v...} on a KV v2 mount. */
  void kvPut(String mount, String key, Map<String, String> data) {
    String path = mount + "/data/" + key;
    check("POST", path, send("POST", path, Map.of("data", data)));
  }

  private HttpResponse<String> send(String method, String path, Object body) {
    try {
      HttpRequest request = HttpRequest.newBuilder(address.resolve("v1/" + path))
          .header("X-Vault-Token", token)
          .header("X-Vault-Request", "true")
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
          .timeout(Duration.ofSeconds(30))
          .build();
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + address + "v1/" + path + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + method + " v1/" + path, e);
    }
  }

  private static void check(String method, String path, HttpResponse<String> answer) {
    if (answer.statusCode() >= 300) {
      String errors;
      try {
        JsonNode body = JSON.readTree(answer.body());
        errors = body.path("errors").toString();
      } catch (IOException e) {
        errors = "(no JSON body)";
      }
      throw new IllegalStateException(
          method + " v1/" + path + ": Vault answered " + answer.statusCode() + " " + errors);
    }
  }

  private static SSLContext trusting(String caPem) {
    try {
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      int i = 0;
      for (Certificate ca : CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII)))) {
        trusted.setCertificateEntry("ca-" + i++, ca);
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, trust.getTrustManagers(), null);
      return tls;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("the Vault CA is not a PEM certificate: " + e.getMessage(), e);
    }
  }
}
