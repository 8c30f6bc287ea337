package io.secretsync.core;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import io.secretsync.core.SecretStoreException.NoSecretException;
import io.secretsync.core.SyncResult.KeyChanges;
import io.secretsync.core.SyncResult.Outcome;
import io.secretsync.core.TargetSecret.OwnerReference;
import io.secretsync.core.model.CreationPolicy;
import io.secretsync.core.model.DataFromSource;
import io.secretsync.core.model.DeletionPolicy;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ExternalSecretData;
import io.secretsync.core.model.NullBytePolicy;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.Rewrite;
import io.secretsync.core.model.StoreRef;
import io.secretsync.core.model.TargetTemplate;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Syncs ExternalSecrets into target Secrets, with ESO's semantics:
 *
 * <ol>
 *   <li>resolve each entry's store through the {@link StoreRegistry};
 *   <li>fetch, reading each (store, key, version, metadataPolicy) once per sync however many
 *       entries name it;
 *   <li>assemble: {@code dataFrom} entries in order (later wins), then {@code data[]} (wins);
 *       decode, convert key names, rewrite;
 *   <li>render {@code target.template} if any;
 *   <li>validate key names, the 1 MiB limit and NUL bytes;
 *   <li>plan the target from the creation and deletion policies and write it, or write nothing
 *       when it already is as it should be.
 * </ol>
 *
 * <p>Any failure leaves the target exactly as it was; only a secret the store reports as missing
 * ({@link NoSecretException}) lets the deletion policy remove data. Results carry ESO's condition
 * reasons and messages and never a value. Thread-safe: syncs of different ExternalSecrets may run
 * concurrently; callers must not sync one ExternalSecret twice at once.
 */
public final class SyncEngine {
  private static final Logger log = LoggerFactory.getLogger(SyncEngine.class);

  /** ESO's label on every Secret it manages. */
  public static final String LABEL_MANAGED = "reconcile.external-secrets.io/managed";
  /** ESO's label naming the owning ExternalSecret (SHA3-224 of namespace/name), with creationPolicy Owner. */
  public static final String LABEL_CREATED_BY = "reconcile.external-secrets.io/created-by";
  /** ESO's annotation with the hash of the Secret's data. */
  public static final String ANNOTATION_DATA_HASH = "reconcile.external-secrets.io/data-hash";
  /**
   * The data keys this library wrote into a Secret it merges into (creationPolicy Merge or
   * CreateOrMerge), so that keys it no longer produces are removed and others' keys are kept.
   * ESO tracks the same thing through managedFields.
   */
  public static final String ANNOTATION_MANAGED_KEYS = "secrets-sync.io/managed-keys";

  /** The Kubernetes limit on a Secret's data, in bytes. */
  public static final int MAX_SECRET_BYTES = 1024 * 1024;

  private final StoreRegistry stores;
  private final TargetWriter writer;
  private final Clock clock;
  private final TemplateRenderer templates;

  private SyncEngine(Builder builder) {
    this.stores = requireNonNull(builder.stores, "stores");
    this.writer = requireNonNull(builder.writer, "writer");
    this.clock = builder.clock;
    this.templates = builder.templates;
  }

  public static Builder builder() {
    return new Builder();
  }

  public StoreRegistry stores() {
    return stores;
  }

  /** Syncs {@code es} and writes the target when it changed. Never throws for sync failures: see the result. */
  public SyncResult sync(ExternalSecret es) {
    return run(es, false);
  }

  /** Computes what {@link #sync} would write, without writing; the result's {@code desired()} holds it. */
  public SyncResult dryRun(ExternalSecret es) {
    return run(es, true);
  }

