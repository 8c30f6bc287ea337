package io.secretsync.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * External Secrets Operator's Vault request count for the same work, computed (not measured) from
 * its documented per-reconcile calls. Every pass reconciles every ExternalSecret once, as a refresh
 * after {@code refreshInterval} does.
 *
 * <ul>
 *   <li>Default (no token cache): each reconcile builds a new client and logs in, reads once per
 *       {@code data[]} entry and once per {@code dataFrom.extract} (no de-duplication of equal keys),
 *       and on close sends {@code lookup-self} then {@code revoke-self}.
 *   <li>With {@code --enable-vault-token-cache}: one login per store on its first use; each
 *       reconcile then costs one {@code lookup-self} (the token check on every use) plus the reads.
 * </ul>
 *
 * Store validation (every 5 minutes per store by default) is left out: it is a per-store cost,
 * not a per-pass one, and adds to ESO's count, not to ours.
 */
record EsoModel(int externalSecrets, int stores, int dataEntries, int extracts) {

  static final String RULE_DEFAULT = "per reconcile: login + 1 read per data[] entry + 1 read per dataFrom.extract"
      + " + lookup-self + revoke-self on close";
  static final String RULE_CACHE = "with --enable-vault-token-cache: 1 login per store on first use; per reconcile:"
      + " lookup-self + 1 read per data[] entry + 1 read per dataFrom.extract";

  int readsPerReconcile() {
    return dataEntries + extracts;
  }

  /** Vault requests of one pass by kind, without the token cache. */
  Map<String, Long> withoutCache() {
    Map<String, Long> m = new LinkedHashMap<>();
    long n = externalSecrets;
    m.put("login", n);
    m.put("read", n * readsPerReconcile());
    m.put("lookup-self", n);
    m.put("revoke-self", n);
    m.put("total", n * (3L + readsPerReconcile()));
    return m;
  }

  /** Vault requests of one pass by kind, with the token cache; {@code first} adds the stores' logins. */
  Map<String, Long> withCache(boolean first) {
    Map<String, Long> m = new LinkedHashMap<>();
    long n = externalSecrets;
    long logins = first ? stores : 0;
    m.put("login", logins);
    m.put("read", n * readsPerReconcile());
    m.put("lookup-self", n);
    m.put("revoke-self", 0L);
    m.put("total", logins + n * (1L + readsPerReconcile()));
    return m;
  }
}
