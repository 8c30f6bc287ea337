package io.secretsync.core.model;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import java.time.Duration;
import java.util.Optional;

/**
 * An ESO {@code SecretStore} (namespaced) or {@code ClusterSecretStore} manifest: which provider
 * to use and its settings, kept as a {@link ConfigNode} tree that the provider parses.
 * {@code refreshInterval} is the store's validation interval (ESO: zero means never re-validate).
 */
public record SecretStoreResource(
    StoreKind kind,
    ObjectMeta metadata,
    String controller,
    ProviderConfig provider,
    Optional<RetrySettings> retrySettings,
    Duration refreshInterval,
    ImmutableList<ClusterStoreCondition> conditions) {

  public static final String API_VERSION = "external-secrets.io/v1";

  public SecretStoreResource {
    requireNonNull(kind, "kind");
    requireNonNull(metadata, "metadata");
    requireNonNull(controller, "controller");
    requireNonNull(provider, "provider");
    requireNonNull(retrySettings, "retrySettings");
    requireNonNull(refreshInterval, "refreshInterval");
    conditions = ImmutableList.copyOf(conditions);
  }

  public StoreRef ref() {
    return new StoreRef(metadata.name(), kind);
  }

  @Override
  public String toString() {
    return kind.wireName() + "{" + metadata.qualifiedName() + ", provider=" + provider.name() + "}";
  }
}