  /**
   * Handles the removal of {@code es}: with deletionPolicy Delete, deletes its target if this
   * ExternalSecret controls it. (With creationPolicy Owner on Kubernetes, garbage collection also
   * removes the target through its ownerReference.)
   */
  public SyncResult delete(ExternalSecret es) {
    Instant now = clock.instant();
    String ns = es.metadata().namespace();
    String target = es.targetName();
    if (es.spec().target().deletionPolicy() != DeletionPolicy.DELETE) {
      return result(es, now, true, SyncResult.REASON_SYNCED,
          "secret retained due to DeletionPolicy=" + es.spec().target().deletionPolicy().wireName(), Outcome.SKIPPED,
          SecretData.empty(), KeyChanges.NONE, Optional.empty(), Optional.empty(), Optional.empty());
    }
    try {
      TargetWriter.WriteResult written = writer.apply(ns, target, current -> current
          .filter(secret -> controlledBy(secret, es))
          .<TargetWriter.Change>map(secret -> new TargetWriter.Change.Delete(secret.resourceVersion()))
          .orElse(new TargetWriter.Change.Keep()));
      Outcome outcome = written.action() == TargetWriter.Action.DELETED ? Outcome.DELETED : Outcome.SKIPPED;
      return result(es, now, true, SyncResult.REASON_DELETED, "secret deleted due to DeletionPolicy=Delete", outcome,
          SecretData.empty(), KeyChanges.NONE, Optional.empty(), Optional.empty(), Optional.empty());
    } catch (SecretSyncException e) {
      return failure(es, now, "could not delete secret", e, Optional.empty());
    }
  }

  private SyncResult run(ExternalSecret es, boolean dryRun) {
    Instant now = clock.instant();
    Assembled assembled;
    try {
      ExternalSecretValidator.check(es);
      assembled = fetchAndAssemble(es);
    } catch (FetchFailure e) {
      return failure(es, now, "could not get secret data from provider", e.cause, Optional.of(e.store));
    } catch (SecretSyncException e) {
      return failure(es, now, "could not get secret data from provider", e, Optional.empty());
    }
    try {
      SyncResult written = write(es, assembled, now, dryRun);
      return written.failed() ? written : written.withMissingEntries(assembled.missing());
    } catch (SecretSyncException e) {
      return failure(es, now, "could not update secret", e, Optional.empty());
    }
  }

  // ---- fetch and assemble ------------------------------------------------------------------

  private Assembled fetchAndAssemble(ExternalSecret es) {
    Fetcher fetcher = new Fetcher(es);
    boolean retain = es.spec().target().deletionPolicy() == DeletionPolicy.RETAIN;
    List<String> missing = new java.util.ArrayList<>();
    SecretData.Builder data = SecretData.builder();
    Map<String, String> origin = new HashMap<>();

    for (int i = 0; i < es.spec().dataFrom().size(); i++) {
      DataFromSource source = es.spec().dataFrom().get(i);
      String where = "spec.dataFrom[" + i + "]";
      StoreRef store = es.storeFor(source.sourceStoreRef()).orElseThrow();
      Map<String, byte[]> entries;
      try {
        entries = source.extract().isPresent() ? extract(fetcher, store, source.extract().get(), where)
            : find(fetcher, store, source, where);
      } catch (NoSecretException e) {
        if (retain) {
          throw new FetchFailure(store, e);
        }
        log.debug("{}: {} does not exist at the provider; skipped (deletionPolicy={})", es, where,
            es.spec().target().deletionPolicy().wireName());
        missing.add(where);
        continue;
      }
      Map<String, byte[]> renamed = rewrite(source, entries, where);
      renamed.forEach((key, value) -> {
        data.put(key, value);
        origin.put(key, where);
      });
    }

    for (int i = 0; i < es.spec().data().size(); i++) {
      ExternalSecretData entry = es.spec().data().get(i);
      String where = "spec.data[" + i + "]";
      StoreRef store = es.storeFor(entry.sourceStoreRef()).orElseThrow();
      RemoteRef ref = entry.remoteRef();
      byte[] value;
      try {
        value = PropertyLookup.value(fetcher.read(store, ref.location(), where), ref.property());
      } catch (NoSecretException e) {
        if (retain) {
          throw new FetchFailure(store, e);
        }
        missing.add(where + " (key=" + ref.key() + ")");
        continue;
      } catch (SecretStoreException e) {
        throw new FetchFailure(store, withWhere(e, where + " (key=" + ref.key() + ")"));
      }
      value = Decoding.decode(value, ref.decodingStrategy(), where + ".remoteRef");
      checkNul(value, ref.nullBytePolicy(), where + ".remoteRef", entry.secretKey());
      data.put(entry.secretKey(), value);
      origin.put(entry.secretKey(), where);
    }
    int entries = es.spec().data().size() + es.spec().dataFrom().size();
    SecretData result = data.build();
    return new Assembled(result, result.isEmpty() && (!missing.isEmpty() || entries > 0), origin,
        List.copyOf(missing));
  }

