package io.secretsync.testkit;

import com.google.common.collect.ImmutableList;
import io.secretsync.core.controller.ControllerEvent;
import io.secretsync.core.controller.EventSink;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import java.util.ArrayList;
import java.util.List;

/**
 * Events kept in memory in the order they were recorded, each with the object it is about
 * ({@code ExternalSecret/namespace/name} or {@code Kind/namespace/name}). Thread-safe.
 */
public final class InMemoryEventSink implements EventSink {

  /** One recorded event. */
  public record Recorded(String object, ControllerEvent event) {
    public String reason() {
      return event.reason();
    }
  }

  private final List<Recorded> events = new ArrayList<>();

  @Override
  public synchronized void externalSecretEvent(ExternalSecret es, ControllerEvent event) {
    events.add(new Recorded(ExternalSecret.KIND + "/" + es.metadata().namespace() + "/" + es.metadata().name(), event));
  }

  @Override
  public synchronized void storeEvent(SecretStoreResource store, ControllerEvent event) {
    events.add(new Recorded(store.kind().wireName() + "/" + store.metadata().namespace() + "/"
        + store.metadata().name(), event));
  }

  public synchronized ImmutableList<Recorded> events() {
    return ImmutableList.copyOf(events);
  }

  /** The events about one object, e.g. {@code ExternalSecret/default/app}. */
  public synchronized ImmutableList<Recorded> eventsFor(String object) {
    return events.stream().filter(e -> e.object().equals(object)).collect(ImmutableList.toImmutableList());
  }

  public synchronized void clear() {
    events.clear();
  }
}
