package io.secretsync.kubernetes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.core.controller.ControllerEvent;
import io.secretsync.core.controller.EventSink;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ObjectMeta;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import io.secretsync.kubernetes.KubernetesClient.PatchType;
import io.secretsync.kubernetes.KubernetesClient.ResourceType;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Records core/v1 Events as client-go's event recorder does for ESO: the Event is named
 * {@code <object name>.<hex nanoseconds>}, lives in the object's namespace ({@code default} for a
 * ClusterSecretStore), names the object in {@code involvedObject} (apiVersion, kind, namespace, name,
 * uid, resourceVersion) and carries {@code reason}, {@code message}, {@code type},
 * {@code source.component} ({@value #COMPONENT} for ExternalSecrets, {@code secret-store} and
 * {@code cluster-secret-store} for stores, ESO's recorder names), {@code count},
 * {@code firstTimestamp} and {@code lastTimestamp}. An Event identical to one recorded before
 * (same object, type, reason, message and source) is not created again: the earlier one is patched
 * with {@code count + 1} and a new {@code lastTimestamp}, as client-go's correlator does (it is
 * created anew when it has expired from the API server). Thread-safe.
 */
final class KubernetesEventSink implements EventSink {
  static final String COMPONENT = "external-secrets";
  static final ResourceType EVENTS = new ResourceType("", "v1", "events", true);
  private static final int MAX_MESSAGE = 1024;
  private static final int MAX_REMEMBERED = 4096;

  private final KubernetesClient client;
  private final Clock clock;
  private final String host;
  private final Map<String, Seen> seen = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
      return size() > MAX_REMEMBERED;
    }
  };

  private record Seen(String namespace, String name, long count, Instant first) {}

  KubernetesEventSink(KubernetesClient client, Clock clock, String host) {
    this.client = client;
    this.clock = clock;
    this.host = host;
  }

  @Override
  public void externalSecretEvent(ExternalSecret es, ControllerEvent event) {
    record(ExternalSecret.API_VERSION, ExternalSecret.KIND, es.metadata(), COMPONENT, event);
  }

  @Override
  public void storeEvent(SecretStoreResource store, ControllerEvent event) {
    String component = store.kind() == StoreKind.CLUSTER_SECRET_STORE ? "cluster-secret-store" : "secret-store";
    record(SecretStoreResource.API_VERSION, store.kind().wireName(), store.metadata(), component, event);
  }

  private void record(String apiVersion, String kind, ObjectMeta object, String component, ControllerEvent event) {
    String message = event.message().length() > MAX_MESSAGE ? event.message().substring(0, MAX_MESSAGE) : event.message();
    String namespace = object.namespace().isEmpty() ? "default" : object.namespace();
    String key = String.join("\u0000", component, apiVersion, kind, object.namespace(), object.name(), object.uid(),
        event.type().wireName(), event.reason(), message);
    Instant now = clock.instant();
    Seen before;
    synchronized (seen) {
      before = seen.get(key);
    }
    if (before != null) {
      ObjectNode patch = ApiTransport.object();
      patch.put("count", before.count + 1);
      patch.put("lastTimestamp", StatusJson.time(now));
      try {
        client.patch(EVENTS, before.namespace, before.name, PatchType.STRATEGIC_MERGE, patch, "", false);
        remember(key, new Seen(before.namespace, before.name, before.count + 1, before.first));
        return;
      } catch (KubernetesApiException e) {
        if (!e.isNotFound()) {
          throw e;
        }
      }
    }
    ObjectNode json = ApiTransport.object().put("apiVersion", "v1").put("kind", "Event");
    ObjectNode meta = json.putObject("metadata").put("namespace", namespace);
    ObjectNode involved = json.putObject("involvedObject").put("apiVersion", apiVersion).put("kind", kind)
        .put("name", object.name());
    if (!object.namespace().isEmpty()) {
      involved.put("namespace", object.namespace());
    }
    if (!object.uid().isEmpty()) {
      involved.put("uid", object.uid());
    }
    if (!object.resourceVersion().isEmpty()) {
      involved.put("resourceVersion", object.resourceVersion());
    }
    json.put("reason", event.reason());
    json.put("message", message);
    json.put("type", event.type().wireName());
    ObjectNode source = json.putObject("source").put("component", component);
    if (!host.isEmpty()) {
      source.put("host", host);
    }
    json.put("count", 1);
    json.put("firstTimestamp", StatusJson.time(now));
    json.put("lastTimestamp", StatusJson.time(now));
    json.put("reportingComponent", component);
    json.put("reportingInstance", host);
    // client-go names an Event <object>.<hex nanoseconds>; two at the same instant take the next nanosecond
    long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    String name;
    for (int attempt = 0; ; attempt++) {
      name = object.name() + "." + Long.toHexString(nanos + attempt);
      meta.put("name", name);
      try {
        client.create(EVENTS, json, "");
        break;
      } catch (KubernetesApiException e) {
        if (!e.isAlreadyExists() || attempt >= 9) {
          throw e;
        }
      }
    }
    remember(key, new Seen(namespace, name, 1, now));
  }

  private void remember(String key, Seen value) {
    synchronized (seen) {
      seen.put(key, value);
    }
  }

  @Override
  public String toString() {
    return "KubernetesEventSink";
  }
}