  private Map<String, byte[]> extract(Fetcher fetcher, StoreRef store, RemoteRef ref, String where) {
    SecretDocument document;
    try {
      document = fetcher.read(store, ref.location(), where);
    } catch (NoSecretException e) {
      throw e;
    } catch (SecretStoreException e) {
      throw new FetchFailure(store, withWhere(e, where + ".extract (key=" + ref.key() + ")"));
    }
    Map<String, byte[]> out = new LinkedHashMap<>();
    SecretData properties;
    try {
      properties = PropertyLookup.map(document, ref.property());
    } catch (SecretStoreException e) {
      throw new FetchFailure(store, withWhere(e, where + ".extract (key=" + ref.key() + ")"));
    }
    properties.forEach((key, value) -> {
      byte[] decoded = Decoding.decode(value, ref.decodingStrategy(), where + ".extract");
      checkNul(decoded, ref.nullBytePolicy(), where + ".extract", key);
      out.put(key, decoded);
    });
    return out;
  }

  private Map<String, byte[]> find(Fetcher fetcher, StoreRef store, DataFromSource source, String where) {
    var find = source.find().orElseThrow();
    ImmutableMap<String, SecretDocument> found = fetcher.find(store, find, where);
    Map<String, byte[]> out = new LinkedHashMap<>();
    found.forEach((name, document) -> {
      byte[] value = Decoding.decode(document.toCompactJson(), find.decodingStrategy(), where + ".find");
      checkNul(value, find.nullBytePolicy(), where + ".find", name);
      out.put(name, value);
    });
    return out;
  }

  private Map<String, byte[]> rewrite(DataFromSource source, Map<String, byte[]> entries, String where) {
    Map<String, byte[]> current = entries;
    if (source.rewrite().isEmpty()) {
      var strategy = source.extract().map(RemoteRef::conversionStrategy)
          .orElseGet(() -> source.find().orElseThrow().conversionStrategy());
      Map<String, byte[]> converted = new LinkedHashMap<>();
      current.forEach((key, value) -> converted.put(KeyNames.convert(key, strategy), value));
      return converted;
    }
    for (int r = 0; r < source.rewrite().size(); r++) {
      Rewrite step = source.rewrite().get(r);
      String field = where + ".rewrite[" + r + "]";
      Map<String, byte[]> next = new LinkedHashMap<>();
      if (step instanceof Rewrite.Regexp regexp) {
        GoRegexp pattern;
        try {
          pattern = GoRegexp.compile(regexp.source());
        } catch (IllegalArgumentException e) {
          throw new InvalidConfigException(field + ".regexp.source", e.getMessage());
        }
        current.forEach((key, value) -> next.put(pattern.replaceAll(key, regexp.target()), value));
      } else if (step instanceof Rewrite.Transform transform) {
        current.forEach((key, value) -> next.put(templates.transformKey(transform.template(), key), value));
      }
      current = next;
    }
    return current;
  }

