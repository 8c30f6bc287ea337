package io.secretsync.kubernetes;

import static java.util.Objects.requireNonNull;

import io.secretsync.core.PlatformAccess;
import io.secretsync.core.SecretSyncException;
import io.secretsync.core.StoreRegistry;
import io.secretsync.core.TargetSecret;
import io.secretsync.kubernetes.KubernetesClient.ConfigMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What providers read from the cluster, through a {@link KubernetesClient}: CA bundles and other
 * values from ConfigMaps ({@code data} or {@code binaryData}) and Secrets (tokens, AppRole secret
 * IDs, client certificates and keys), service account tokens from the TokenRequest API with the
 * audiences asked for, and namespaces' labels for ClusterSecretStore {@code namespaceSelector}
 * conditions. Every call reads the API server afresh (as ESO does without its caching flags), so a
 * rotated CA or credential is seen on the next use.
 *
 * <p>It reads what it is asked for: ESO's namespace rules (a SecretStore may only reference its own
 * namespace; a ClusterSecretStore's conditions admit an ExternalSecret's namespace) are applied by
 * the callers, the store registry and the provider's settings parser, before they ask. Errors name
 * the object and key (and the keys that exist), never a value. Thread-safe.
 */
public final class KubernetesPlatformAccess implements PlatformAccess, StoreRegistry.NamespaceLabels {

  private final KubernetesClient client;

  private KubernetesPlatformAccess(KubernetesClient client) {
    this.client = client;
  }

  public static KubernetesPlatformAccess create(KubernetesClient client) {
    return new KubernetesPlatformAccess(requireNonNull(client, "client"));
  }

  @Override
  public byte[] configMapValue(String namespace, String name, String key) {
    String what = "ConfigMap " + namespace + "/" + name;
    ConfigMap configMap = read(what, () -> client.getConfigMap(namespace, name)).orElseThrow(() ->
        new SecretSyncException(what + " does not exist", List.of("create it, or correct the name and namespace of "
            + "the reference"), null));
    return configMap.value(key).orElseThrow(() -> {
      List<String> keys = new ArrayList<>(configMap.data().keySet());
      keys.addAll(configMap.binaryData().keys());
      return missingKey(what, key, keys);
    });
  }

  @Override
  public byte[] secretValue(String namespace, String name, String key) {
    String what = "Secret " + namespace + "/" + name;
    TargetSecret secret = read(what, () -> client.getSecret(namespace, name)).orElseThrow(() ->
        new SecretSyncException(what + " does not exist", List.of("create it, or correct the name and namespace of "
            + "the reference"), null));
    return secret.data().get(key).orElseThrow(() -> missingKey(what, key, new ArrayList<>(secret.data().keys())));
  }

  @Override
  public String serviceAccountToken(String namespace, String name, List<String> audiences, Duration expiration) {
    String what = "service account " + namespace + "/" + name;
    try {
      return client.requestServiceAccountToken(namespace, name, audiences, expiration).token();
    } catch (KubernetesApiException e) {
      List<String> hints = new ArrayList<>(e.hints());
      if (e.isNotFound()) {
        hints.add(0, "create the service account " + name + " in namespace " + namespace + ", or correct "
            + "serviceAccountRef");
      } else if (e.code() == 403) {
        hints.add(0, "grant this identity create on serviceaccounts/token in namespace " + namespace);
      }
      throw new SecretSyncException("cannot get a token for " + what + ": " + e.getMessage(), hints, e);
    }
  }

  @Override
  public Map<String, String> labels(String namespace) {
    return read("namespace " + namespace, () -> client.namespaceLabels(namespace));
  }

  private static <T> T read(String what, java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (KubernetesApiException e) {
      List<String> hints = new ArrayList<>(e.hints());
      if (e.code() == 403) {
        hints.add(0, "grant this identity get on the " + what.substring(0, what.indexOf(' ')).toLowerCase(
            java.util.Locale.ROOT) + " (a Role in its namespace)");
      }
      throw new SecretSyncException("cannot read " + what + ": " + e.getMessage(), hints, e);
    }
  }

  private static SecretSyncException missingKey(String what, String key, List<String> keys) {
    return new SecretSyncException(what + " has no key \"" + key + "\" (keys: " + String.join(", ", keys) + ")",
        List.of("correct the key of the reference"), null);
  }

  @Override
  public String toString() {
    return "KubernetesPlatformAccess{" + client.config().server() + "}";
  }
}
