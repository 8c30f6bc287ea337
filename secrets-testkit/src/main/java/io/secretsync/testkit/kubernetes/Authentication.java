package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Bearer token authentication and the TokenReview API: the admin token, TokenRequest tokens (signature,
 * issuer, time, audience, the service account and any bound Pod or Secret still existing with the same
 * UID), and legacy service-account-token Secret tokens (the Secret still holding that token). No
 * authorization follows: every authenticated user may do everything. Thread-safe.
 */
final class Authentication {
  /** An authenticated user as TokenReview reports it. */
  record User(String username, String uid, List<String> groups, Map<String, List<String>> extra,
      List<String> audiences) {}

  /** The outcome: a user, or the reason the token was not accepted (never the token itself). */
  record Result(Optional<User> user, String error) {
    static Result rejected(String error) {
      return new Result(Optional.empty(), error);
    }
  }

  static final String ADMIN_USER = "kubernetes-admin";

  private final Cluster cluster;
  private final String adminToken;

  Authentication(Cluster cluster, String adminToken) {
    this.cluster = cluster;
    this.adminToken = adminToken;
  }

  /**
   * Authenticates {@code token} for {@code audiences} (empty = the API server's own audiences).
   */
  Result authenticate(String token, List<String> audiences) {
    List<String> wanted = audiences.isEmpty() ? cluster.apiAudiences : audiences;
    if (token == null || token.isEmpty()) {
      return Result.rejected("token is empty");
    }
    if (token.equals(adminToken)) {
      List<String> aud = ServiceAccountTokens.intersect(cluster.apiAudiences, wanted);
      if (aud.isEmpty()) {
        return Result.rejected("token audiences " + list(cluster.apiAudiences)
            + " is invalid for the target audiences " + list(wanted));
      }
      return new Result(Optional.of(new User(ADMIN_USER, "", List.of("system:masters",
          "system:authenticated"), Map.of(), aud)), "");
    }
    ServiceAccountTokens.Claims claims;
    try {
      claims = cluster.tokens.verify(token, cluster.now());
    } catch (ServiceAccountTokens.Rejected e) {
      return Result.rejected(e.getMessage());
    }
    synchronized (cluster.store) {
      return claims.legacy() ? legacy(token, claims, wanted) : bound(claims, wanted);
    }
  }

  private Result legacy(String token, ServiceAccountTokens.Claims claims, List<String> wanted) {
    List<String> aud = ServiceAccountTokens.intersect(cluster.apiAudiences, wanted);
    if (aud.isEmpty()) {
      return Result.rejected("token audiences " + list(cluster.apiAudiences)
          + " is invalid for the target audiences " + list(wanted));
    }
    Optional<ObjectNode> secret = cluster.get(BuiltInResources.SECRETS, claims.namespace(),
        claims.secretName());
    if (secret.isEmpty() || secret.get().path("metadata").has("deletionTimestamp")) {
      return Result.rejected("Token has been invalidated");
    }
    String stored = decode(KubeJson.text(secret.get(), "data", "token"));
    if (!token.equals(stored)) {
      return Result.rejected("Token does not match server's copy");
    }
    Optional<ObjectNode> sa = cluster.get(BuiltInResources.SERVICE_ACCOUNTS, claims.namespace(),
        claims.name());
    if (sa.isEmpty()) {
      return Result.rejected("serviceaccount " + KubeJson.quote(claims.name()) + " not found");
    }
    String uid = KubeJson.text(sa.get(), "metadata", "uid");
    if (!uid.equals(claims.uid())) {
      return Result.rejected("ServiceAccount UID (" + uid + ") does not match claim ("
          + claims.uid() + ")");
    }
    Map<String, List<String>> extra = new LinkedHashMap<>();
    return new Result(Optional.of(user(claims, uid, extra, aud)), "");
  }