  private static void checkNul(byte[] value, NullBytePolicy policy, String where, String key) {
    if (policy == NullBytePolicy.FAIL) {
      for (byte b : value) {
        if (b == 0) {
          throw new SecretSyncException(where + ": the value for key \"" + key
              + "\" contains a NUL byte (nullBytePolicy: Fail)",
              List.of("fix the value at the provider, or set nullBytePolicy to Ignore"), null);
        }
      }
    }
  }

  private static SecretStoreException withWhere(SecretStoreException e, String where) {
    if (e.getMessage() != null && e.getMessage().startsWith(where)) {
      return e;
    }
    if (e instanceof SecretStoreException.PropertyNotFoundException) {
      return new SecretStoreException.PropertyNotFoundException(where + ": " + e.getMessage(), e.hints());
    }
    return e;
  }

  /** Reads through a per-sync cache: one read per (store, location), failures included. */
  private final class Fetcher {
    private final ExternalSecret es;
    private final Map<Object, Object> cache = new HashMap<>();

    Fetcher(ExternalSecret es) {
      this.es = es;
    }

    SecretDocument read(StoreRef ref, RemoteRef.Location location, String where) {
      Object cached = cache.computeIfAbsent(List.of(ref, location), k -> {
        try {
          return store(ref).read(location);
        } catch (SecretStoreException e) {
          return e;
        }
      });
      if (cached instanceof SecretStoreException e) {
        throw e;
      }
      return (SecretDocument) cached;
    }

    ImmutableMap<String, SecretDocument> find(StoreRef ref, io.secretsync.core.model.FindRef find, String where) {
      try {
        return store(ref).find(find);
      } catch (NoSecretException e) {
        throw e;
      } catch (SecretStoreException e) {
        throw new FetchFailure(ref, e);
      }
    }

    private SecretStore store(StoreRef ref) {
      try {
        return stores.store(ref, es.metadata().namespace());
      } catch (SecretStoreException e) {
        throw new FetchFailure(ref, e);
      } catch (InvalidConfigException e) {
        throw new FetchFailure(ref, new SecretStoreException.InvalidStoreConfigException(
            ref + ": " + e.getMessage(), e.hints(), e));
      }
    }
  }

  /** A store failure, with the store it came from. */
  private static final class FetchFailure extends SecretSyncException {
    private static final long serialVersionUID = 1L;
    final transient StoreRef store;
    final SecretSyncException cause;

    FetchFailure(StoreRef store, SecretSyncException cause) {
      super(cause.getMessage(), cause.hints(), cause);
      this.store = store;
      this.cause = cause;
    }
  }

  private record Assembled(SecretData data, boolean noData, Map<String, String> origin, List<String> missing) {}

  // ---- plan and write ----------------------------------------------------------------------

