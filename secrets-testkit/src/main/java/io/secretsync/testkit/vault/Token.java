package io.secretsync.testkit.vault;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A service token: id, accessor, policies, TTL and the limits renewals obey. The expiry moves on
 * renewal; everything else is fixed. Thread-safe. {@link #toString()} never shows the id.
 */
final class Token {
  /** Vault's default and maximum lease TTL (768h), as in {@code vault server -dev}. */
  static final Duration SYSTEM_TTL = Duration.ofHours(768);

  final String id;
  final String accessor;
  final String namespacePath;
  final String namespaceId;
  final String displayName;
  final String path;
  final String entityId;
  final List<String> policies;
  final Map<String, String> meta;
  final Instant issued;
  final Duration ttl;
  final Duration explicitMaxTtl;
  final Duration maxTtl;
  final boolean renewable;
  final boolean orphan;
  final String parentId;
  final String authMountAccessor;
  private Instant expireTime;
  private Instant lastRenewal;
  private boolean revoked;

  Token(String id, String accessor, VaultNamespace namespace, String displayName, String path,
      String entityId, List<String> policies, Map<String, String> meta, Instant issued,
      Duration ttl, Duration explicitMaxTtl, Duration maxTtl, boolean renewable, boolean orphan,
      String parentId, String authMountAccessor) {
    this.id = id;
    this.accessor = accessor;
    this.namespacePath = namespace.path;
    this.namespaceId = namespace.id;
    this.displayName = displayName;
    this.path = path;
    this.entityId = entityId;
    this.policies = List.copyOf(policies);
    this.meta = meta == null ? null : Map.copyOf(meta);
    this.issued = issued;
    this.ttl = ttl;
    this.explicitMaxTtl = explicitMaxTtl;
    this.maxTtl = maxTtl;
    this.renewable = renewable;
    this.orphan = orphan;
    this.parentId = parentId;
    this.authMountAccessor = authMountAccessor;
    this.expireTime = ttl.isZero() ? null : issued.plus(ttl);
  }

  boolean isRoot() {
    return policies.contains("root");
  }

  synchronized Instant expireTime() {
    return expireTime;
  }

  synchronized boolean isValid(Instant now) {
    return !revoked && (expireTime == null || now.isBefore(expireTime));
  }

  synchronized void revoke() {
    revoked = true;
  }

  /** Seconds left, 0 for a token that never expires. */
  synchronized long ttlSeconds(Instant now) {
    if (expireTime == null) {
      return 0;
    }
    return Math.max(0, Duration.between(now, expireTime).getSeconds());
  }

  /** The result of a renewal: the new TTL and Vault's warnings, or an error message for a 400. */
  record Renewal(Duration ttl, List<String> warnings, String error) {}

  /**
   * Renews as Vault's expiration manager does: {@code increment} (or the token's own TTL when zero),
   * capped at the max TTL counted from issue time with a warning; refused when not renewable or past
   * the max TTL.
   */
  synchronized Renewal renew(Duration increment, Instant now) {
    if (!renewable || expireTime == null) {
      return new Renewal(null, List.of(), "lease is not renewable");
    }
    Duration wanted = increment.isZero() || increment.isNegative()
        ? (ttl.isZero() ? SYSTEM_TTL : ttl) : increment;
    Duration remaining = Duration.between(now, issued.plus(maxTtl));
    if (remaining.isZero() || remaining.isNegative()) {
      return new Renewal(null, List.of(), "past the max TTL, cannot renew");
    }
    List<String> warnings = new ArrayList<>();
    Duration granted = wanted;
    if (wanted.compareTo(remaining) > 0) {
      Duration rounded = Duration.ofSeconds(remaining.getSeconds()
          + (remaining.getNano() >= 500_000_000 ? 1 : 0));
      warnings.add("TTL of \"" + GoDuration.format(wanted) + "\" exceeded the effective max_ttl of \""
          + GoDuration.format(rounded) + "\"; TTL value is capped accordingly");
      granted = remaining;
    }
    expireTime = now.plus(granted);
    lastRenewal = now;
    return new Renewal(granted, warnings, null);
  }

  /** The {@code auth} block of login, create and renew answers. */
  synchronized Map<String, Object> authJson(Instant now) {
    Map<String, Object> auth = new LinkedHashMap<>();
    auth.put("client_token", id);
    auth.put("accessor", accessor);
    auth.put("policies", policies);
    auth.put("token_policies", policies);
    auth.put("metadata", meta == null ? null : new TreeMap<>(meta));
    auth.put("lease_duration", ttlSeconds(now));
    auth.put("renewable", renewable);
    auth.put("entity_id", entityId);
    auth.put("token_type", "service");
    auth.put("orphan", orphan);
    auth.put("mfa_requirement", null);
    auth.put("num_uses", 0);
    return auth;
  }

  /** The {@code data} of lookup answers (keys sorted, as Go renders the map). */
  synchronized Map<String, Object> lookupJson(Instant now, boolean includeId) {
    Map<String, Object> d = new TreeMap<>();
    d.put("accessor", accessor);
    d.put("creation_time", issued.getEpochSecond());
    d.put("creation_ttl", ttl.getSeconds());
    d.put("display_name", displayName);
    d.put("entity_id", entityId);
    d.put("expire_time", expireTime == null ? null : VaultJson.time(expireTime));
    d.put("explicit_max_ttl", explicitMaxTtl.getSeconds());
    d.put("id", includeId ? id : "");
    d.put("issue_time", VaultJson.time(issued));
    d.put("meta", meta == null ? null : new TreeMap<>(meta));
    d.put("num_uses", 0);
    d.put("orphan", orphan);
    d.put("path", path);
    d.put("policies", policies);
    d.put("renewable", renewable && expireTime != null);
    d.put("ttl", ttlSeconds(now));
    d.put("type", "service");
    if (lastRenewal != null) {
      d.put("last_renewal", VaultJson.time(lastRenewal));
      d.put("last_renewal_time", lastRenewal.getEpochSecond());
    }
    if (!namespacePath.isEmpty()) {
      d.put("namespace_path", namespacePath);
    }
    return d;
  }

  @Override
  public String toString() {
    return "Token{accessor=" + accessor + ", policies=" + policies + ", namespace='" + namespacePath
        + "'}";
  }
}
