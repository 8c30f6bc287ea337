package io.secretsync.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.testkit.server.ServerRequest;
import io.secretsync.testkit.server.ServerResponse;
import io.secretsync.testkit.server.TestHttpServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal Kubernetes TokenReview endpoint over HTTPS with its own CA: reviews the service account
 * tokens it was told about, authorizes callers by bearer token, and records each request.
 */
final class TokenReviewServer implements AutoCloseable {
  record Account(String namespace, String name, String uid, List<String> audiences) {}

  record Captured(String authorization, JsonNode body) {}

  final TestPki pki = TestPki.create("Kubernetes Test CA", TestPki.KeyType.EC_P256);
  final Map<String, Account> accounts = new ConcurrentHashMap<>();
  final Set<String> allowedReviewers = ConcurrentHashMap.newKeySet();
  final List<Captured> requests = new CopyOnWriteArrayList<>();
  private final TestHttpServer server;

  TokenReviewServer() {
    server = TestHttpServer.builder().name("token-review").tls(pki.serverCertificate())
        .handler(this::handle).start();
  }

  String url() {
    return server.baseUrl();
  }

  String caPem() {
    return pki.caCertificatePem();
  }

  /** A projected service account JWT (unsigned: RS256 header, random signature bytes). */
  static String jwt(String namespace, String name, String uid, List<String> audiences, long iat,
      long exp) {
    ObjectNode claims = WireClient.JSON.createObjectNode();
    ArrayNode aud = claims.putArray("aud");
    audiences.forEach(aud::add);
    claims.put("exp", exp);
    claims.put("iat", iat);
    claims.put("iss", "https://kubernetes.default.svc.cluster.local");
    claims.put("nbf", iat);
    claims.put("sub", "system:serviceaccount:" + namespace + ":" + name);
    ObjectNode k = claims.putObject("kubernetes.io");
    k.put("namespace", namespace);
    k.putObject("pod").put("name", name + "-7c9d").put("uid", "pod-" + uid);
    k.putObject("serviceaccount").put("name", name).put("uid", uid);
    Base64.Encoder e = Base64.getUrlEncoder().withoutPadding();
    return e.encodeToString("{\"alg\":\"RS256\",\"kid\":\"test\"}".getBytes(StandardCharsets.UTF_8))
        + "." + e.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8)) + "."
        + e.encodeToString(("sig-" + uid + "-" + iat).getBytes(StandardCharsets.UTF_8));
  }

  private ServerResponse handle(ServerRequest request) {
    if (!request.method().equals("POST")
        || !request.path().equals("/apis/authentication.k8s.io/v1/tokenreviews")) {
      return ServerResponse.json(404, Map.of("kind", "Status", "status", "Failure", "code", 404));
    }
    JsonNode body = request.bodyJson();
    String authorization = request.header("Authorization").orElse("");
    requests.add(new Captured(authorization, body));
    String bearer = authorization.startsWith("Bearer ") ? authorization.substring(7) : "";
    if (!allowedReviewers.contains(bearer)) {
      return ServerResponse.json(401, Map.of("kind", "Status", "apiVersion", "v1",
          "metadata", Map.of(), "status", "Failure", "message", "Unauthorized",
          "reason", "Unauthorized", "code", 401));
    }
    ObjectNode review = WireClient.JSON.createObjectNode();
    review.put("kind", "TokenReview").put("apiVersion", "authentication.k8s.io/v1");
    review.putObject("metadata");
    review.set("spec", body.path("spec"));
    ObjectNode status = review.putObject("status");
    Account account = accounts.get(body.path("spec").path("token").asText());
    if (account == null) {
      status.putObject("user");
      status.put("error", "[invalid bearer token, token lookup failed]");
      return ServerResponse.json(201, review);
    }
    List<String> wanted = new ArrayList<>();
    body.path("spec").path("audiences").forEach(a -> wanted.add(a.asText()));
    List<String> granted = wanted.isEmpty() ? account.audiences()
        : wanted.stream().filter(account.audiences()::contains).toList();
    if (granted.isEmpty()) {
      status.putObject("user");
      status.put("error", "[invalid bearer token, token audiences is invalid for the target "
          + "audiences]");
      return ServerResponse.json(201, review);
    }
    status.put("authenticated", true);
    ObjectNode user = status.putObject("user");
    user.put("username", "system:serviceaccount:" + account.namespace() + ":" + account.name());
    user.put("uid", account.uid());
    user.putArray("groups").add("system:serviceaccounts")
        .add("system:serviceaccounts:" + account.namespace()).add("system:authenticated");
    ArrayNode aud = status.putArray("audiences");
    granted.forEach(aud::add);
    return ServerResponse.json(201, review);
  }

  @Override
  public void close() {
    server.close();
  }
}
