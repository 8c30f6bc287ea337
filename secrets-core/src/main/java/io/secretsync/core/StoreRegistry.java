package io.secretsync.core;

import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedSet;
import io.secretsync.core.model.ClusterStoreCondition;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import io.secretsync.core.model.StoreRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store definitions known to a sync engine, and the live {@link SecretStore} of each.
 *
 * <p>A live store is created by its provider on first use and reused by every sync that names the
 * store (one HTTP client, one login). It is identified by kind, namespace, name, uid, generation and
 * spec (provider settings, retry settings, refresh interval, controller class): a {@link #put} that
 * changes any of these closes the old live store, and the next use creates a new one; a put that
 * changes only other metadata (labels, resourceVersion, the conditions) keeps it. {@link #remove}
 * and {@link #close} close live stores. A store is never closed while the registry holds its lock,
 * so a slow close (a token revocation) does not block other syncs.
 *
 * <p>Resolution follows ESO: a {@code SecretStore} is found in the ExternalSecret's own namespace;
 * a {@code ClusterSecretStore} anywhere, if its {@code conditions} admit the namespace (any
 * condition: the namespace is listed, matches an unanchored regex, or carries all of the
 * selector's labels, which {@link NamespaceLabels} supplies).
 *
 * <p>Thread-safe. A store handed out may be closed by a concurrent {@link #put} or {@link #remove}
 * of its definition while a sync still uses it; that sync then fails and the next one uses the new
 * store. Providers' {@code newStore} is called under the registry's lock, as the SPI requires it
 * to be cheap.
 */
public final class StoreRegistry implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StoreRegistry.class);

  /** The labels of a namespace, for {@code ClusterSecretStore} namespaceSelector conditions. Thread-safe. */
  @FunctionalInterface
  public interface NamespaceLabels {

    /** The labels of {@code namespace}; empty when it has none or does not exist. */
    Map<String, String> labels(String namespace);

    /** Every namespace has no labels: selector conditions match no namespace. */
    static NamespaceLabels none() {
      return namespace -> Map.of();
    }
  }

  private final ImmutableMap<String, SecretStoreProvider> providers;
  private final StoreContext context;
  private final NamespaceLabels namespaceLabels;
  private final Object lock = new Object();
  private final Map<Key, Entry> entries = new HashMap<>(); // guarded by lock
  private boolean closed; // guarded by lock

  private StoreRegistry(Builder builder) {
    this.providers = ImmutableMap.copyOf(builder.providers);
    this.context = builder.context;
    this.namespaceLabels = builder.namespaceLabels;
  }

  /** A builder whose providers are those {@link ServiceLoader} finds; add or replace them with {@link Builder#provider}. */
  public static Builder builder() {
    return new Builder();
  }

  /** The names of the installed providers ({@code vault}, ...). */
  public ImmutableSortedSet<String> providerNames() {
    return ImmutableSortedSet.copyOf(providers.keySet());
  }

  /**
   * Adds or replaces a store definition after its provider checked it.
   *
   * @throws InvalidConfigException when no provider has its name or its settings are invalid; the
   *     registry is then unchanged
   */
  public void put(SecretStoreResource store) {
    requireNonNull(store, "store");
    provider(store).validateConfig(store);
    SecretStore stale = null;
    synchronized (lock) {
      checkState(!closed, "the store registry is closed");
      Key key = Key.of(store);
      Entry previous = entries.get(key);
      SecretStore keep = null;
      if (previous != null && previous.live != null) {
        if (sameIdentity(previous.definition, store)) {
          keep = previous.live;
        } else {
          stale = previous.live;
        }
      }
      entries.put(key, new Entry(store, keep));
    }
    closeQuietly(stale, store);
  }

  /** Removes the definition {@code ref} names for {@code namespace} (ignored for a ClusterSecretStore) and closes its live store. */
  public void remove(StoreRef ref, String namespace) {
    Entry removed;
    synchronized (lock) {
      removed = entries.remove(Key.of(ref, namespace));
    }
    if (removed != null) {
      closeQuietly(removed.live, removed.definition);
    }
  }

  /** The definition {@code ref} names for an ExternalSecret in {@code namespace}, if any. */
  public Optional<SecretStoreResource> definition(StoreRef ref, String namespace) {
    synchronized (lock) {
      Entry entry = entries.get(Key.of(ref, namespace));
      return entry == null ? Optional.empty() : Optional.of(entry.definition);
    }
  }

  /** Every definition held, SecretStores and ClusterSecretStores. */
  public ImmutableList<SecretStoreResource> definitions() {
    synchronized (lock) {
      return entries.values().stream().map(Entry::definition).collect(ImmutableList.toImmutableList());
    }
  }

  /**
   * The live store {@code ref} names for an ExternalSecret in {@code namespace}.
   *
   * @throws SecretStoreException when the store does not exist or its conditions deny the namespace
   * @throws InvalidConfigException when its provider cannot make a store of its settings
   */
  public SecretStore store(StoreRef ref, String namespace) {
    SecretStoreResource definition = definition(ref, namespace).orElseThrow(() -> new SecretStoreException(
        ref.kind().wireName() + " \"" + ref.name() + "\" not found"
            + (ref.kind() == StoreKind.SECRET_STORE ? " in namespace \"" + namespace + "\"" : ""),
        List.of(ref.kind() == StoreKind.SECRET_STORE
            ? "a SecretStore must be in the ExternalSecret's namespace; for a store shared by namespaces use "
                + "a ClusterSecretStore and secretStoreRef.kind: ClusterSecretStore"
            : "create the ClusterSecretStore, or fix secretStoreRef.name and secretStoreRef.kind"), null));
    if (ref.kind() == StoreKind.CLUSTER_SECRET_STORE && !admits(definition, namespace)) {
      throw new SecretStoreException("using cluster store \"" + ref.name() + "\" is not allowed from namespace \""
          + namespace + "\": denied by spec.condition",
          List.of("add the namespace to one of the store's spec.conditions (namespaces, namespaceRegexes or a "
              + "namespaceSelector label), or use another store"), null);
    }
    return live(definition);
  }

  /**
   * The live store of {@code definition}, which this registry must hold as it is (for validating a
   * store, which concerns no namespace).
   *
   * @throws IllegalArgumentException when the registry holds no such definition
   * @throws InvalidConfigException when its provider cannot make a store of its settings
   */
  public SecretStore store(SecretStoreResource definition) {
    synchronized (lock) {
      Entry entry = entries.get(Key.of(definition));
      if (entry == null || !entry.definition.equals(definition)) {
        throw new IllegalArgumentException(definition + " is not the definition this registry holds");
      }
    }
    return live(definition);
  }

  private SecretStore live(SecretStoreResource definition) {
    Key key = Key.of(definition);
    synchronized (lock) {
      checkState(!closed, "the store registry is closed");
      Entry entry = entries.get(key);
      if (entry == null) {
        throw new SecretStoreException(definition + " was removed while it was being resolved", List.of(), null);
      }
      if (entry.live != null) {
        return entry.live;
      }
      SecretStore created = provider(entry.definition).newStore(entry.definition, context);
      entries.put(key, new Entry(entry.definition, created));
      log.debug("created store for {}", entry.definition);
      return created;
    }
  }

  /** Whether a ClusterSecretStore's conditions admit {@code namespace}; no conditions admit every namespace. */
  public boolean admits(SecretStoreResource store, String namespace) {
    if (store.kind() != StoreKind.CLUSTER_SECRET_STORE || store.conditions().isEmpty()) {
      return true;
    }
    Map<String, String> labels = null;
    for (ClusterStoreCondition condition : store.conditions()) {
      if (condition.namespaces().contains(namespace)) {
        return true;
      }
      for (String regex : condition.namespaceRegexes()) {
        try {
          if (Pattern.compile(regex).matcher(namespace).find()) {
            return true;
          }
        } catch (PatternSyntaxException e) {
          log.warn("{}: ignoring invalid regex in spec.conditions[].namespaceRegexes: {}", store, e.getDescription());
        }
      }
      if (!condition.namespaceSelectorMatchLabels().isEmpty()) {
        if (labels == null) {
          labels = namespaceLabels(namespace);
        }
        if (labels.entrySet().containsAll(condition.namespaceSelectorMatchLabels().entrySet())) {
          return true;
        }
      }
    }
    return false;
  }

  private Map<String, String> namespaceLabels(String namespace) {
    try {
      return Objects.requireNonNullElse(namespaceLabels.labels(namespace), Map.of());
    } catch (RuntimeException e) {
      throw new SecretStoreException("cannot read the labels of namespace \"" + namespace
          + "\" to check a ClusterSecretStore's namespaceSelector: " + e.getMessage(),
          List.of("grant read access to namespaces, or use namespaces or namespaceRegexes conditions"), e);
    }
  }

  /** The provider named by {@code spec.provider} of {@code store}. */
  private SecretStoreProvider provider(SecretStoreResource store) {
    SecretStoreProvider provider = providers.get(store.provider().name());
    if (provider == null) {
      throw new InvalidConfigException("spec.provider." + store.provider().name(),
          "no provider named \"" + store.provider().name() + "\" is installed (installed: "
              + (providers.isEmpty() ? "none" : String.join(", ", providerNames())) + ")",
          List.of("add the provider's module (for Vault: io.secretsync:secrets-vault) to the class path"));
    }
    return provider;
  }

  /** Closes every live store; later uses of the registry fail. Idempotent. */
  @Override
  public void close() {
    List<Entry> all;
    synchronized (lock) {
      closed = true;
      all = new ArrayList<>(entries.values());
      entries.clear();
    }
    all.forEach(entry -> closeQuietly(entry.live, entry.definition));
  }

  private static boolean sameIdentity(SecretStoreResource a, SecretStoreResource b) {
    return a.kind() == b.kind()
        && a.metadata().namespace().equals(b.metadata().namespace())
        && a.metadata().name().equals(b.metadata().name())
        && a.metadata().uid().equals(b.metadata().uid())
        && a.metadata().generation() == b.metadata().generation()
        && a.controller().equals(b.controller())
        && a.provider().equals(b.provider())
        && a.retrySettings().equals(b.retrySettings())
        && a.refreshInterval().equals(b.refreshInterval());
  }

  private static void closeQuietly(SecretStore store, SecretStoreResource definition) {
    if (store == null) {
      return;
    }
    try {
      store.close();
      log.debug("closed store for {}", definition);
    } catch (RuntimeException e) {
      log.warn("closing the store for {} failed: {}", definition, e.getMessage());
    }
  }

  private record Key(StoreKind kind, String namespace, String name) {
    static Key of(SecretStoreResource store) {
      return new Key(store.kind(), store.kind() == StoreKind.CLUSTER_SECRET_STORE ? "" : store.metadata().namespace(),
          store.metadata().name());
    }

    static Key of(StoreRef ref, String namespace) {
      return new Key(ref.kind(), ref.kind() == StoreKind.CLUSTER_SECRET_STORE ? "" : namespace, ref.name());
    }
  }

  private record Entry(SecretStoreResource definition, SecretStore live) {}

  /** Configures a registry; not thread-safe. */
  public static final class Builder {
    private final Map<String, SecretStoreProvider> providers = new HashMap<>();
    private StoreContext context = StoreContext.standalone();
    private NamespaceLabels namespaceLabels = NamespaceLabels.none();

    private Builder() {
      for (SecretStoreProvider provider : ServiceLoader.load(SecretStoreProvider.class)) {
        providers.put(provider.name(), provider);
      }
    }

    /** Adds or replaces a provider under its {@link SecretStoreProvider#name()}. */
    public Builder provider(SecretStoreProvider provider) {
      providers.put(requireNonNull(provider.name(), "provider name"), provider);
      return this;
    }

    /** What providers may use besides their settings; default {@link StoreContext#standalone()}. */
    public Builder context(StoreContext storeContext) {
      this.context = requireNonNull(storeContext);
      return this;
    }

    /** Where namespace labels come from for namespaceSelector conditions; default {@link NamespaceLabels#none()}. */
    public Builder namespaceLabels(NamespaceLabels labels) {
      this.namespaceLabels = requireNonNull(labels);
      return this;
    }

    public StoreRegistry build() {
      return new StoreRegistry(this);
    }
  }
}
