package io.secretsync.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.core.PlatformAccess;
import io.secretsync.core.SecretSyncException;
import io.secretsync.testkit.TestPki;
import io.secretsync.testkit.server.ServerRequest;
import io.secretsync.testkit.server.ServerResponse;
import io.secretsync.testkit.server.TestHttpServer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two Kubernetes APIs Vault's Kubernetes auth involves, for provider tests: TokenRequest (as
 * {@link PlatformAccess#serviceAccountToken}, issuing projected-style JWTs with audiences and an
 * expiry) and TokenReview (over HTTPS with its own cluster CA, authorising reviewers by bearer
 * token, as Vault calls it). ConfigMaps and Secrets are held in maps. The JWTs carry an RS256
 * header and an opaque signature (Vault verifies signatures only against configured pem_keys, and
 * this API reviews only tokens it issued). Thread-safe.
 */
final class KubernetesStandIn implements PlatformAccess, AutoCloseable {

  static final String DEFAULT_AUDIENCE = "https://kubernetes.default.svc.cluster.local";

  private record Account(String namespace, String name, String uid, List<String> audiences, Instant expires) {}

  private final TestPki pki = TestPki.create("Kubernetes Cluster CA", TestPki.KeyType.EC_P256);
  private final Clock clock;
  private final Map<String, Account> issued = new ConcurrentHashMap<>();
  private final Map<String, String> uids = new ConcurrentHashMap<>();
  private final Set<String> reviewers = ConcurrentHashMap.newKeySet();
  final MapPlatform objects = new MapPlatform();
  final AtomicInteger tokenRequests = new AtomicInteger();
  final AtomicInteger tokenReviews = new AtomicInteger();
  private final TestHttpServer server;

  KubernetesStandIn(Clock clock) {
    this.clock = clock;
    this.server = TestHttpServer.builder().name("kubernetes-api").tls(pki.serverCertificate()).handler(this::handle)
        .start();
  }

  /** The API server's address, as {@code kubernetes_host}. */
  String url() {
    return server.baseUrl();
  }

  /** The cluster CA, as {@code kubernetes_ca_cert}. */
  String caPem() {
    return pki.caCertificatePem();
  }

  /** A token of {@code namespace/name} that may call TokenReview (a reviewer bound to system:auth-delegator). */
  String reviewerToken(String namespace, String name) {
    String token = issue(namespace, name, List.of(), Duration.ofDays(365));
    reviewers.add(token);
    return token;
  }

  /** Forgets every reviewer token: it is now rejected with 401, as an expired or foreign one is. */
  void revokeReviewers() {
    reviewers.forEach(issued::remove);
    reviewers.clear();
  }

  @Override
  public String serviceAccountToken(String namespace, String name, List<String> audiences, Duration expiration) {
    tokenRequests.incrementAndGet();
    return issue(namespace, name, audiences, expiration);
  }

  private String issue(String namespace, String name, List<String> audiences, Duration expiration) {
    String uid = uids.computeIfAbsent(namespace + "/" + name, k -> UUID.randomUUID().toString());
    List<String> aud = audiences.isEmpty() ? List.of(DEFAULT_AUDIENCE) : List.copyOf(audiences);
    Instant now = clock.instant();
    Instant expires = now.plus(expiration);
    ObjectNode claims = VaultClient.JSON.createObjectNode();
    ArrayNode audNode = claims.putArray("aud");
    aud.forEach(audNode::add);
    claims.put("exp", expires.getEpochSecond());
    claims.put("iat", now.getEpochSecond());
    claims.put("nbf", now.getEpochSecond());
    claims.put("iss", DEFAULT_AUDIENCE);
    claims.put("sub", "system:serviceaccount:" + namespace + ":" + name);
    ObjectNode k8s = claims.putObject("kubernetes.io");
    k8s.put("namespace", namespace);
    k8s.putObject("serviceaccount").put("name", name).put("uid", uid);
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String jwt = b64.encodeToString("{\"alg\":\"RS256\",\"kid\":\"stand-in\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
    issued.put(jwt, new Account(namespace, name, uid, aud, expires));
    return jwt;
  }

  @Override
  public byte[] configMapValue(String namespace, String name, String key) {
    return objects.configMapValue(namespace, name, key);
  }

  @Override
  public byte[] secretValue(String namespace, String name, String key) {
    return objects.secretValue(namespace, name, key);
  }

  private ServerResponse handle(ServerRequest request) {
    if (!request.method().equals("POST") || !request.path().equals("/apis/authentication.k8s.io/v1/tokenreviews")) {
      return status(404, "NotFound", "the server could not find the requested resource");
    }
    tokenReviews.incrementAndGet();
    String authorization = request.header("Authorization").orElse("");
    String bearer = authorization.startsWith("Bearer ") ? authorization.substring(7) : "";
    Account reviewer = issued.get(bearer);
    if (reviewer == null || reviewer.expires().isBefore(clock.instant())) {
      return status(401, "Unauthorized", "Unauthorized");
    }
    if (!reviewers.contains(bearer)) {
      return status(403, "Forbidden", "tokenreviews.authentication.k8s.io is forbidden: User \"system:serviceaccount:"
          + reviewer.namespace() + ":" + reviewer.name() + "\" cannot create resource \"tokenreviews\"");
    }
    JsonNode spec = request.bodyJson().path("spec");
    ObjectNode review = VaultClient.JSON.createObjectNode();
    review.put("kind", "TokenReview").put("apiVersion", "authentication.k8s.io/v1");
    review.putObject("metadata");
    review.set("spec", spec);
    ObjectNode status = review.putObject("status");
    Account account = issued.get(spec.path("token").asText());
    List<String> wanted = new ArrayList<>();
    spec.path("audiences").forEach(a -> wanted.add(a.asText()));
    List<String> granted = account == null ? List.of()
        : wanted.isEmpty() ? account.audiences() : wanted.stream().filter(account.audiences()::contains).toList();
    if (account == null || account.expires().isBefore(clock.instant()) || granted.isEmpty()) {
      status.putObject("user");
      status.put("error", "[invalid bearer token, token lookup failed]");
      return ServerResponse.json(201, review);
    }
    status.put("authenticated", true);
    ObjectNode user = status.putObject("user");
    user.put("username", "system:serviceaccount:" + account.namespace() + ":" + account.name());
    user.put("uid", account.uid());
    user.putArray("groups").add("system:serviceaccounts").add("system:authenticated");
    ArrayNode aud = status.putArray("audiences");
    granted.forEach(aud::add);
    return ServerResponse.json(201, review);
  }

  private static ServerResponse status(int code, String reason, String message) {
    return ServerResponse.json(code, Map.of("kind", "Status", "apiVersion", "v1", "metadata", Map.of(),
        "status", "Failure", "message", message, "reason", reason, "code", code));
  }

  @Override
  public void close() {
    server.close();
  }

}
