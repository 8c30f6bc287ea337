package io.secretsync.vault;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsync.core.PlatformAccess;
import io.secretsync.core.SecretSyncException;
import io.secretsync.testkit.FakeKubernetes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The platform of a store running in the fake cluster: ConfigMaps, Secrets and TokenRequest tokens
 * come from {@link FakeKubernetes}, as the Kubernetes module reads them from an API server.
 * Thread-safe.
 */
final class FakeKubernetesPlatform implements PlatformAccess {
  private final FakeKubernetes kube;
  final AtomicInteger tokenRequests = new AtomicInteger();

  FakeKubernetesPlatform(FakeKubernetes kube) {
    this.kube = kube;
  }

  @Override
  public byte[] configMapValue(String namespace, String name, String key) {
    return value(object("configmaps", "ConfigMap", namespace, name), "ConfigMap", namespace, name, key)
        .getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public byte[] secretValue(String namespace, String name, String key) {
    return Base64.getDecoder().decode(value(object("secrets", "Secret", namespace, name), "Secret", namespace, name,
        key));
  }

  @Override
  public String serviceAccountToken(String namespace, String name, List<String> audiences, Duration expiration) {
    tokenRequests.incrementAndGet();
    return kube.serviceAccountToken(namespace, name, audiences, expiration);
  }

  private JsonNode object(String resource, String kind, String namespace, String name) {
    return kube.get("/api/v1/namespaces/" + namespace + "/" + resource + "/" + name)
        .orElseThrow(() -> new SecretSyncException(kind + " " + namespace + "/" + name + " not found"));
  }

  private static String value(JsonNode object, String kind, String namespace, String name, String key) {
    JsonNode value = object.path("data").get(key);
    if (value == null) {
      throw new SecretSyncException(kind + " " + namespace + "/" + name + " has no key \"" + key + "\"");
    }
    return value.asText();
  }
}
