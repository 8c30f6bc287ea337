package io.secretsync.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.util.Optional;

/** One {@code spec.data[]} entry: a single value written under {@code secretKey}. */
public record ExternalSecretData(String secretKey, RemoteRef remoteRef, Optional<StoreRef> sourceStoreRef) {

  public ExternalSecretData {
    requireNonNull(secretKey, "secretKey");
    checkArgument(!secretKey.isEmpty(), "secretKey must not be empty");
    requireNonNull(remoteRef, "remoteRef");
    requireNonNull(sourceStoreRef, "sourceStoreRef");
  }

  public static ExternalSecretData of(String secretKey, RemoteRef remoteRef) {
    return new ExternalSecretData(secretKey, remoteRef, Optional.empty());
  }
}
