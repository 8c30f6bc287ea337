package io.secretsync.vault;

import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsync.core.CommonIssue;
import io.secretsync.core.Diagnosis;
import io.secretsync.core.SecretStoreException;
import io.secretsync.core.model.SecretStoreResource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the policy line behind a denied KV v2 read, the walkthrough's issue 5, the way an operator
 * would: with an operator token it reads the store's Kubernetes auth role ({@code token_policies})
 * and each of those policies, and names the {@code path} that matches the key without the KV v2
 * {@code data/} segment. Stateless and thread-safe; results hold policy paths, never a token.
 */
public final class PolicyPathCheck {
  private static final Pattern PATH = Pattern.compile("path\\s+\"([^\"]+)\"");

  private PolicyPathCheck() {}

  /**
   * The evidence for a denied read of {@code key} through {@code store}, when the store reads KV v2
   * and logs in with a Kubernetes auth role; empty otherwise.
   *
   * @param check the name of the check for the result, e.g. {@code policies of role external-secrets-example-api}
   */
  public static Optional<Diagnosis> check(String subject, SecretStoreResource store, String key, VaultClient client,
      String operatorToken) {
    checkNotNull(subject, "subject");
    checkNotNull(key, "key");
    checkNotNull(client, "client");
    checkNotNull(operatorToken, "operatorToken");
    VaultSettings settings = VaultSettingsParser.parse(checkNotNull(store, "store"));
    if (settings.version() != VaultSettings.KvVersion.V2 || !(settings.auth() instanceof VaultSettings.KubernetesAuthSettings auth)) {
      return Optional.empty();
    }
    KvPaths.SecretPath path;
    try {
      path = new KvPaths(settings.mount(), VaultSettings.KvVersion.V2).resolve(key);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    String exact = path.mount() + "/data/" + path.key();
    String withoutData = path.mount() + "/" + path.key();
    String role = "auth/" + auth.mountPath() + "/role/" + auth.role();
    String check = "policies of " + role;
    VaultToken operator = VaultToken.of(operatorToken, "the operator token (VAULT_TOKEN)");
    try {
      JsonNode roleData = client.send(VaultRequest.read(role, Map.of(), List.of()), Optional.of(operator)).body()
          .path("data");
      Set<String> policies = new LinkedHashSet<>();
      roleData.path("token_policies").forEach(p -> policies.add(p.asText()));
      roleData.path("policies").forEach(p -> policies.add(p.asText()));
      List<String> offending = new ArrayList<>();
      for (String policy : policies) {
        VaultClient.Reply reply = client.send(VaultRequest.read("sys/policies/acl/" + policy, Map.of(), List.of()),
            Optional.of(operator));
        Matcher m = PATH.matcher(reply.body().path("data").path("policy").asText(""));
        while (m.find()) {
          String glob = m.group(1);
          if (matches(glob, withoutData) && !matches(glob, exact)) {
            offending.add(policy + ": path \"" + glob + "\"");
          }
        }
      }
      if (!offending.isEmpty()) {
        return Optional.of(Diagnosis.failed(subject, check, String.join("; ", offending) + " matches " + withoutData
                + ", the KV v1 form of the key; KV v2 reads " + exact + ", which no policy of the role grants",
            List.of(CommonIssue.POLICY_PATH), List.of("write the path with the data/ segment: path \""
                + path.mount() + "/data/" + glob(offending.get(0), path.mount()) + "\" { capabilities = [\"read\"] }")));
      }
      return Optional.of(Diagnosis.failed(subject, check, "no policy of the role (" + String.join(", ", policies)
              + ") grants read on " + exact, List.of(CommonIssue.POLICY_PATH),
          List.of("add path \"" + exact + "\" { capabilities = [\"read\"] } (or a glob such as \"" + path.mount()
              + "/data/" + path.key().split("/")[0] + "/*\") to a policy of the role")));
    } catch (SecretStoreException e) {
      return Optional.of(Diagnosis.skipped(subject, check, "cannot read the role and its policies with VAULT_TOKEN: "
          + e.getMessage()));
    }
  }

  /** The glob of an offending line ({@code name: path "secret/app/*"}) below the mount. */
  private static String glob(String offending, String mount) {
    String glob = offending.substring(offending.indexOf('"') + 1, offending.lastIndexOf('"'));
    return glob.startsWith(mount + "/") ? glob.substring(mount.length() + 1) : glob;
  }

  /** Vault's policy path matching: {@code +} is one segment, a trailing {@code *} any suffix. */
  static boolean matches(String glob, String path) {
    String g = glob.startsWith("/") ? glob.substring(1) : glob;
    boolean prefix = g.endsWith("*");
    if (prefix) {
      g = g.substring(0, g.length() - 1);
    }
    StringBuilder regex = new StringBuilder();
    for (String part : g.split("\\+", -1)) {
      if (regex.length() > 0) {
        regex.append("[^/]+");
      }
      regex.append(Pattern.quote(part));
    }
    if (prefix) {
      regex.append(".*");
    }
    return path.matches(regex.toString());
  }
}
