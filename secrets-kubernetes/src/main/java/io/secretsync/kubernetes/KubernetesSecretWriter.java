package io.secretsync.kubernetes;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.core.InvalidSecretDataException;
import io.secretsync.core.TargetException;
import io.secretsync.core.TargetSecret;
import io.secretsync.core.TargetSecret.OwnerReference;
import io.secretsync.core.TargetWriter;
import io.secretsync.kubernetes.KubernetesClient.ResourceType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes target Secrets through the Kubernetes API: the {@link TargetWriter} of a cluster. The sync
 * engine decides what the Secret should be (ESO's creation and deletion policies, the data hash, the
 * managed and created-by labels, the ExternalSecret's owner reference); this writer carries the
 * decision out and keeps the API server's rules:
 *
 * <ul>
 *   <li><b>optimistic concurrency</b>: read, plan, write at the resourceVersion read (a replace with
 *       {@code metadata.resourceVersion}, a delete with a resourceVersion precondition, a create that
 *       fails when the name is taken); on a conflict (409), or when the Secret vanished meanwhile,
 *       read and plan again, at most {@link Builder#maxAttempts} times;
 *   <li><b>nothing sent when nothing changes</b>: a {@link Change.Keep}, or an update whose Secret
 *       equals the one read (data, type, labels, annotations, owner references, immutability),
 *       makes no write request;
 *   <li><b>no lost fields</b>: a replace starts from the Secret as read, so finalizers and metadata
 *       this library does not model are kept;
 *   <li><b>immutable Secrets</b>: metadata may change, data may not, and an immutable Secret stays
 *       immutable ({@link TargetException.ImmutableTargetException}; ESO: "could not update secret,
 *       target is immutable");
 *   <li><b>ownership</b>: a Secret whose controller is another object keeps that controller, and one
 *       another ExternalSecret controls is neither taken over nor deleted
 *       ({@link TargetException.OwnershipException}; ESO: "target is owned by another ExternalSecret");
 *   <li><b>validation before sending</b>: name, namespace, keys, the 1 MiB limit, labels, annotations
 *       and the keys of built-in Secret types are checked as the API server checks them; a Secret it
 *       would refuse is never sent ({@link InvalidSecretDataException});
 *   <li><b>field manager</b> {@code externalsecrets.external-secrets.io/<es-name>} (ESO's
 *       {@code .../sha3/<hash>} form when longer than 63 characters) when the write is made on behalf
 *       of an ExternalSecret, else {@code secrets-sync}.
 *   <li><b>optional cache</b> ({@link Builder#cache}): the first read of each apply comes from a
 *       {@link ManagedSecretCache} when it holds the Secret, else from the server; reads after a
 *       conflict always come from the server; every write answer goes into the cache.
 * </ul>
 *
 * <p>Failures are {@link TargetException}s (the API error is the cause) and leave the Secret as it
 * was. Thread-safe.
 */
public final class KubernetesSecretWriter implements TargetWriter {
  private static final Logger log = LoggerFactory.getLogger(KubernetesSecretWriter.class);

  /** How many times {@link #apply} reads and plans before giving up on conflicts, by default. */
  public static final int DEFAULT_MAX_ATTEMPTS = 5;

  private final KubernetesClient client;
  private final int maxAttempts;
  private final ManagedSecretCache cache; // null: every read goes to the server

  private KubernetesSecretWriter(Builder builder) {
    this.client = builder.client;
    this.maxAttempts = builder.maxAttempts;
    this.cache = builder.cache;
  }

  /** A writer with the defaults, over {@code client}. */
  public static KubernetesSecretWriter create(KubernetesClient client) {
    return builder(client).build();
  }

  public static Builder builder(KubernetesClient client) {
    return new Builder(requireNonNull(client, "client"));
  }

  @Override
  public Optional<TargetSecret> read(String namespace, String name) {
    return readRaw(namespace, name).map(SecretJson::fromJson);
  }

  @Override
  public WriteResult apply(String namespace, String name, Planner planner) {
    return apply(namespace, name, "", planner);
  }

  @Override
  public WriteResult apply(String namespace, String name, String owner, Planner planner) {
    requireNonNull(owner, "owner");
    requireNonNull(planner, "planner");
    SecretValidation.checkName(namespace, name);
    String fieldManager = FieldManagers.forExternalSecret(owner);
    String where = "Secret " + namespace + "/" + name;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      Optional<Read> read = attempt == 1 ? readCached(namespace, name) : readFromServer(namespace, name);
      Optional<TargetSecret> current = read.map(Read::secret);
      Change change = planner.plan(current);
      Optional<WriteResult> done;
      if (change instanceof Change.Keep) {
        return new WriteResult(Action.UNCHANGED, current);
      } else if (change instanceof Change.Create create) {
        done = create(where, namespace, name, create.secret(), fieldManager);
      } else if (change instanceof Change.Update update) {
        if (current.isEmpty()) {
          log.debug("{} vanished before an update; planning again", where);
          continue;
        }
        done = update(where, read.get(), current.get(), update.secret(), owner, fieldManager);
      } else {
        done = delete(where, current, owner);
      }
      if (done.isPresent()) {
        return done.get();
      }
      log.debug("{} changed meanwhile (attempt {} of {}); reading and planning again", where, attempt, maxAttempts);
    }
    throw new TargetException(where + " kept changing while it was written: " + maxAttempts
        + " conflicts in a row", List.of("another client writes this Secret at the same time; find it (its "
            + "managedFields name it) and stop one of the two"), null);
  }

  private Optional<WriteResult> create(String where, String namespace, String name, TargetSecret secret,
      String fieldManager) {
    checkTarget(where, namespace, name, secret);
    SecretValidation.check(secret);
    try {
      ObjectNode answer = client.create(ResourceType.SECRETS, SecretJson.toJson(secret.withResourceVersion("")),
          fieldManager);
      remember(namespace, name, Optional.of(answer));
      TargetSecret created = SecretJson.fromJson(answer);
      return Optional.of(new WriteResult(Action.CREATED, Optional.of(created)));
    } catch (KubernetesApiException e) {
      if (e.isAlreadyExists()) {
        return Optional.empty();
      }
      throw failed(where, "create", e);
    }
  }

  private Optional<WriteResult> update(String where, Read raw, TargetSecret current, TargetSecret desired,
      String owner, String fieldManager) {
    checkTarget(where, current.namespace(), current.name(), desired);
    checkOwnership(where, current, desired, owner);
    checkImmutable(where, current, desired);
    if (!current.type().equals(desired.type()) && !desired.type().isEmpty()) {
      throw new TargetException(where + " has type " + current.type() + " and cannot become " + desired.type()
          + " (the type of a Secret never changes)", List.of("delete the Secret so that it is created with the new "
              + "type, or set the template's type to " + current.type()), null);
    }
    TargetSecret toWrite = desired.withResourceVersion(current.resourceVersion());
    if (sameContent(current, toWrite)) {
      return Optional.of(new WriteResult(Action.UNCHANGED, Optional.of(current)));
    }
    SecretValidation.check(toWrite);
    try {
      ObjectNode answer = client.replace(ResourceType.SECRETS, SecretJson.replaceInto(raw.json().get(), toWrite), fieldManager);
      remember(current.namespace(), current.name(), Optional.of(answer));
      TargetSecret updated = SecretJson.fromJson(answer);
      return Optional.of(new WriteResult(Action.UPDATED, Optional.of(updated)));
    } catch (KubernetesApiException e) {
      if (e.isConflict() || e.isNotFound()) {
        return Optional.empty();
      }
      if (e.isInvalid() && e.causes().stream().anyMatch(c -> c.field().equals("data")
          && c.reason().equals("FieldValueForbidden"))) {
        throw new TargetException.ImmutableTargetException(where + " is immutable and its data would change",
            List.of("delete the Secret so that it is created again with the new data"));
      }
      throw failed(where, "update", e);
    }
  }

  private Optional<WriteResult> delete(String where, Optional<TargetSecret> current, String owner) {
    if (current.isEmpty()) {
      return Optional.of(new WriteResult(Action.UNCHANGED, Optional.empty()));
    }
    Optional<OwnerReference> controller = current.get().controller();
    if (!owner.isEmpty() && controller.isPresent() && isExternalSecret(controller.get())
        && !controller.get().name().equals(owner)) {
      throw ownedByOther(where, controller.get(), "deleted");
    }
    try {
      client.delete(ResourceType.SECRETS, current.get().namespace(), current.get().name(),
          current.get().resourceVersion());
      remember(current.get().namespace(), current.get().name(), Optional.empty());
      return Optional.of(new WriteResult(Action.DELETED, Optional.empty()));
    } catch (KubernetesApiException e) {
      if (e.isConflict()) {
        return Optional.empty();
      }
      if (e.isNotFound()) {
        return Optional.of(new WriteResult(Action.UNCHANGED, Optional.empty()));
      }
      throw failed(where, "delete", e);
    }
  }

  private static void checkTarget(String where, String namespace, String name, TargetSecret secret) {
    if (!secret.namespace().equals(namespace) || !secret.name().equals(name)) {
      throw new IllegalArgumentException("the planner for " + where + " planned Secret " + secret.namespace() + "/"
          + secret.name());
    }
  }

  /** A Secret's controller stays; only an ExternalSecret's own controller reference may be removed by it. */
  private static void checkOwnership(String where, TargetSecret current, TargetSecret desired, String owner) {
    List<OwnerReference> controllers = desired.ownerReferences().stream().filter(OwnerReference::controller).toList();
    if (controllers.size() > 1) {
      throw new IllegalArgumentException("the planner for " + where + " set " + controllers.size()
          + " controller references; Kubernetes allows one");
    }
    Optional<OwnerReference> before = current.controller();
    if (before.isEmpty()) {
      return;
    }
    Optional<OwnerReference> after = desired.controller();
    if (after.isPresent() && sameObject(before.get(), after.get())) {
      return;
    }
    if (after.isPresent() && isExternalSecret(before.get()) && isExternalSecret(after.get())
        && before.get().name().equals(after.get().name())) {
      return; // the same ExternalSecret, re-created with a new uid, takes its Secret back (as ESO does)
    }
    boolean ours = !owner.isEmpty() && isExternalSecret(before.get()) && before.get().name().equals(owner);
    if (after.isEmpty() && (ours || owner.isEmpty())) {
      return; // an ExternalSecret letting go of its own Secret (creationPolicy Owner -> Orphan)
    }
    throw ownedByOther(where, before.get(), after.isPresent() ? "taken over" : "released");
  }

  private static TargetException.OwnershipException ownedByOther(String where, OwnerReference controller, String verb) {
    String by = isExternalSecret(controller) ? "ExternalSecret " + controller.name()
        : controller.kind() + " " + controller.name() + " (" + controller.apiVersion() + ")";
    return new TargetException.OwnershipException(where + " is controlled by " + by + " and is not " + verb,
        List.of("point target.name at another Secret, or use creationPolicy Merge to add keys to it without owning it"),
        controller.kind(), controller.name());
  }

  private static void checkImmutable(String where, TargetSecret current, TargetSecret desired) {
    if (!current.immutable()) {
      return;
    }
    if (!current.data().equals(desired.data())) {
      throw new TargetException.ImmutableTargetException(where + " is immutable and its data would change",
          List.of("delete the Secret so that it is created again with the new data, or set target.immutable: false "
              + "and re-create it"));
    }
    if (!desired.immutable()) {
      throw new TargetException.ImmutableTargetException(where + " is immutable and cannot become mutable again",
          List.of("delete the Secret so that it is created again"));
    }
  }

  private static boolean sameContent(TargetSecret a, TargetSecret b) {
    return a.data().equals(b.data()) && a.type().equals(b.type()) && a.labels().equals(b.labels())
        && a.annotations().equals(b.annotations()) && a.ownerReferences().equals(b.ownerReferences())
        && a.immutable() == b.immutable();
  }

  private static boolean sameObject(OwnerReference a, OwnerReference b) {
    return a.kind().equals(b.kind()) && a.name().equals(b.name()) && Objects.equals(a.uid(), b.uid())
        && a.apiVersion().split("/")[0].equals(b.apiVersion().split("/")[0]);
  }

  private static boolean isExternalSecret(OwnerReference ref) {
    return ref.kind().equals("ExternalSecret") && ref.apiVersion().startsWith("external-secrets.io/");
  }

  /**
   * A Secret read: what the planner sees, and the JSON a replace starts from (made only for a
   * replace, from the cache's compact form or the server's answer).
   */
  private record Read(TargetSecret secret, Supplier<ObjectNode> json) {}

  /** The Secret from the cache when it holds it, else from the server. */
  private Optional<Read> readCached(String namespace, String name) {
    if (cache != null) {
      Optional<ManagedSecretCache.Entry> cached = cache.get(namespace, name);
      if (cached.isPresent()) {
        ManagedSecretCache.Entry entry = cached.get();
        return Optional.of(new Read(entry.secret(), entry::json));
      }
    }
    return readFromServer(namespace, name);
  }

  private Optional<Read> readFromServer(String namespace, String name) {
    Optional<ObjectNode> raw = readRaw(namespace, name);
    remember(namespace, name, raw);
    return raw.map(json -> new Read(SecretJson.fromJson(json), () -> json));
  }

  private void remember(String namespace, String name, Optional<ObjectNode> answer) {
    if (cache != null) {
      cache.record(namespace, name, answer);
    }
  }

  private Optional<ObjectNode> readRaw(String namespace, String name) {
    try {
      return client.get(ResourceType.SECRETS, namespace, name);
    } catch (KubernetesApiException e) {
      throw failed("Secret " + namespace + "/" + name, "read", e);
    }
  }

  private static TargetException failed(String where, String verb, KubernetesApiException e) {
    List<String> hints = new ArrayList<>(e.hints());
    if (e.code() == 403) {
      hints.add("the identity needs get, create, update and delete on secrets in this namespace");
    }
    return new TargetException("could not " + verb + " " + where + ": " + e.getMessage(), hints, e);
  }

  @Override
  public String toString() {
    return "KubernetesSecretWriter{" + client.config().server() + ", maxAttempts=" + maxAttempts
        + (cache == null ? "" : ", cached") + "}";
  }

  /** Configures a writer. */
  public static final class Builder {
    private final KubernetesClient client;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private ManagedSecretCache cache;

    private Builder(KubernetesClient client) {
      this.client = client;
    }

    /** How many times to read and plan before giving up on conflicts (>= 1). */
    public Builder maxAttempts(int attempts) {
      checkArgument(attempts >= 1, "maxAttempts must be >= 1, got %s", attempts);
      this.maxAttempts = attempts;
      return this;
    }

    /**
     * Reads Secrets through {@code cache} (see {@link ManagedSecretCache}); it should watch the
     * namespaces this writer writes to, over the same API server. Default: no cache, every apply
     * reads the Secret from the server.
     */
    public Builder cache(ManagedSecretCache cache) {
      this.cache = requireNonNull(cache, "cache");
      return this;
    }

    public KubernetesSecretWriter build() {
      return new KubernetesSecretWriter(this);
    }
  }
}
