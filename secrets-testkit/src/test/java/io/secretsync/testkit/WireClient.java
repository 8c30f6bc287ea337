package io.secretsync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** Plain OkHttp against a fake over HTTPS, trusting only the fake's CA; answers as status + body. */
final class WireClient {
  static final ObjectMapper JSON = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .configure(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES,
          false);
  private static final MediaType APPLICATION_JSON = MediaType.get("application/json");

  private final OkHttpClient client;
  private final String base;

  WireClient(FakeVault vault) {
    this.client = new OkHttpClient.Builder()
        .sslSocketFactory(vault.clientSslContext().getSocketFactory(), vault.trustManager())
        .retryOnConnectionFailure(false).build();
    this.base = vault.address();
  }

  record Answer(int code, String body, Map<String, String> headers) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The body with volatile fields (paths like {@code request_id}, {@code auth.accessor}) masked. */
    String masked(String... paths) {
      JsonNode node = json();
      for (String p : paths) {
        String[] parts = p.split("\\.");
        JsonNode parent = node;
        for (int i = 0; i < parts.length - 1 && parent != null; i++) {
          parent = parent.get(parts[i]);
        }
        if (parent instanceof ObjectNode o && o.has(parts[parts.length - 1])) {
          o.set(parts[parts.length - 1], TextNode.valueOf("*"));
        }
      }
      return node.toString();
    }

    Answer expect(int status) {
      assertEquals(status, code, () -> "status for body " + body);
      return this;
    }
  }

  Answer send(String method, String path, String token, String body, Map<String, String> headers)
      throws IOException {
    RequestBody rb = body == null ? (method.equals("POST") || method.equals("PUT")
        || method.equals("PATCH") ? RequestBody.create(new byte[0], null) : null)
        : RequestBody.create(body, headers.containsKey("Content-Type")
            ? MediaType.get(headers.get("Content-Type")) : APPLICATION_JSON);
    Request.Builder b = new Request.Builder().url(base + path).method(method, rb);
    if (token != null) {
      b.header("X-Vault-Token", token);
    }
    headers.forEach(b::header);
    try (Response r = client.newCall(b.build()).execute()) {
      Map<String, String> h = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      r.headers().forEach(p -> h.put(p.getFirst(), p.getSecond()));
      return new Answer(r.code(), r.body().string(), h);
    }
  }

  Answer get(String path, String token) throws IOException {
    return send("GET", path, token, null, Map.of());
  }

  Answer list(String path, String token) throws IOException {
    return send("LIST", path, token, null, Map.of());
  }

  Answer post(String path, String token, String body) throws IOException {
    return send("POST", path, token, body, Map.of());
  }

  Answer put(String path, String token, String body) throws IOException {
    return send("PUT", path, token, body, Map.of());
  }

  Answer patch(String path, String token, String body) throws IOException {
    return send("PATCH", path, token, body, Map.of("Content-Type", "application/merge-patch+json"));
  }

  Answer delete(String path, String token) throws IOException {
    return send("DELETE", path, token, null, Map.of());
  }

  /** Single quotes to double quotes, to keep JSON in Java strings readable. */
  static String q(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }
}
