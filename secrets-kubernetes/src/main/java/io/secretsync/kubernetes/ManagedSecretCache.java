package io.secretsync.kubernetes;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.core.SyncEngine;
import io.secretsync.kubernetes.KubernetesClient.EventType;
import io.secretsync.kubernetes.KubernetesClient.ResourceType;
import io.secretsync.kubernetes.KubernetesClient.Watch;
import io.secretsync.kubernetes.KubernetesClient.WatchEvent;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

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
 * <p>{@link KubernetesController} keeps one of its own, fed by the watch it runs anyway. Thread-safe.
 * {@link #close()} stops the watch; a closed cache answers nothing, so its writer reads from the
 * server.
 */
public final class ManagedSecretCache implements AutoCloseable {
  static final String MANAGED_SELECTOR = SyncEngine.LABEL_MANAGED + "=true";

  private final ConcurrentHashMap<String, ObjectNode> secrets = new ConcurrentHashMap<>();
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
    cache.attach(client.startWatch(ResourceType.SECRETS, namespace, MANAGED_SELECTOR, Function.identity(),
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

  /** One event of the watch of managed Secrets. */
  void onEvent(WatchEvent<ObjectNode> event) {
    if (closed) {
      return;
    }
    ObjectNode secret = event.object();
    String key = key(secret);
    if (event.type() == EventType.DELETED) {
      secrets.remove(key); // also when older than the entry: a miss only costs a read from the server
    } else {
      put(key, slim(secret), true);
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

  /** The cached Secret {@code namespace/name} as the API returned it, when this cache answers and holds it. */
  Optional<ObjectNode> get(String ns, String name) {
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
    String key = ns + "/" + name;
    if (answer.isEmpty() || !managed(answer.get())) {
      secrets.remove(key); // an unmanaged Secret is not watched, so it is always read from the server
    } else {
      put(key, slim(answer.get()), false);
    }
  }

  /**
   * Caches {@code secret} unless the entry is newer; at the same resourceVersion the watch's object
   * ({@code fromWatch}) wins, as the watch keeps that very object for its own bookkeeping.
   */
  private void put(String key, ObjectNode secret, boolean fromWatch) {
    if (!namespace.isEmpty() && !namespace.equals(secret.path("metadata").path("namespace").asText(""))) {
      return;
    }
    secrets.merge(key, secret, (old, fresh) -> {
      int order = compare(fresh, old);
      return order < 0 || (order == 0 && !fromWatch) ? old : fresh;
    });
  }

  /**
   * Drops {@code metadata.managedFields}, in place: the largest part of a small Secret, never read by
   * the writer, and a replace that leaves them out keeps them as they are on the server.
   */
  private static ObjectNode slim(ObjectNode secret) {
    if (secret.path("metadata") instanceof ObjectNode meta) {
      meta.remove("managedFields");
    }
    return secret;
  }

  /** The order of two versions of a Secret by resourceVersion; 1 (newer) when either is not a number. */
  static int compare(ObjectNode a, ObjectNode b) {
    try {
      return Long.compare(Long.parseLong(rv(a)), Long.parseLong(rv(b)));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  private static boolean managed(ObjectNode secret) {
    return "true".equals(secret.path("metadata").path("labels").path(SyncEngine.LABEL_MANAGED).asText(null));
  }

  private static String rv(ObjectNode secret) {
    return secret.path("metadata").path("resourceVersion").asText("");
  }

  private static String key(ObjectNode secret) {
    return secret.path("metadata").path("namespace").asText("") + "/" + secret.path("metadata").path("name").asText("");
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
