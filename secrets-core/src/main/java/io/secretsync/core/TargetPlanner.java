package io.secretsync.core;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedSet;
import io.secretsync.core.SyncResult.KeyChanges;
import io.secretsync.core.SyncResult.Outcome;
import io.secretsync.core.TargetSecret.OwnerReference;
import io.secretsync.core.model.CreationPolicy;
import io.secretsync.core.model.ExternalSecret;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Decides the target Secret for an ExternalSecret from what the providers gave (after templating)
 * and the Secret as it is, following ESO's mutation and write steps:
 *
 * <ul>
 *   <li>creationPolicy None writes nothing; Merge writes nothing when the Secret does not exist
 *       ({@code SecretMissing});
 *   <li>Owner refuses a Secret whose controller is another ExternalSecret or another kind of
 *       object ({@link TargetException.OwnershipException}), and otherwise sets itself as controller (ESO matches by name, as
 *       {@code SetControllerReference} does; a re-created ExternalSecret with a new uid takes over);
 *   <li>Merge and CreateOrMerge keep the Secret's other keys and remove the keys this
 *       ExternalSecret wrote before and no longer produces; Owner and Orphan replace the data;
 *   <li>the labels {@code managed=true} and (Owner) {@code created-by}, and the {@code data-hash}
 *       annotation, are set; other labels, annotations and owner references are kept (an
 *       ExternalSecret without a uid, built in code, cannot be an owner: it sets no reference and
 *       keeps any it finds);
 *   <li>the values may total at most 1 MiB, counted after merging, as the API server counts them;
 *   <li>an immutable Secret may get new metadata, never new data ({@link TargetException.ImmutableTargetException});
 *   <li>a Secret that already is as it should be is kept: no write.
 * </ul>
 *
 * <p>Stateless and thread-safe; {@link #plan} is pure, so a writer may call it again after a conflict.
 */
final class TargetPlanner {

  private TargetPlanner() {}

  /** What the providers and the template produced for the target. */
  record Rendered(String type, Map<String, String> labels, Map<String, String> annotations, SecretData data) {
    Rendered {
      requireNonNull(type);
      labels = ImmutableMap.copyOf(labels);
      annotations = ImmutableMap.copyOf(annotations);
      requireNonNull(data);
    }
  }

  /** The decision for one state of the target. */
  record Plan(TargetWriter.Change change, Outcome outcomeWhenKept, String reason, String message,
      SecretData data, KeyChanges changes, Optional<TargetSecret> desired) {}

  static Plan plan(ExternalSecret es, Rendered rendered, Optional<TargetSecret> current) {
    return plan(es, rendered, current, EsoHash::dataHash);
  }

  /** As {@link #plan(ExternalSecret, Rendered, Optional)}, with {@code dataHash} computing the data-hash annotation. */
  static Plan plan(ExternalSecret es, Rendered rendered, Optional<TargetSecret> current,
      Function<SecretData, String> dataHash) {
    CreationPolicy policy = es.spec().target().creationPolicy();
    if (policy == CreationPolicy.NONE) {
      return kept(Outcome.SKIPPED, SyncResult.REASON_SYNCED, SyncResult.MESSAGE_SYNCED, rendered.data());
    }
    if (policy == CreationPolicy.MERGE && current.isEmpty()) {
      return kept(Outcome.SKIPPED, SyncResult.REASON_MISSING, SyncResult.MESSAGE_MISSING, rendered.data());
    }
    if (policy == CreationPolicy.OWNER && current.isPresent()) {
      checkOwnership(es, current.get());
    }

    boolean merging = (policy == CreationPolicy.MERGE || policy == CreationPolicy.CREATE_OR_MERGE) && current.isPresent();
    SecretData.Builder data = SecretData.builder();
    if (merging) {
      data.putAll(current.get().data());
      managedKeys(current.get()).forEach(data::remove);
    }
    data.putAll(rendered.data());
    SecretData finalData = data.build();
    if (finalData.totalBytes() > SyncEngine.MAX_SECRET_BYTES) {
      throw new InvalidSecretDataException("target", "the target Secret's values would total " + finalData.totalBytes()
          + " bytes; Kubernetes allows at most " + SyncEngine.MAX_SECRET_BYTES + " (1 MiB)",
          List.of(merging ? "the Secret merged into already holds " + current.get().data().totalBytes()
              + " bytes of values; write into another Secret" : "split the data over several ExternalSecrets, or "
              + "select fewer properties"));
    }

    Map<String, String> labels = new LinkedHashMap<>();
    Map<String, String> annotations = new LinkedHashMap<>();
    current.ifPresent(c -> {
      labels.putAll(c.labels());
      annotations.putAll(c.annotations());
    });
    labels.putAll(rendered.labels());
    annotations.putAll(rendered.annotations());
    labels.put(SyncEngine.LABEL_MANAGED, "true");
    String createdBy = EsoHash.createdBy(es.metadata().namespace(), es.metadata().name());
    if (policy == CreationPolicy.OWNER) {
      labels.put(SyncEngine.LABEL_CREATED_BY, createdBy);
    } else if (createdBy.equals(labels.get(SyncEngine.LABEL_CREATED_BY))) {
      labels.remove(SyncEngine.LABEL_CREATED_BY);
    }
    annotations.put(SyncEngine.ANNOTATION_DATA_HASH, dataHash.apply(finalData));
    if (policy == CreationPolicy.MERGE || policy == CreationPolicy.CREATE_OR_MERGE) {
      annotations.put(SyncEngine.ANNOTATION_MANAGED_KEYS, String.join(",", rendered.data().keys()));
    } else {
      annotations.remove(SyncEngine.ANNOTATION_MANAGED_KEYS);
    }

    ImmutableList.Builder<OwnerReference> owners = ImmutableList.builder();
    boolean setController = policy == CreationPolicy.OWNER && !es.metadata().uid().isEmpty();
    boolean keepOwnRefs = policy == CreationPolicy.OWNER && es.metadata().uid().isEmpty();
    current.ifPresent(c -> c.ownerReferences().stream().filter(o -> keepOwnRefs || !namesExternalSecret(o, es))
        .forEach(owners::add));
    if (setController) {
      owners.add(new OwnerReference(ExternalSecret.API_VERSION, ExternalSecret.KIND, es.metadata().name(),
          es.metadata().uid(), true, true));
    }

    String type = !rendered.type().isEmpty() ? rendered.type()
        : current.map(TargetSecret::type).filter(t -> !t.isEmpty()).orElse(TargetSecret.TYPE_OPAQUE);
    boolean immutable = es.spec().target().immutable() || current.map(TargetSecret::immutable).orElse(false);
    TargetSecret desired = new TargetSecret(es.metadata().namespace(), es.targetName(), type,
        ImmutableMap.copyOf(labels), ImmutableMap.copyOf(annotations), owners.build(), immutable, finalData,
        current.map(TargetSecret::resourceVersion).orElse(""));
    KeyChanges changes = diff(current.map(TargetSecret::data).orElse(SecretData.empty()), finalData);

    if (current.isEmpty()) {
      return new Plan(new TargetWriter.Change.Create(desired), Outcome.UNCHANGED, SyncResult.REASON_SYNCED,
          SyncResult.MESSAGE_SYNCED, finalData, changes, Optional.of(desired));
    }
    TargetSecret existing = current.get();
    if (existing.immutable() && !existing.data().equals(finalData)) {
      throw new TargetException.ImmutableTargetException("Secret " + existing.namespace() + "/" + existing.name()
          + " is immutable and its data would change (" + describe(changes) + ")",
          List.of("delete the Secret so that it is created again with the new data, or set target.immutable: false "
              + "and re-create it"));
    }
    boolean same = existing.data().equals(finalData) && existing.type().equals(type)
        && existing.labels().equals(desired.labels()) && existing.annotations().equals(desired.annotations())
        && existing.ownerReferences().equals(desired.ownerReferences()) && existing.immutable() == immutable;
    TargetWriter.Change change = same ? new TargetWriter.Change.Keep() : new TargetWriter.Change.Update(desired);
    return new Plan(change, Outcome.UNCHANGED, SyncResult.REASON_SYNCED, SyncResult.MESSAGE_SYNCED, finalData,
        same ? KeyChanges.NONE : changes, Optional.of(desired));
  }

  /**
   * The change that removes the target with deletionPolicy Delete: a delete when {@code es}
   * controls it, a keep when it does not exist.
   *
   * @throws TargetException.OwnershipException when the Secret exists but {@code es} does not control it
   */
  static TargetWriter.Change deletion(ExternalSecret es, Optional<TargetSecret> current) {
    if (current.isEmpty()) {
      return new TargetWriter.Change.Keep();
    }
    if (!controlledBy(current.get(), es)) {
      Optional<OwnerReference> owner = current.get().controller();
      throw new TargetException.OwnershipException("Secret " + current.get().namespace() + "/" + current.get().name()
          + " is not controlled by ExternalSecret " + es.metadata().qualifiedName() + "; it is kept",
          List.of("delete it by hand if it should go, or point target.name at another Secret"),
          owner.map(OwnerReference::kind).orElse(""), owner.map(OwnerReference::name).orElse(""));
    }
    return new TargetWriter.Change.Delete(current.get().resourceVersion());
  }

  /**
   * Whether {@code es} controls {@code secret}: its controller reference names {@code es} (and its
   * uid, when both are known), or, without a controller reference, ESO's created-by label does.
   */
  static boolean controlledBy(TargetSecret secret, ExternalSecret es) {
    Optional<OwnerReference> controller = secret.controller();
    if (controller.isPresent()) {
      OwnerReference ref = controller.get();
      return namesExternalSecret(ref, es)
          && (es.metadata().uid().isEmpty() || ref.uid().isEmpty() || ref.uid().equals(es.metadata().uid()));
    }
    return EsoHash.createdBy(es.metadata().namespace(), es.metadata().name())
        .equals(secret.labels().get(SyncEngine.LABEL_CREATED_BY));
  }

  private static void checkOwnership(ExternalSecret es, TargetSecret current) {
    Optional<OwnerReference> controller = current.controller();
    if (controller.isEmpty() || namesExternalSecret(controller.get(), es)) {
      return;
    }
    OwnerReference owner = controller.get();
    String secret = "Secret " + current.namespace() + "/" + current.name();
    if (isExternalSecret(owner)) {
      throw new TargetException.OwnershipException(secret + " is controlled by ExternalSecret " + owner.name(),
          List.of("point target.name at another Secret, or use creationPolicy Merge to add keys to it without "
              + "owning it"), owner.kind(), owner.name());
    }
    throw new TargetException.OwnershipException(secret + " is controlled by " + owner.kind() + " " + owner.name()
        + " (" + owner.apiVersion() + ")", List.of("point target.name at another Secret, or use creationPolicy "
            + "Orphan or Merge, which do not take ownership"), owner.kind(), owner.name());
  }

  private static boolean isExternalSecret(OwnerReference ref) {
    return ref.kind().equals(ExternalSecret.KIND) && ref.apiVersion().startsWith("external-secrets.io/");
  }

  private static boolean namesExternalSecret(OwnerReference ref, ExternalSecret es) {
    return isExternalSecret(ref) && ref.name().equals(es.metadata().name());
  }

  private static List<String> managedKeys(TargetSecret secret) {
    String keys = secret.annotations().get(SyncEngine.ANNOTATION_MANAGED_KEYS);
    return keys == null || keys.isEmpty() ? List.of() : Arrays.asList(keys.split(","));
  }

  private static String describe(KeyChanges changes) {
    List<String> parts = new java.util.ArrayList<>();
    if (!changes.added().isEmpty()) {
      parts.add("keys added: " + String.join(", ", changes.added()));
    }
    if (!changes.changed().isEmpty()) {
      parts.add("keys changed: " + String.join(", ", changes.changed()));
    }
    if (!changes.removed().isEmpty()) {
      parts.add("keys removed: " + String.join(", ", changes.removed()));
    }
    return String.join("; ", parts);
  }

  private static Plan kept(Outcome outcome, String reason, String message, SecretData data) {
    return new Plan(new TargetWriter.Change.Keep(), outcome, reason, message, data, KeyChanges.NONE,
        Optional.empty());
  }

  static KeyChanges diff(SecretData before, SecretData after) {
    TreeSet<String> added = new TreeSet<>();
    TreeSet<String> changed = new TreeSet<>();
    TreeSet<String> removed = new TreeSet<>(before.keys());
    for (String key : after.keys()) {
      removed.remove(key);
      if (!before.containsKey(key)) {
        added.add(key);
      } else if (!Arrays.equals(before.get(key).orElseThrow(), after.get(key).orElseThrow())) {
        changed.add(key);
      }
    }
    return new KeyChanges(ImmutableSortedSet.copyOf(added), ImmutableSortedSet.copyOf(changed),
        ImmutableSortedSet.copyOf(removed));
  }
}
