package io.secretsync.testkit.vault;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The capabilities a set of policies grants, evaluated as Vault's ACL does: an exact rule wins;
 * otherwise the best of the longest matching prefix glob and the matching {@code +} segment rules by
 * Vault's priority (first wildcard later, not ending in {@code *}, fewer {@code +}, longer,
 * lexicographically larger); the same path in several policies is merged, and {@code deny} on it wins.
 * A list request whose path ends in {@code /} also tries the path without the slash. Immutable.
 */
final class Acl {
  private static final Acl ROOT = new Acl(true, Map.of(), Map.of(), Map.of());

  private final boolean root;
  private final Map<String, Integer> exact;
  private final Map<String, Integer> prefix;
  private final Map<String, Integer> segment;

  private Acl(boolean root, Map<String, Integer> exact, Map<String, Integer> prefix,
      Map<String, Integer> segment) {
    this.root = root;
    this.exact = exact;
    this.prefix = prefix;
    this.segment = segment;
  }

  /** The ACL of the {@code root} policy: everything. */
  static Acl root() {
    return ROOT;
  }

  /** The merged ACL of {@code policies}. */
  static Acl of(Collection<Policy> policies) {
    Map<String, Integer> exact = new HashMap<>();
    Map<String, Integer> prefix = new HashMap<>();
    Map<String, Integer> segment = new HashMap<>();
    for (Policy p : policies) {
      for (Policy.Rule r : p.rules()) {
        Map<String, Integer> target = r.segmentWildcards() ? segment : r.prefix() ? prefix : exact;
        target.merge(r.path(), r.capabilities(), Acl::merge);
      }
    }
    return new Acl(false, Map.copyOf(exact), Map.copyOf(prefix), Map.copyOf(segment));
  }

  private static int merge(int a, int b) {
    return ((a | b) & Policy.DENY) != 0 ? Policy.DENY : a | b;
  }

  boolean isRoot() {
    return root;
  }

  /**
   * The capability bits granted on {@code path}; 0 when nothing matches, {@link Policy#DENY} alone
   * when denied. Root gets every bit but deny.
   */
  int capabilities(String path, boolean list) {
    if (root) {
      return ~Policy.DENY;
    }
    Integer bits = exact.get(path);
    if (bits == null && list && path.endsWith("/")) {
      bits = exact.get(path.substring(0, path.length() - 1));
    }
    if (bits == null) {
      bits = nonExact(path);
    }
    if (bits == null && list && path.endsWith("/")) {
      bits = nonExact(path.substring(0, path.length() - 1));
    }
    return bits == null ? 0 : bits;
  }

  /** Whether {@code capability} (a single bit) is granted on {@code path} and not denied. */
  boolean allows(String path, int capability, boolean list) {
    int bits = capabilities(path, list);
    return (bits & Policy.DENY) == 0 && (bits & capability) != 0;
  }

  /** Whether any rule grants something under {@code mountPath} (ends in {@code /}). */
  boolean hasAnyUnder(String mountPath) {
    if (root) {
      return true;
    }
    int atMount = capabilities(mountPath, false);
    if (atMount != 0 && (atMount & Policy.DENY) == 0) {
      return true;
    }
    for (Map<String, Integer> rules : List.of(exact, prefix)) {
      for (Map.Entry<String, Integer> e : rules.entrySet()) {
        if (e.getKey().startsWith(mountPath) && (e.getValue() & Policy.DENY) == 0
            && e.getValue() != 0) {
          return true;
        }
      }
    }
    String[] mountParts = mountPath.substring(0, mountPath.length() - 1).split("/", -1);
    for (Map.Entry<String, Integer> e : segment.entrySet()) {
      if ((e.getValue() & Policy.DENY) != 0 || e.getValue() == 0) {
        continue;
      }
      String[] parts = e.getKey().split("/", -1);
      if (parts.length <= mountParts.length) {
        continue;
      }
      boolean match = true;
      for (int i = 0; i < mountParts.length && match; i++) {
        match = parts[i].equals("+") || parts[i].equals(mountParts[i]);
      }
      if (match) {
        return true;
      }
    }
    return false;
  }

  private Integer nonExact(String path) {
    Candidate best = null;
    String longest = null;
    for (String p : prefix.keySet()) {
      if (path.startsWith(p) && (longest == null || p.length() > longest.length())) {
        longest = p;
      }
    }
    if (longest != null) {
      best = new Candidate(longest + "*", longest.length(), true, 0, prefix.get(longest));
    }
    for (Map.Entry<String, Integer> e : segment.entrySet()) {
      if (segmentMatches(e.getKey(), path)) {
        String pattern = e.getKey();
        int firstWildcard = firstWildcard(pattern);
        int plusCount = 0;
        for (String part : pattern.split("/", -1)) {
          if (part.equals("+")) {
            plusCount++;
          }
        }
        Candidate c = new Candidate(pattern, firstWildcard, pattern.endsWith("*"), plusCount,
            e.getValue());
        if (best == null || c.beats(best)) {
          best = c;
        }
      }
    }
    return best == null ? null : best.bits;
  }

  private static int firstWildcard(String pattern) {
    int plus = -1;
    String[] parts = pattern.split("/", -1);
    int offset = 0;
    for (String part : parts) {
      if (part.equals("+")) {
        plus = offset;
        break;
      }
      offset += part.length() + 1;
    }
    int star = pattern.endsWith("*") ? pattern.length() - 1 : -1;
    if (plus < 0) {
      return star;
    }
    return star < 0 ? plus : Math.min(plus, star);
  }

  /** Matches a pattern with {@code +} segments and an optional trailing {@code *}. */
  static boolean segmentMatches(String pattern, String path) {
    boolean glob = pattern.endsWith("*");
    String p = glob ? pattern.substring(0, pattern.length() - 1) : pattern;
    String[] want = p.split("/", -1);
    String[] have = path.split("/", -1);
    if (have.length < want.length || (!glob && have.length != want.length)) {
      return false;
    }
    for (int i = 0; i < want.length; i++) {
      boolean last = i == want.length - 1;
      if (want[i].equals("+")) {
        if (last && glob) {
          return true;
        }
        continue;
      }
      if (last && glob) {
        String rest = String.join("/", java.util.Arrays.copyOfRange(have, i, have.length));
        return rest.startsWith(want[i]);
      }
      if (!want[i].equals(have[i])) {
        return false;
      }
    }
    return true;
  }

  private record Candidate(String pattern, int firstWildcard, boolean endsInGlob, int plusCount,
      int bits) {
    boolean beats(Candidate other) {
      if (firstWildcard != other.firstWildcard) {
        return firstWildcard > other.firstWildcard;
      }
      if (endsInGlob != other.endsInGlob) {
        return !endsInGlob;
      }
      if (plusCount != other.plusCount) {
        return plusCount < other.plusCount;
      }
      if (pattern.length() != other.pattern.length()) {
        return pattern.length() > other.pattern.length();
      }
      return pattern.compareTo(other.pattern) > 0;
    }
  }

  /** The rules as {@code path -> capability names}, for diagnostics in tests. */
  Map<String, List<String>> describe() {
    Map<String, List<String>> out = new HashMap<>();
    exact.forEach((k, v) -> out.put(k, Policy.capabilityNames(v)));
    prefix.forEach((k, v) -> out.put(k + "*", Policy.capabilityNames(v)));
    segment.forEach((k, v) -> out.put(k, Policy.capabilityNames(v)));
    return out;
  }

  @Override
  public String toString() {
    return root ? "Acl{root}" : "Acl{" + new ArrayList<>(describe().keySet()) + "}";
  }
}
