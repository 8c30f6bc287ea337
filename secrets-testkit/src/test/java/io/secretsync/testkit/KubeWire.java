package io.secretsync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** Plain OkHttp against a FakeKubernetes over HTTPS, trusting only its CA. */
final class KubeWire {
  static final ObjectMapper JSON = new ObjectMapper();

  final OkHttpClient client;
  private final String base;
  private final String token;

  KubeWire(FakeKubernetes kube) {
    this(kube, kube.adminToken());
  }

  KubeWire(FakeKubernetes kube, String token) {
    this.client = new OkHttpClient.Builder()
        .sslSocketFactory(kube.clientSslContext().getSocketFactory(), kube.trustManager())
        .retryOnConnectionFailure(false).build();
    this.base = kube.baseUrl();
    this.token = token;
  }

  /** Another client of the same server with a different bearer token (null = none). */
  KubeWire as(FakeKubernetes kube, String otherToken) {
    return new KubeWire(kube, otherToken);
  }

  record Answer(int code, String body, Map<String, String> headers) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    Answer expect(int status) {
      assertEquals(status, code, () -> "status for body " + body);
      return this;
    }
  }

  Answer send(String method, String path, String contentType, String body,
      Map<String, String> headers) {
    RequestBody rb = body == null ? null : RequestBody.create(body, MediaType.get(contentType));
    Request.Builder b = new Request.Builder().url(base + path).method(method, rb);
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    headers.forEach(b::header);
    try (Response r = client.newCall(b.build()).execute()) {
      Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      r.headers().forEach(p -> h.put(p.getFirst(), p.getSecond()));
      return new Answer(r.code(), r.body().string(), h);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Answer get(String path) {
    return send("GET", path, null, null, Map.of());
  }

  Answer get(String path, String accept) {
    return send("GET", path, null, null, Map.of("Accept", accept));
  }

  Answer post(String path, String json) {
    return send("POST", path, "application/json", json, Map.of());
  }

  Answer put(String path, String json) {
    return send("PUT", path, "application/json", json, Map.of());
  }

  Answer patch(String path, String contentType, String body) {
    return send("PATCH", path, contentType, body, Map.of());
  }

  Answer delete(String path) {
    return send("DELETE", path, null, null, Map.of());
  }

  Answer delete(String path, String json) {
    return send("DELETE", path, "application/json", json, Map.of());
  }

  /** Single quotes to double quotes, to keep JSON in Java strings readable. */
  static String q(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }
}
