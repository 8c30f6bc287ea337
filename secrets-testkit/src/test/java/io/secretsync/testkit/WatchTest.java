package io.secretsync.testkit;

import static io.secretsync.testkit.KubeWire.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okio.BufferedSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Watches: events in order, resuming from a resourceVersion, 410 when it is too old, bookmarks. */
class WatchTest {
  @RegisterExtension
  static final FakeKubernetes kube = FakeKubernetes.start();
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  private final KubeWire wire = new KubeWire(kube);
  private final OkHttpClient client = wire.client.newBuilder().readTimeout(10, TimeUnit.SECONDS)
      .build();
  private String ns;

  @BeforeEach
  void freshNamespace() {
    ns = "watch-" + NAMESPACES.incrementAndGet();
    kube.createNamespace(ns);
  }

  /** An open watch: reads one event per call. */
  private final class Watch implements AutoCloseable {
    private final Response response;
    private final BufferedSource source;

    Watch(String query) throws IOException {
      Request request = new Request.Builder()
          .url(kube.baseUrl() + "/api/v1/namespaces/" + ns + "/configmaps?watch=1" + query)
          .header("Authorization", "Bearer " + kube.adminToken()).build();
      response = client.newCall(request).execute();
      assertEquals(200, response.code());
      source = response.body().source();
    }

    /** The next event, or null when the server ended the stream. */
    JsonNode next() throws IOException {
      String line = source.readUtf8Line();
      return line == null ? null : KubeWire.JSON.readTree(line);
    }

    @Override
    public void close() {
      response.close();
    }
  }

  private String create(String name) {
    return wire.post("/api/v1/namespaces/" + ns + "/configmaps", q("{'metadata':{'name':'" + name
        + "','labels':{'app':'" + name + "'}},'data':{'v':'1'}}")).expect(201).json()
        .path("metadata").path("resourceVersion").asText();
  }

  private String update(String name, String value) {
    return wire.patch("/api/v1/namespaces/" + ns + "/configmaps/" + name,
        "application/merge-patch+json", q("{'data':{'v':'" + value + "'}}")).expect(200).json()
        .path("metadata").path("resourceVersion").asText();
  }

  private static String describe(JsonNode event) {
    return event.path("type").asText() + " " + event.path("object").path("metadata")
        .path("name").asText() + " " + event.path("object").path("data").path("v").asText();
  }

  @Test
  void aClientSeesAddedModifiedDeletedInOrder() throws IOException {
    String rv = Long.toString(kube.resourceVersion());
    try (Watch watch = new Watch("&resourceVersion=" + rv)) {
      create("app");
      update("app", "2");
      wire.delete("/api/v1/namespaces/" + ns + "/configmaps/app").expect(200);
      List<String> events = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        events.add(describe(watch.next()));
      }
      assertEquals(List.of("ADDED app 1", "MODIFIED app 2", "DELETED app 2"), events);
    }
  }

  @Test
  void aWatchResumesAfterTheResourceVersionItLastSaw() throws IOException {
    String created = create("app");
    update("app", "2");
    update("app", "3");
    try (Watch watch = new Watch("&resourceVersion=" + created)) {
      JsonNode first = watch.next();
      assertEquals("MODIFIED app 2", describe(first));
      assertEquals("MODIFIED app 3", describe(watch.next()));
      assertEquals("v1", first.path("object").path("apiVersion").asText());
      assertEquals("ConfigMap", first.path("object").path("kind").asText());
    }
  }

  @Test
  void aWatchWithoutResourceVersionStartsWithTheCurrentStateAndFiltersByLabel()
      throws IOException {
    create("one");
    create("two");
    try (Watch watch = new Watch("&labelSelector=app%3Dtwo")) {
      assertEquals("ADDED two 1", describe(watch.next()));
      update("one", "9");
      update("two", "5");
      assertEquals("MODIFIED two 5", describe(watch.next()));
    }
  }

  @Test
  void aTooOldResourceVersionGetsAnErrorEventWith410Expired() throws IOException {
    String old = create("app");
    update("app", "2");
    kube.compactWatchHistory();
    try (Watch watch = new Watch("&resourceVersion=" + old)) {
      JsonNode event = watch.next();
      assertEquals("ERROR", event.path("type").asText());
      JsonNode status = event.path("object");
      assertEquals("Status", status.path("kind").asText());
      assertEquals("Failure", status.path("status").asText());
      assertEquals("Expired", status.path("reason").asText());
      assertEquals(410, status.path("code").asInt());
      assertTrue(status.path("message").asText().startsWith("too old resource version: " + old
          + " ("), status::toString);
      assertNull(watch.next());
    }
  }

  @Test
  void aWatchEndsAtItsTimeoutWithABookmarkWhenAllowed() throws IOException {
    create("app");
    String rv = Long.toString(kube.resourceVersion());
    try (Watch watch = new Watch("&resourceVersion=" + rv
        + "&allowWatchBookmarks=true&timeoutSeconds=1")) {
      JsonNode bookmark = watch.next();
      assertEquals("BOOKMARK", bookmark.path("type").asText());
      assertEquals(rv, bookmark.path("object").path("metadata").path("resourceVersion").asText());
      assertNull(watch.next());
    }
  }
}
