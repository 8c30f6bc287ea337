package io.secretsync.core.model;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code ExternalSecret.spec}. {@code secretStoreRef} may be absent only when every entry names its
 * own {@code sourceRef.storeRef}. A zero {@code refreshInterval} means "sync once".
 */
public record ExternalSecretSpec(
    Optional<StoreRef> secretStoreRef,
    RefreshPolicy refreshPolicy,
    Duration refreshInterval,
    Target target,
    ImmutableList<ExternalSecretData> data,
    ImmutableList<DataFromSource> dataFrom) {

  /** ESO's CRD default for {@code refreshInterval}. */
  public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofHours(1);

  public ExternalSecretSpec {
    requireNonNull(secretStoreRef, "secretStoreRef");
    requireNonNull(refreshPolicy, "refreshPolicy");
    requireNonNull(refreshInterval, "refreshInterval");
    requireNonNull(target, "target");
    data = ImmutableList.copyOf(data);
    dataFrom = ImmutableList.copyOf(dataFrom);
  }
}
