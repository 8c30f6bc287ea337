package io.secretsync.core;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableMap;
import io.secretsync.core.model.ClusterStoreCondition;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import io.secretsync.core.model.StoreRef;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store definitions known to a sync engine, and the live {@link SecretStore} of each. A store
 * is created by its provider on first use and reused for every sync that names it (one HTTP
 * client, one login); it is closed and recreated only when its definition changes, and closed when
 * the definition is removed or the registry closes.
 *
 * <p>Resolution follows ESO: a {@code SecretStore} is found in the ExternalSecret's own namespace;
 * a {@code ClusterSecretStore} anywhere, if its {@code conditions} admit the namespace.
 * Thread-safe.
 */
public final class StoreRegistry implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StoreRegistry.class);

  private final ImmutableMap<String, SecretStoreProvider> providers;
  private final StoreContext context;
  private final Function<String, Map<String, String>> namespaceLabels;
  private final Map<Key, SecretStoreResource> definitions = new ConcurrentHashMap<>();
  private final Map<Key, Live> live = new HashMap<>();

  private StoreRegistry(Builder builder) {
    this.providers = ImmutableMap.copyOf(builder.providers);
    this.context = builder.context;
    this.namespaceLabels = builder.namespaceLabels;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Adds or replaces a store definition after checking it with its provider.
   *
   * @throws InvalidConfigException when no provider has its name or its settings are invalid
   */
  public void put(SecretStoreResource store) {
    provider(store).validateConfig(store);
    Key key = Key.of(store.kind(), store.metadata().namespace(), store.metadata().name());
    SecretStoreResource previous = definitions.put(key, store);
    if (previous != null && !previous.equals(store)) {
      closeLive(key);
    }
  }

  /** Removes a definition and closes its live store, if any. */
  public void remove(StoreRef ref, String namespace) {
    Key key = Key.of(ref.kind(), ref.kind() == StoreKind.CLUSTER_SECRET_STORE ? "" : namespace, ref.name());
    definitions.remove(key);
    closeLive(key);
  }

  /** The definition {@code ref} names for an ExternalSecret in {@code namespace}, if any. */
  public Optional<SecretStoreResource> definition(StoreRef ref, String namespace) {
    String storeNamespace = ref.kind() == StoreKind.CLUSTER_SECRET_STORE ? "" : namespace;
    return Optional.ofNullable(definitions.get(Key.of(ref.kind(), storeNamespace, ref.name())));
  }

  /**
   * The live store {@code ref} names for an ExternalSecret in {@code namespace}.
   *
   * @throws SecretStoreException when the store does not exist, does not admit the namespace, or
   *     its provider is unknown
   */
  public SecretStore store(StoreRef ref, String namespace) {
    SecretStoreResource definition = definition(ref, namespace).orElseThrow(() -> new SecretStoreException(
        ref.kind().wireName() + " \"" + ref.name() + "\" not found"
            + (ref.kind() == StoreKind.SECRET_STORE ? " in namespace " + namespace : ""),
        List.of("create the store, or fix secretStoreRef (name, and kind SecretStore or ClusterSecretStore)"), null));
    if (ref.kind() == StoreKind.CLUSTER_SECRET_STORE && !admits(definition, namespace)) {
      throw new SecretStoreException("ClusterSecretStore \"" + ref.name() + "\" does not allow namespace "
          + namespace + " (spec.conditions)",
          List.of("add the namespace to the store's spec.conditions, or use another store"), null);
    }
    return live(definition);
  }

  /**
   * The live store for {@code definition}, which must have been {@link #put} (for store
   * validation, which concerns the store itself and no namespace).
   *
   * @throws IllegalArgumentException when the registry holds no such definition
   * @throws InvalidConfigException when its provider cannot make a store of it
   */
  public SecretStore store(SecretStoreResource definition) {
    Key key = Key.of(definition.kind(), definition.metadata().namespace(), definition.metadata().name());
    SecretStoreResource known = definitions.get(key);
    if (!definition.equals(known)) {
      throw new IllegalArgumentException(definition + " is not the definition this registry holds");
    }
    return live(definition);
  }

  private SecretStore live(SecretStoreResource definition) {
    Key key = Key.of(definition.kind(), definition.metadata().namespace(), definition.metadata().name());
    synchronized (live) {
      Live current = live.get(key);
      if (current != null && current.definition.equals(definition)) {
        return current.store;
      }
      if (current != null) {
        closeQuietly(current);
      }
      SecretStore store = provider(definition).newStore(definition, context);
      live.put(key, new Live(definition, store));
      return store;
    }
  }

  /** Whether a ClusterSecretStore's conditions admit {@code namespace}; no conditions admit all. */
  boolean admits(SecretStoreResource store, String namespace) {
    if (store.conditions().isEmpty()) {
      return true;
    }
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
          log.warn("{}: ignoring invalid namespace regex in spec.conditions: {}", store, e.getDescription());
        }
      }
      if (!condition.namespaceSelectorMatchLabels().isEmpty()) {
        Map<String, String> labels = namespaceLabels.apply(namespace);
        if (labels.entrySet().containsAll(condition.namespaceSelectorMatchLabels().entrySet())) {
          return true;
        }
      }
    }
    return false;
  }

  private SecretStoreProvider provider(SecretStoreResource store) {
    SecretStoreProvider provider = providers.get(store.provider().name());
    if (provider == null) {
      throw new InvalidConfigException("spec.provider." + store.provider().name(),
          "no provider named \"" + store.provider().name() + "\" is installed; installed: "
              + String.join(", ", providers.keySet()));
    }
    return provider;
  }

  private void closeLive(Key key) {
    Live removed;
    synchronized (live) {
      removed = live.remove(key);
    }
    if (removed != null) {
      closeQuietly(removed);
    }
  }

  private static void closeQuietly(Live entry) {
    try {
      entry.store.close();
    } catch (RuntimeException e) {
      log.warn("closing {} failed: {}", entry.definition, e.getMessage());
    }
  }

  /** Closes every live store. */
  @Override
  public void close() {
    List<Live> all;
    synchronized (live) {
      all = List.copyOf(live.values());
      live.clear();
    }
    all.forEach(StoreRegistry::closeQuietly);
  }

  private record Key(StoreKind kind, String namespace, String name) {
    static Key of(StoreKind kind, String namespace, String name) {
      return new Key(kind, kind == StoreKind.CLUSTER_SECRET_STORE ? "" : namespace, name);
    }
  }

  private record Live(SecretStoreResource definition, SecretStore store) {}

  /** Configures a registry; providers default to those found by {@link ServiceLoader}. */
  public static final class Builder {
    private final Map<String, SecretStoreProvider> providers = new HashMap<>();
    private StoreContext context = StoreContext.standalone();
    private Function<String, Map<String, String>> namespaceLabels = namespace -> Map.of();

    private Builder() {
      for (SecretStoreProvider provider : ServiceLoader.load(SecretStoreProvider.class)) {
        providers.put(provider.name(), provider);
      }
    }

    /** Adds or replaces a provider under its {@link SecretStoreProvider#name()}. */
    public Builder provider(SecretStoreProvider provider) {
      providers.put(provider.name(), provider);
      return this;
    }

    public Builder context(StoreContext storeContext) {
      this.context = requireNonNull(storeContext);
      return this;
    }

    /** The labels of a namespace, for ClusterSecretStore namespaceSelector conditions. */
    public Builder namespaceLabels(Function<String, Map<String, String>> labels) {
      this.namespaceLabels = requireNonNull(labels);
      return this;
    }

    public StoreRegistry build() {
      return new StoreRegistry(this);
    }
  }
}
