package io.secretsync.vault;

import static java.util.Objects.requireNonNull;

import io.secretsync.vault.VaultSettings.KvVersion;
import java.util.List;
import java.util.Optional;

/**
 * The one function from a key, as an ExternalSecret writes it, to Vault API paths: data, metadata
 * and list paths are all built from the same normalised (mount, key) pair, so they always agree.
 *
 * <p>With a mount configured ({@code spec.provider.vault.path}), keys are relative to it; a key
 * that starts with {@code <mount>/} or, for KV v2, {@code <mount>/data/} is accepted and the prefix
 * removed, for data and metadata alike (ESO strips it for data paths only, its bug #6968). To name
 * a secret whose first segment equals the mount's name, write {@code <mount>/data/<key>}. Without a
 * mount, a KV v2 key names its mount as everything before {@code /data/} or else its first
 * segment; a KV v1 key is used as it is. Immutable.
 */
final class KvPaths {

  private final Optional<String> mount;
  private final KvVersion version;

  KvPaths(Optional<String> mount, KvVersion version) {
    this.mount = requireNonNull(mount, "mount").map(KubernetesAuthOptions::trimSlashes).filter(m -> !m.isEmpty());
    this.version = requireNonNull(version, "version");
  }

  /** A secret's mount ({@code ""} for a KV v1 key used as it is) and its key below the mount. */
  record SecretPath(String mount, String key) {
    String full() {
      return mount.isEmpty() ? key : mount + "/" + key;
    }
  }

  KvVersion version() {
    return version;
  }

  /**
   * Resolves {@code key}.
   *
   * @throws IllegalArgumentException saying what is wrong with the key
   */
  SecretPath resolve(String key) {
    String k = stripLeadingSlashes(key.trim());
    if (k.isEmpty()) {
      throw new IllegalArgumentException("the key is empty");
    }
    if (k.endsWith("/")) {
      throw new IllegalArgumentException("key \"" + key + "\" ends with / and so names a folder, not a secret");
    }
    SecretPath path = split(k, key);
    if (path.key().isEmpty()) {
      throw new IllegalArgumentException("key \"" + key + "\" names the mount itself, not a secret in it");
    }
    return path;
  }

  /** Resolves a folder to list ({@code find.path}); empty means the mount's root. */
  SecretPath resolveFolder(Optional<String> folder) {
    String f = folder.map(String::trim).map(KvPaths::stripLeadingSlashes).orElse("");
    while (f.endsWith("/")) {
      f = f.substring(0, f.length() - 1);
    }
    if (f.isEmpty()) {
      if (mount.isEmpty() && version == KvVersion.V2) {
        throw new IllegalArgumentException("find.path must start with the mount (e.g. secret/dev) when "
            + "spec.provider.vault.path is not set");
      }
      return new SecretPath(mount.orElse(""), "");
    }
    if (mount.isPresent() && (f.equals(mount.get()) || (version == KvVersion.V2 && f.equals(mount.get() + "/data")))) {
      return new SecretPath(mount.get(), "");
    }
    if (mount.isEmpty() && version == KvVersion.V2 && !f.contains("/")) {
      return new SecretPath(f, "");
    }
    return split(f, f);
  }

  /** {@code <mount>/data/<key>} (v2) or {@code <mount>/<key>} (v1). */
  String dataPath(SecretPath path) {
    return version == KvVersion.V2 ? path.mount() + "/data/" + path.key() : path.full();
  }

  /** {@code <mount>/metadata/<key>}; KV v2 only. */
  String metadataPath(SecretPath path) {
    return path.mount() + "/metadata/" + path.key();
  }

  /** The path to LIST for a folder, ending in {@code /}. */
  String listPath(SecretPath folder) {
    String base = version == KvVersion.V2 ? folder.mount() + "/metadata/" + folder.key() : folder.full();
    return base.endsWith("/") ? base : base + "/";
  }

  /** How a secret found under the mount is keyed in results, so that reading that key finds it again. */
  String resultKey(SecretPath path) {
    return mount.isPresent() ? path.key() : path.full();
  }

  /** Hints for a 403 on a data read: the exact path the policy must grant. */
  List<String> readDeniedHints(SecretPath path) {
    String exact = dataPath(path);
    String glob = version == KvVersion.V2 ? path.mount() + "/data/" + firstSegmentGlob(path.key())
        : (path.mount().isEmpty() ? "" : path.mount() + "/") + firstSegmentGlob(path.key());
    String grant = "a policy of this token must grant \"read\" on \"" + exact + "\", e.g. path \"" + glob
        + "\" { capabilities = [\"read\"] }";
    if (version == KvVersion.V1) {
      return List.of(grant);
    }
    return List.of(grant, "KV v2 policy paths need the data/ segment: a policy on \"" + path.mount() + "/"
        + firstSegmentGlob(path.key()) + "\" (without data/) grants nothing on the KV v2 mount " + path.mount() + "/");
  }

  List<String> metadataDeniedHints(SecretPath path) {
    return List.of("a policy of this token must grant \"read\" on \"" + metadataPath(path) + "\" (metadataPolicy Fetch"
        + " and find by tags read KV v2 metadata)");
  }

  List<String> listDeniedHints(SecretPath folder) {
    String list = listPath(folder);
    return List.of("a policy of this token must grant \"list\" on \"" + list + "\", e.g. path \"" + list
        + "*\" { capabilities = [\"list\"] }");
  }

  private SecretPath split(String k, String original) {
    if (mount.isPresent()) {
      String m = mount.get();
      String rest = k;
      if (rest.startsWith(m + "/")) {
        rest = rest.substring(m.length() + 1);
        if (version == KvVersion.V2 && rest.startsWith("data/")) {
          rest = rest.substring("data/".length());
        }
      }
      return new SecretPath(m, rest);
    }
    if (version == KvVersion.V1) {
      return new SecretPath("", k);
    }
    int data = k.indexOf("/data/");
    if (data > 0) {
      return new SecretPath(k.substring(0, data), k.substring(data + "/data/".length()));
    }
    int slash = k.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("key \"" + original + "\" must start with the mount (e.g. secret/"
          + original + ") because spec.provider.vault.path is not set");
    }
    return new SecretPath(k.substring(0, slash), k.substring(slash + 1));
  }

  private static String firstSegmentGlob(String key) {
    int slash = key.indexOf('/');
    return slash < 0 ? key : key.substring(0, slash) + "/*";
  }

  private static String stripLeadingSlashes(String s) {
    String out = s;
    while (out.startsWith("/")) {
      out = out.substring(1);
    }
    return out;
  }

  @Override
  public String toString() {
    return "KvPaths{" + mount.orElse("(mount in key)") + ", " + version.wireName + "}";
  }
}
