package io.secretsync.testkit.vault;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed ACL policy: its name, raw text and path rules. Parsing follows Vault's
 * {@code ParseACLPolicy}: HCL (or JSON) with top-level keys {@code name} and {@code path}, path blocks
 * with {@code capabilities} or the legacy {@code policy}, a leading {@code /} stripped, a trailing
 * {@code *} as prefix glob, {@code +} as one segment, {@code +*} forbidden, and Vault's error texts
 * ({@code failed to parse policy: ...}). Immutable.
 */
record Policy(String name, String raw, List<Rule> rules) {

  static final int DENY = 1;
  static final int CREATE = 1 << 1;
  static final int READ = 1 << 2;
  static final int UPDATE = 1 << 3;
  static final int DELETE = 1 << 4;
  static final int LIST = 1 << 5;
  static final int SUDO = 1 << 6;
  static final int PATCH = 1 << 7;

  private static final Map<String, Integer> CAPABILITIES = new LinkedHashMap<>();

  static {
    CAPABILITIES.put("deny", DENY);
    CAPABILITIES.put("create", CREATE);
    CAPABILITIES.put("read", READ);
    CAPABILITIES.put("update", UPDATE);
    CAPABILITIES.put("delete", DELETE);
    CAPABILITIES.put("list", LIST);
    CAPABILITIES.put("sudo", SUDO);
    CAPABILITIES.put("patch", PATCH);
  }

  private static final Set<String> TOP_LEVEL_KEYS = Set.of("name", "path");
  private static final Set<String> PATH_KEYS = Set.of("comment", "policy", "capabilities",
      "allowed_parameters", "denied_parameters", "required_parameters", "min_wrapping_ttl",
      "max_wrapping_ttl", "mfa_methods", "control_group");

  /**
   * One path rule. {@code path} is the full path (namespace prefix included) without a trailing glob
   * {@code *} when {@code prefix}; with segment wildcards the {@code *} is kept.
   */
  record Rule(String path, boolean prefix, boolean segmentWildcards, int capabilities) {}

