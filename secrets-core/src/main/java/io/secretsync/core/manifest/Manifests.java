package io.secretsync.core.manifest;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;

/**
 * What {@link ManifestLoader} read: the ExternalSecrets and stores, the documents of other kinds
 * it skipped, and the errors of files it could not use (nothing is taken from such a file).
 */
public record Manifests(
    ImmutableList<ExternalSecret> externalSecrets,
    ImmutableList<SecretStoreResource> stores,
    ImmutableList<Skipped> skipped,
    ImmutableList<ManifestException> errors) {

  public Manifests {
    externalSecrets = ImmutableList.copyOf(externalSecrets);
    stores = ImmutableList.copyOf(stores);
    skipped = ImmutableList.copyOf(skipped);
    errors = ImmutableList.copyOf(errors);
  }

  /** Throws the first error, if any; a convenience for callers that accept only clean input. */
  public Manifests throwIfErrors() {
    if (!errors.isEmpty()) {
      throw errors.get(0);
    }
    return this;
  }

  /** A document of a kind this library does not sync (a Namespace, a ConfigMap...). */
  public record Skipped(String source, int document, String apiVersion, String kind, String name) {
    public Skipped {
      requireNonNull(source);
      requireNonNull(apiVersion);
      requireNonNull(kind);
      requireNonNull(name);
    }
  }
}