  private SyncResult write(ExternalSecret es, Assembled assembled, Instant now, boolean dryRun) {
    var target = es.spec().target();
    String ns = es.metadata().namespace();
    String name = es.targetName();

    if (assembled.noData()) {
      switch (target.deletionPolicy()) {
        case DELETE -> {
          if (target.creationPolicy() != CreationPolicy.OWNER) {
            return failure(es, now, "could not delete secret", new InvalidConfigException("spec.target.deletionPolicy",
                "deletionPolicy=Delete requires creationPolicy=Owner"), Optional.empty());
          }
          if (dryRun) {
            return result(es, now, true, SyncResult.REASON_DELETED, "secret would be deleted due to DeletionPolicy=Delete",
                Outcome.DELETED, SecretData.empty(), KeyChanges.NONE, Optional.empty(), Optional.empty(),
                Optional.empty());
          }
          return delete(es);
        }
        case RETAIN -> {
          return result(es, now, true, SyncResult.REASON_SYNCED, "secret retained due to DeletionPolicy=Retain",
              Outcome.SKIPPED, SecretData.empty(), KeyChanges.NONE, Optional.empty(), Optional.empty(),
              Optional.empty());
        }
        case MERGE -> {
          // continue: the keys this ExternalSecret manages are removed, the Secret stays
        }
      }
    }

    Rendered rendered = render(es, assembled.data());
    validate(rendered.data());

    Plan[] last = new Plan[1];
    TargetWriter.Planner planner = current -> {
      Plan plan = plan(es, rendered, current);
      last[0] = plan;
      return plan.change;
    };

    if (dryRun) {
      Plan plan = plan(es, rendered, writer.read(ns, name));
      Outcome outcome = plan.change instanceof TargetWriter.Change.Create ? Outcome.CREATED
          : plan.change instanceof TargetWriter.Change.Update ? Outcome.UPDATED
          : plan.change instanceof TargetWriter.Change.Delete ? Outcome.DELETED
          : plan.outcomeWhenKept;
      return result(es, now, plan.ready, plan.reason, plan.message, outcome, plan.desiredData, plan.changes,
          Optional.empty(), Optional.empty(), Optional.ofNullable(plan.desired));
    }

    TargetWriter.WriteResult written = writer.apply(ns, name, planner);
    Plan plan = last[0];
    Outcome outcome = switch (written.action()) {
      case CREATED -> Outcome.CREATED;
      case UPDATED -> Outcome.UPDATED;
      case DELETED -> Outcome.DELETED;
      case UNCHANGED -> plan.outcomeWhenKept;
    };
    log.debug("{} -> Secret {}/{}: {}", es, ns, name, outcome);
    return result(es, now, plan.ready, plan.reason, plan.message, outcome, plan.desiredData,
        outcome == Outcome.UNCHANGED || outcome == Outcome.SKIPPED ? KeyChanges.NONE : plan.changes,
        Optional.empty(), Optional.empty(), Optional.empty());
  }

  private Rendered render(ExternalSecret es, SecretData data) {
    Optional<TargetTemplate> template = es.spec().target().template();
    if (template.isEmpty()) {
      return new Rendered("", es.metadata().labels(), es.metadata().annotations(), data);
    }
    TemplateRenderer.Rendered out = templates.render(es, template.get(), data);
    return new Rendered(out.type(), out.labels(), out.annotations(), out.data());
  }

  private static void validate(SecretData data) {
    for (String key : data.keys()) {
      if (!KeyNames.VALID_KEY.matcher(key).matches() || key.equals(".") || key.equals("..")) {
        throw new SecretSyncException("invalid key \"" + key + "\" in the target Secret: a valid key must consist of "
            + "alphanumeric characters, '-', '_' or '.'",
            List.of("rename it with secretKey, dataFrom[].rewrite or a conversionStrategy"), null);
      }
    }
    long size = 0;
    for (String key : data.keys()) {
      size += data.sizeOf(key);
    }
    if (size > MAX_SECRET_BYTES) {
      throw new SecretSyncException("the target Secret's data is " + size + " bytes; Kubernetes allows at most "
          + MAX_SECRET_BYTES, List.of("split the data over several ExternalSecrets"), null);
    }
  }

  private record Rendered(String type, Map<String, String> labels, Map<String, String> annotations, SecretData data) {}

  /** The planner's decision for one current state. */
  private static final class Plan {
    TargetWriter.Change change = new TargetWriter.Change.Keep();
    Outcome outcomeWhenKept = Outcome.UNCHANGED;
    boolean ready = true;
    String reason = SyncResult.REASON_SYNCED;
    String message = "secret synced";
    SecretData desiredData = SecretData.empty();
    KeyChanges changes = KeyChanges.NONE;
    TargetSecret desired;
  }

