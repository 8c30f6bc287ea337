package io.secretsync.testkit.vault;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/** All tokens of all namespaces, by id and accessor. Thread-safe. */
final class TokenStore {
  private final Map<String, Token> byId = new ConcurrentHashMap<>();
  private final Map<String, Token> byAccessor = new ConcurrentHashMap<>();

  /** Parameters of a new token. */
  record Spec(VaultNamespace namespace, String displayName, String path, String entityId,
      List<String> policies, Map<String, String> meta, Duration ttl, Duration explicitMaxTtl,
      Duration maxTtl, boolean renewable, boolean orphan, String parentId,
      String authMountAccessor) {}

  /** Issues a token with a Vault-looking id ({@code hvs.} + random) and accessor. */
  Token issue(Spec spec, Instant now) {
    return issue(spec, now, null);
  }

  /** Issues a token with a given id (the root token of a fake may be chosen by the user). */
  Token issue(Spec spec, Instant now, String fixedId) {
    String suffix = spec.namespace().isRoot() ? "" : "." + spec.namespace().id;
    String id = fixedId != null ? fixedId : "hvs." + VaultNamespace.randomId(24) + suffix;
    String accessor = VaultNamespace.randomId(24) + suffix;
    Token t = new Token(id, accessor, spec.namespace(), spec.displayName(), spec.path(),
        spec.entityId(), spec.policies(), spec.meta(), now, spec.ttl(), spec.explicitMaxTtl(),
        spec.maxTtl(), spec.renewable(), spec.orphan(), spec.parentId(),
        spec.authMountAccessor());
    byId.put(id, t);
    byAccessor.put(accessor, t);
    return t;
  }

  /** The token with {@code id} if it exists and is neither expired nor revoked. */
  Optional<Token> valid(String id, Instant now) {
    Token t = byId.get(id);
    if (t == null) {
      return Optional.empty();
    }
    if (!t.isValid(now) || (!t.orphan && t.parentId != null && valid(t.parentId, now).isEmpty())) {
      revoke(t);
      return Optional.empty();
    }
    return Optional.of(t);
  }

  Optional<Token> validByAccessor(String accessor, Instant now) {
    Token t = byAccessor.get(accessor);
    return t == null ? Optional.empty() : valid(t.id, now);
  }

  /** Revokes a token and, like Vault, every non-orphan child below it. */
  void revoke(Token token) {
    token.revoke();
    byId.remove(token.id);
    byAccessor.remove(token.accessor);
    for (Token child : List.copyOf(byId.values())) {
      if (!child.orphan && token.id.equals(child.parentId)) {
        revoke(child);
      }
    }
  }

  /** Revokes every token matching {@code filter}. */
  void revokeIf(Predicate<Token> filter) {
    for (Token t : List.copyOf(byId.values())) {
      if (filter.test(t)) {
        revoke(t);
      }
    }
  }

  /** How many tokens are valid at {@code now}: issued, and neither expired nor revoked. */
  long validCount(Instant now) {
    return List.copyOf(byId.values()).stream().filter(t -> valid(t.id, now).isPresent()).count();
  }

  int size() {
    return byId.size();
  }
}
