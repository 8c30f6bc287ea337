package io.secretsync.vault;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.secretsync.core.InvalidConfigException;
import io.secretsync.core.SecretStore;
import io.secretsync.core.SecretStoreProvider;
import io.secretsync.core.StoreContext;
import io.secretsync.core.model.SecretStoreResource;
import java.time.Duration;

/**
 * The {@code vault} provider: HashiCorp Vault KV v2 and v1 stores configured by ESO's
 * {@code spec.provider.vault}. Found by {@link java.util.ServiceLoader}.
 *
 * <p>Two settings ESO does not have are given as store annotations, so that manifests stay valid
 * for ESO's CRD schema:
 * <ul>
 *   <li>{@value #ALLOW_HTTP_ANNOTATION}{@code : "true"} permits a plain {@code http://} server
 *       (refused otherwise: the JWT, the token and the values would cross the network in clear);
 *   <li>{@value #ADD_SYSTEM_ROOTS_ANNOTATION}{@code : "true"} trusts the system roots as well as
 *       {@code caBundle}/{@code caProvider} (by default the configured CA replaces them, as in ESO).
 * </ul>
 * Other annotations under {@value #ANNOTATION_PREFIX} are refused as unknown.
 *
 * <p>Each store made here owns one {@link TokenManager}: it logs in once, shares the token among
 * all reads, renews it, and revokes it when the store is closed. Thread-safe.
 */
public final class VaultStoreProvider implements SecretStoreProvider {

  public static final String NAME = "vault";
  public static final String ANNOTATION_PREFIX = "vault.secretsync.io/";
  public static final String ALLOW_HTTP_ANNOTATION = ANNOTATION_PREFIX + "allow-http";
  public static final String ADD_SYSTEM_ROOTS_ANNOTATION = ANNOTATION_PREFIX + "add-system-roots";

  /** How long a store waits for a TCP (and TLS) connection to Vault, by default. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** How long a store waits for each read of an answer from Vault, by default. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(15);

  private final VaultClient.Sleeper sleeper;
  private final Duration connectTimeout;
  private final Duration readTimeout;

  /** The provider with the default timeouts (the one {@link java.util.ServiceLoader} finds). */
  public VaultStoreProvider() {
    this(duration -> Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000));
  }

  VaultStoreProvider(VaultClient.Sleeper sleeper) {
    this(sleeper, DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT);
  }

  private VaultStoreProvider(VaultClient.Sleeper sleeper, Duration connectTimeout, Duration readTimeout) {
    this.sleeper = sleeper;
    this.connectTimeout = connectTimeout;
    this.readTimeout = readTimeout;
  }

  /**
   * A provider whose stores give up on a connection attempt after {@code connectTimeout} and on an
   * answer that stops arriving after {@code readTimeout} (each then retried per
   * {@code spec.retrySettings}). Use it with a {@link io.secretsync.core.StoreRegistry} built by
   * hand when Vault is expected to answer faster (or slower) than the defaults allow.
   *
   * @throws IllegalArgumentException when a timeout is not positive
   */
  public static VaultStoreProvider withTimeouts(Duration connectTimeout, Duration readTimeout) {
    checkArgument(connectTimeout.toNanos() > 0, "connectTimeout must be positive: %s", connectTimeout);
    checkArgument(readTimeout.toNanos() > 0, "readTimeout must be positive: %s", readTimeout);
    VaultStoreProvider defaults = new VaultStoreProvider();
    return new VaultStoreProvider(defaults.sleeper, connectTimeout, readTimeout);
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Parses and checks {@code spec.provider.vault} without any I/O.
   *
   * @throws InvalidConfigException naming the first unknown, missing or contradictory field
   */
  @Override
  public void validateConfig(SecretStoreResource store) {
    VaultSettingsParser.parse(checkNotNull(store, "store"));
  }

  @Override
  public SecretStore newStore(SecretStoreResource store, StoreContext context) {
    checkNotNull(store, "store");
    checkNotNull(context, "context");
    VaultSettings settings = VaultSettingsParser.parse(store);
    VaultAuth auth = VaultConnector.auth(settings, context);
    return new VaultKvStore(store.toString(), new KvPaths(settings.mount(), settings.version()),
        () -> VaultConnector.client(settings, context, sleeper, connectTimeout, readTimeout),
        client -> new TokenManager(client, auth, context.clock()));
  }

  @Override
  public String toString() {
    return "VaultStoreProvider{" + NAME + ", connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout + "}";
  }
}