  /** Thrown for an unparseable policy; the message is Vault's error text. */
  static final class InvalidPolicyException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidPolicyException(String message) {
      super(message);
    }
  }

  /** Names of the capabilities set in {@code bits}, in Vault's order. */
  static List<String> capabilityNames(int bits) {
    List<String> names = new ArrayList<>();
    CAPABILITIES.forEach((name, bit) -> {
      if ((bits & bit) != 0) {
        names.add(name);
      }
    });
    return names;
  }

  /**
   * Parses a policy written in the namespace whose path is {@code namespacePath} ({@code ""} for
   * root, else ending in {@code /}).
   */
  static Policy parse(String name, String raw, String namespacePath) throws InvalidPolicyException {
    List<Rule> rules = new ArrayList<>();
    if (raw.stripLeading().startsWith("{")) {
      parseJson(raw, namespacePath, rules);
    } else {
      Hcl.ObjectValue root;
      try {
        root = Hcl.parse(raw);
      } catch (Hcl.ParseException e) {
        throw new InvalidPolicyException("failed to parse policy: " + e.getMessage());
      }
      List<String> invalid = new ArrayList<>();
      for (Hcl.Item item : root.items()) {
        if (!TOP_LEVEL_KEYS.contains(item.keys().get(0))) {
          invalid.add("invalid key \"" + item.keys().get(0) + "\" on line " + item.pos().line());
        }
      }
      if (!invalid.isEmpty()) {
        throw new InvalidPolicyException("failed to parse policy: " + multiError(invalid));
      }
      for (Hcl.Item item : root.items()) {
        if (!item.keys().get(0).equals("path")) {
          continue;
        }
        if (item.keys().size() != 2 || !(item.value() instanceof Hcl.ObjectValue block)) {
          throw new InvalidPolicyException("failed to parse policy: At " + item.pos()
              + ": path must be written as path \"<path>\" { ... }");
        }
        String key = item.keys().get(1);
        List<String> capabilities = new ArrayList<>();
        String legacy = null;
        List<String> badKeys = new ArrayList<>();
        for (Hcl.Item attr : block.items()) {
          String attrName = attr.keys().get(0);
          if (!PATH_KEYS.contains(attrName)) {
            badKeys.add("path \"" + key + "\": invalid key \"" + attrName + "\" on line "
                + attr.pos().line());
            continue;
          }
          if (attrName.equals("capabilities")) {
            capabilities.addAll(stringList(attr.value(), key, "capabilities"));
          } else if (attrName.equals("policy")) {
            if (!(attr.value() instanceof Hcl.Str s)) {
              throw new InvalidPolicyException("failed to parse policy: path \"" + key
                  + "\": policy: must be a string");
            }
            legacy = s.value();
          }
        }
        if (!badKeys.isEmpty()) {
          throw new InvalidPolicyException("failed to parse policy: " + multiError(badKeys));
        }
        rules.add(rule(key, legacy, capabilities, namespacePath));
      }
    }
    return new Policy(name, raw, List.copyOf(rules));
  }

  private static void parseJson(String raw, String namespacePath, List<Rule> rules)
      throws InvalidPolicyException {
    JsonNode root;
    try {
      root = VaultJson.MAPPER.readTree(raw);
    } catch (java.io.IOException e) {
      throw new InvalidPolicyException("failed to parse policy: invalid JSON policy");
    }
    if (root == null || !root.isObject()) {
      throw new InvalidPolicyException("failed to parse policy: does not contain a root object");
    }
    List<String> invalid = new ArrayList<>();
    root.fieldNames().forEachRemaining(k -> {
      if (!TOP_LEVEL_KEYS.contains(k)) {
        invalid.add("invalid key \"" + k + "\" on line 0");
      }
    });
    if (!invalid.isEmpty()) {
      throw new InvalidPolicyException("failed to parse policy: " + multiError(invalid));
    }
    JsonNode paths = root.path("path");
    if (paths.isMissingNode()) {
      return;
    }
    if (!paths.isObject()) {
      throw new InvalidPolicyException("failed to parse policy: path: must be an object");
    }
    var it = paths.properties().iterator();
    while (it.hasNext()) {
      var entry = it.next();
      String key = entry.getKey();
      JsonNode block = entry.getValue();
      List<String> capabilities = new ArrayList<>();
      JsonNode caps = block.path("capabilities");
      if (caps.isArray()) {
        caps.forEach(c -> capabilities.add(c.asText()));
      } else if (!caps.isMissingNode()) {
        throw new InvalidPolicyException("failed to parse policy: path \"" + key
            + "\": capabilities: must be a list of strings");
      }
      String legacy = block.path("policy").isTextual() ? block.path("policy").asText() : null;
      rules.add(rule(key, legacy, capabilities, namespacePath));
    }
  }

  private static List<String> stringList(Hcl.Value value, String key, String attr)
      throws InvalidPolicyException {
    List<String> out = new ArrayList<>();
    if (value instanceof Hcl.ListValue list) {
      for (Hcl.Value v : list.items()) {
        if (!(v instanceof Hcl.Str s)) {
          throw new InvalidPolicyException("failed to parse policy: path \"" + key + "\": "
              + attr + ": At " + v.pos() + ": list elements must be strings");
        }
        out.add(s.value());
      }
      return out;
    }
    if (value instanceof Hcl.Str s) {
      out.add(s.value());
      return out;
    }
    throw new InvalidPolicyException("failed to parse policy: path \"" + key + "\": " + attr
        + ": At " + value.pos() + ": must be a list of strings");
  }

  private static Rule rule(String key, String legacy, List<String> capabilities,
      String namespacePath) throws InvalidPolicyException {
    String path = key.startsWith("/") ? key.substring(1) : key;
    path = namespacePath + path;
    if (path.contains("+*")) {
      throw new InvalidPolicyException("failed to parse policy: path \"" + path
          + "\": invalid use of wildcards ('+*' is forbidden)");
    }
    boolean segments = path.equals("+") || path.contains("/+") || path.startsWith("+/");
    boolean prefix = false;
    if (path.endsWith("*") && !segments) {
      path = path.substring(0, path.length() - 1);
      prefix = true;
    }
    List<String> caps = new ArrayList<>(capabilities);
    if (legacy != null && !legacy.isEmpty()) {
      switch (legacy) {
        case "deny" -> {
          caps.clear();
          caps.add("deny");
        }
        case "read" -> caps.addAll(List.of("read", "list"));
        case "write" -> caps.addAll(List.of("create", "read", "update", "delete", "list"));
        case "sudo" -> caps.addAll(List.of("create", "read", "update", "delete", "list", "sudo"));
        default -> throw new InvalidPolicyException("failed to parse policy: path \"" + key
            + "\": invalid policy \"" + legacy + "\"");
      }
    }
    int bits = 0;
    for (String cap : caps) {
      if (cap.equals("deny")) {
        bits = DENY;
        break;
      }
      Integer bit = CAPABILITIES.get(cap);
      if (bit == null) {
        throw new InvalidPolicyException("failed to parse policy: path \"" + key
            + "\": invalid capability \"" + cap + "\"");
      }
      bits |= bit;
    }
    return new Rule(path, prefix, segments, bits);
  }

  /** Renders errors as go-multierror does. */
  static String multiError(List<String> errors) {
    StringBuilder b = new StringBuilder();
    b.append(errors.size()).append(errors.size() == 1 ? " error occurred:" : " errors occurred:");
    for (String e : errors) {
      b.append("\n\t* ").append(e);
    }
    return b.append("\n\n").toString();
  }
}
