package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Reads and writes the fake cluster in-process as the admin, with the same semantics as over HTTP
 * (validation, metadata, controllers, watch events), for {@code FakeKubernetes}. Errors are
 * {@link IllegalArgumentException}s carrying the API server's message, reason and code. Public only
 * for {@code FakeKubernetes}; thread-safe.
 */
public final class InProcessApi {
  private final Cluster cluster;
  private final Authentication authentication;

  InProcessApi(Cluster cluster, Authentication authentication) {
    this.cluster = cluster;
    this.authentication = authentication;
  }


  private ResourceType typeOf(String apiVersion, String kind) {
    return cluster.registry.findKind(apiVersion, kind).orElseThrow(() ->
        new IllegalArgumentException("the fake serves no kind " + kind + " in " + apiVersion));
  }

  private static String versionOf(String apiVersion) {
    return apiVersion.substring(apiVersion.indexOf('/') + 1);
  }

  /** Creates or updates (server-side apply, forced) the object; returns it as stored. */
  public JsonNode apply(JsonNode object, String fieldManager) {
    if (!(object instanceof ObjectNode o)) {
      throw new IllegalArgumentException("a Kubernetes object must be a JSON object");
    }
    String apiVersion = KubeJson.text(o, "apiVersion");
    String kind = KubeJson.text(o, "kind");
    ResourceType type = typeOf(apiVersion, kind);
    String name = KubeJson.text(o, "metadata", "name");
    String ns = type.namespaced() ? nonEmpty(KubeJson.text(o, "metadata", "namespace"),
        "default") : null;
    byte[] body = KubeJson.write(o).getBytes(StandardCharsets.UTF_8);
    Cluster.Written w = run(() -> cluster.patch(type, versionOf(apiVersion), ns, name,
        Cluster.APPLY_PATCH, body, new Cluster.WriteOptions(fieldManager, false, "Strict", true),
        ""));
    return Cluster.view(type, versionOf(apiVersion), w.object());
  }

  /** Creates the object; fails when it exists. */
  public JsonNode create(JsonNode object, String fieldManager) {
    ObjectNode o = (ObjectNode) object;
    String apiVersion = KubeJson.text(o, "apiVersion");
    ResourceType type = typeOf(apiVersion, KubeJson.text(o, "kind"));
    String ns = type.namespaced() ? nonEmpty(KubeJson.text(o, "metadata", "namespace"),
        "default") : null;
    Cluster.Written w = run(() -> cluster.create(type, versionOf(apiVersion), ns, o,
        Cluster.WriteOptions.of(fieldManager)));
    return Cluster.view(type, versionOf(apiVersion), w.object());
  }

  /** Replaces the status of a custom resource (or other type with a status subresource). */
  public JsonNode updateStatus(JsonNode object, String fieldManager) {
    ObjectNode o = (ObjectNode) object;
    String apiVersion = KubeJson.text(o, "apiVersion");
    ResourceType type = typeOf(apiVersion, KubeJson.text(o, "kind"));
    String ns = type.namespaced() ? nonEmpty(KubeJson.text(o, "metadata", "namespace"),
        "default") : null;
    ObjectNode copy = o.deepCopy();
    ((ObjectNode) copy.path("metadata")).remove("resourceVersion");
    Cluster.Written w = run(() -> cluster.update(type, versionOf(apiVersion), ns,
        KubeJson.text(o, "metadata", "name"), copy, Cluster.WriteOptions.of(fieldManager),
        type.statusSubresource() ? "status" : ""));
    return Cluster.view(type, versionOf(apiVersion), w.object());
  }

  public Optional<JsonNode> get(String apiVersion, String kind, String namespace, String name) {
    ResourceType type = typeOf(apiVersion, kind);
    return cluster.get(type, namespace, name).map(o -> Cluster.view(type, versionOf(apiVersion),
        o));
  }

  /** Objects of a kind, in one namespace or all ({@code namespace} null). */
  public List<JsonNode> list(String apiVersion, String kind, String namespace) {
    ResourceType type = typeOf(apiVersion, kind);
    List<JsonNode> out = new ArrayList<>();
    for (ObjectNode o : cluster.list(type, namespace, x -> true)) {
      out.add(Cluster.view(type, versionOf(apiVersion), o));
    }
    return out;
  }

  /** Deletes an object (background propagation); false when it did not exist. */
  public boolean delete(String apiVersion, String kind, String namespace, String name) {
    ResourceType type = typeOf(apiVersion, kind);
    try {
      cluster.delete(type, namespace, name, Cluster.DeleteOptions.DEFAULT);
      return true;
    } catch (ApiError e) {
      if (e.code() == 404) {
        return false;
      }
      throw new IllegalStateException(e.getMessage());
    }
  }

  /** A TokenRequest token for an existing service account. */
  public String requestToken(String namespace, String serviceAccount, List<String> audiences,
      Duration lifetime) {
    return run(() -> cluster.requestToken(namespace, serviceAccount, audiences, lifetime,
        null));
  }

  /** The TokenReview answer for a token. */
  public JsonNode review(String token, List<String> audiences) {
    ObjectNode body = KubeJson.object();
    ObjectNode spec = body.putObject("spec");
    spec.put("token", token);
    ArrayNode a = spec.putArray("audiences");
    audiences.forEach(a::add);
    return run(() -> authentication.review(body));
  }

  /** Creates the ESO CRDs (idempotent: existing ones are left as they are). */
  public void installEsoCrds() {
    for (ObjectNode crd : EsoCrds.all()) {
      if (cluster.get(BuiltInResources.CRDS, null, KubeJson.text(crd, "metadata", "name"))
          .isEmpty()) {
        run(() -> cluster.create(BuiltInResources.CRDS, "v1", null, crd,
            Cluster.WriteOptions.of("helm")));
      }
    }
  }

  /** The service account signing key (PEM public key). */
  public String serviceAccountPublicKeyPem() {
    return cluster.tokens.publicKeyPem();
  }

  public String issuer() {
    return cluster.tokens.issuer();
  }

  /** The current resourceVersion of the cluster. */
  public long resourceVersion() {
    return cluster.store.resourceVersion();
  }

  /** Ends every open watch stream cleanly (the client sees the answer end and watches again). */
  public void endWatches() {
    cluster.store.endWatches();
  }

  /** Drops the watch history: watches from an older resourceVersion get 410 Expired. */
  public void compactWatchHistory() {
    cluster.store.compact();
  }

  private <T> T run(Supplier<T> call) {
    try {
      return call.get();
    } catch (ApiError e) {
      throw new IllegalArgumentException(e.getMessage() + " (" + e.reason() + ", HTTP "
          + e.code() + ")");
    }
  }

  private static String nonEmpty(String s, String dflt) {
    return s.isEmpty() ? dflt : s;
  }
}
