package io.secretsync.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * {@code remoteRef} (and {@code dataFrom[].extract}): where a value lives in the store.
 *
 * <p>{@code property} empty means "the whole secret"; {@code version} empty means the current one.
 * Unset strategies take ESO's defaults: decoding None, conversion Default, metadata None, NUL bytes
 * ignored.
 */
public record RemoteRef(
    String key,
    String property,
    Optional<String> version,
    DecodingStrategy decodingStrategy,
    ConversionStrategy conversionStrategy,
    MetadataPolicy metadataPolicy,
    NullBytePolicy nullBytePolicy) {

  public RemoteRef {
    requireNonNull(key, "key");
    checkArgument(!key.isEmpty(), "remoteRef.key must not be empty");
    requireNonNull(property, "property");
    requireNonNull(version, "version");
    requireNonNull(decodingStrategy, "decodingStrategy");
    requireNonNull(conversionStrategy, "conversionStrategy");
    requireNonNull(metadataPolicy, "metadataPolicy");
    requireNonNull(nullBytePolicy, "nullBytePolicy");
  }

  /** The whole secret at {@code key}, with ESO's defaults. */
  public static RemoteRef of(String key) {
    return of(key, "");
  }

  /** One property of the secret at {@code key}, with ESO's defaults. */
  public static RemoteRef of(String key, String property) {
    return new RemoteRef(key, property, Optional.empty(), DecodingStrategy.NONE, ConversionStrategy.DEFAULT,
        MetadataPolicy.NONE, NullBytePolicy.IGNORE);
  }

  public RemoteRef withProperty(String newProperty) {
    return new RemoteRef(key, newProperty, version, decodingStrategy, conversionStrategy, metadataPolicy, nullBytePolicy);
  }

  public RemoteRef withVersion(String newVersion) {
    return new RemoteRef(key, property, Optional.of(newVersion), decodingStrategy, conversionStrategy, metadataPolicy,
        nullBytePolicy);
  }

  public RemoteRef withDecodingStrategy(DecodingStrategy strategy) {
    return new RemoteRef(key, property, version, strategy, conversionStrategy, metadataPolicy, nullBytePolicy);
  }

  public RemoteRef withConversionStrategy(ConversionStrategy strategy) {
    return new RemoteRef(key, property, version, decodingStrategy, strategy, metadataPolicy, nullBytePolicy);
  }

  public RemoteRef withMetadataPolicy(MetadataPolicy policy) {
    return new RemoteRef(key, property, version, decodingStrategy, conversionStrategy, policy, nullBytePolicy);
  }

  public RemoteRef withNullBytePolicy(NullBytePolicy policy) {
    return new RemoteRef(key, property, version, decodingStrategy, conversionStrategy, metadataPolicy, policy);
  }

  /** What a store must read for this reference; references with equal locations share one read. */
  public Location location() {
    return new Location(key, version, metadataPolicy);
  }

  /** The identity of one read: key, version and whether data or metadata is read. */
  public record Location(String key, Optional<String> version, MetadataPolicy metadataPolicy) {
    public Location {
      requireNonNull(key, "key");
      requireNonNull(version, "version");
      requireNonNull(metadataPolicy, "metadataPolicy");
    }

    @Override
    public String toString() {
      return key + version.map(v -> "?version=" + v).orElse("")
          + (metadataPolicy == MetadataPolicy.FETCH ? " (metadata)" : "");
    }
  }
}
