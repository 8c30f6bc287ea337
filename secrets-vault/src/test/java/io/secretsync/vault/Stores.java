package io.secretsync.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.common.collect.ImmutableList;
import io.secretsync.core.model.ConfigNode;
import io.secretsync.core.model.ObjectMeta;
import io.secretsync.core.model.ProviderConfig;
import io.secretsync.core.model.RetrySettings;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Store resources for tests, with {@code spec.provider.vault} written as YAML. */
final class Stores {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Stores() {}

  static SecretStoreResource cluster(String vaultYaml) {
    return store(StoreKind.CLUSTER_SECRET_STORE, "", vaultYaml, Map.of(), Optional.empty());
  }

  static SecretStoreResource namespaced(String namespace, String vaultYaml) {
    return store(StoreKind.SECRET_STORE, namespace, vaultYaml, Map.of(), Optional.empty());
  }

  static SecretStoreResource store(StoreKind kind, String namespace, String vaultYaml, Map<String, String> annotations,
      Optional<RetrySettings> retry) {
    try {
      return store(kind, namespace, YAML.readTree(vaultYaml), annotations, retry);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code vault} as the provider's settings, e.g. an ObjectNode built with values that need no quoting. */
  static SecretStoreResource store(StoreKind kind, String namespace, JsonNode node, Map<String, String> annotations,
      Optional<RetrySettings> retry) {
    ObjectMeta meta = ObjectMeta.of(namespace, "vault-store").withAnnotations(annotations);
    return new SecretStoreResource(kind, meta, "", new ProviderConfig("vault", ConfigNode.of("spec.provider.vault", node)),
        retry, Duration.ofMinutes(5), ImmutableList.of());
  }
}
