package io.secretsync.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * {@code spec.target}: the Secret to write. {@code name} empty means the ExternalSecret's own name
 * (use {@link ExternalSecret#targetName()}).
 */
public record Target(
    String name,
    CreationPolicy creationPolicy,
    DeletionPolicy deletionPolicy,
    boolean immutable,
    Optional<TargetTemplate> template) {

  public Target {
    requireNonNull(name, "name");
    requireNonNull(creationPolicy, "creationPolicy");
    requireNonNull(deletionPolicy, "deletionPolicy");
    requireNonNull(template, "template");
  }

  /** ESO's defaults: the ExternalSecret's name, Owner, Retain, mutable, no template. */
  public static Target defaults() {
    return new Target("", CreationPolicy.OWNER, DeletionPolicy.RETAIN, false, Optional.empty());
  }

  public Target withName(String newName) {
    return new Target(newName, creationPolicy, deletionPolicy, immutable, template);
  }

  public Target withPolicies(CreationPolicy creation, DeletionPolicy deletion) {
    return new Target(name, creation, deletion, immutable, template);
  }

  public Target withImmutable(boolean newImmutable) {
    return new Target(name, creationPolicy, deletionPolicy, newImmutable, template);
  }

  public Target withTemplate(TargetTemplate newTemplate) {
    return new Target(name, creationPolicy, deletionPolicy, immutable, Optional.of(newTemplate));
  }
}
