package io.secretsync.benchmarks;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Requests the fakes answered between two snapshots of their audit logs, grouped: Vault by kind
 * (login, read, metadata, list, lookup-self, renew-self, revoke-self, other), Kubernetes by verb
 * and resource ({@code create secrets}, {@code get configmaps}, {@code create tokenreviews}...).
 */
record RequestCounts(Map<String, Long> vault, Map<String, Long> kubernetes) {

  static final List<String> VAULT_KINDS = List.of("login", "read", "metadata", "list", "lookup-self", "renew-self",
      "revoke-self", "other");

  /** A snapshot of both audit logs' per-endpoint counters. */
  record Snapshot(Map<String, Long> vault, Map<String, Long> kubernetes) {
    static Snapshot of(Scenario scenario) {
      return new Snapshot(scenario.vault.auditLog().counts(), scenario.kube.auditLog().counts());
    }
  }

  static RequestCounts between(Snapshot before, Snapshot after) {
    Map<String, Long> vault = new TreeMap<>();
    for (String kind : VAULT_KINDS) {
      vault.put(kind, 0L);
    }
    after.vault().forEach((endpoint, count) -> {
      long delta = count - before.vault().getOrDefault(endpoint, 0L);
      if (delta != 0) {
        vault.merge(vaultKind(endpoint), delta, Long::sum);
      }
    });
    Map<String, Long> kube = new TreeMap<>();
    after.kubernetes().forEach((endpoint, count) -> {
      long delta = count - before.kubernetes().getOrDefault(endpoint, 0L);
      if (delta != 0) {
        kube.merge(kubeVerb(endpoint), delta, Long::sum);
      }
    });
    return new RequestCounts(vault, kube);
  }

  static String vaultKind(String endpoint) {
    int space = endpoint.indexOf(' ');
    String method = endpoint.substring(0, space);
    String path = endpoint.substring(space + 1);
    if (path.endsWith("/login")) {
      return "login";
    }
    if (path.equals("/v1/auth/token/lookup-self")) {
      return "lookup-self";
    }
    if (path.equals("/v1/auth/token/renew-self")) {
      return "renew-self";
    }
    if (path.equals("/v1/auth/token/revoke-self")) {
      return "revoke-self";
    }
    if (method.equals("LIST")) {
      return "list";
    }
    if (method.equals("GET") && path.startsWith("/v1/" + Scenario.MOUNT + "/data/")) {
      return "read";
    }
    if (method.equals("GET") && path.startsWith("/v1/" + Scenario.MOUNT + "/metadata/")) {
      return "metadata";
    }
    return "other";
  }

  /** {@code "<verb> <resource>"}: get, list, create, update, patch or delete of the path's resource. */
  static String kubeVerb(String endpoint) {
    int space = endpoint.indexOf(' ');
    String method = endpoint.substring(0, space);
    String[] parts = endpoint.substring(space + 1).split("/");
    // /api/v1/namespaces/ns/secrets/name, /apis/g/v/namespaces/ns/plural/name/sub, /apis/g/v/plural
    int start = parts.length > 1 && parts[1].equals("api") ? 3 : 4;
    String resource = "?";
    boolean named = false;
    String sub = "";
    int i = start;
    if (i < parts.length && parts[i].equals("namespaces") && i + 2 < parts.length) {
      i += 2;
    }
    if (i < parts.length) {
      resource = parts[i];
      named = i + 1 < parts.length;
      if (i + 2 < parts.length) {
        sub = "/" + parts[i + 2];
      }
    }
    String verb = switch (method) {
      case "GET" -> named ? "get" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> "delete";
      default -> method.toLowerCase(java.util.Locale.ROOT);
    };
    return verb + " " + resource + sub;
  }

  long vault(String kind) {
    return vault.getOrDefault(kind, 0L);
  }

  long vaultTotal() {
    return vault.values().stream().mapToLong(Long::longValue).sum();
  }

  long kube(String verbResource) {
    return kubernetes.getOrDefault(verbResource, 0L);
  }

  /** Writes to Secrets: create, update, patch, delete. */
  long secretWrites() {
    return kube("create secrets") + kube("update secrets") + kube("patch secrets") + kube("delete secrets");
  }

  long kubeTotal() {
    return kubernetes.values().stream().mapToLong(Long::longValue).sum();
  }
}
