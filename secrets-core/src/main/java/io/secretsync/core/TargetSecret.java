package io.secretsync.core;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;

/**
 * A target Secret as it is, or as it should be: the fields of a Kubernetes Secret this library
 * reads and writes. {@code resourceVersion} is empty for a Secret not yet written. {@code type}
 * empty means Opaque. {@code toString} shows names, keys and sizes, never values.
 */
public record TargetSecret(
    String namespace,
    String name,
    String type,
    ImmutableMap<String, String> labels,
    ImmutableMap<String, String> annotations,
    ImmutableList<OwnerReference> ownerReferences,
    boolean immutable,
    SecretData data,
    String resourceVersion) {

  public static final String TYPE_OPAQUE = "Opaque";

  public TargetSecret {
    requireNonNull(namespace, "namespace");
    requireNonNull(name, "name");
    requireNonNull(type, "type");
    labels = ImmutableMap.copyOf(labels);
    annotations = ImmutableMap.copyOf(annotations);
    ownerReferences = ImmutableList.copyOf(ownerReferences);
    requireNonNull(data, "data");
    requireNonNull(resourceVersion, "resourceVersion");
  }

  public TargetSecret withData(SecretData newData) {
    return new TargetSecret(namespace, name, type, labels, annotations, ownerReferences, immutable, newData,
        resourceVersion);
  }

  public TargetSecret withResourceVersion(String newResourceVersion) {
    return new TargetSecret(namespace, name, type, labels, annotations, ownerReferences, immutable, data,
        newResourceVersion);
  }

  /** The owner reference marked {@code controller: true}, if any. */
  public java.util.Optional<OwnerReference> controller() {
    return ownerReferences.stream().filter(OwnerReference::controller).findFirst();
  }

  /** A Kubernetes {@code ownerReferences[]} entry. */
  public record OwnerReference(
      String apiVersion, String kind, String name, String uid, boolean controller, boolean blockOwnerDeletion) {
    public OwnerReference {
      requireNonNull(apiVersion, "apiVersion");
      requireNonNull(kind, "kind");
      requireNonNull(name, "name");
      requireNonNull(uid, "uid");
    }
  }
}
