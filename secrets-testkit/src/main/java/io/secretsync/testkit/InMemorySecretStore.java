package io.secretsync.testkit;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableMap;
import io.secretsync.core.SecretDocument;
import io.secretsync.core.SecretStore;
import io.secretsync.core.SecretStoreException;
import io.secretsync.core.SecretStoreProvider;
import io.secretsync.core.StoreContext;
import io.secretsync.core.model.FindRef;
import io.secretsync.core.model.MetadataPolicy;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.SecretStoreResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * A JSON-valued secret store in memory, shaped like Vault KV v2: each key has numbered versions
 * (soft-deleted or destroyed ones answer "not found"), custom metadata (the tags {@code find}
 * matches), and counters of reads so tests can assert how often the engine asked. A failure can be
 * injected for every following call. Thread-safe.
 *
 * <p>Use it directly as a {@link SecretStore}, or register {@link #provider()} with a store registry
 * and point a store definition at it with {@code spec.provider.memory: {name: <name>}}.
 */
public final class InMemorySecretStore implements SecretStore {

  /** The provider name to use in store definitions: {@code spec.provider.memory}. */
  public static final String PROVIDER_NAME = "memory";

  private static final Map<String, InMemorySecretStore> NAMED = new ConcurrentHashMap<>();

  private final String name;
  private final Map<String, Entry> secrets = new ConcurrentHashMap<>();
  private final AtomicInteger reads = new AtomicInteger();
  private final AtomicInteger finds = new AtomicInteger();
  private final AtomicInteger validations = new AtomicInteger();
  private final AtomicReference<SecretStoreException> failure = new AtomicReference<>();
  private volatile boolean closed;

  private InMemorySecretStore(String name) {
    this.name = name;
  }

  /** A new, empty store, registered under {@code name} for {@link #provider()} (replacing any earlier one). */
  public static InMemorySecretStore create(String name) {
    InMemorySecretStore store = new InMemorySecretStore(requireNonNull(name));
    NAMED.put(name, store);
    return store;
  }

  /** The name {@link #provider()} finds this store by. */
  public String name() {
    return name;
  }

  /** Writes a new version of {@code key} (string properties) and returns its version number. */
  public int put(String key, Map<String, String> properties) {
    return putDocument(key, SecretDocument.ofStrings(properties));
  }

  /** Writes a new version of {@code key} from JSON text, numbers kept as written. */
  public int putJson(String key, String json) {
    return putDocument(key, SecretDocument.parseJson(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  public int putDocument(String key, SecretDocument document) {
    Entry entry = secrets.computeIfAbsent(key, k -> new Entry());
    synchronized (entry) {
      entry.versions.add(new Version(document));
      return entry.versions.size();
    }
  }

  /** Sets the custom metadata of {@code key} (what {@code find} by tags matches). */
  public void setCustomMetadata(String key, Map<String, String> metadata) {
    Entry entry = secrets.computeIfAbsent(key, k -> new Entry());
    synchronized (entry) {
      entry.customMetadata = ImmutableMap.copyOf(metadata);
    }
  }

  /** Soft-deletes the current version (KV v2 {@code DELETE data/}). */
  public void deleteLatest(String key) {
    Entry entry = secrets.get(key);
    if (entry != null) {
      synchronized (entry) {
        if (!entry.versions.isEmpty()) {
          entry.versions.get(entry.versions.size() - 1).deleted = true;
        }
      }
    }
  }

  /** Removes the key and all its versions (KV v2 {@code DELETE metadata/}). */
  public void remove(String key) {
    secrets.remove(key);
  }

  /** Every following call fails with {@code error} until {@link #clearFailure()}. */
  public void failWith(SecretStoreException error) {
    failure.set(requireNonNull(error));
  }

  public void clearFailure() {
    failure.set(null);
  }

  public int reads() {
    return reads.get();
  }

  public int finds() {
    return finds.get();
  }

  public int validations() {
    return validations.get();
  }

  public void resetCounters() {
    reads.set(0);
    finds.set(0);
    validations.set(0);
  }

  public boolean isClosed() {
    return closed;
  }

  @Override
  public SecretDocument read(RemoteRef.Location location) {
    reads.incrementAndGet();
    throwIfFailing();
    Entry entry = secrets.get(location.key());
    if (entry == null) {
      throw notFound(location.key());
    }
    synchronized (entry) {
      if (location.metadataPolicy() == MetadataPolicy.FETCH) {
        return SecretDocument.ofStrings(entry.customMetadata);
      }
      Version version = pick(entry, location.version()).orElseThrow(() -> notFound(location.toString()));
      if (version.deleted) {
        throw notFound(location.toString());
      }
      return version.document;
    }
  }

  @Override
  public ImmutableMap<String, SecretDocument> find(FindRef find) {
    finds.incrementAndGet();
    throwIfFailing();
    Pattern pattern = find.nameRegexp().map(Pattern::compile).orElse(null);
    String prefix = find.path().map(p -> p.endsWith("/") || p.isEmpty() ? p : p + "/").orElse("");
    Map<String, SecretDocument> out = new TreeMap<>();
    secrets.forEach((key, entry) -> {
      if (!key.startsWith(prefix) || (pattern != null && !pattern.matcher(key).find())) {
        return;
      }
      synchronized (entry) {
        if (!entry.customMetadata.entrySet().containsAll(find.tags().entrySet())) {
          return;
        }
        pick(entry, Optional.empty()).filter(v -> !v.deleted).ifPresent(v -> out.put(key, v.document));
      }
    });
    return ImmutableMap.copyOf(out);
  }

  @Override
  public void validate() {
    validations.incrementAndGet();
    throwIfFailing();
  }

  @Override
  public void close() {
    closed = true;
  }

  private void throwIfFailing() {
    SecretStoreException error = failure.get();
    if (error != null) {
      throw error;
    }
  }

  private static Optional<Version> pick(Entry entry, Optional<String> version) {
    if (entry.versions.isEmpty()) {
      return Optional.empty();
    }
    if (version.isEmpty()) {
      return Optional.of(entry.versions.get(entry.versions.size() - 1));
    }
    try {
      int n = Integer.parseInt(version.get());
      return n >= 1 && n <= entry.versions.size() ? Optional.of(entry.versions.get(n - 1)) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private SecretStoreException notFound(String what) {
    return new SecretStoreException.NoSecretException("secret " + what + " not found in store " + name, List.of());
  }

  @Override
  public String toString() {
    return "InMemorySecretStore{" + name + ", keys=" + secrets.keySet() + "}";
  }

  /**
   * A provider named {@value #PROVIDER_NAME} whose stores are the in-memory stores made with
   * {@link #create(String)}, selected by {@code spec.provider.memory.name}.
   */
  public static SecretStoreProvider provider() {
    return new SecretStoreProvider() {
      @Override
      public String name() {
        return PROVIDER_NAME;
      }

      @Override
      public void validateConfig(SecretStoreResource store) {
        store.provider().settings().requireOnly(java.util.Set.of("name")).requiredString("name");
      }

      @Override
      public SecretStore newStore(SecretStoreResource store, StoreContext context) {
        String storeName = store.provider().settings().requiredString("name");
        InMemorySecretStore target = NAMED.get(storeName);
        if (target == null) {
          throw store.provider().settings().invalid("name", "no in-memory store named \"" + storeName + "\"");
        }
        return new Delegate(target);
      }
    };
  }

  /** A closeable view, so closing a registry's store does not close the shared one. */
  private record Delegate(InMemorySecretStore target) implements SecretStore {
    @Override
    public SecretDocument read(RemoteRef.Location location) {
      return target.read(location);
    }

    @Override
    public ImmutableMap<String, SecretDocument> find(FindRef find) {
      return target.find(find);
    }

    @Override
    public void validate() {
      target.validate();
    }

    @Override
    public void close() {
      target.close();
    }
  }

  private static final class Entry {
    final List<Version> versions = new ArrayList<>();
    ImmutableMap<String, String> customMetadata = ImmutableMap.of();
  }

  private static final class Version {
    final SecretDocument document;
    boolean deleted;

    Version(SecretDocument document) {
      this.document = document;
    }
  }
}
