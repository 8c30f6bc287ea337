package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;

/**
 * The fake's etcd: objects by type, namespace and name, one resourceVersion counter for all of
 * them (as etcd's revision), metadata kept as the API server keeps it (uid, resourceVersion,
 * creationTimestamp, generation), a bounded history of watch events per type (a watch from a
 * resourceVersion older than the history gets 410 Expired), and background garbage collection of
 * dependents through ownerReferences. All methods synchronize on the store.
 */
final class ObjectStore {
  static final int HISTORY = 2000;

  private final Clock clock;
  private long revision = 1;
  private final Map<String, TreeMap<String, ObjectNode>> objects = new HashMap<>();
  private final Map<String, Deque<Event>> history = new HashMap<>();
  private final Map<String, List<BlockingQueue<Event>>> watchers = new HashMap<>();

  record Event(String type, long revision, ObjectNode object) {}

  ObjectStore(Clock clock) {
    this.clock = clock;
  }

  synchronized long revision() {
    return revision;
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  synchronized Optional<ObjectNode> get(ResourceType type, String namespace, String name) {
    ObjectNode found = objects.getOrDefault(type.storageKey(), new TreeMap<>()).get(key(namespace, name));
    return Optional.ofNullable(found).map(ObjectNode::deepCopy);
  }

  synchronized List<ObjectNode> list(ResourceType type, String namespace, Predicate<ObjectNode> filter) {
    List<ObjectNode> out = new ArrayList<>();
    for (ObjectNode o : objects.getOrDefault(type.storageKey(), new TreeMap<>()).values()) {
      String ns = o.path("metadata").path("namespace").asText("");
      if ((namespace.isEmpty() || namespace.equals(ns)) && filter.test(o)) {
        out.add(o.deepCopy());
      }
    }
    return out;
  }

  /** Stores a new object, filling uid, resourceVersion, creationTimestamp and generation. */
  synchronized ObjectNode create(ResourceType type, ObjectNode object) {
    ObjectNode meta = (ObjectNode) object.path("metadata");
    String ns = meta.path("namespace").asText("");
    String name = meta.path("name").asText();
    TreeMap<String, ObjectNode> byName = objects.computeIfAbsent(type.storageKey(), k -> new TreeMap<>());
    if (byName.containsKey(key(ns, name))) {
      throw Status.alreadyExists(type, name);
    }
    meta.put("uid", UUID.randomUUID().toString());
    meta.put("creationTimestamp", now());
    meta.put("generation", 1);
    meta.remove("managedFields");
    meta.put("resourceVersion", Long.toString(++revision));
    byName.put(key(ns, name), object.deepCopy());
    publish(type, "ADDED", object);
    return object;
  }

  /**
   * Replaces an object. A non-empty {@code resourceVersion} in the new object must match the
   * stored one (409 Conflict otherwise). Generation is bumped when {@code spec} (custom resources)
   * or anything but metadata and status (built-ins) changed.
   */
  synchronized ObjectNode update(ResourceType type, ObjectNode object, boolean statusOnly) {
    ObjectNode meta = (ObjectNode) object.path("metadata");
    String ns = meta.path("namespace").asText("");
    String name = meta.path("name").asText();
    TreeMap<String, ObjectNode> byName = objects.computeIfAbsent(type.storageKey(), k -> new TreeMap<>());
    ObjectNode current = byName.get(key(ns, name));
    if (current == null) {
      throw Status.notFound(type, name);
    }
    String expected = meta.path("resourceVersion").asText("");
    ObjectNode currentMeta = (ObjectNode) current.path("metadata");
    if (!expected.isEmpty() && !expected.equals(currentMeta.path("resourceVersion").asText())) {
      throw Status.conflict(type, name);
    }
    ObjectNode next = object.deepCopy();
    if (statusOnly) {
      next = current.deepCopy();
      if (object.has("status")) {
        next.set("status", object.get("status"));
      }
    } else if (type.statusSubresource()) {
      if (current.has("status")) {
        next.set("status", current.get("status"));
      } else {
        next.remove("status");
      }
    }
    ObjectNode nextMeta = (ObjectNode) next.path("metadata");
    for (String kept : List.of("uid", "creationTimestamp", "generation")) {
      if (currentMeta.has(kept)) {
        nextMeta.set(kept, currentMeta.get(kept));
      }
    }
    nextMeta.remove("managedFields");
    if (!statusOnly && specChanged(type, current, next)) {
      nextMeta.put("generation", currentMeta.path("generation").asLong(1) + 1);
    }
    ObjectNode comparable = next.deepCopy();
    ((ObjectNode) comparable.get("metadata")).set("resourceVersion", currentMeta.get("resourceVersion"));
    if (comparable.equals(current)) {
      return current.deepCopy(); // a no-op update keeps the resourceVersion, as the API server does
    }
    nextMeta.put("resourceVersion", Long.toString(++revision));
    byName.put(key(ns, name), next.deepCopy());
    publish(type, "MODIFIED", next);
    return next;
  }

  private static boolean specChanged(ResourceType type, ObjectNode current, ObjectNode next) {
    if (type.custom()) {
      return !current.path("spec").equals(next.path("spec"));
    }
    ObjectNode a = current.deepCopy();
    ObjectNode b = next.deepCopy();
    for (ObjectNode o : List.of(a, b)) {
      o.remove("metadata");
      o.remove("status");
    }
    return !a.equals(b);
  }

  /** Deletes an object and, in the background as the garbage collector does, its dependents. */
  synchronized ObjectNode delete(ResourceType type, String namespace, String name, String expectedVersion,
      Map<String, ResourceType> allTypes) {
    TreeMap<String, ObjectNode> byName = objects.computeIfAbsent(type.storageKey(), k -> new TreeMap<>());
    ObjectNode current = byName.get(key(namespace, name));
    if (current == null) {
      throw Status.notFound(type, name);
    }
    if (!expectedVersion.isEmpty()
        && !expectedVersion.equals(current.path("metadata").path("resourceVersion").asText())) {
      throw Status.conflict(type, name);
    }
    byName.remove(key(namespace, name));
    ObjectNode deleted = current.deepCopy();
    ((ObjectNode) deleted.get("metadata")).put("resourceVersion", Long.toString(++revision));
    publish(type, "DELETED", deleted);
    collectDependents(current.path("metadata").path("uid").asText(), allTypes);
    return deleted;
  }

  private void collectDependents(String ownerUid, Map<String, ResourceType> allTypes) {
    for (ResourceType type : allTypes.values()) {
      for (ObjectNode o : List.copyOf(objects.getOrDefault(type.storageKey(), new TreeMap<>()).values())) {
        for (JsonNode ref : o.path("metadata").path("ownerReferences")) {
          if (ownerUid.equals(ref.path("uid").asText())) {
            String ns = o.path("metadata").path("namespace").asText("");
            String name = o.path("metadata").path("name").asText();
            if (objects.get(type.storageKey()).containsKey(key(ns, name))) {
              delete(type, ns, name, "", allTypes);
            }
            break;
          }
        }
      }
    }
  }

  private void publish(ResourceType type, String eventType, ObjectNode object) {
    long rv = Long.parseLong(object.path("metadata").path("resourceVersion").asText("0"));
    Event event = new Event(eventType, rv, object.deepCopy());
    Deque<Event> events = history.computeIfAbsent(type.storageKey(), k -> new ArrayDeque<>());
    events.addLast(event);
    while (events.size() > HISTORY) {
      events.removeFirst();
    }
    for (BlockingQueue<Event> queue : watchers.getOrDefault(type.storageKey(), List.of())) {
      queue.offer(event);
    }
  }

  /**
   * Registers a watcher; events after {@code fromRevision} from the history are queued first.
   *
   * @throws Status.Failure 410 when {@code fromRevision} is older than the kept history
   */
  synchronized BlockingQueue<Event> watch(ResourceType type, long fromRevision) {
    BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
    Deque<Event> events = history.getOrDefault(type.storageKey(), new ArrayDeque<>());
    if (fromRevision > 0) {
      long oldest = events.isEmpty() ? revision : events.peekFirst().revision() - 1;
      if (fromRevision < oldest && events.size() >= HISTORY) {
        throw Status.gone("too old resource version: " + fromRevision + " (" + oldest + ")");
      }
      for (Event e : events) {
        if (e.revision() > fromRevision) {
          queue.add(e);
        }
      }
    }
    watchers.computeIfAbsent(type.storageKey(), k -> new CopyOnWriteArrayList<>()).add(queue);
    return queue;
  }

  /** Forgets history up to now, so watches from older resourceVersions get 410 (for tests). */
  synchronized void compact() {
    for (Deque<Event> events : history.values()) {
      events.clear();
      for (int i = 0; i < HISTORY; i++) {
        events.add(new Event("BOOKMARK", revision, null));
      }
    }
  }

  synchronized void unwatch(ResourceType type, BlockingQueue<Event> queue) {
    watchers.getOrDefault(type.storageKey(), List.of()).remove(queue);
  }

  private String now() {
    return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
