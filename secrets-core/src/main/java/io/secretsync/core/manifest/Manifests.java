package io.secretsync.core.manifest;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableList;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;

/**
 * What {@link ManifestLoader} read, in file and document order: the ExternalSecrets and the stores
 * (SecretStores and ClusterSecretStores); the documents of other kinds it skipped (a Namespace,
 * a ConfigMap...), kept as raw objects; warnings about what it ignored; and the errors of the
 * files it could not use. A file with an error contributes nothing but its errors, so every
 * object here comes from a file that loaded completely. Immutable and thread-safe.
 */
public record Manifests(
    ImmutableList<ExternalSecret> externalSecrets,
    ImmutableList<SecretStoreResource> stores,
    ImmutableList<Skipped> skipped,
    ImmutableList<ManifestWarning> warnings,
    ImmutableList<ManifestException> errors) {

  public Manifests {
    externalSecrets = ImmutableList.copyOf(externalSecrets);
    stores = ImmutableList.copyOf(stores);
    skipped = ImmutableList.copyOf(skipped);
    warnings = ImmutableList.copyOf(warnings);
    errors = ImmutableList.copyOf(errors);
  }

  public boolean hasErrors() {
    return !errors.isEmpty();
  }

  /**
   * Returns this when nothing failed; otherwise throws the first error (all of them are in
   * {@link #errors()}). For callers that accept only clean input.
   */
  public Manifests throwIfErrors() {
    if (!errors.isEmpty()) {
      throw errors.get(0);
    }
    return this;
  }

  /** Counts only, never contents. */
  @Override
  public String toString() {
    return "Manifests{externalSecrets=" + externalSecrets.size() + ", stores=" + stores.size() + ", skipped="
        + skipped.size() + ", warnings=" + warnings.size() + ", errors=" + errors.size() + "}";
  }

  /**
   * A document of a kind this library does not sync, with where it was and the object as read.
   * {@code apiVersion}, {@code kind}, {@code namespace} and {@code name} are empty when the
   * document does not set them. {@code toString} never shows the object, which may be a Secret.
   */
  public record Skipped(String source, int document, String apiVersion, String kind, String namespace, String name,
      JsonNode object) {

    public Skipped {
      requireNonNull(source, "source");
      requireNonNull(apiVersion, "apiVersion");
      requireNonNull(kind, "kind");
      requireNonNull(namespace, "namespace");
      requireNonNull(name, "name");
      object = requireNonNull(object, "object").deepCopy();
    }

    /** A copy of the document as it was read. */
    @Override
    public JsonNode object() {
      return object.deepCopy();
    }

    @Override
    public String toString() {
      return "Skipped{" + source + " document " + document + ": " + (kind.isEmpty() ? "(no kind)" : kind)
          + (name.isEmpty() ? "" : " " + (namespace.isEmpty() ? name : namespace + "/" + name)) + "}";
    }
  }
}
