package io.secretsync.core;

import java.time.Duration;
import java.util.List;

/**
 * What a provider may ask of the platform it runs on: values of ConfigMaps and Secrets (CA bundles,
 * tokens, client certificates) and service account tokens. Implemented by the Kubernetes module;
 * tests use in-memory implementations. The namespace rules (a {@code SecretStore} may only read its
 * own namespace) are the caller's: implementations read what they are asked for.
 * Implementations are thread-safe. Values returned are secrets: never log them.
 */
public interface PlatformAccess {

  /**
   * The value of {@code key} in ConfigMap {@code namespace/name}.
   *
   * @throws SecretSyncException naming the ConfigMap and key when it or the key does not exist
   */
  byte[] configMapValue(String namespace, String name, String key);

  /**
   * The value of {@code key} in Secret {@code namespace/name}.
   *
   * @throws SecretSyncException naming the Secret and key when it or the key does not exist
   */
  byte[] secretValue(String namespace, String name, String key);

  /**
   * A new token for service account {@code namespace/name} (Kubernetes TokenRequest) with the
   * given audiences (empty: the API server's default) and lifetime.
   */
  String serviceAccountToken(String namespace, String name, List<String> audiences, Duration expiration);

  /** A platform with nothing in it: every call fails saying that no platform is configured. */
  static PlatformAccess none() {
    return new PlatformAccess() {
      @Override
      public byte[] configMapValue(String namespace, String name, String key) {
        throw missing("ConfigMap " + namespace + "/" + name);
      }

      @Override
      public byte[] secretValue(String namespace, String name, String key) {
        throw missing("Secret " + namespace + "/" + name);
      }

      @Override
      public String serviceAccountToken(String namespace, String name, List<String> audiences, Duration expiration) {
        throw missing("a token for service account " + namespace + "/" + name);
      }

      private SecretSyncException missing(String what) {
        return new SecretSyncException("cannot read " + what + ": no Kubernetes access is configured",
            List.of("run with a kubeconfig or in a cluster, or give the value inline in the store"), null);
      }
    };
  }
}
