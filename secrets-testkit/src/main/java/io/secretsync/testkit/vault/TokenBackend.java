package io.secretsync.testkit.vault;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsync.testkit.server.ServerResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The token auth method at {@code auth/token/}: create (and create-orphan), lookup, lookup-self,
 * lookup-accessor, renew, renew-self, revoke, revoke-self, revoke-accessor. Service tokens only.
 */
final class TokenBackend implements Backend {
  private final TokenStore tokens;

  TokenBackend(TokenStore tokens) {
    this.tokens = tokens;
  }

  @Override
  public String mountType() {
    return "token";
  }

  @Override
  public ServerResponse handle(Call call) {
    String p = call.path();
    boolean write = call.op().isWrite();
    switch (p) {
      case "lookup-self":
        return call.op() == Op.READ || write ? Reply.ok(call.token().lookupJson(call.now(), true),
            mountType()) : Reply.unsupportedOperation();
      case "create":
      case "create-orphan":
        return write ? create(call, p.equals("create-orphan")) : Reply.unsupportedOperation();
      case "lookup":
        if (!write) {
          return Reply.unsupportedOperation();
        }
        return tokens.valid(call.text("token"), call.now())
            .map(t -> Reply.ok(t.lookupJson(call.now(), true), mountType()))
            .orElseGet(() -> Reply.error(403, "bad token"));
      case "lookup-accessor":
        if (!write) {
          return Reply.unsupportedOperation();
        }
        return tokens.validByAccessor(call.text("accessor"), call.now())
            .map(t -> Reply.ok(t.lookupJson(call.now(), false), mountType()))
            .orElseGet(() -> Reply.badRequest("invalid accessor"));
      case "renew-self":
        return write ? renew(call, call.token()) : Reply.unsupportedOperation();
      case "renew": {
        if (!write) {
          return Reply.unsupportedOperation();
        }
        Optional<Token> t = tokens.valid(call.text("token"), call.now());
        return t.isPresent() ? renew(call, t.get()) : Reply.badRequest("invalid lease ID");
      }
      case "revoke-self":
        if (!write) {
          return Reply.unsupportedOperation();
        }
        tokens.revoke(call.token());
        return Reply.noContent();
      case "revoke":
        if (!write) {
          return Reply.unsupportedOperation();
        }
        tokens.valid(call.text("token"), call.now()).ifPresent(tokens::revoke);
        return Reply.noContent();
      case "revoke-accessor":
        if (!write) {
          return Reply.unsupportedOperation();
        }
        tokens.validByAccessor(call.text("accessor"), call.now()).ifPresent(tokens::revoke);
        return Reply.noContent();
      default:
        return Reply.error(404, "1 error occurred:\n\t* unsupported path\n\n");
    }
  }

  private ServerResponse renew(Call call, Token token) {
    Duration increment;
    try {
      increment = GoDuration.parse(call.field("increment").orElse(null));
    } catch (GoDuration.InvalidDurationException e) {
      return Reply.badRequest(e.getMessage());
    }
    Token.Renewal r = token.renew(increment, call.now());
    if (r.error() != null) {
      return Reply.badRequest(r.error());
    }
    return Reply.auth(token.authJson(call.now()), r.warnings(), mountType());
  }

  private ServerResponse create(Call call, boolean orphanPath) {
    Token parent = call.token();
    if (call.text("type").equals("batch")) {
      return Reply.badRequest("batch tokens are not supported by this fake Vault");
    }
    boolean noDefault = call.text("no_default_policy").equals("true");
    TreeSet<String> requested = new TreeSet<>();
    Optional<JsonNode> policiesField = call.field("policies");
    if (policiesField.isPresent()) {
      requested.addAll(stringList(policiesField.get()));
    } else {
      requested.addAll(parent.policies);
      if (noDefault) {
        requested.remove("default");
      }
    }
    if (!parent.isRoot()) {
      for (String policy : requested) {
        if (!policy.equals("default") && !parent.policies.contains(policy)) {
          return Reply.badRequest("child policies must be subset of parent");
        }
      }
    }
    if (requested.contains("root") && !parent.isRoot()) {
      return Reply.badRequest("root tokens may not be created from a non-root token");
    }
    if (!noDefault && !requested.contains("root")) {
      requested.add("default");
    }
    Duration ttl;
    Duration explicitMax;
    try {
      ttl = GoDuration.parse(call.field("ttl").orElse(null));
      explicitMax = GoDuration.parse(call.field("explicit_max_ttl").orElse(null));
    } catch (GoDuration.InvalidDurationException e) {
      return Reply.badRequest(e.getMessage());
    }
    if (ttl.isZero()) {
      ttl = Token.SYSTEM_TTL;
    }
    Duration max = explicitMax.isZero() ? Token.SYSTEM_TTL : explicitMax;
    if (ttl.compareTo(max) > 0) {
      ttl = max;
    }
    boolean renewable = !call.text("renewable").equals("false");
    boolean orphan = orphanPath || call.text("no_parent").equals("true") && parent.isRoot();
    String name = call.text("display_name").toLowerCase(java.util.Locale.ROOT)
        .replaceAll("[^a-z0-9-]", "-");
    Map<String, String> meta = null;
    Optional<JsonNode> metaField = call.field("meta");
    if (metaField.isPresent() && metaField.get().isObject()) {
      meta = new LinkedHashMap<>();
      Map<String, String> m = meta;
      metaField.get().properties().forEach(e -> m.put(e.getKey(), e.getValue().asText()));
    }
    TokenStore.Spec spec = new TokenStore.Spec(call.namespace(),
        name.isEmpty() ? "token" : "token-" + name, "auth/token/" + call.path(), "",
        new ArrayList<>(requested), meta, ttl, explicitMax, max, renewable, orphan,
        orphan ? null : parent.id, null);
    String fixedId = parent.isRoot() && !call.text("id").isEmpty() ? call.text("id") : null;
    Token token = tokens.issue(spec, call.now(), fixedId);
    return Reply.auth(token.authJson(call.now()), null, mountType());
  }

  static List<String> stringList(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (node.isArray()) {
      node.forEach(n -> {
        String s = n.asText().trim();
        if (!s.isEmpty()) {
          out.add(s);
        }
      });
    } else {
      for (String s : node.asText().split(",")) {
        if (!s.trim().isEmpty()) {
          out.add(s.trim());
        }
      }
    }
    return out;
  }
}
