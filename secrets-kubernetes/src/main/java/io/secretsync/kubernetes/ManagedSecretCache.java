package io.secretsync.kubernetes;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.core.SyncEngine;
import io.secretsync.core.TargetSecret;
import io.secretsync.kubernetes.KubernetesClient.EventType;
import io.secretsync.kubernetes.KubernetesClient.ResourceType;
import io.secretsync.kubernetes.KubernetesClient.Watch;
import io.secretsync.kubernetes.KubernetesClient.WatchEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A read-through cache of the managed Secrets (label {@code reconcile.external-secrets.io/managed=true})
 * for {@link KubernetesSecretWriter}, fed by a watch of those Secrets, as ESO's informer: with it, a
 * sync that changes nothing sends no request to the API server.
 *
 * <ul>
 *   <li>A Secret in the cache is read from it; one not in it (an unmanaged Secret, a Secret not
 *       seen yet), or any Secret while the watch has not finished its first list, is read from the
 *       server.
 *   <li>The writer puts its own write answers in the cache (a Secret without the managed label is
 *       removed from it instead), so the next sync sees its own write; an older watch event never
 *       replaces a newer entry (resourceVersions compared as numbers, as etcd makes them).
 *   <li>A stale entry cannot lose an update: every write carries the resourceVersion read, and after
 *       a conflict (409), or a Secret found missing or already existing, the writer reads from the
 *       server again.
 * </ul>
 *
 * <pre>{@code
 * try (ManagedSecretCache cache = ManagedSecretCache.watch(kube, "")) {   // "" = all namespaces
 *   KubernetesSecretWriter writer = KubernetesSecretWriter.builder(kube).cache(cache).build();
 *   ...
 * }
 * }</pre>
 *
 * <p>Each Secret is held compactly: the {@link TargetSecret} the writer plans with and the JSON bytes
 * of the fields it does not model ({@code managedFields} dropped), the very entry its watch keeps
 * for its own bookkeeping. {@link KubernetesController} keeps one of its own, fed by the watch it
 * runs anyway. Thread-safe.
 * {@link #close()} stops the watch; a closed cache answers nothing, so its writer reads from the
 * server.
 */
public final class ManagedSecretCache implements AutoCloseable {
  static final String MANAGED_SELECTOR = SyncEngine.LABEL_MANAGED + "=true";

  private final ConcurrentHashMap<String, Entry> secrets = new ConcurrentHashMap<>();
  private final String namespace;
  private volatile Watch watch;
  private volatile boolean synced;
  private volatile boolean closed;

  private ManagedSecretCache(String namespace) {
    this.namespace = namespace;
  }

  /**
   * A cache fed by a new watch of the managed Secrets in {@code namespace} (empty: all namespaces)
   * over {@code client}; it answers once the watch's first list is in.
   */
  public static ManagedSecretCache watch(KubernetesClient client, String namespace) {
    requireNonNull(client, "client");
    ManagedSecretCache cache = new ManagedSecretCache(requireNonNull(namespace, "namespace"));
    cache.attach(client.startWatch(ResourceType.SECRETS, namespace, MANAGED_SELECTOR, Entry::of,
        cache::onEvent, Reflector.DEFAULT_TIMEOUT));
    return cache;
  }

  /** A cache fed by a watch its owner runs: {@link #attach} it, and pass it its events. */
  static ManagedSecretCache fedExternally(String namespace) {
    return new ManagedSecretCache(namespace);
  }

  /** A cache that answers at once and is fed only by its writer's requests: for tests of stale entries. */
  static ManagedSecretCache unwatched() {
    ManagedSecretCache cache = new ManagedSecretCache("");
    cache.synced = true;
    return cache;
  }

  /** Sets the watch whose first list makes this cache answer. */
  void attach(Watch feeding) {
    this.watch = feeding;
    if (closed) {
      feeding.close();
    }
  }

  /** One event of the watch of managed Secrets (mapped by {@link Entry#of}). */
  void onEvent(WatchEvent<Entry> event) {
    if (closed) {
      return;
    }
    Entry secret = event.object();
    if (event.type() == EventType.DELETED) {
      secrets.remove(secret.key()); // also when older than the entry: a miss only costs a read from the server
    } else {
      put(secret, true);
    }
  }

  /** Whether this cache answers: its watch has listed once and it is not closed. */
  public boolean isSynced() {
    if (closed) {
      return false;
    }
    if (!synced) {
      Watch feeding = watch;
      try {
        synced = feeding != null && feeding.awaitSynced(Duration.ZERO);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return synced;
  }

  /** Waits until this cache answers (its watch has listed once); true when it does. */
  public boolean awaitSynced(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!isSynced()) {
      Watch feeding = watch;
      long left = deadline - System.nanoTime();
      if (closed || left <= 0) {
        return false;
      }
      if (feeding == null) {
        Thread.sleep(Math.min(10, Math.max(1, left / 1_000_000)));
      } else if (feeding.awaitSynced(Duration.ofNanos(left))) {
        synced = !closed;
      }
    }
    return true;
  }

  /** How many Secrets are cached. */
  public int size() {
    return secrets.size();
  }

  /** The cached Secret {@code namespace/name}, when this cache answers and holds it. */
  Optional<Entry> get(String ns, String name) {
    if (!isSynced()) {
      return Optional.empty();
    }
    return Optional.ofNullable(secrets.get(ns + "/" + name));
  }

  /** What the server answered for {@code namespace/name} (a write or a read; empty: it does not exist). */
  void record(String ns, String name, Optional<ObjectNode> answer) {
    if (closed) {
      return;
    }
    Optional<Entry> entry = answer.map(Entry::of);
    if (entry.isEmpty() || !entry.get().managed()) {
      secrets.remove(ns + "/" + name); // an unmanaged Secret is not watched, so it is always read from the server
    } else {
      put(entry.get(), false);
    }
  }

  /**
   * Caches {@code secret} unless the entry is newer; at the same resourceVersion the watch's entry
   * ({@code fromWatch}) wins, as the watch keeps that very entry for its own bookkeeping.
   */
  private void put(Entry secret, boolean fromWatch) {
    if (!namespace.isEmpty() && !namespace.equals(secret.namespace)) {
      return;
    }
    secrets.merge(secret.key(), secret, (old, fresh) -> {
      int order = compare(fresh.resourceVersion, old.resourceVersion);
      return order < 0 || (order == 0 && !fromWatch) ? old : fresh;
    });
  }

  /** The order of two resourceVersions; 1 (newer) when either is not a number. */
  static int compare(String a, String b) {
    try {
      return Long.compare(Long.parseLong(a), Long.parseLong(b));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /**
   * A Secret as cached: the {@link TargetSecret} the writer plans with, and the compact JSON of what
   * it does not model (uid, finalizers, creationTimestamp and other metadata; never
   * {@code managedFields}, which a replace that leaves out keeps as they are on the server), from
   * which the writer's replace starts. A Secret whose JSON cannot be read keeps its JSON instead,
   * and fails as a read from the server would when the writer reads it. Immutable.
   */
  static final class Entry {
    private static final List<String> MODELLED = List.of("data", "stringData", "type", "immutable");
    private static final List<String> MODELLED_META =
        List.of("managedFields", "labels", "annotations", "ownerReferences", "resourceVersion");

    final String namespace;
    final String name;
    final String resourceVersion;
    private final TargetSecret secret; // null: the JSON cannot be read, and rest is all of it
    private final byte[] rest;

    private Entry(String namespace, String name, String resourceVersion, TargetSecret secret, byte[] rest) {
      this.namespace = namespace;
      this.name = name;
      this.resourceVersion = resourceVersion;
      this.secret = secret;
      this.rest = rest;
    }

    /** {@code json}, a Secret as the API returned it (left unchanged). */
    static Entry of(ObjectNode json) {
      JsonNode meta = json.path("metadata");
      String ns = meta.path("namespace").asText("");
      String name = meta.path("name").asText("");
      String rv = meta.path("resourceVersion").asText("");
      TargetSecret secret = readable(json);
      ObjectNode rest = ApiTransport.object();
      json.properties().forEach(field -> {
        if (secret == null || !MODELLED.contains(field.getKey())) {
          rest.set(field.getKey(), field.getValue());
        }
      });
      if (meta instanceof ObjectNode metaObject) {
        ObjectNode restMeta = rest.putObject("metadata");
        metaObject.properties().forEach(field -> {
          if (field.getKey().equals("managedFields") || (secret != null && MODELLED_META.contains(field.getKey()))) {
            return;
          }
          restMeta.set(field.getKey(), field.getValue());
        });
      }
      try {
        return new Entry(ns, name, rv, secret, ApiTransport.JSON.writeValueAsBytes(rest));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("a JSON tree could not be written", e);
      }
    }

    private static TargetSecret readable(ObjectNode json) {
      try {
        return SecretJson.fromJson(json);
      } catch (KubernetesApiException e) {
        return null;
      }
    }

    String key() {
      return namespace + "/" + name;
    }

    String resourceVersion() {
      return resourceVersion;
    }

    /** Whether it carries the managed label (false when its JSON cannot be read). */
    boolean managed() {
      return secret != null && "true".equals(secret.labels().get(SyncEngine.LABEL_MANAGED));
    }

    /**
     * The Secret.
     *
     * @throws KubernetesApiException as {@link SecretJson#fromJson} when its JSON cannot be read
     */
    TargetSecret secret() {
      return secret != null ? secret : SecretJson.fromJson(json());
    }

    /**
     * A JSON of the Secret to start a replace from ({@link SecretJson#replaceInto}): all but the
     * fields the replace sets from a {@link TargetSecret}. A new tree on each call.
     */
    ObjectNode json() {
      try {
        return (ObjectNode) ApiTransport.JSON.readTree(rest);
      } catch (IOException e) {
        throw new IllegalStateException("a JSON tree written could not be read", e);
      }
    }
  }

  /** Stops the watch (when this cache started it) and forgets every Secret. Idempotent. */
  @Override
  public void close() {
    closed = true;
    synced = false;
    Watch feeding = watch;
    if (feeding != null) {
      feeding.close();
    }
    secrets.clear();
  }

  @Override
  public String toString() {
    return "ManagedSecretCache{namespace=" + (namespace.isEmpty() ? "(all)" : namespace) + ", secrets="
        + secrets.size() + (closed ? ", closed" : isSynced() ? ", synced" : ", not synced") + "}";
  }
}
