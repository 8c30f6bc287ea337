package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;

/**
 * The objects of the fake cluster, in their storage version, with one cluster-wide resourceVersion
 * counter (as etcd's revision), a bounded history of changes for watches, and the live watches.
 * A write and the events it causes happen under this store's monitor; callers that read, decide and
 * write synchronize on the store for the whole step. Stored objects are never mutated after they are
 * put; readers get them as they are and must copy before changing.
 */
final class ObjectStore {
  /**
   * One change: ADDED, MODIFIED or DELETED, with the object as it was after the change and, for
   * MODIFIED, as it was before (null otherwise).
   */
  record Event(String type, String typeKey, String namespace, ObjectNode object, long resourceVersion,
      ObjectNode previous) {}

  /** A registered watch: what it wants and where its events go. */
  static final class Watch {
    final String typeKey;
    final String namespace;
    final Predicate<ObjectNode> filter;
    final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();

    Watch(String typeKey, String namespace, Predicate<ObjectNode> filter) {
      this.typeKey = typeKey;
      this.namespace = namespace;
      this.filter = filter;
    }

    /** Whether the object matches the selector after the change, or matched it before. */
    boolean wants(Event e) {
      return e.typeKey().equals(typeKey)
          && (namespace == null || namespace.equals(e.namespace()))
          && (filter.test(e.object()) || (e.previous() != null && filter.test(e.previous())));
    }

    /**
     * The event type this watch reports, as the API server's watch cache does for a selector: an
     * object modified out of the selection is DELETED, one modified into it is ADDED.
     */
    String typeOf(Event e) {
      if (!e.type().equals("MODIFIED") || e.previous() == null) {
        return e.type();
      }
      boolean now = filter.test(e.object());
      boolean before = filter.test(e.previous());
      return now && !before ? "ADDED" : !now ? "DELETED" : "MODIFIED";
    }
  }

  /** The result of registering a watch from a resourceVersion: events to replay, or too old. */
  record Registration(Watch watch, List<Event> replay, long oldestAvailable, boolean expired) {}

  private final Map<String, TreeMap<String, ObjectNode>> objects = new HashMap<>();
  private final ArrayDeque<Event> history = new ArrayDeque<>();
  private final int historyLimit;
  private final List<Watch> watches = new CopyOnWriteArrayList<>();
  private long resourceVersion;
  private long compactedThrough;

  ObjectStore(int historyLimit, long startResourceVersion) {
    this.historyLimit = historyLimit;
    this.resourceVersion = startResourceVersion;
    this.compactedThrough = startResourceVersion;
  }

  static String objectKey(String namespace, String name) {
    return (namespace == null ? "" : namespace) + "/" + name;
  }

  synchronized long resourceVersion() {
    return resourceVersion;
  }

  private volatile long watchEpoch;

  /** Counts {@link #endWatches()} calls; a watch started in an earlier epoch ends. */
  long watchEpoch() {
    return watchEpoch;
  }

  /** Ends every open watch stream, as the API server does when a watch's time is up. */
  void endWatches() {
    watchEpoch++;
  }

  /** The next resourceVersion to stamp on a write; call {@link #put} or {@link #remove} with it. */
  synchronized long nextResourceVersion() {
    return ++resourceVersion;
  }

  synchronized Optional<ObjectNode> get(String typeKey, String namespace, String name) {
    TreeMap<String, ObjectNode> m = objects.get(typeKey);
    return m == null ? Optional.empty() : Optional.ofNullable(m.get(objectKey(namespace, name)));
  }

  /** The objects of a type, in key order (namespace, then name); {@code namespace} null = all. */
  synchronized List<ObjectNode> list(String typeKey, String namespace) {
    TreeMap<String, ObjectNode> m = objects.get(typeKey);
    if (m == null) {
      return List.of();
    }
    if (namespace == null) {
      return List.copyOf(m.values());
    }
    return List.copyOf(m.subMap(namespace + "/", namespace + "0").values());
  }

  /** Every stored object of every type, for garbage collection and namespace deletion. */
  synchronized Map<String, List<ObjectNode>> all() {
    Map<String, List<ObjectNode>> out = new HashMap<>();
    objects.forEach((k, v) -> out.put(k, List.copyOf(v.values())));
    return out;
  }

  /** Stores {@code object} (already stamped with {@code rv}) and notifies watches. */
  synchronized void put(String typeKey, String namespace, String name, ObjectNode object, long rv,
      boolean created) {
    ObjectNode previous = objects.computeIfAbsent(typeKey, k -> new TreeMap<>())
        .put(objectKey(namespace, name), object);
    record(new Event(created ? "ADDED" : "MODIFIED", typeKey, namespace, object, rv,
        created ? null : previous));
  }

  /** Removes an object; {@code lastState} (stamped with {@code rv}) is what watches see. */
  synchronized void remove(String typeKey, String namespace, String name, ObjectNode lastState,
      long rv) {
    TreeMap<String, ObjectNode> m = objects.get(typeKey);
    if (m != null) {
      m.remove(objectKey(namespace, name));
    }
    record(new Event("DELETED", typeKey, namespace, lastState, rv, null));
  }

  private void record(Event e) {
    history.addLast(e);
    while (history.size() > historyLimit) {
      compactedThrough = history.removeFirst().resourceVersion();
    }
    for (Watch w : watches) {
      if (w.wants(e)) {
        w.queue.add(e);
      }
    }
  }

  /** Drops the whole change history, as an etcd compaction would: older watches get 410. */
  synchronized void compact() {
    if (!history.isEmpty()) {
      compactedThrough = history.getLast().resourceVersion();
    }
    history.clear();
  }

  /**
   * Registers a watch that sees every change after {@code fromResourceVersion}: the retained history
   * is replayed first, then live events. When changes after it are no longer retained the watch is
   * not registered and the registration says expired.
   */
  synchronized Registration watch(String typeKey, String namespace, Predicate<ObjectNode> filter,
      long fromResourceVersion) {
    Watch w = new Watch(typeKey, namespace, filter);
    if (fromResourceVersion < compactedThrough) {
      return new Registration(null, List.of(), compactedThrough + 1, true);
    }
    List<Event> replay = new ArrayList<>();
    for (Event e : history) {
      if (e.resourceVersion() > fromResourceVersion && w.wants(e)) {
        replay.add(e);
      }
    }
    watches.add(w);
    return new Registration(w, replay, compactedThrough + 1, false);
  }

  void unwatch(Watch w) {
    watches.remove(w);
  }

  int watchCount() {
    return watches.size();
  }
}
