package io.secretsync.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.kubernetes.KubernetesClient.EventType;
import io.secretsync.kubernetes.KubernetesClient.ResourceType;
import io.secretsync.kubernetes.KubernetesClient.WatchEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import okio.BufferedSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A watch that keeps going, as client-go's reflector: list, report every object, watch from the
 * list's resourceVersion; when the server ends the watch (its timeout), watch again from the last
 * resourceVersion seen (events or bookmarks); on 410 Gone (an {@code ERROR} event or an HTTP 410),
 * list again and report the difference to what was known. Other failures are retried after a
 * backoff of 1 s doubling to 30 s. Runs on its own daemon thread; the listener is called on it.
 */
final class Reflector<T> implements KubernetesClient.Watch {
  private static final Logger log = LoggerFactory.getLogger(Reflector.class);

  /** The shortest server-side watch timeout asked for; each watch asks for between this and twice it, as client-go. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration MIN_BACKOFF = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final KubernetesClient client;
  private final ApiTransport transport;
  private final ResourceType type;
  private final String namespace;
  private final String labelSelector;
  private final Function<ObjectNode, T> mapper;
  private final Consumer<WatchEvent<T>> listener;
  private final Duration watchTimeout;
  private final Consumer<Reflector<?>> onClose;
  private final CountDownLatch synced = new CountDownLatch(1);
  private final Object emitLock = new Object();
  /**
   * What the watch has seen, as its listener took it: what a list reports as deleted. Only touched
   * by the watch thread. A mapper that keeps little (as {@link ManagedSecretCache.Entry#of}) keeps
   * this small; the listener may keep the very same objects.
   */
  private final Map<String, Known<T>> known = new HashMap<>();
  private volatile String resourceVersion = "";
  private volatile int lists;
  private volatile boolean closed;
  private volatile ApiTransport.Stream stream;
  private Thread thread;

  Reflector(KubernetesClient client, ApiTransport transport, ResourceType type, String namespace, String labelSelector,
      Function<ObjectNode, T> mapper, Consumer<WatchEvent<T>> listener, Duration watchTimeout,
      Consumer<Reflector<?>> onClose) {
    this.client = client;
    this.transport = transport;
    this.type = type;
    this.namespace = namespace;
    this.labelSelector = labelSelector;
    this.mapper = mapper;
    this.listener = listener;
    this.watchTimeout = watchTimeout;
    this.onClose = onClose;
  }

  void start() {
    thread = new Thread(this::run, "kubernetes-watch-" + type.plural() + (namespace.isEmpty() ? "" : "-" + namespace));
    thread.setDaemon(true);
    thread.start();
  }

  /** An object seen: its resourceVersion, and what the mapper made of it (null: the mapper failed). */
  private record Known<T>(String resourceVersion, T object) {}

