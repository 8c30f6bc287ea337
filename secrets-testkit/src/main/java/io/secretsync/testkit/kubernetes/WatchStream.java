package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.testkit.server.ServerResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One watch as the API server streams it: newline-separated JSON events
 * ({@code ADDED}, {@code MODIFIED}, {@code DELETED}, {@code BOOKMARK}, {@code ERROR}) on a chunked
 * 200 answer, until {@code timeoutSeconds} elapse, the client goes away or the server closes.
 */
final class WatchStream implements ServerResponse.StreamingBody {
  private final ObjectStore store;
  private final ResourceType type;
  private final String namespace;
  private final Predicate<ObjectNode> filter;
  private final String resourceVersion;
  private final Duration timeout;
  private final boolean bookmarks;
  private final boolean sendInitialEvents;
  private final Duration bookmarkInterval;
  private final Function<ObjectNode, ObjectNode> render;

  WatchStream(ObjectStore store, ResourceType type, String namespace, Predicate<ObjectNode> filter,
      String resourceVersion, Duration timeout, boolean bookmarks, boolean sendInitialEvents,
      Duration bookmarkInterval, Function<ObjectNode, ObjectNode> render) {
    this.store = store;
    this.type = type;
    this.namespace = namespace;
    this.filter = filter;
    this.resourceVersion = resourceVersion;
    this.timeout = timeout;
    this.bookmarks = bookmarks;
    this.sendInitialEvents = sendInitialEvents;
    this.bookmarkInterval = bookmarkInterval;
    this.render = render;
  }

  /**
   * Parses a watch's resourceVersion before the answer starts.
   *
   * @throws ApiError 400 when it is not a number
   */
  static void checkResourceVersion(String rv) {
    if (rv != null && !rv.isEmpty()) {
      try {
        Long.parseLong(rv);
      } catch (NumberFormatException e) {
        throw ApiError.badRequest("invalid resource version: " + rv);
      }
    }
  }

  @Override
  public void writeTo(ServerResponse.StreamSink sink) throws IOException {
    long epoch = store.watchEpoch();
    List<ObjectNode> initial = List.of();
    ObjectStore.Registration registration;
    synchronized (store) {
      boolean fromNow = resourceVersion == null || resourceVersion.isEmpty()
          || resourceVersion.equals("0");
      long from = fromNow ? store.resourceVersion() : Long.parseLong(resourceVersion);
      if (fromNow || sendInitialEvents) {
        initial = store.list(type.key(), type.namespaced() ? namespace : null).stream()
            .filter(filter).toList();
        from = store.resourceVersion();
      }
      registration = store.watch(type.key(), type.namespaced() ? namespace : null, filter, from);
    }
    if (registration.expired()) {
      ObjectNode status = ApiError.expired("too old resource version: " + resourceVersion + " ("
          + registration.oldestAvailable() + ")").status();
      write(sink, "ERROR", status);
      return;
    }
    ObjectStore.Watch watch = registration.watch();
    try {
      long lastRv = store.resourceVersion();
      for (ObjectNode o : initial) {
        write(sink, "ADDED", render.apply(o));
      }
      if (sendInitialEvents && bookmarks) {
        ObjectNode b = bookmark(lastRv);
        ((ObjectNode) b.get("metadata")).putObject("annotations")
            .put("k8s.io/initial-events-end", "true");
        write(sink, "BOOKMARK", b);
      }
      for (ObjectStore.Event e : registration.replay()) {
        write(sink, watch.typeOf(e), render.apply(e.object()));
        lastRv = e.resourceVersion();
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      long nextBookmark = System.nanoTime() + bookmarkInterval.toNanos();
      while (sink.isOpen()) {
        if (store.watchEpoch() != epoch) {
          return;
        }
        long now = System.nanoTime();
        if (now >= deadline) {
          if (bookmarks) {
            write(sink, "BOOKMARK", bookmark(Math.max(lastRv, store.resourceVersion())));
          }
          return;
        }
        if (bookmarks && now >= nextBookmark) {
          write(sink, "BOOKMARK", bookmark(Math.max(lastRv, store.resourceVersion())));
          nextBookmark = now + bookmarkInterval.toNanos();
        }
        long wait = Math.min(Math.min(deadline - now, 200_000_000L),
            Math.max(1, nextBookmark - now));
        ObjectStore.Event e = watch.queue.poll(wait, TimeUnit.NANOSECONDS);
        if (e != null && e.resourceVersion() > lastRv) {
          write(sink, watch.typeOf(e), render.apply(e.object()));
          lastRv = e.resourceVersion();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      store.unwatch(watch);
    }
  }

  private ObjectNode bookmark(long rv) {
    ObjectNode b = KubeJson.object();
    b.put("kind", type.kind());
    b.put("apiVersion", type.apiVersion(type.storageVersion()));
    b.putObject("metadata").put("resourceVersion", Long.toString(rv));
    return b;
  }

  private static void write(ServerResponse.StreamSink sink, String type, ObjectNode object)
      throws IOException {
    ObjectNode event = KubeJson.object();
    event.put("type", type);
    event.set("object", object);
    sink.writeChunk((KubeJson.write(event) + "\n").getBytes(StandardCharsets.UTF_8));
  }
}
