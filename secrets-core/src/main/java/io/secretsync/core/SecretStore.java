package io.secretsync.core;

import com.google.common.collect.ImmutableMap;
import io.secretsync.core.model.FindRef;
import io.secretsync.core.model.RemoteRef;

/**
 * A connection to one configured store (one {@code SecretStore} or {@code ClusterSecretStore}),
 * made by its {@link SecretStoreProvider}. It reads whole secrets; properties, decoding and
 * conversion are applied by the caller ({@link PropertyLookup}, the sync engine), so that entries
 * reading the same location share one read.
 *
 * <p>Implementations are thread-safe and long-lived: they hold connections and credentials
 * (a Vault token) across reads and release them in {@link #close()}. Every method throws a
 * {@link SecretStoreException} subclass on failure, whose message names the location and never
 * holds a value or a credential.
 */
public interface SecretStore extends AutoCloseable {

  /**
   * Reads the secret at {@code location}: its data, or with metadataPolicy Fetch its metadata.
   *
   * @throws SecretStoreException.NoSecretException when it does not exist, or the version is
   *     deleted or destroyed
   */
  SecretDocument read(RemoteRef.Location location);

  /** The value {@code ref} selects (ESO's {@code GetSecret}): a property, or the whole secret as JSON. */
  default byte[] getSecret(RemoteRef ref) {
    return PropertyLookup.value(read(ref.location()), ref.property());
  }

  /** Every property of the secret {@code ref} selects (ESO's {@code GetSecretMap}, for {@code dataFrom.extract}). */
  default SecretData getSecretMap(RemoteRef ref) {
    return PropertyLookup.map(read(ref.location()), ref.property());
  }

  /**
   * Finds secrets (ESO's {@code GetAllSecrets}, for {@code dataFrom.find}): each match by its path
   * relative to the store's mount ({@code dev/config}). Parts of the tree the credentials may not
   * list are skipped, not fatal.
   */
  ImmutableMap<String, SecretDocument> find(FindRef find);

  /**
   * Checks that the store is usable: reachable, trusted, logged in. Reuses held credentials;
   * it does not log in again when a valid token is already held.
   */
  void validate();

  /** Releases connections and revokes credentials the store obtained itself. Idempotent. */
  @Override
  void close();
}
