package io.secretsync.vault;

import io.secretsync.core.PlatformAccess;
import io.secretsync.core.SecretSyncException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * ConfigMaps and Secrets held in maps, for store tests that need a CA or a token from the platform
 * but no Kubernetes API; asking it for a service account token fails as a platform without
 * TokenRequest would. Thread-safe.
 */
final class MapPlatform implements PlatformAccess {
  final Map<String, String> configMaps = new ConcurrentHashMap<>();
  final Map<String, String> secrets = new ConcurrentHashMap<>();
  final AtomicInteger reads = new AtomicInteger();

  MapPlatform configMap(String namespace, String name, String key, String value) {
    configMaps.put(namespace + "/" + name + "/" + key, value);
    return this;
  }

  MapPlatform secret(String namespace, String name, String key, String value) {
    secrets.put(namespace + "/" + name + "/" + key, value);
    return this;
  }

  @Override
  public byte[] configMapValue(String namespace, String name, String key) {
    return value(configMaps, "ConfigMap", namespace, name, key);
  }

  @Override
  public byte[] secretValue(String namespace, String name, String key) {
    return value(secrets, "Secret", namespace, name, key);
  }

  @Override
  public String serviceAccountToken(String namespace, String name, List<String> audiences, Duration expiration) {
    throw new SecretSyncException("no TokenRequest API in this test platform");
  }

  private byte[] value(Map<String, String> map, String kind, String namespace, String name, String key) {
    reads.incrementAndGet();
    String value = map.get(namespace + "/" + name + "/" + key);
    if (value == null) {
      throw new SecretSyncException(kind + " " + namespace + "/" + name + " has no key " + key);
    }
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
