package io.secretsync.core.template;

import java.util.Map;
import java.util.Optional;

/**
 * Where {@code templateFrom} finds its ConfigMaps and Secrets: the caller reads them (from the
 * Kubernetes API, a file, memory). Implementations must be thread-safe; a failure to read is
 * reported by throwing a {@link io.secretsync.core.SecretSyncException}.
 */
public interface TemplateSources {

  /** The {@code data} of the ConfigMap {@code namespace/name}, or empty when it does not exist. */
  Optional<Map<String, String>> configMap(String namespace, String name);

  /** The {@code data} of the Secret {@code namespace/name} (decoded bytes), or empty when it does not exist. */
  Optional<Map<String, byte[]>> secret(String namespace, String name);

  /** Sources that hold nothing: every {@code templateFrom} ConfigMap or Secret is missing. */
  static TemplateSources none() {
    return new TemplateSources() {
      @Override
      public Optional<Map<String, String>> configMap(String namespace, String name) {
        return Optional.empty();
      }

      @Override
      public Optional<Map<String, byte[]>> secret(String namespace, String name) {
        return Optional.empty();
      }
    };
  }
}