  /** Signals that the watch must list again. */
  private static final class Gone extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Gone(String message) {
      super(message, null, false, false);
    }
  }

  private void run() {
    boolean needList = true;
    Duration backoff = MIN_BACKOFF;
    while (!closed) {
      try {
        if (needList) {
          relist();
          needList = false;
        }
        watchOnce();
        backoff = MIN_BACKOFF;
      } catch (Gone e) {
        log.info("watch of {} expired ({}); listing again", what(), e.getMessage());
        needList = true;
      } catch (KubernetesApiException e) {
        if (closed) {
          break;
        }
        if (e.isGone()) {
          log.info("watch of {} expired; listing again", what());
          needList = true;
          continue;
        }
        log.warn("watch of {} failed, retrying in {}s: {}", what(), backoff.toSeconds(), e.getMessage());
        sleep(backoff);
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
      } catch (RuntimeException e) {
        if (closed) {
          break;
        }
        log.warn("watch of {} failed, retrying in {}s", what(), backoff.toSeconds(), e);
        sleep(backoff);
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
      }
    }
  }

  private void relist() {
    KubernetesClient.ObjectList list = client.list(type, namespace, labelSelector);
    Map<String, Known<T>> fresh = new HashMap<>();
    for (ObjectNode item : list.items()) {
      String key = key(item);
      String rv = rv(item);
      Known<T> old = known.get(key);
      if (old != null && old.resourceVersion.equals(rv)) {
        fresh.put(key, old);
        continue;
      }
      T mapped = map(item);
      fresh.put(key, new Known<>(rv, mapped));
      emit(old == null ? EventType.ADDED : EventType.MODIFIED, key, mapped);
    }
    for (Map.Entry<String, Known<T>> e : known.entrySet()) {
      if (!fresh.containsKey(e.getKey())) {
        emit(EventType.DELETED, e.getKey(), e.getValue().object);
      }
    }
    known.clear();
    known.putAll(fresh);
    resourceVersion = list.resourceVersion();
    lists++;
    synced.countDown();
  }

  private void watchOnce() {
    long seconds = watchTimeout.getSeconds() + ThreadLocalRandom.current().nextLong(watchTimeout.getSeconds() + 1);
    ApiTransport.Call call = new ApiTransport.Call("GET", type.path(namespace, "", ""))
        .query("watch", "true")
        .query("resourceVersion", resourceVersion)
        .query("allowWatchBookmarks", "true")
        .query("timeoutSeconds", Long.toString(Math.max(1, seconds)))
        .query("labelSelector", labelSelector);
    try (ApiTransport.Stream open = transport.open(call)) {
      stream = open;
      if (closed) {
        return;
      }
      BufferedSource source = open.response().body().source();
      while (!closed) {
        String line = source.readUtf8Line();
        if (line == null) {
          log.debug("watch of {} ended by the server; resuming from resourceVersion {}", what(), resourceVersion);
          return;
        }
        if (!line.isBlank()) {
          handle(ApiTransport.JSON.readTree(line), call);
        }
      }
    } catch (IOException e) {
      if (!closed) {
        throw new KubernetesApiException(call.describe(), 0, "", "the watch stream broke: "
            + e.getClass().getSimpleName(), List.of(), List.of(), e);
      }
    } finally {
      stream = null;
    }
  }

  private void handle(JsonNode event, ApiTransport.Call call) {
    String eventType = event.path("type").asText("");
    JsonNode object = event.path("object");
    switch (eventType) {
      case "ADDED", "MODIFIED", "DELETED" -> {
        if (!object.isObject()) {
          return;
        }
        ObjectNode item = (ObjectNode) object;
        String key = key(item);
        T mapped = map(item);
        if (eventType.equals("DELETED")) {
          known.remove(key);
        } else {
          known.put(key, new Known<>(rv(item), mapped));
        }
        resourceVersion = rv(item);
        emit(EventType.valueOf(eventType), key, mapped);
      }
      case "BOOKMARK" -> {
        String rv = object.path("metadata").path("resourceVersion").asText("");
        if (!rv.isEmpty()) {
          resourceVersion = rv;
        }
      }
      case "ERROR" -> {
        if (object.path("code").asInt() == 410) {
          throw new Gone(object.path("message").asText("410 Gone"));
        }
        throw transport.failure(call, object.path("code").asInt(500), object.toString());
      }
      default -> log.debug("watch of {}: ignoring event type {}", what(), eventType);
    }
  }

  /** {@code object} as the listener takes it; null (logged) when the mapper fails on it. */
  private T map(ObjectNode object) {
    try {
      return mapper.apply(object);
    } catch (RuntimeException e) {
      log.warn("watch of {} could not read {}", what(), key(object), e);
      return null;
    }
  }

  private void emit(EventType eventType, String key, T object) {
    if (object == null) {
      return;
    }
    synchronized (emitLock) {
      if (closed) {
        return;
      }
      try {
        listener.accept(new WatchEvent<>(eventType, object));
      } catch (RuntimeException e) {
        log.warn("watch listener of {} failed on a {} event for {}", what(), eventType, key, e);
      }
    }
  }

  private void sleep(Duration duration) {
    try {
      TimeUnit.MILLISECONDS.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      if (!closed) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static String key(JsonNode object) {
    JsonNode meta = object.path("metadata");
    return meta.path("namespace").asText("") + "/" + meta.path("name").asText("");
  }

  private static String rv(JsonNode object) {
    return object.path("metadata").path("resourceVersion").asText("");
  }

  private String what() {
    return type.plural() + (type.group().isEmpty() ? "" : "." + type.group())
        + (namespace.isEmpty() ? "" : " in " + namespace);
  }

  @Override
  public boolean awaitSynced(Duration timeout) throws InterruptedException {
    return synced.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** How many times this watch has listed (1 after the start, one more after each 410). */
  int lists() {
    return lists;
  }

  @Override
  public String resourceVersion() {
    return resourceVersion;
  }

  @Override
  public void close() {
    closed = true;
    ApiTransport.Stream open = stream;
    if (open != null) {
      open.close();
    }
    if (thread != null && thread != Thread.currentThread()) {
      thread.interrupt();
    }
    synchronized (emitLock) {
      // waits for an event being reported to finish
    }
    onClose.accept(this);
  }

  @Override
  public String toString() {
    return "Watch{" + what() + ", resourceVersion=" + resourceVersion + "}";
  }
}
