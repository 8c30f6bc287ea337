package io.secretsync.core.model;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An ESO {@code ExternalSecret} ({@code external-secrets.io/v1}; {@code v1beta1} manifests are read
 * as v1). Immutable; build one with {@link #builder(String, String)} or load it with the manifest
 * loader. {@code toString} names the object only.
 */
public record ExternalSecret(ObjectMeta metadata, ExternalSecretSpec spec) {

  public static final String API_VERSION = "external-secrets.io/v1";
  public static final String KIND = "ExternalSecret";

  public ExternalSecret {
    requireNonNull(metadata, "metadata");
    requireNonNull(spec, "spec");
  }

  /** The target Secret's name: {@code spec.target.name}, or the ExternalSecret's name when unset. */
  public String targetName() {
    return spec.target().name().isEmpty() ? metadata.name() : spec.target().name();
  }

  /** The store an entry reads from: its own {@code sourceRef.storeRef}, else {@code spec.secretStoreRef}. */
  public Optional<StoreRef> storeFor(Optional<StoreRef> entryStoreRef) {
    return entryStoreRef.isPresent() ? entryStoreRef : spec.secretStoreRef();
  }

  @Override
  public String toString() {
    return "ExternalSecret{" + metadata.qualifiedName() + "}";
  }

  public static Builder builder(String namespace, String name) {
    return new Builder(ObjectMeta.of(namespace, name));
  }

  /** Builds an ExternalSecret in code, with ESO's defaults for everything not set. */
  public static final class Builder {
    private ObjectMeta metadata;
    private Optional<StoreRef> storeRef = Optional.empty();
    private RefreshPolicy refreshPolicy = RefreshPolicy.PERIODIC;
    private Duration refreshInterval = ExternalSecretSpec.DEFAULT_REFRESH_INTERVAL;
    private Target target = Target.defaults();
    private final List<ExternalSecretData> data = new ArrayList<>();
    private final List<DataFromSource> dataFrom = new ArrayList<>();

    private Builder(ObjectMeta metadata) {
      this.metadata = metadata;
    }

    public Builder metadata(ObjectMeta newMetadata) {
      this.metadata = requireNonNull(newMetadata);
      return this;
    }

    public Builder store(StoreRef ref) {
      this.storeRef = Optional.of(ref);
      return this;
    }

    public Builder refreshPolicy(RefreshPolicy policy) {
      this.refreshPolicy = requireNonNull(policy);
      return this;
    }

    public Builder refreshInterval(Duration interval) {
      this.refreshInterval = requireNonNull(interval);
      return this;
    }

    public Builder target(Target newTarget) {
      this.target = requireNonNull(newTarget);
      return this;
    }

    public Builder data(String secretKey, RemoteRef ref) {
      data.add(ExternalSecretData.of(secretKey, ref));
      return this;
    }

    public Builder data(ExternalSecretData entry) {
      data.add(requireNonNull(entry));
      return this;
    }

    public Builder dataFrom(DataFromSource source) {
      dataFrom.add(requireNonNull(source));
      return this;
    }

    public ExternalSecret build() {
      return new ExternalSecret(metadata, new ExternalSecretSpec(storeRef, refreshPolicy, refreshInterval, target,
          ImmutableList.copyOf(data), ImmutableList.copyOf(dataFrom)));
    }
  }
}
