package io.secretsync.vault;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.secretsync.core.SecretStore;
import io.secretsync.vault.VaultSettings.KvVersion;
import java.time.Clock;
import java.util.Optional;

/**
 * A KV mount of Vault as a {@link SecretStore}, for code that reads Vault directly instead of
 * through a store manifest: a service that loads its own configuration at start-up, a tool, a test.
 * The store behaves exactly like one the {@code vault} provider makes from
 * {@code spec.provider.vault} (property lookup, not-found and permission errors naming the path and
 * the policy that would grant it, retries), with a {@link TokenManager} of its own that logs in on
 * first use, shares the token, renews it and revokes it when the store is closed.
 *
 * <pre>{@code
 * VaultClient client = VaultClient.builder("https://vault.example.internal:8200")
 *     .caCertificatesPem(caPem)
 *     .build();
 * try (SecretStore vault = VaultKv.builder(client, VaultAuth.token(() -> System.getenv("VAULT_TOKEN"), "VAULT_TOKEN"))
 *     .mount("secret")
 *     .build()) {
 *   byte[] dotenv = vault.getSecret(RemoteRef.of("example-api/env-file", "dotenv"));
 * }
 * }</pre>
 *
 * Keys are relative to the mount ({@code example-api/env-file} for {@code secret/data/example-api/env-file}),
 * as in an ExternalSecret's {@code remoteRef.key}. Not instantiable.
 */
public final class VaultKv {
  private VaultKv() {}

  /** A store reading through {@code client}, logging in with {@code auth}. */
  public static Builder builder(VaultClient client, VaultAuth auth) {
    return new Builder(checkNotNull(client, "client"), checkNotNull(auth, "auth"));
  }

  /** Configures a KV store; only the client and the auth method are required. Not thread-safe. */
  public static final class Builder {
    private final VaultClient client;
    private final VaultAuth auth;
    private String mount = "secret";
    private KvVersion version = KvVersion.V2;
    private Clock clock = Clock.systemUTC();

    private Builder(VaultClient client, VaultAuth auth) {
      this.client = client;
      this.auth = auth;
    }

    /** The path the KV engine is mounted at; default {@code secret} (as {@code vault server -dev} mounts it). */
    public Builder mount(String path) {
      checkNotNull(path, "path");
      checkArgument(!KubernetesAuthOptions.trimSlashes(path).isEmpty(), "the mount path is empty");
      this.mount = path;
      return this;
    }

    /** The KV engine's version, 1 or 2; default 2. */
    public Builder version(int kvVersion) {
      checkArgument(kvVersion == 1 || kvVersion == 2, "the KV version must be 1 or 2: %s", kvVersion);
      this.version = kvVersion == 1 ? KvVersion.V1 : KvVersion.V2;
      return this;
    }

    /** The clock that decides when the token is renewed; default the system clock. */
    public Builder clock(Clock tokenClock) {
      this.clock = checkNotNull(tokenClock, "clock");
      return this;
    }

    /** A new store; it connects and logs in on first use. The caller closes it. */
    public SecretStore build() {
      KvPaths paths = new KvPaths(Optional.of(mount), version);
      Clock tokenClock = clock;
      return new VaultKvStore("KV " + version.wireName + " at " + KubernetesAuthOptions.trimSlashes(mount) + "/ on "
          + client.server(), paths, () -> client, c -> new TokenManager(c, auth, tokenClock));
    }
  }
}
