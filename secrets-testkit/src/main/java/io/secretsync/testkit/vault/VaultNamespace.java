package io.secretsync.testkit.vault;

import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * One namespace: its secret mounts, auth mounts and policies. The root namespace has path {@code ""};
 * others end in {@code /} (e.g. {@code team-a/}). Thread-safe.
 */
final class VaultNamespace {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALPHANUM =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  final String path;
  final String id;
  final Map<String, Mount> mounts = new ConcurrentSkipListMap<>();
  final Map<String, Mount> auths = new ConcurrentSkipListMap<>();
  final Map<String, Policy> policies = new ConcurrentHashMap<>();

  VaultNamespace(String path) {
    this.path = path;
    this.id = path.isEmpty() ? "root" : randomId(5);
  }

  static String randomId(int length) {
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      b.append(ALPHANUM.charAt(RANDOM.nextInt(ALPHANUM.length())));
    }
    return b.toString();
  }

  boolean isRoot() {
    return path.isEmpty();
  }

  /** The secret mount with the longest path that prefixes {@code path}. */
  Optional<Mount> secretMountFor(String path) {
    return longest(mounts, path);
  }

  /** The auth mount for a path below {@code auth/}. */
  Optional<Mount> authMountFor(String pathBelowAuth) {
    return longest(auths, pathBelowAuth);
  }

  private static Optional<Mount> longest(Map<String, Mount> table, String path) {
    String p = path.endsWith("/") ? path : path + "/";
    Mount best = null;
    for (Mount m : table.values()) {
      if (p.startsWith(m.path) && (best == null || m.path.length() > best.path.length())) {
        best = m;
      }
    }
    return Optional.ofNullable(best);
  }

  @Override
  public String toString() {
    return "namespace '" + path + "'";
  }
}