  private Plan plan(ExternalSecret es, Rendered rendered, Optional<TargetSecret> current) {
    var target = es.spec().target();
    CreationPolicy policy = target.creationPolicy();
    Plan plan = new Plan();
    plan.desiredData = rendered.data();

    if (policy == CreationPolicy.NONE) {
      plan.outcomeWhenKept = Outcome.SKIPPED;
      return plan;
    }
    if (policy == CreationPolicy.MERGE && current.isEmpty()) {
      plan.outcomeWhenKept = Outcome.SKIPPED;
      plan.reason = SyncResult.REASON_MISSING;
      plan.message = "secret will not be created due to CreationPolicy=Merge";
      return plan;
    }
    if (current.isPresent() && (policy == CreationPolicy.OWNER || policy == CreationPolicy.ORPHAN)) {
      Optional<OwnerReference> controller = current.get().controller();
      if (controller.isPresent() && !isOwnerRefTo(controller.get(), es)) {
        throw new TargetException(controller.get().kind().equals(ExternalSecret.KIND)
            ? "target is owned by another ExternalSecret"
            : "failed to take ownership of target secret",
            List.of("Secret " + current.get().namespace() + "/" + current.get().name() + " is controlled by "
                + controller.get().kind() + " " + controller.get().name()
                + "; choose another target.name or remove that owner"), null);
      }
    }

    boolean merging = (policy == CreationPolicy.MERGE || policy == CreationPolicy.CREATE_OR_MERGE) && current.isPresent();
    SecretData.Builder data = SecretData.builder();
    if (merging) {
      data.putAll(current.get().data());
      managedKeys(current.get()).forEach(data::remove);
    }
    data.putAll(rendered.data());
    SecretData finalData = data.build();
    plan.desiredData = finalData;

    Map<String, String> labels = new LinkedHashMap<>();
    Map<String, String> annotations = new LinkedHashMap<>();
    current.ifPresent(c -> {
      labels.putAll(c.labels());
      annotations.putAll(c.annotations());
    });
    labels.putAll(rendered.labels());
    annotations.putAll(rendered.annotations());
    labels.put(LABEL_MANAGED, "true");
    String ownerLabel = DataHash.ownerLabel(es.metadata().namespace(), es.metadata().name());
    if (policy == CreationPolicy.OWNER) {
      labels.put(LABEL_CREATED_BY, ownerLabel);
    } else if (ownerLabel.equals(labels.get(LABEL_CREATED_BY))) {
      labels.remove(LABEL_CREATED_BY);
    }
    annotations.put(ANNOTATION_DATA_HASH, DataHash.of(finalData));
    if (policy == CreationPolicy.MERGE || policy == CreationPolicy.CREATE_OR_MERGE) {
      annotations.put(ANNOTATION_MANAGED_KEYS, String.join(",", rendered.data().keys()));
    } else {
      annotations.remove(ANNOTATION_MANAGED_KEYS);
    }

    ImmutableList.Builder<OwnerReference> owners = ImmutableList.builder();
    current.ifPresent(c -> c.ownerReferences().stream().filter(o -> !isOwnerRefTo(o, es)).forEach(owners::add));
    if (policy == CreationPolicy.OWNER && !es.metadata().uid().isEmpty()) {
      owners.add(new OwnerReference(ExternalSecret.API_VERSION, ExternalSecret.KIND, es.metadata().name(),
          es.metadata().uid(), true, true));
    }

    String type = !rendered.type().isEmpty() ? rendered.type()
        : current.map(TargetSecret::type).filter(t -> !t.isEmpty()).orElse(TargetSecret.TYPE_OPAQUE);
    boolean immutable = es.spec().target().immutable() || current.map(TargetSecret::immutable).orElse(false);
    TargetSecret desired = new TargetSecret(es.metadata().namespace(), es.targetName(), type, ImmutableMap.copyOf(labels),
        ImmutableMap.copyOf(annotations), owners.build(), immutable, finalData, current.map(TargetSecret::resourceVersion).orElse(""));
    plan.desired = desired;
    plan.changes = diff(current.map(TargetSecret::data).orElse(SecretData.empty()), finalData);

    if (current.isEmpty()) {
      plan.change = new TargetWriter.Change.Create(desired);
      return plan;
    }
    TargetSecret existing = current.get();
    if (existing.immutable() && !existing.data().equals(finalData)) {
      throw new TargetException("could not update secret, target is immutable",
          List.of("Secret " + existing.namespace() + "/" + existing.name()
              + " is immutable: delete it to let it be created again with the new data"), null);
    }
    boolean same = existing.data().equals(finalData) && existing.type().equals(type)
        && existing.labels().equals(desired.labels()) && existing.annotations().equals(desired.annotations())
        && existing.ownerReferences().equals(desired.ownerReferences()) && existing.immutable() == immutable;
    if (!same) {
      plan.change = new TargetWriter.Change.Update(desired);
    }
    return plan;
  }

