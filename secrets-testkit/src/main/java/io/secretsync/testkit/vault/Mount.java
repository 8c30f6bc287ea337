package io.secretsync.testkit.vault;

import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;

/** A secrets engine or auth method mounted at a path (ending in {@code /}). Immutable. */
final class Mount {
  static final String VAULT_VERSION = "1.21.0";
  static final String BUILTIN = "v" + VAULT_VERSION + "+builtin.vault";
  private static final SecureRandom RANDOM = new SecureRandom();

  final String path;
  final String type;
  final String description;
  final Map<String, String> options;
  final String accessor;
  final String uuid;
  final boolean local;
  final boolean sealWrap;
  final Backend backend;
  final boolean auth;

  Mount(String path, String type, String description, Map<String, String> options,
      Function<Mount, Backend> backend, boolean auth, boolean local, boolean sealWrap) {
    this.path = path;
    this.type = type;
    this.description = description;
    this.options = options;
    this.auth = auth;
    this.local = local;
    this.sealWrap = sealWrap;
    this.accessor = (auth ? "auth_" + type.replace('-', '_') : type.replace('-', '_')) + "_"
        + String.format("%08x", RANDOM.nextInt());
    this.uuid = UUID.randomUUID().toString();
    this.backend = backend.apply(this);
  }

  /** The plugin version Vault reports for builtin plugins of this type. */
  String runningPluginVersion() {
    return switch (type) {
      case "kv" -> "v0.25.0+builtin";
      case "kubernetes" -> "v0.23.0+builtin";
      default -> BUILTIN;
    };
  }

  /** The mount as {@code sys/mounts} and {@code sys/auth} render it (keys sorted, as Go does). */
  Map<String, Object> toJson() {
    Map<String, Object> config = new TreeMap<>();
    config.put("default_lease_ttl", 0);
    config.put("force_no_cache", false);
    config.put("max_lease_ttl", 0);
    if (auth) {
      config.put("token_type", "default-service");
    }
    if (type.equals("system")) {
      config.put("passthrough_request_headers", List.of("Accept"));
    }
    if (type.equals("identity")) {
      config.put("passthrough_request_headers", List.of("Authorization"));
    }
    Map<String, Object> m = new TreeMap<>();
    m.put("accessor", accessor);
    m.put("config", config);
    if (type.equals("kv") || type.equals("kubernetes")) {
      m.put("deprecation_status", "supported");
    }
    m.put("description", description);
    m.put("external_entropy_access", false);
    m.put("local", local);
    m.put("options", options == null ? null : new LinkedHashMap<>(options));
    m.put("plugin_version", "");
    m.put("running_plugin_version", runningPluginVersion());
    m.put("running_sha256", "");
    m.put("seal_wrap", sealWrap);
    m.put("type", type);
    m.put("uuid", uuid);
    return m;
  }

  @Override
  public String toString() {
    return (auth ? "auth/" : "") + path + " (" + type + ")";
  }
}
