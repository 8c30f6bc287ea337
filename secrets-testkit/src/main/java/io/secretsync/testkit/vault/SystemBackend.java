package io.secretsync.testkit.vault;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsync.testkit.server.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@code sys/} paths the fake serves: health, seal-status, seal, mounts, auth, policies/acl,
 * internal/ui/mounts, capabilities-self and namespaces. Paths are relative to {@code sys/}.
 */
final class SystemBackend implements Backend {
  private static final List<String> RESERVED = List.of("sys/", "cubbyhole/", "identity/", "auth/");

  private final VaultEngine engine;

  SystemBackend(VaultEngine engine) {
    this.engine = engine;
  }

  @Override
  public String mountType() {
    return "system";
  }

  @Override
  public Boolean exists(String path) {
    return null;
  }

  @Override
  public boolean requiresSudo(String path, Op op) {
    return path.startsWith("auth/") || path.equals("seal");
  }

  /** Existence for policies, which depends on the namespace. */
  Boolean exists(String path, VaultNamespace ns) {
    if (path.startsWith("policies/acl/")) {
      return ns.policies.containsKey(path.substring(13).toLowerCase(Locale.ROOT));
    }
    return null;
  }

  @Override
  public ServerResponse handle(Call call) {
    String p = call.path();
    Op op = call.op();
    VaultNamespace ns = call.namespace();
    if (p.equals("mounts")) {
      return op == Op.READ ? mountTable(ns.mounts) : Reply.unsupportedOperation();
    }
    if (p.startsWith("mounts/")) {
      return mount(call, normalize(p.substring(7)));
    }
    if (p.equals("auth")) {
      return op == Op.READ ? mountTable(ns.auths) : Reply.unsupportedOperation();
    }
    if (p.startsWith("auth/")) {
      return auth(call, normalize(p.substring(5)));
    }
    if (p.equals("policies/acl/") || p.equals("policies/acl")) {
      return op == Op.LIST ? listPolicies(ns) : Reply.unsupportedOperation();
    }
    if (p.startsWith("policies/acl/")) {
      return policy(call, p.substring(13).toLowerCase(Locale.ROOT));
    }
    if (p.equals("capabilities-self")) {
      return op.isWrite() ? capabilitiesSelf(call) : Reply.unsupportedOperation();
    }
    if (p.equals("seal")) {
      if (!op.isWrite()) {
        return Reply.unsupportedOperation();
      }
      engine.setSealed(true);
      return Reply.noContent();
    }
    if (p.equals("namespaces/") || p.equals("namespaces")) {
      return op == Op.LIST ? listNamespaces(ns) : Reply.unsupportedOperation();
    }
    if (p.startsWith("namespaces/")) {
      return namespace(call, normalize(p.substring(11)));
    }
    return Reply.error(404, "1 error occurred:\n\t* unsupported path\n\n");
  }

  static String normalize(String path) {
    String p = path;
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    return p.isEmpty() || p.endsWith("/") ? p : p + "/";
  }

  // ------------------------------------------------------------------ mounts

  private ServerResponse mountTable(Map<String, Mount> table) {
    Map<String, Object> mounts = new TreeMap<>();
    table.forEach((path, m) -> mounts.put(path, m.toJson()));
    Map<String, Object> body = new TreeMap<>(Reply.envelope(mounts, null, null, mountType()));
    body.putAll(mounts);
    return Reply.json(200, body);
  }

  private ServerResponse mount(Call call, String path) {
    VaultNamespace ns = call.namespace();
    switch (call.op()) {
      case READ: {
        Mount m = ns.mounts.get(path);
        if (m == null) {
          return Reply.badRequest("No secret engine mount at " + path);
        }
        return Reply.ok(m.toJson(), mountType());
      }
      case CREATE:
      case UPDATE: {
        String type = call.text("type");
        Map<String, String> options = new LinkedHashMap<>();
        call.field("options").filter(JsonNode::isObject).ifPresent(o ->
            o.properties().forEach(e -> options.put(e.getKey(), e.getValue().asText())));
        if (type.equals("kv-v2")) {
          type = "kv";
          options.put("version", "2");
        }
        if (type.isEmpty()) {
          return Reply.badRequest("backend type must be specified as a string");
        }
        if (!type.equals("kv") && !type.equals("generic")) {
          return Reply.badRequest("plugin not found in the catalog: " + type);
        }
        String conflict = conflict(ns.mounts, path);
        if (conflict != null) {
          return Reply.badRequest("path is already in use at " + conflict);
        }
        engine.enableKv(ns, path, "2".equals(options.get("version")) ? 2 : 1,
            call.text("description"));
        return Reply.noContent();
      }
      case DELETE:
        if (RESERVED.contains(path)) {
          return Reply.badRequest("cannot unmount \"" + path + "\"");
        }
        ns.mounts.remove(path);
        return Reply.noContent();
      default:
        return Reply.unsupportedOperation();
    }
  }

