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
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A JSON-valued secret store in memory, shaped like Vault KV v2 as ESO's Vault provider sees it:
 *
 * <ul>
 *   <li>each key has numbered versions from 1; a version can be soft-deleted (and undeleted) or
 *       destroyed, and reading such a version, a version that does not exist, or a key that does
 *       not exist fails with {@link SecretStoreException.NoSecretException};
 *   <li>with metadataPolicy Fetch a read returns the custom metadata plus {@code created_time},
 *       {@code current_version} and {@code delete_version_after}, as strings (custom metadata wins
 *       on a name clash);
 *   <li>{@code find} takes the keys under {@code path}, then those whose full key matches the
 *       unanchored {@code name.regexp}, or, without a regexp, whose custom metadata holds all
 *       {@code tags} (as in ESO, tags are ignored when a regexp is set); keys whose current version
 *       is deleted or destroyed are skipped; no key under {@code path} at all is
 *       {@link SecretStoreException.NoSecretException};
 *   <li>failures can be injected for every call or for one key; every call is counted, reads per
 *       key too, so tests can assert how often an engine asked.
 * </ul>
 *
 * <p>Use it directly as a {@link SecretStore}, or through a {@link #provider()} registered with a
 * store registry and a store definition {@code spec.provider.memory: {name: <name>}}. Each store
 * the provider makes is a handle on the shared store: closing it closes only the handle (counted in
 * {@link #handlesClosed()}), and a closed handle refuses further calls. Thread-safe.
 */
public final class InMemorySecretStore implements SecretStore {

  /** The provider name to use in store definitions: {@code spec.provider.memory}. */
  public static final String PROVIDER_NAME = "memory";

  private static final Map<String, InMemorySecretStore> NAMED = new ConcurrentHashMap<>();

  private final String name;
  private final Clock clock;
  private final Map<String, Entry> secrets = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> readsByKey = new ConcurrentHashMap<>();
  private final Map<String, SecretStoreException> keyFailures = new ConcurrentHashMap<>();
  private final AtomicInteger reads = new AtomicInteger();
  private final AtomicInteger finds = new AtomicInteger();
  private final AtomicInteger validations = new AtomicInteger();
  private final AtomicInteger handlesOpened = new AtomicInteger();
  private final AtomicInteger handlesClosed = new AtomicInteger();
  private volatile SecretStoreException failure;
  private volatile boolean closed;

  private InMemorySecretStore(String name, Clock clock) {
    this.name = name;
    this.clock = clock;
  }

  /** A new, empty store on the system clock, registered under {@code name} for {@link #provider()} (replacing any earlier one). */
  public static InMemorySecretStore create(String name) {
    return create(name, Clock.systemUTC());
  }

  /** A new, empty store whose versions are stamped by {@code clock}, registered under {@code name}. */
  public static InMemorySecretStore create(String name, Clock clock) {
    InMemorySecretStore store = new InMemorySecretStore(requireNonNull(name), requireNonNull(clock));
    NAMED.put(name, store);
    return store;
  }

  /** The name {@link #provider()} finds this store by. */
  public String name() {
    return name;
  }

  // ---- content -------------------------------------------------------------------------------

  /** Writes a new version of {@code key} with string properties; returns its version number. */
  public int put(String key, Map<String, String> properties) {
    return putDocument(key, SecretDocument.ofStrings(properties));
  }

  /** Writes a new version of {@code key} from a JSON object, numbers kept as written; returns its version number. */
  public int putJson(String key, String json) {
    return putDocument(key, SecretDocument.parseJson(json.getBytes(StandardCharsets.UTF_8)));
  }

  /** Writes a new version of {@code key}; returns its version number. */
  public int putDocument(String key, SecretDocument document) {
    requireNonNull(document, "document");
    Entry entry = secrets.computeIfAbsent(requireNonNull(key, "key"), k -> new Entry(clock.instant()));
    synchronized (entry) {
      entry.versions.add(new Version(document));
      return entry.versions.size();
    }
  }

  /** Sets the custom metadata of {@code key} (what {@code find} by tags matches and metadataPolicy Fetch returns). */
  public void setCustomMetadata(String key, Map<String, String> metadata) {
    Entry entry = secrets.computeIfAbsent(requireNonNull(key, "key"), k -> new Entry(clock.instant()));
    synchronized (entry) {
      entry.customMetadata = ImmutableMap.copyOf(metadata);
    }
  }

  /** Soft-deletes the current version (KV v2 {@code DELETE data/<key>}). */
  public void deleteLatest(String key) {
    withEntry(key, entry -> {
      if (!entry.versions.isEmpty()) {
        entry.versions.get(entry.versions.size() - 1).deleted = true;
      }
    });
  }

  /** Soft-deletes the given versions (KV v2 {@code POST delete/<key>}). */
  public void deleteVersions(String key, int... versions) {
    withEntry(key, entry -> forVersions(entry, versions, v -> v.deleted = true));
  }

  /** Restores soft-deleted versions (KV v2 {@code POST undelete/<key>}); destroyed ones stay gone. */
  public void undeleteVersions(String key, int... versions) {
    withEntry(key, entry -> forVersions(entry, versions, v -> v.deleted = false));
  }

  /** Destroys the given versions for good (KV v2 {@code POST destroy/<key>}). */
  public void destroyVersions(String key, int... versions) {
    withEntry(key, entry -> forVersions(entry, versions, v -> v.destroyed = true));
  }

  /** Removes the key with all its versions and metadata (KV v2 {@code DELETE metadata/<key>}). */
  public void remove(String key) {
    secrets.remove(key);
  }

  /** The keys held, sorted (including keys whose versions are all deleted). */
  public List<String> keys() {
    return List.copyOf(new TreeMap<>(secrets).keySet());
  }

  // ---- failures and counters -----------------------------------------------------------------

  /** Every following call fails with {@code error} until {@link #clearFailure()}. */
  public void failWith(SecretStoreException error) {
    failure = requireNonNull(error);
  }

  /** Every following read of {@code key} (data or metadata) fails with {@code error} until {@link #clearFailure()}. */
  public void failReadsOf(String key, SecretStoreException error) {
    keyFailures.put(requireNonNull(key), requireNonNull(error));
  }

  /** Removes every injected failure. */
  public void clearFailure() {
    failure = null;
    keyFailures.clear();
  }

  /** Calls of {@link #read}, failed ones included. */
  public int reads() {
    return reads.get();
  }

  /** Calls of {@link #read} for {@code key}, any version or metadata policy. */
  public int reads(String key) {
    AtomicInteger count = readsByKey.get(key);
    return count == null ? 0 : count.get();
  }

  public int finds() {
    return finds.get();
  }

  public int validations() {
    return validations.get();
  }

  /** Stores made by {@link #provider()} for this store. */
  public int handlesOpened() {
    return handlesOpened.get();
  }

  /** Stores made by {@link #provider()} for this store and closed since. */
  public int handlesClosed() {
    return handlesClosed.get();
  }

  public void resetCounters() {
    reads.set(0);
    finds.set(0);
    validations.set(0);
    readsByKey.clear();
  }

  /** Whether {@link #close()} was called on this store itself (not on a provider's handle). */
  public boolean isClosed() {
    return closed;
  }

  // ---- SecretStore ---------------------------------------------------------------------------

  @Override
  public SecretDocument read(RemoteRef.Location location) {
    reads.incrementAndGet();
    readsByKey.computeIfAbsent(location.key(), k -> new AtomicInteger()).incrementAndGet();
    throwIfFailing();
    SecretStoreException keyFailure = keyFailures.get(location.key());
    if (keyFailure != null) {
      throw keyFailure;
    }
    Entry entry = secrets.get(location.key());
    if (entry == null) {
      throw notFound(location.toString());
    }
    synchronized (entry) {
      if (location.metadataPolicy() == MetadataPolicy.FETCH) {
        return metadata(entry);
      }
      Version version = pick(entry, location.version()).orElseThrow(() -> notFound(location.toString()));
      if (version.deleted || version.destroyed) {
        throw notFound(location + " (version " + (entry.versions.indexOf(version) + 1)
            + (version.destroyed ? " destroyed)" : " deleted)"));
      }
      return version.document;
    }
  }

  @Override
  public ImmutableMap<String, SecretDocument> find(FindRef find) {
    finds.incrementAndGet();
    throwIfFailing();
    Pattern pattern = find.nameRegexp().map(Pattern::compile).orElse(null);
    String prefix = find.path().map(p -> p.isEmpty() || p.endsWith("/") ? p : p + "/").orElse("");
    Map<String, SecretDocument> out = new TreeMap<>();
    boolean any = false;
    for (Map.Entry<String, Entry> candidate : new TreeMap<>(secrets).entrySet()) {
      String key = candidate.getKey();
      if (!key.startsWith(prefix)) {
        continue;
      }
      any = true;
      Entry entry = candidate.getValue();
      synchronized (entry) {
        boolean matches = pattern != null
            ? pattern.matcher(key).find()
            : entry.customMetadata.entrySet().containsAll(find.tags().entrySet());
        if (matches) {
          pick(entry, Optional.empty()).filter(v -> !v.deleted && !v.destroyed).ifPresent(v -> out.put(key, v.document));
        }
      }
    }
    if (!any) {
      throw notFound("anything under \"" + prefix + "\"");
    }
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
    SecretStoreException error = failure;
    if (error != null) {
      throw error;
    }
  }

  private SecretDocument metadata(Entry entry) {
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("created_time", entry.created.truncatedTo(ChronoUnit.MICROS).toString());
    metadata.put("current_version", Integer.toString(entry.versions.size()));
    metadata.put("delete_version_after", "0s");
    metadata.putAll(entry.customMetadata);
    return SecretDocument.ofStrings(metadata);
  }

  private void withEntry(String key, java.util.function.Consumer<Entry> action) {
    Entry entry = secrets.get(key);
    if (entry != null) {
      synchronized (entry) {
        action.accept(entry);
      }
    }
  }

  private static void forVersions(Entry entry, int[] versions, java.util.function.Consumer<Version> action) {
    for (int v : versions) {
      if (v >= 1 && v <= entry.versions.size()) {
        action.accept(entry.versions.get(v - 1));
      }
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
    return new SecretStoreException.NoSecretException("secret " + what + " not found in in-memory store \"" + name + "\"",
        List.of("put it into the store first"));
  }

  /** The store's name and its keys; never values. */
  @Override
  public String toString() {
    return "InMemorySecretStore{" + name + ", keys=" + keys() + "}";
  }

  /**
   * A provider named {@value #PROVIDER_NAME} whose stores are handles on the in-memory stores made
   * with {@link #create}, selected by {@code spec.provider.memory.name}.
   */
  public static SecretStoreProvider provider() {
    return new Provider();
  }

  /**
   * The {@value #PROVIDER_NAME} provider, public with a no-argument constructor so that a test's
   * {@code META-INF/services/io.secretsync.core.SecretStoreProvider} can name it.
   */
  public static final class Provider implements SecretStoreProvider {

    @Override
    public String name() {
      return PROVIDER_NAME;
    }

    @Override
    public void validateConfig(SecretStoreResource store) {
      store.provider().settings().requireOnly(Set.of("name")).requiredString("name");
    }

    @Override
    public SecretStore newStore(SecretStoreResource store, StoreContext context) {
      String storeName = store.provider().settings().requiredString("name");
      InMemorySecretStore target = NAMED.get(storeName);
      if (target == null) {
        throw store.provider().settings().invalid("name", "no in-memory store named \"" + storeName + "\"");
      }
      target.handlesOpened.incrementAndGet();
      return new Handle(target);
    }
  }

  /** One provider-made store: closing it closes only this handle. */
  private static final class Handle implements SecretStore {
    private final InMemorySecretStore target;
    private volatile boolean closed;

    Handle(InMemorySecretStore target) {
      this.target = target;
    }

    @Override
    public SecretDocument read(RemoteRef.Location location) {
      checkOpen();
      return target.read(location);
    }

    @Override
    public ImmutableMap<String, SecretDocument> find(FindRef find) {
      checkOpen();
      return target.find(find);
    }

    @Override
    public void validate() {
      checkOpen();
      target.validate();
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        target.handlesClosed.incrementAndGet();
      }
    }

    private void checkOpen() {
      if (closed) {
        throw new IllegalStateException("this store of in-memory store \"" + target.name + "\" is closed");
      }
    }

    @Override
    public String toString() {
      return "InMemorySecretStore.Handle{" + target.name + (closed ? ", closed" : "") + "}";
    }
  }

  private static final class Entry {
    final Instant created;
    final List<Version> versions = new ArrayList<>();
    ImmutableMap<String, String> customMetadata = ImmutableMap.of();

    Entry(Instant created) {
      this.created = created;
    }
  }

  private static final class Version {
    final SecretDocument document;
    boolean deleted;
    boolean destroyed;

    Version(SecretDocument document) {
      this.document = document;
    }
  }
}
