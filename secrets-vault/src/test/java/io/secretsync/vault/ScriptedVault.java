package io.secretsync.vault;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * A scripted stand-in for the few Vault endpoints the token lifecycle uses (login, renew-self,
 * revoke-self, lookup-self, one KV v2 secret), with counters and switches for each behaviour the
 * TokenManager must handle. Tokens are "hvs.test-N"; a token is valid until revoked or dropped.
 */
final class ScriptedVault extends Dispatcher {
  final AtomicInteger logins = new AtomicInteger();
  final AtomicInteger renewals = new AtomicInteger();
  final AtomicInteger revocations = new AtomicInteger();
  final AtomicInteger lookups = new AtomicInteger();
  final AtomicInteger reads = new AtomicInteger();
  final Set<String> valid = ConcurrentHashMap.newKeySet();
  final Map<String, String> lastHeaders = new ConcurrentHashMap<>();

  volatile int loginTtl = 3600;
  volatile boolean renewable = true;
  volatile int renewTtl = 3600;
  volatile boolean refuseRenewal;
  volatile int loginStatus = 200;
  volatile String loginError = "permission denied";
  volatile long loginDelayMillis;
  volatile String lastRenewIncrement;
  volatile String lastLoginJwt;

  /** Forgets every token, as Vault does when they expire or are revoked out of band. */
  void dropAllTokens() {
    valid.clear();
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
    String path = request.getUrl().encodedPath();
    String token = request.getHeaders().get("X-Vault-Token");
    request.getHeaders().forEach(h -> lastHeaders.put(h.getFirst().toLowerCase(java.util.Locale.ROOT), h.getSecond()));
    switch (path) {
      case "/v1/auth/kubernetes/login" -> {
        if (loginDelayMillis > 0) {
          Thread.sleep(loginDelayMillis);
        }
        int n = logins.incrementAndGet();
        lastLoginJwt = request.getBody() == null ? null
            : request.getBody().utf8().replaceAll(".*\"jwt\":\"([^\"]*)\".*", "$1");
        if (loginStatus != 200) {
          return json(loginStatus, "{\"errors\":[\"" + loginError + "\"]}");
        }
        String issued = "hvs.test-" + n;
        valid.add(issued);
        return json(200, "{\"auth\":{\"client_token\":\"" + issued + "\",\"policies\":[\"default\",\"app\"],"
            + "\"lease_duration\":" + loginTtl + ",\"renewable\":" + renewable + ",\"token_type\":\"service\"}}");
      }
      case "/v1/auth/token/renew-self" -> {
        if (!valid.contains(token)) {
          return invalidToken();
        }
        renewals.incrementAndGet();
        lastRenewIncrement = request.getBody() == null ? null
            : request.getBody().utf8().replaceAll(".*\"increment\":\"([^\"]*)\".*", "$1");
        if (refuseRenewal) {
          return json(400, "{\"errors\":[\"lease is not renewable\"]}");
        }
        return json(200, "{\"auth\":{\"client_token\":\"" + token + "\",\"lease_duration\":" + renewTtl
            + ",\"renewable\":true}}");
      }
      case "/v1/auth/token/revoke-self" -> {
        if (!valid.remove(token)) {
          return invalidToken();
        }
        revocations.incrementAndGet();
        return new MockResponse.Builder().code(204).build();
      }
      case "/v1/auth/token/lookup-self" -> {
        lookups.incrementAndGet();
        return valid.contains(token) || "static-token".equals(token)
            ? json(200, "{\"data\":{\"ttl\":0,\"policies\":[\"root\"]}}") : invalidToken();
      }
      case "/v1/secret/data/app" -> {
        reads.incrementAndGet();
        if (!valid.contains(token) && !"static-token".equals(token)) {
          return invalidToken();
        }
        return json(200, "{\"data\":{\"data\":{\"password\":\"s3cr3t\"},\"metadata\":{\"version\":1}}}");
      }
      case "/v1/secret/data/denied" -> {
        return json(403, "{\"errors\":[\"1 error occurred:\\n\\t* permission denied\\n\\n\"]}");
      }
      default -> {
        return json(404, "{\"errors\":[]}");
      }
    }
  }

  private static MockResponse invalidToken() {
    return json(403, "{\"errors\":[\"2 errors occurred:\\n\\t* permission denied\\n\\t* invalid token\\n\\n\"]}");
  }

  static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build();
  }
}