  private static String conflict(Map<String, Mount> table, String path) {
    for (String reserved : RESERVED) {
      if (path.startsWith(reserved)) {
        return reserved;
      }
    }
    for (String existing : table.keySet()) {
      if (path.startsWith(existing) || existing.startsWith(path)) {
        return existing;
      }
    }
    return null;
  }

  private ServerResponse auth(Call call, String path) {
    VaultNamespace ns = call.namespace();
    switch (call.op()) {
      case READ: {
        Mount m = ns.auths.get(path);
        if (m == null) {
          return Reply.badRequest("No auth engine at " + path);
        }
        return Reply.ok(m.toJson(), mountType());
      }
      case CREATE:
      case UPDATE: {
        String type = call.text("type");
        if (type.isEmpty()) {
          return Reply.badRequest("backend type must be specified as a string");
        }
        String conflict = null;
        for (String existing : ns.auths.keySet()) {
          if (path.startsWith(existing) || existing.startsWith(path)) {
            conflict = existing;
          }
        }
        if (conflict != null) {
          return Reply.badRequest("path is already in use at auth/" + conflict);
        }
        if (!type.equals("kubernetes")) {
          return Reply.badRequest("plugin not found in the catalog: " + type);
        }
        engine.enableKubernetes(ns, path, call.text("description"));
        return Reply.noContent();
      }
      case DELETE: {
        if (path.equals("token/")) {
          return Reply.badRequest("token credential backend cannot be disabled");
        }
        Mount m = ns.auths.remove(path);
        if (m != null) {
          engine.tokens().revokeIf(t -> m.accessor.equals(t.authMountAccessor));
        }
        return Reply.noContent();
      }
      default:
        return Reply.unsupportedOperation();
    }
  }

  // ------------------------------------------------------------------ policies

  private ServerResponse listPolicies(VaultNamespace ns) {
    List<String> keys = new ArrayList<>(new TreeSet<>(ns.policies.keySet()));
    if (ns.isRoot()) {
      keys.add("root");
    }
    Map<String, Object> data = new TreeMap<>();
    data.put("keys", keys);
    return Reply.ok(data, mountType());
  }

