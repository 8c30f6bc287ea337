package io.secretsync.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableMap;
import java.util.Map;

/**
 * The parts of Kubernetes object metadata the library uses. As in Kubernetes, an empty string means
 * "not set": {@code namespace} is empty for cluster-scoped objects, {@code uid} and
 * {@code resourceVersion} are empty for objects that did not come from an API server.
 */
public record ObjectMeta(
    String name,
    String namespace,
    ImmutableMap<String, String> labels,
    ImmutableMap<String, String> annotations,
    String uid,
    long generation,
    String resourceVersion) {

  public ObjectMeta {
    requireNonNull(name, "name");
    checkArgument(!name.isEmpty(), "metadata.name must not be empty");
    requireNonNull(namespace, "namespace");
    labels = ImmutableMap.copyOf(labels);
    annotations = ImmutableMap.copyOf(annotations);
    requireNonNull(uid, "uid");
    requireNonNull(resourceVersion, "resourceVersion");
  }

  /** Metadata with only a name and a namespace ({@code ""} for cluster-scoped objects). */
  public static ObjectMeta of(String namespace, String name) {
    return new ObjectMeta(name, namespace, ImmutableMap.of(), ImmutableMap.of(), "", 0, "");
  }

  public ObjectMeta withLabels(Map<String, String> newLabels) {
    return new ObjectMeta(name, namespace, ImmutableMap.copyOf(newLabels), annotations, uid, generation, resourceVersion);
  }

  public ObjectMeta withAnnotations(Map<String, String> newAnnotations) {
    return new ObjectMeta(name, namespace, labels, ImmutableMap.copyOf(newAnnotations), uid, generation, resourceVersion);
  }

  public ObjectMeta withUid(String newUid) {
    return new ObjectMeta(name, namespace, labels, annotations, newUid, generation, resourceVersion);
  }

  public ObjectMeta withGeneration(long newGeneration) {
    return new ObjectMeta(name, namespace, labels, annotations, uid, newGeneration, resourceVersion);
  }

  public ObjectMeta withResourceVersion(String newResourceVersion) {
    return new ObjectMeta(name, namespace, labels, annotations, uid, generation, newResourceVersion);
  }

  /** {@code namespace/name}, or {@code name} for a cluster-scoped object. */
  public String qualifiedName() {
    return namespace.isEmpty() ? name : namespace + "/" + name;
  }
}
