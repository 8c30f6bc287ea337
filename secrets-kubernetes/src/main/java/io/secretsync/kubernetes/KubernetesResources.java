package io.secretsync.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.HashMultimap;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.SetMultimap;
import io.secretsync.core.SyncResult;
import io.secretsync.core.TargetSecret;
import io.secretsync.core.controller.Condition;
import io.secretsync.core.controller.ExternalSecretStatus;
import io.secretsync.core.controller.ResourceChanges;
import io.secretsync.core.controller.ResourceSource;
import io.secretsync.core.controller.StoreStatus;
import io.secretsync.core.manifest.ManifestException;
import io.secretsync.core.manifest.ManifestLoader;
import io.secretsync.core.model.CreationPolicy;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import io.secretsync.kubernetes.KubernetesClient.EventType;
import io.secretsync.kubernetes.KubernetesClient.ResourceType;
import io.secretsync.kubernetes.KubernetesClient.Watch;
import io.secretsync.kubernetes.KubernetesClient.WatchEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kubernetes {@link io.secretsync.core.controller.ResourceSource}: watches of SecretStores,
 * ClusterSecretStores, ExternalSecrets (in one namespace or all) and the managed Secrets (label
 * {@code reconcile.external-secrets.io/managed=true}), each resuming from its last resourceVersion
 * and listing again after 410 Gone ({@link Reflector}).
 *
 * <ul>
 *   <li>Stores are watched first, so that the first syncs find them. ExternalSecrets are applied
 *       with the status they carry as {@code lastKnown}, so that a restart resumes their schedules.
 *   <li>An object that cannot be read is logged with its name and the offending field, and its
 *       status says so (Ready=False; written only when it differs, so that the write does not feed
 *       back). An ExternalSecret known before keeps running as it was last read.
 *   <li>A managed Secret that is deleted, loses its label, or whose data no longer matches its
 *       data-hash annotation triggers a sync of the ExternalSecrets that target it with creationPolicy
 *       Owner, Merge or CreateOrMerge (ESO's {@code isSecretValid} holds for Orphan whatever the
 *       Secret looks like, and None never writes). After the first lists, an ExternalSecret
 *       resumed from its status whose target is gone or changed is synced too.
 * </ul>
 *
 * The watch of managed Secrets also feeds the writer's {@link ManagedSecretCache}, which this source
 * closes when it closes. Listeners run on the watch threads; the indexes are guarded by this object.
 */
final class KubernetesResources implements ResourceSource {
  private static final Logger log = LoggerFactory.getLogger(KubernetesResources.class);
  static final String MANAGED_SELECTOR = ManagedSecretCache.MANAGED_SELECTOR;
  private static final Duration STORES_FIRST = Duration.ofSeconds(30);

  private final KubernetesClient client;
  private final String namespace;
  private final KubernetesStatusSink statusSink;
  private final Predicate<TargetSecret> intact;
  private final ManagedSecretCache cache;
  private final Clock clock;
  private final Duration watchTimeout;
  private final ManifestLoader loader = new ManifestLoader();

  private final List<Watch> watches = new ArrayList<>();
  /** ExternalSecret namespace/name to its target; and target namespace/name to ExternalSecret names. */
  private final Map<String, Target> targets = new HashMap<>();
  private final SetMultimap<String, String> byTarget = HashMultimap.create();
  /** Managed Secrets seen (namespace/name) and whether each is intact. */
  private final Map<String, Boolean> managedSecrets = new HashMap<>();
  private final Set<String> resumed = new java.util.HashSet<>();
  private ResourceChanges changes;
  private Thread starter;
  private boolean closed;

  private record Target(String name, CreationPolicy policy) {}

  KubernetesResources(KubernetesClient client, String namespace, KubernetesStatusSink statusSink,
      Predicate<TargetSecret> intact, ManagedSecretCache cache, Clock clock, Duration watchTimeout) {
    this.client = client;
    this.namespace = namespace;
    this.statusSink = statusSink;
    this.intact = intact;
    this.cache = cache;
    this.clock = clock;
    this.watchTimeout = watchTimeout;
  }

