package io.secretsync.core;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.secretsync.core.SyncResult.KeyChanges;
import io.secretsync.core.SyncResult.Outcome;
import io.secretsync.core.model.CreationPolicy;
import io.secretsync.core.model.DeletionPolicy;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ExternalSecretValidator;
import io.secretsync.core.model.StoreRef;
import io.secretsync.core.model.TargetTemplate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Syncs ExternalSecrets into target Secrets with ESO's semantics.
 *
 * <ol>
 *   <li><b>check</b> the ExternalSecret against ESO's admission rules ({@link ExternalSecretValidator});
 *   <li><b>resolve</b> each entry's store through the {@link StoreRegistry};
 *   <li><b>fetch</b>, reading each (store, key, version, metadataPolicy) once per sync however many
 *       {@code data[]} and {@code dataFrom[].extract} entries name it;
 *   <li><b>assemble</b>: {@code dataFrom} in order (later wins), then {@code data[]} (wins);
 *       decode, convert key names, rewrite;
 *   <li><b>render</b> {@code target.template} through the {@link TemplateRenderer}; without a
 *       template, the ExternalSecret's own labels and annotations are copied, as ESO does;
 *   <li><b>validate</b> key names (Kubernetes' rule) and the size (1 MiB of values, as the API
 *       server counts it);
 *   <li><b>plan and write</b> through the {@link TargetWriter} under the creation and deletion
 *       policies; nothing is written when the Secret already is as it should be.
 * </ol>
 *
 * <p>Any failure leaves the target exactly as it was; only a secret the store reports missing
 * ({@link SecretStoreException.NoSecretException}) lets deletionPolicy Delete or Merge remove data.
 * A {@link SyncResult} carries ESO's condition reason and message, and never a value. {@code sync}
 * does not throw for a failed sync; it throws only for a programming error (a null argument).
 *
 * <p>The target metadata is ESO's: label {@value #LABEL_MANAGED}{@code =true}, annotation
 * {@value #ANNOTATION_DATA_HASH} (ESO's SHA3-224 of the data, equal to what ESO writes, or a keyed
 * HMAC with {@link Builder#dataHashKey}), and with
 * creationPolicy Owner a controller ownerReference to the ExternalSecret (when it has a uid) and
 * label {@value #LABEL_CREATED_BY}. One addition: with creationPolicy Merge or CreateOrMerge the
 * annotation {@value #ANNOTATION_MANAGED_KEYS} lists the keys this library wrote, which ESO reads
 * from managedFields instead.
 *
 * <p>Not done here: ESO's deletion of "orphaned" Secrets (an Owner ExternalSecret's earlier
 * target after {@code target.name} changed), which needs a Secret list the {@link TargetWriter}
 * does not offer; and ESO's removal of labels and annotations it applied earlier and no longer
 * applies (they are kept).
 *
 * <p>Thread-safe: syncs of different ExternalSecrets may run concurrently; a caller must not sync
 * one ExternalSecret twice at the same time.
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

  /** The Kubernetes limit on the sum of a Secret's value sizes, in bytes. */
  public static final int MAX_SECRET_BYTES = 1024 * 1024;

  private final StoreRegistry stores;
  private final TargetWriter writer;
  private final Clock clock;
  private final TemplateRenderer templates;
  private final Function<SecretData, String> dataHash;

  private SyncEngine(Builder builder) {
    this.stores = requireNonNull(builder.stores, "stores: call Builder.stores(registry)");
    this.writer = requireNonNull(builder.writer, "writer: call Builder.writer(targetWriter)");
    this.clock = builder.clock;
    this.templates = builder.templates;
    byte[] key = builder.dataHashKey;
    this.dataHash = key == null ? EsoHash::dataHash : data -> EsoHash.dataHmac(data, key);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The registry this engine resolves stores in. */
  public StoreRegistry stores() {
    return stores;
  }

  /**
   * Whether {@code secret} is as this engine last left it: it carries the {@value #LABEL_MANAGED}
   * label and its {@value #ANNOTATION_DATA_HASH} annotation is the hash this engine writes for its
   * data (ESO's {@code isSecretValid}). False means someone edited the data or removed the metadata.
   */
  public boolean isIntact(TargetSecret secret) {
    requireNonNull(secret, "secret");
    String hash = secret.annotations().get(ANNOTATION_DATA_HASH);
    return "true".equals(secret.labels().get(LABEL_MANAGED)) && hash != null && hash.equals(dataHash.apply(secret.data()));
  }

  /** Syncs {@code es}: fetches, renders and writes its target when it changed. Never throws for a failed sync. */
  public SyncResult sync(ExternalSecret es) {
    return run(requireNonNull(es, "es"), false);
  }

  /**
   * Computes what {@link #sync} would do, reading the target but writing nothing: the result's
   * {@link SyncResult#desired()} holds the Secret that would be written and {@link SyncResult#changes()}
   * the keys that would change. The stores are read as in a sync.
   */
  public SyncResult dryRun(ExternalSecret es) {
    return run(requireNonNull(es, "es"), true);
  }

  /**
   * Handles the removal of {@code es}, as ESO's finalizer does: with deletionPolicy Delete, deletes
   * its target if this ExternalSecret controls it; otherwise keeps it. (With creationPolicy Owner on
   * Kubernetes, garbage collection also removes the target through its ownerReference.)
   */
  public SyncResult delete(ExternalSecret es) {
    Instant now = clock.instant();
    DeletionPolicy policy = es.spec().target().deletionPolicy();
    if (policy != DeletionPolicy.DELETE) {
      return result(es, now, true, SyncResult.REASON_SYNCED, "secret retained due to DeletionPolicy=" + policy.wireName(),
          Outcome.SKIPPED, SecretData.empty(), KeyChanges.NONE, Optional.empty());
    }
    try {
      TargetWriter.WriteResult written = writer.apply(es.metadata().namespace(), es.targetName(), es.metadata().name(),
          current -> {
        try {
          return TargetPlanner.deletion(es, current);
        } catch (TargetException.OwnershipException notOurs) {
          return new TargetWriter.Change.Keep();
        }
      });
      if (written.action() == TargetWriter.Action.DELETED) {
        log.info("{}: deleted Secret {}/{} (deletionPolicy=Delete)", es, es.metadata().namespace(), es.targetName());
        return result(es, now, true, SyncResult.REASON_DELETED, SyncResult.MESSAGE_DELETED, Outcome.DELETED,
            SecretData.empty(), KeyChanges.NONE, Optional.empty());
      }
      return result(es, now, true, SyncResult.REASON_SYNCED,
          "secret retained: it does not exist or this ExternalSecret does not control it", Outcome.SKIPPED,
          SecretData.empty(), KeyChanges.NONE, Optional.empty());
    } catch (SecretSyncException e) {
      return failure(es, now, SyncResult.MESSAGE_DELETE_FAILED, e, Optional.empty());
    }
  }

  private SyncResult run(ExternalSecret es, boolean dryRun) {
    Instant now = clock.instant();
    try {
      ExternalSecretValidator.check(es);
    } catch (InvalidConfigException e) {
      return failure(es, now, SyncResult.MESSAGE_INVALID, e, Optional.empty());
    }
    DataAssembler.Assembled assembled;
    try {
      assembled = new DataAssembler(es, stores, templates).assemble();
    } catch (CoalescingReader.StoreFailure e) {
      return failure(es, now, SyncResult.MESSAGE_GET_DATA_FAILED, e.error, Optional.of(e.store));
    } catch (SecretSyncException e) {
      return failure(es, now, SyncResult.MESSAGE_GET_DATA_FAILED, e, Optional.empty());
    }
    SyncResult result;
    try {
      Optional<SyncResult> settled = assembled.data().isEmpty() ? withoutData(es, now, dryRun) : Optional.empty();
      result = settled.isPresent() ? settled.get() : write(es, assembled.data(), now, dryRun);
    } catch (TargetException.ImmutableTargetException e) {
      result = failure(es, now, SyncResult.MESSAGE_IMMUTABLE, e, Optional.empty());
    } catch (TargetException.OwnershipException e) {
      result = failure(es, now, e.ownerKind().equals(ExternalSecret.KIND) ? SyncResult.MESSAGE_OWNED_BY_OTHER
          : SyncResult.MESSAGE_OWNERSHIP_FAILED, e, Optional.empty());
    } catch (SecretSyncException e) {
      result = failure(es, now, SyncResult.MESSAGE_UPDATE_FAILED, e, Optional.empty());
    }
    return assembled.missing().isEmpty() ? result : result.withMissingEntries(assembled.missing());
  }

  /**
   * ESO's step for providers that gave no data at all: Retain keeps the target, Delete removes it;
   * empty (Merge) means go on and write the target without this ExternalSecret's keys.
   */
  private Optional<SyncResult> withoutData(ExternalSecret es, Instant now, boolean dryRun) {
    var target = es.spec().target();
    switch (target.deletionPolicy()) {
      case RETAIN -> {
        return Optional.of(result(es, now, true, SyncResult.REASON_SYNCED, SyncResult.MESSAGE_RETAINED, Outcome.SKIPPED,
            SecretData.empty(), KeyChanges.NONE, Optional.empty()));
      }
      case DELETE -> {
        if (target.creationPolicy() != CreationPolicy.OWNER) {
          return Optional.of(failure(es, now, SyncResult.MESSAGE_DELETE_FAILED, new TargetException("unable to delete secret: "
              + "creationPolicy=" + target.creationPolicy().wireName() + " is not Owner",
              List.of("deletionPolicy Delete removes only Secrets the ExternalSecret owns: use creationPolicy Owner, "
                  + "or deletionPolicy Retain or Merge"), null), Optional.empty()));
        }
        TargetWriter.Action action;
        try {
          action = dryRun ? preview(TargetPlanner.deletion(es, writer.read(es.metadata().namespace(), es.targetName())))
              : writer.apply(es.metadata().namespace(), es.targetName(), es.metadata().name(),
                  current -> TargetPlanner.deletion(es, current))
                  .action();
        } catch (SecretSyncException e) {
          return Optional.of(failure(es, now, SyncResult.MESSAGE_DELETE_FAILED, e, Optional.empty()));
        }
        if (action == TargetWriter.Action.DELETED && !dryRun) {
          log.info("{}: deleted Secret {}/{}: the provider has no data (deletionPolicy=Delete)", es,
              es.metadata().namespace(), es.targetName());
        }
        return Optional.of(result(es, now, true, SyncResult.REASON_DELETED, SyncResult.MESSAGE_DELETED,
            action == TargetWriter.Action.DELETED ? Outcome.DELETED : Outcome.SKIPPED, SecretData.empty(),
            KeyChanges.NONE, Optional.empty()));
      }
      default -> {
        return Optional.empty(); // Merge: write the Secret without the keys this ExternalSecret manages
      }
    }
  }

  private SyncResult write(ExternalSecret es, SecretData providerData, Instant now, boolean dryRun) {
    TargetPlanner.Rendered rendered = render(es, providerData);
    validateTarget(rendered.data());
    String ns = es.metadata().namespace();
    String name = es.targetName();

    if (dryRun) {
      TargetPlanner.Plan plan = TargetPlanner.plan(es, rendered, writer.read(ns, name), dataHash);
      TargetWriter.Action action = preview(plan.change());
      return result(es, now, true, plan.reason(), plan.message(), outcome(action, plan), plan.data(),
          plan.changes(), plan.desired());
    }

    TargetPlanner.Plan[] last = new TargetPlanner.Plan[1];
    TargetWriter.WriteResult written = writer.apply(ns, name, es.metadata().name(), current -> {
      last[0] = TargetPlanner.plan(es, rendered, current, dataHash);
      return last[0].change();
    });
    TargetPlanner.Plan plan = last[0];
    Outcome outcome = outcome(written.action(), plan);
    if (outcome == Outcome.CREATED || outcome == Outcome.UPDATED) {
      log.info("{}: {} Secret {}/{} (keys +{} ~{} -{})", es, outcome == Outcome.CREATED ? "created" : "updated", ns,
          name, plan.changes().added(), plan.changes().changed(), plan.changes().removed());
    } else {
      log.debug("{}: Secret {}/{} {}", es, ns, name, outcome);
    }
    return result(es, now, true, plan.reason(), plan.message(), outcome, plan.data(),
        outcome == Outcome.CREATED || outcome == Outcome.UPDATED ? plan.changes() : KeyChanges.NONE, Optional.empty());
  }

  private static TargetWriter.Action preview(TargetWriter.Change change) {
    if (change instanceof TargetWriter.Change.Create) {
      return TargetWriter.Action.CREATED;
    }
    if (change instanceof TargetWriter.Change.Update) {
      return TargetWriter.Action.UPDATED;
    }
    if (change instanceof TargetWriter.Change.Delete) {
      return TargetWriter.Action.DELETED;
    }
    return TargetWriter.Action.UNCHANGED;
  }

  private static Outcome outcome(TargetWriter.Action action, TargetPlanner.Plan plan) {
    return switch (action) {
      case CREATED -> Outcome.CREATED;
      case UPDATED -> Outcome.UPDATED;
      case DELETED -> Outcome.DELETED;
      case UNCHANGED -> plan.outcomeWhenKept();
    };
  }

  private TargetPlanner.Rendered render(ExternalSecret es, SecretData data) {
    Optional<TargetTemplate> template = es.spec().target().template();
    if (template.isEmpty()) {
      return new TargetPlanner.Rendered("", es.metadata().labels(), es.metadata().annotations(), data);
    }
    TemplateRenderer.Rendered out = templates.render(es, template.get(), data);
    return new TargetPlanner.Rendered(out.type(), out.labels(), out.annotations(), out.data());
  }

  /** The API server's rule for the keys this ExternalSecret writes (the size is checked by the planner, after merging). */
  private static void validateTarget(SecretData data) {
    for (String key : data.keys()) {
      KeyNames.problem(key).ifPresent(problem -> {
        throw new InvalidSecretDataException("target", "invalid key \"" + key + "\" in the target Secret: " + problem,
            List.of("rename it with secretKey, a dataFrom rewrite, a conversionStrategy or the template"));
      });
    }
  }

  private SyncResult failure(ExternalSecret es, Instant now, String condition, SecretSyncException e,
      Optional<StoreRef> store) {
    log.debug("{}: {}: {}", es, condition, e.getMessage());
    return new SyncResult(es.metadata().namespace(), es.metadata().name(), es.targetName(), false,
        SyncResult.REASON_ERROR, condition, Outcome.FAILED, ImmutableSortedMap.of(), KeyChanges.NONE, Optional.of(e),
        store, Optional.empty(), now, ImmutableList.of());
  }

  private static SyncResult result(ExternalSecret es, Instant now, boolean ready, String reason, String message,
      Outcome outcome, SecretData data, KeyChanges changes, Optional<TargetSecret> desired) {
    ImmutableSortedMap.Builder<String, Integer> sizes = ImmutableSortedMap.naturalOrder();
    for (String key : data.keys()) {
      sizes.put(key, data.sizeOf(key));
    }
    return new SyncResult(es.metadata().namespace(), es.metadata().name(), es.targetName(), ready, reason, message,
        outcome, sizes.build(), changes, Optional.empty(), Optional.empty(), desired, now, ImmutableList.of());
  }

  /** Configures an engine: a store registry and a target writer are required. Not thread-safe. */
  public static final class Builder {
    private StoreRegistry stores;
    private TargetWriter writer;
    private Clock clock = Clock.systemUTC();
    private TemplateRenderer templates = new io.secretsync.core.template.SecretTemplating();
    private byte[] dataHashKey;

    private Builder() {}

    /** The store definitions and their live stores (required). */
    public Builder stores(StoreRegistry registry) {
      this.stores = requireNonNull(registry);
      return this;
    }

    /** Where target Secrets are read and written (required). */
    public Builder writer(TargetWriter targetWriter) {
      this.writer = requireNonNull(targetWriter);
      return this;
    }

    /** The clock for {@link SyncResult#syncedAt()}; default the system clock in UTC. */
    public Builder clock(Clock engineClock) {
      this.clock = requireNonNull(engineClock);
      return this;
    }

    /**
     * Renders {@code target.template} and {@code rewrite.transform}; by default the Go-template
     * engine {@link io.secretsync.core.template.SecretTemplating} without {@code templateFrom}
     * ConfigMaps and Secrets (give it a {@code TemplateSources} to read those).
     */
    public Builder templates(TemplateRenderer renderer) {
      this.templates = requireNonNull(renderer);
      return this;
    }

    /**
     * Computes the {@value #ANNOTATION_DATA_HASH} annotation as HMAC-SHA3-224 keyed with {@code key}
     * (at least 16 bytes; 32 random bytes are a good choice) instead of ESO's plain SHA3-224.
     *
     * <p>The trade-off: ESO's unkeyed hash lets anyone who can read a Secret's metadata (a metadata-only
     * list or watch, a backup or a GitOps diff that hides data but shows annotations) test guesses of a
     * low-entropy value offline; the keyed hash tells nothing without the key. In exchange the value
     * no longer equals ESO's, so ESO taking over such a Secret (or this library taking over from ESO)
     * rewrites its metadata once; changing or losing the key makes every Secret's annotation change
     * once (a metadata-only update, no data change); every replica must use the same key; and the key
     * is a secret to keep like any credential. Default: ESO's unkeyed hash.
     */
    public Builder dataHashKey(byte[] key) {
      requireNonNull(key, "key");
      if (key.length < 16) {
        throw new IllegalArgumentException("dataHashKey must be at least 16 bytes, got " + key.length);
      }
      this.dataHashKey = key.clone();
      return this;
    }

    public SyncEngine build() {
      return new SyncEngine(this);
    }
  }
}
