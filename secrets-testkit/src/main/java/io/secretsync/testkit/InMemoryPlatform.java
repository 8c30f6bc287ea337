package io.secretsync.testkit;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.PlatformAccess;
import io.secretsync.core.SecretSyncException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link PlatformAccess} in memory: ConfigMaps and Secrets put by the test, and service account
 * tokens issued as {@code memory-token-<namespace>-<name>-<n>} (or by a function the test sets).
 * Every token request is recorded with its audiences and lifetime. Reading a missing object or key
 * fails as the Kubernetes module does, naming it. Thread-safe.
 */
public final class InMemoryPlatform implements PlatformAccess {

  /** One recorded token request. */
  public record TokenRequest(String namespace, String name, ImmutableList<String> audiences, Duration expiration) {
    public TokenRequest {
      requireNonNull(namespace, "namespace");
      requireNonNull(name, "name");
      audiences = ImmutableList.copyOf(audiences);
      requireNonNull(expiration, "expiration");
    }
  }

  /** Makes a token for a request; may throw a {@link SecretSyncException} to refuse it. */
  @FunctionalInterface
  public interface TokenIssuer {
    String issue(TokenRequest request);
  }

  private final Map<String, ImmutableMap<String, byte[]>> configMaps = new HashMap<>(); // guarded by this
  private final Map<String, ImmutableMap<String, byte[]>> secrets = new HashMap<>(); // guarded by this
  private final List<TokenRequest> tokenRequests = new ArrayList<>(); // guarded by this
  private final AtomicInteger issued = new AtomicInteger();
  private TokenIssuer issuer = request -> "memory-token-" + request.namespace() + "-" + request.name() + "-"
      + issued.incrementAndGet(); // guarded by this

  /** Puts (or replaces) ConfigMap {@code namespace/name} with string data. */
  public synchronized InMemoryPlatform putConfigMap(String namespace, String name, Map<String, String> data) {
    configMaps.put(key(namespace, name), utf8(data));
    return this;
  }

  /** Puts (or replaces) Secret {@code namespace/name} with string data. */
  public synchronized InMemoryPlatform putSecret(String namespace, String name, Map<String, String> data) {
    secrets.put(key(namespace, name), utf8(data));
    return this;
  }

  /** Puts (or replaces) Secret {@code namespace/name} with byte data. */
  public synchronized InMemoryPlatform putSecretBytes(String namespace, String name, Map<String, byte[]> data) {
    ImmutableMap.Builder<String, byte[]> copy = ImmutableMap.builder();
    data.forEach((k, v) -> copy.put(k, v.clone()));
    secrets.put(key(namespace, name), copy.buildOrThrow());
    return this;
  }

  /** Replaces how tokens are issued. */
  public synchronized InMemoryPlatform issueTokensWith(TokenIssuer tokenIssuer) {
    this.issuer = requireNonNull(tokenIssuer);
    return this;
  }

  /** The token requests made so far, in order. */
  public synchronized ImmutableList<TokenRequest> tokenRequests() {
    return ImmutableList.copyOf(tokenRequests);
  }

  @Override
  public synchronized byte[] configMapValue(String namespace, String name, String key) {
    return value("ConfigMap", configMaps, namespace, name, key);
  }

  @Override
  public synchronized byte[] secretValue(String namespace, String name, String key) {
    return value("Secret", secrets, namespace, name, key);
  }

  @Override
  public String serviceAccountToken(String namespace, String name, List<String> audiences, Duration expiration) {
    TokenRequest request = new TokenRequest(namespace, name, ImmutableList.copyOf(audiences), expiration);
    TokenIssuer current;
    synchronized (this) {
      tokenRequests.add(request);
      current = issuer;
    }
    return current.issue(request);
  }

  private static byte[] value(String kind, Map<String, ImmutableMap<String, byte[]>> objects, String namespace,
      String name, String key) {
    ImmutableMap<String, byte[]> data = objects.get(key(namespace, name));
    if (data == null) {
      throw new SecretSyncException(kind + " " + namespace + "/" + name + " not found",
          List.of("create the " + kind + " in namespace " + namespace), null);
    }
    byte[] value = data.get(key);
    if (value == null) {
      throw new SecretSyncException(kind + " " + namespace + "/" + name + " has no key \"" + key + "\"",
          List.of("keys it has: " + String.join(", ", new java.util.TreeSet<>(data.keySet()))), null);
    }
    return value.clone();
  }

  private static ImmutableMap<String, byte[]> utf8(Map<String, String> data) {
    ImmutableMap.Builder<String, byte[]> out = ImmutableMap.builder();
    data.forEach((k, v) -> out.put(k, v.getBytes(StandardCharsets.UTF_8)));
    return out.buildOrThrow();
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  /** Object names and token request counts; never values. */
  @Override
  public synchronized String toString() {
    return "InMemoryPlatform{configMaps=" + new java.util.TreeSet<>(configMaps.keySet()) + ", secrets="
        + new java.util.TreeSet<>(secrets.keySet()) + ", tokenRequests=" + tokenRequests.size() + "}";
  }
}