  private static List<String> managedKeys(TargetSecret secret) {
    String keys = secret.annotations().get(ANNOTATION_MANAGED_KEYS);
    return keys == null || keys.isEmpty() ? List.of() : Arrays.asList(keys.split(","));
  }

  private static boolean isOwnerRefTo(OwnerReference ref, ExternalSecret es) {
    return ref.kind().equals(ExternalSecret.KIND) && ref.name().equals(es.metadata().name())
        && (es.metadata().uid().isEmpty() || ref.uid().equals(es.metadata().uid()));
  }

  /** Whether {@code es} controls {@code secret}: its controller reference, or ESO's created-by label. */
  static boolean controlledBy(TargetSecret secret, ExternalSecret es) {
    Optional<OwnerReference> controller = secret.controller();
    if (controller.isPresent()) {
      return isOwnerRefTo(controller.get(), es);
    }
    return DataHash.ownerLabel(es.metadata().namespace(), es.metadata().name())
        .equals(secret.labels().get(LABEL_CREATED_BY));
  }

  private static KeyChanges diff(SecretData before, SecretData after) {
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

  // ---- results -------------------------------------------------------------------------------

  private SyncResult failure(ExternalSecret es, Instant now, String esoMessage, SecretSyncException e,
      Optional<StoreRef> store) {
    log.debug("{}: {}: {}", es, esoMessage, e.getMessage());
    return result(es, now, false, SyncResult.REASON_ERROR, esoMessage + ": " + e.getMessage(), Outcome.FAILED,
        SecretData.empty(), KeyChanges.NONE, Optional.of(e), store, Optional.empty());
  }

  private static SyncResult result(ExternalSecret es, Instant now, boolean ready, String reason, String message,
      Outcome outcome, SecretData data, KeyChanges changes, Optional<SecretSyncException> error,
      Optional<StoreRef> store, Optional<TargetSecret> desired) {
    ImmutableSortedMap.Builder<String, Integer> sizes = ImmutableSortedMap.naturalOrder();
    for (String key : data.keys()) {
      sizes.put(key, data.sizeOf(key));
    }
    return new SyncResult(es.metadata().namespace(), es.metadata().name(), es.targetName(), ready, reason, message,
        outcome, sizes.build(), changes, error, store, desired, now);
  }

  /** Configures an engine: a store registry and a target writer are required. */
  public static final class Builder {
    private StoreRegistry stores;
    private TargetWriter writer;
    private Clock clock = Clock.systemUTC();
    private TemplateRenderer templates = TemplateRenderer.unsupported();

    private Builder() {}

    public Builder stores(StoreRegistry registry) {
      this.stores = requireNonNull(registry);
      return this;
    }

    public Builder writer(TargetWriter targetWriter) {
      this.writer = requireNonNull(targetWriter);
      return this;
    }

    public Builder clock(Clock engineClock) {
      this.clock = requireNonNull(engineClock);
      return this;
    }

    public Builder templates(TemplateRenderer renderer) {
      this.templates = requireNonNull(renderer);
      return this;
    }

    public SyncEngine build() {
      return new SyncEngine(this);
    }
  }
}