  @Override
  public synchronized void start(ResourceChanges resourceChanges) {
    this.changes = resourceChanges;
    starter = new Thread(this::startWatches, "secrets-sync-watch-start");
    starter.setDaemon(true);
    starter.start();
  }

  private void startWatches() {
    try {
      Watch stores = open(ResourceType.SECRET_STORES, namespace, "", this::onStore);
      Watch clusterStores = open(ResourceType.CLUSTER_SECRET_STORES, "", "", this::onStore);
      if (stores == null || clusterStores == null) {
        return;
      }
      stores.awaitSynced(STORES_FIRST);
      clusterStores.awaitSynced(STORES_FIRST);
      Watch secrets = startSecretWatch();
      Watch externalSecrets = open(ResourceType.EXTERNAL_SECRETS, namespace, "", this::onExternalSecret);
      if (secrets == null || externalSecrets == null) {
        return;
      }
      while (!secrets.awaitSynced(Duration.ofSeconds(1)) || !externalSecrets.awaitSynced(Duration.ofSeconds(1))) {
        if (isClosed()) {
          return;
        }
      }
      repairMissingTargets();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private synchronized Watch open(ResourceType type, String ns, String selector,
      java.util.function.Consumer<WatchEvent<ObjectNode>> listener) {
    if (closed) {
      return null;
    }
    Watch watch = client.startWatch(type, ns, selector, java.util.function.Function.identity(), listener, watchTimeout);
    watches.add(watch);
    return watch;
  }

  private synchronized Watch startSecretWatch() {
    if (closed) {
      return null;
    }
    Watch watch = client.startWatch(ResourceType.SECRETS, namespace, MANAGED_SELECTOR, ManagedSecretCache.Entry::of,
        event -> {
          cache.onEvent(event);
          onSecret(new WatchEvent<>(event.type(), event.object().secret()));
        }, watchTimeout);
    watches.add(watch);
    cache.attach(watch);
    return watch;
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  // ---- stores ------------------------------------------------------------------------------

  private void onStore(WatchEvent<ObjectNode> event) {
    ObjectNode object = event.object();
    StoreKind kind = object.path("kind").asText().equals("ClusterSecretStore") ? StoreKind.CLUSTER_SECRET_STORE
        : StoreKind.SECRET_STORE;
    String ns = kind == StoreKind.CLUSTER_SECRET_STORE ? "" : namespaceOf(object);
    String name = nameOf(object);
    if (event.type() == EventType.DELETED) {
      changes.removeStore(kind, ns, name);
      return;
    }
    SecretStoreResource store;
    try {
      store = loader.store(object);
    } catch (ManifestException e) {
      log.warn("{} {} is not used: {}", kind.wireName(), qualified(ns, name), e.getMessage());
      statusSink.reportInvalidStore(object, kind, ns, name, e, clock);
      return;
    }
    // A status write changes only the resourceVersion: re-applying would replace the live store
    // (a new login) and re-sync its users. The controller compares definitions, so leave it out.
    changes.applyStore(new SecretStoreResource(store.kind(), store.metadata().withResourceVersion(""),
        store.controller(), store.provider(), store.retrySettings(), store.refreshInterval(), store.conditions()));
  }

  // ---- ExternalSecrets ---------------------------------------------------------------------

  private void onExternalSecret(WatchEvent<ObjectNode> event) {
    ObjectNode object = event.object();
    String ns = namespaceOf(object);
    String name = nameOf(object);
    String key = qualified(ns, name);
    if (event.type() == EventType.DELETED) {
      synchronized (this) {
        Target old = targets.remove(key);
        if (old != null) {
          byTarget.remove(qualified(ns, old.name), name);
        }
        resumed.remove(key);
      }
      changes.removeExternalSecret(ns, name);
      return;
    }
    ExternalSecret es;
    try {
      es = loader.externalSecret(object);
    } catch (ManifestException e) {
      boolean known;
      synchronized (this) {
        known = targets.containsKey(key);
      }
      log.warn("ExternalSecret {} {}: {}", key, known ? "keeps its last valid definition" : "is not synced",
          e.getMessage());
      statusSink.reportInvalidExternalSecret(object, ns, name, e, clock);
      return;
    }
    Optional<ExternalSecretStatus> lastKnown = StatusJson.readExternalSecret(object);
    synchronized (this) {
      Target target = new Target(es.targetName(), es.spec().target().creationPolicy());
      Target old = targets.put(key, target);
      if (old != null) {
        byTarget.remove(qualified(ns, old.name), name);
      }
      byTarget.put(qualified(ns, target.name), name);
      if (old == null && lastKnown.isPresent()) {
        resumed.add(key);
      }
    }
    if (lastKnown.isPresent()) {
      changes.applyExternalSecret(es, lastKnown.get());
    } else {
      changes.applyExternalSecret(es);
    }
  }

  // ---- managed Secrets ---------------------------------------------------------------------

  private void onSecret(WatchEvent<TargetSecret> event) {
    TargetSecret secret = event.object();
    String key = qualified(secret.namespace(), secret.name());
    boolean repair;
    synchronized (this) {
      if (event.type() == EventType.DELETED) {
        managedSecrets.remove(key);
        repair = true;
      } else {
        repair = !intact.test(secret);
        managedSecrets.put(key, !repair);
      }
    }
    if (repair) {
      log.info("managed Secret {} was {}; syncing its ExternalSecret", key,
          event.type() == EventType.DELETED ? "deleted or unlabelled" : "changed by someone else");
      for (String esName : repairable(secret.namespace(), secret.name())) {
        changes.requestSync(secret.namespace(), esName);
      }
    }
  }

  private synchronized List<String> repairable(String ns, String secretName) {
    List<String> out = new ArrayList<>();
    for (String esName : byTarget.get(qualified(ns, secretName))) {
      Target target = targets.get(qualified(ns, esName));
      if (target != null && repairs(target.policy)) {
        out.add(esName);
      }
    }
    out.sort(null);
    return out;
  }

  /** Whether a hand-made change to the target makes ESO sync again: all but Orphan (PR #4956) and None (never writes). */
  static boolean repairs(CreationPolicy policy) {
    return policy != CreationPolicy.ORPHAN && policy != CreationPolicy.NONE;
  }

  private void repairMissingTargets() {
    List<String[]> missing = new ArrayList<>();
    synchronized (this) {
      for (String key : resumed) {
        Target target = targets.get(key);
        String ns = key.substring(0, key.indexOf('/'));
        if (target != null && repairs(target.policy)
            && !managedSecrets.getOrDefault(qualified(ns, target.name), false)) {
          missing.add(new String[] {ns, key.substring(key.indexOf('/') + 1)});
        }
      }
      resumed.clear();
    }
    for (String[] es : missing) {
      log.info("the target of ExternalSecret {}/{} is missing or was changed; syncing it", es[0], es[1]);
      changes.requestSync(es[0], es[1]);
    }
  }

  @Override
  public void close() {
    List<Watch> open;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      open = ImmutableList.copyOf(watches);
      if (starter != null) {
        starter.interrupt();
      }
    }
    for (Watch watch : open) {
      watch.close();
    }
    cache.close();
  }

  private static String namespaceOf(JsonNode object) {
    return object.path("metadata").path("namespace").asText("");
  }

  private static String nameOf(JsonNode object) {
    return object.path("metadata").path("name").asText("");
  }

  private static String qualified(String ns, String name) {
    return ns.isEmpty() ? name : ns + "/" + name;
  }

  @Override
  public String toString() {
    return "KubernetesResources{namespace=" + (namespace.isEmpty() ? "(all)" : namespace) + "}";
  }
}
