package io.secretsync.testkit.server;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The requests a fake server answered: time, method, path, status, namespace and an optional note on
 * the real cause of an error. Never bodies, headers or tokens. Keeps the most recent
 * {@value #MAX_ENTRIES} entries and a count per endpoint ({@code "METHOD /path"}) since the last
 * {@link #clear()}. Thread-safe.
 */
public final class AuditLog {
  /** How many entries are kept; older ones are dropped (counters keep counting). */
  public static final int MAX_ENTRIES = 50_000;

  private final Clock clock;
  private final Deque<Entry> entries = new ArrayDeque<>();
  private final Map<String, Long> counts = new TreeMap<>();

  /** A log that timestamps entries with {@code clock}. */
  public AuditLog(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** One answered request. {@code status} is 0 when the connection was dropped. */
  public record Entry(Instant time, String method, String path, int status,
      Optional<String> namespace, Optional<String> note) {
    public Entry {
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(note, "note");
    }

    /** The counter key: {@code "METHOD /path"}. */
    public String endpoint() {
      return method + " " + path;
    }
  }

  /** Records a request answered now. */
  public void record(String method, String path, int status, Optional<String> namespace,
      Optional<String> note) {
    Entry entry = new Entry(clock.instant(), method, path, status, namespace, note);
    synchronized (this) {
      entries.addLast(entry);
      if (entries.size() > MAX_ENTRIES) {
        entries.removeFirst();
      }
      counts.merge(entry.endpoint(), 1L, Long::sum);
    }
  }

  /** A snapshot of the kept entries, oldest first. */
  public synchronized List<Entry> entries() {
    return List.copyOf(entries);
  }

  /** The kept entries that match {@code filter}, oldest first. */
  public List<Entry> entries(Predicate<Entry> filter) {
    return entries().stream().filter(filter).toList();
  }

  /** The most recent entry for a method and path. */
  public Optional<Entry> last(String method, String path) {
    List<Entry> all = entries();
    for (int i = all.size() - 1; i >= 0; i--) {
      Entry e = all.get(i);
      if (e.method().equals(method) && e.path().equals(path)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  /** How many requests hit {@code "METHOD /path"} since the last clear. */
  public synchronized long count(String endpoint) {
    return counts.getOrDefault(endpoint, 0L);
  }

  /** How many requests with {@code method} hit exactly {@code path} since the last clear. */
  public long count(String method, String path) {
    return count(method + " " + path);
  }

  /** All counters, sorted by endpoint. */
  public synchronized Map<String, Long> counts() {
    return Map.copyOf(counts);
  }

  /** Drops all entries and counters. */
  public synchronized void clear() {
    entries.clear();
    counts.clear();
  }

  /**
   * The JSON document served at {@code GET /_testkit/requests}:
   * {@code {"requests":[{"time","method","path","status","namespace","note"}...],"counts":{...}}}
   * with {@code namespace} and {@code note} null when absent.
   */
  public Map<String, Object> toJson() {
    List<Entry> snapshot;
    Map<String, Long> countSnapshot;
    synchronized (this) {
      snapshot = List.copyOf(entries);
      countSnapshot = new TreeMap<>(counts);
    }
    List<Map<String, Object>> requests = new ArrayList<>(snapshot.size());
    for (Entry e : snapshot) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("time", e.time().toString());
      m.put("method", e.method());
      m.put("path", e.path());
      m.put("status", e.status());
      m.put("namespace", e.namespace().orElse(null));
      m.put("note", e.note().orElse(null));
      requests.add(m);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("requests", requests);
    doc.put("counts", countSnapshot);
    return doc;
  }

  @Override
  public synchronized String toString() {
    return "AuditLog{entries=" + entries.size() + ", endpoints=" + counts.size() + "}";
  }
}