  private Result bound(ServiceAccountTokens.Claims claims, List<String> wanted) {
    List<String> aud = ServiceAccountTokens.intersect(claims.audiences(), wanted);
    if (aud.isEmpty()) {
      return Result.rejected("token audiences " + list(claims.audiences())
          + " is invalid for the target audiences " + list(wanted));
    }
    Optional<ObjectNode> sa = cluster.get(BuiltInResources.SERVICE_ACCOUNTS, claims.namespace(),
        claims.name());
    if (sa.isEmpty()) {
      return Result.rejected("serviceaccount " + KubeJson.quote(claims.name()) + " not found");
    }
    String uid = KubeJson.text(sa.get(), "metadata", "uid");
    if (!uid.equals(claims.uid())) {
      return Result.rejected("service account UID (" + uid + ") does not match claim ("
          + claims.uid() + ")");
    }
    Map<String, List<String>> extra = new LinkedHashMap<>();
    for (String kind : List.of("pod", "secret")) {
      Optional<JsonNode> ref = claims.bound(kind);
      if (ref.isEmpty()) {
        continue;
      }
      ResourceType type = kind.equals("pod") ? BuiltInResources.PODS : BuiltInResources.SECRETS;
      String name = ref.get().path("name").asText();
      Optional<ObjectNode> obj = cluster.get(type, claims.namespace(), name);
      if (obj.isEmpty()) {
        return Result.rejected(type.plural() + " " + KubeJson.quote(name) + " not found");
      }
      String objUid = KubeJson.text(obj.get(), "metadata", "uid");
      if (!objUid.equals(ref.get().path("uid").asText())) {
        return Result.rejected(kind + " UID (" + objUid
            + ") does not match claim (" + ref.get().path("uid").asText() + ")");
      }
      if (kind.equals("pod")) {
        extra.put("authentication.kubernetes.io/pod-name", List.of(name));
        extra.put("authentication.kubernetes.io/pod-uid", List.of(objUid));
      }
    }
    if (!claims.jti().isEmpty()) {
      extra.put("authentication.kubernetes.io/credential-id", List.of("JTI=" + claims.jti()));
    }
    return new Result(Optional.of(user(claims, uid, extra, aud)), "");
  }

  private static User user(ServiceAccountTokens.Claims claims, String uid,
      Map<String, List<String>> extra, List<String> audiences) {
    return new User("system:serviceaccount:" + claims.namespace() + ":" + claims.name(), uid,
        List.of("system:serviceaccounts", "system:serviceaccounts:" + claims.namespace(),
            "system:authenticated"), extra, audiences);
  }

  private static String decode(String b64) {
    try {
      return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  private static String list(List<String> values) {
    List<String> quoted = new ArrayList<>();
    values.forEach(v -> quoted.add(KubeJson.quote(v)));
    return "[" + String.join(" ", quoted) + "]";
  }

  /**
   * Answers a TokenReview: always 201 with the review echoed and a status, authenticated or with
   * an error (as {@code [invalid bearer token, <cause>]}).
   *
   * @throws ApiError 400 when {@code spec.token} is empty
   */
  ObjectNode review(JsonNode body) {
    String token = KubeJson.text(body, "spec", "token");
    if (token.isEmpty()) {
      throw ApiError.badRequest("token is required for TokenReview in authentication");
    }
    List<String> audiences = KubeJson.strings(KubeJson.at(body, "spec", "audiences"));
    Result r = authenticate(token, audiences);
    ObjectNode out = KubeJson.object();
    out.put("kind", "TokenReview");
    out.put("apiVersion", "authentication.k8s.io/v1");
    out.putObject("metadata").put("creationTimestamp", (String) null);
    ObjectNode spec = out.putObject("spec");
    spec.put("token", token);
    if (!audiences.isEmpty()) {
      ArrayNode a = spec.putArray("audiences");
      audiences.forEach(a::add);
    }
    ObjectNode status = out.putObject("status");
    if (r.user().isPresent()) {
      User u = r.user().get();
      status.put("authenticated", true);
      ObjectNode user = status.putObject("user");
      user.put("username", u.username());
      user.put("uid", u.uid());
      ArrayNode groups = user.putArray("groups");
      u.groups().forEach(groups::add);
      if (!u.extra().isEmpty()) {
        ObjectNode extra = user.putObject("extra");
        u.extra().forEach((k, v) -> {
          ArrayNode values = extra.putArray(k);
          v.forEach(values::add);
        });
      }
      ArrayNode aud = status.putArray("audiences");
      u.audiences().forEach(aud::add);
    } else {
      status.putObject("user");
      status.put("error", "[invalid bearer token, " + r.error() + "]");
    }
    return out;
  }
}