  private ServerResponse policy(Call call, String name) {
    VaultNamespace ns = call.namespace();
    switch (call.op()) {
      case READ: {
        Policy p = ns.policies.get(name);
        if (p == null) {
          return Reply.notFound();
        }
        Map<String, Object> d = new TreeMap<>();
        d.put("name", p.name());
        d.put("policy", p.raw());
        return Reply.ok(d, mountType());
      }
      case CREATE:
      case UPDATE: {
        if (name.isEmpty()) {
          return Reply.badRequest("policy name must be provided in the URL");
        }
        String raw = call.text("policy");
        if (raw.isEmpty()) {
          return Reply.badRequest("'policy' parameter not supplied or empty");
        }
        try {
          raw = new String(Base64.getDecoder().decode(raw), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          // not base64: the policy text itself
        }
        if (name.equals("root")) {
          return Reply.badRequest("cannot update \"root\" policy");
        }
        try {
          ns.policies.put(name, Policy.parse(name, raw, ns.path));
        } catch (Policy.InvalidPolicyException e) {
          return Reply.badRequest(e.getMessage());
        }
        return Reply.noContent();
      }
      case DELETE:
        if (name.equals("root") || name.equals("default")) {
          return Reply.badRequest("cannot delete \"" + name + "\" policy");
        }
        ns.policies.remove(name);
        return Reply.noContent();
      default:
        return Reply.unsupportedOperation();
    }
  }

  private ServerResponse capabilitiesSelf(Call call) {
    List<String> paths = TokenBackend.stringList(call.field("paths").orElse(null));
    if (paths.isEmpty()) {
      paths = TokenBackend.stringList(call.field("path").orElse(null));
    }
    if (paths.isEmpty()) {
      return Reply.badRequest("missing path");
    }
    Acl acl = engine.aclFor(call.token());
    Map<String, Object> data = new TreeMap<>();
    List<String> last = List.of();
    for (String path : paths) {
      String full = call.namespace().path + (path.startsWith("/") ? path.substring(1) : path);
      List<String> caps;
      if (acl.isRoot()) {
        caps = List.of("root");
      } else {
        int bits = acl.capabilities(full, false);
        caps = bits == 0 || (bits & Policy.DENY) != 0 ? List.of("deny")
            : new ArrayList<>(new TreeSet<>(Policy.capabilityNames(bits)));
      }
      data.put(path, caps);
      last = caps;
    }
    data.put("capabilities", last);
    return Reply.ok(data, mountType());
  }

  // ------------------------------------------------------------------ ui mounts

  /** {@code sys/internal/ui/mounts/<path>}: the mount holding a path, if the token may use it. */
  ServerResponse uiMount(VaultNamespace ns, String path, Optional<Token> token) {
    String sanitized = normalize(path);
    ServerResponse denied = Reply.error(403, "preflight capability check returned 403, please "
        + "ensure client's policies grant access to path \"" + sanitized + "\"");
    Optional<Mount> mount = sanitized.startsWith("auth/")
        ? ns.authMountFor(sanitized.substring(5)) : ns.secretMountFor(sanitized);
    if (mount.isEmpty() || token.isEmpty()) {
      return denied;
    }
    Mount m = mount.get();
    String mountPath = (m.auth ? "auth/" : "") + m.path;
    if (!engine.aclFor(token.get()).hasAnyUnder(ns.path + mountPath)) {
      return denied;
    }
    Map<String, Object> data = new TreeMap<>(m.toJson());
    data.put("path", mountPath);
    return Reply.ok(data, mountType());
  }

  /** {@code sys/internal/ui/mounts}: the mounts a token may use, by kind. */
  ServerResponse uiMounts(VaultNamespace ns, Optional<Token> token) {
    Map<String, Object> secret = new TreeMap<>();
    Map<String, Object> auth = new TreeMap<>();
    if (token.isPresent()) {
      Acl acl = engine.aclFor(token.get());
      ns.mounts.forEach((p, m) -> {
        if (acl.hasAnyUnder(ns.path + p)) {
          secret.put(p, m.toJson());
        }
      });
      ns.auths.forEach((p, m) -> {
        if (acl.hasAnyUnder(ns.path + "auth/" + p)) {
          auth.put(p, m.toJson());
        }
      });
    }
    Map<String, Object> data = new TreeMap<>();
    data.put("auth", auth);
    data.put("secret", secret);
    return Reply.ok(data, mountType());
  }

  // ------------------------------------------------------------------ namespaces

  private ServerResponse listNamespaces(VaultNamespace ns) {
    Map<String, Object> info = new TreeMap<>();
    for (VaultNamespace child : engine.childNamespaces(ns)) {
      info.put(child.path.substring(ns.path.length()), namespaceJson(child));
    }
    if (info.isEmpty()) {
      return Reply.notFound();
    }
    Map<String, Object> data = new TreeMap<>();
    data.put("key_info", info);
    data.put("keys", new ArrayList<>(info.keySet()));
    return Reply.ok(data, mountType());
  }

  private static Map<String, Object> namespaceJson(VaultNamespace ns) {
    Map<String, Object> d = new TreeMap<>();
    d.put("custom_metadata", Map.of());
    d.put("id", ns.id);
    d.put("path", ns.path);
    return d;
  }

  private ServerResponse namespace(Call call, String name) {
    String full = call.namespace().path + name;
    switch (call.op()) {
      case READ:
        return engine.namespace(full).map(n -> Reply.ok(namespaceJson(n), mountType()))
            .orElseGet(Reply::notFound);
      case CREATE:
      case UPDATE:
        if (name.isEmpty() || name.chars().filter(c -> c == '/').count() != 1) {
          return Reply.badRequest("invalid namespace path \"" + name + "\"");
        }
        return Reply.ok(namespaceJson(engine.createNamespace(full)), mountType());
      case DELETE:
        engine.deleteNamespace(full);
        return Reply.noContent();
      default:
        return Reply.unsupportedOperation();
    }
  }
}
