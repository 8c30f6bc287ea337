package io.secretsync.kubernetes;

import io.secretsync.core.SyncResult;
import io.secretsync.core.controller.SyncListener;
import io.secretsync.core.model.ExternalSecret;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts the syncs the controller finished, per ExternalSecret ({@code namespace/name}) and in total. */
final class SyncCounter implements SyncListener {
  private final ConcurrentHashMap<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final AtomicInteger total = new AtomicInteger();

  @Override
  public void syncFinished(ExternalSecret es, SyncResult result, Duration duration) {
    counts.computeIfAbsent(es.metadata().qualifiedName(), k -> new AtomicInteger()).incrementAndGet();
    total.incrementAndGet();
  }

  int syncs(String namespace, String name) {
    AtomicInteger count = counts.get(namespace + "/" + name);
    return count == null ? 0 : count.get();
  }

  int total() {
    return total.get();
  }
}
