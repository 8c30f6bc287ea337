package io.secretsync.core.controller;

import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;

/**
 * The changes a {@link ResourceSource} reports: ExternalSecrets and stores added, changed or
 * removed, and target Secrets that changed behind the controller's back. {@link SyncController}
 * implements it. Reporting an object unchanged (as a relist does) costs nothing. Thread-safe.
 */
public interface ResourceChanges {

  /** {@code es} was added or changed. */
  void applyExternalSecret(ExternalSecret es);

  /**
   * {@code es} was added or changed, and {@code lastKnown} is the status it carries (on Kubernetes,
   * the status written before a restart), so that refreshes resume on schedule instead of all at
   * once and a CreatedOnce or OnChange ExternalSecret already synced is not synced again.
   */
  void applyExternalSecret(ExternalSecret es, ExternalSecretStatus lastKnown);

  /**
   * The ExternalSecret {@code namespace/name} was removed: its schedule stops and the engine carries
   * out its deletionPolicy (Delete removes the target Secret if this ExternalSecret controls it,
   * retried with backoff until it succeeds; Retain and Merge leave it). With creationPolicy Owner on
   * Kubernetes the API server's garbage collector also removes the target through its
   * ownerReference; an ExternalSecret from a file or code has no uid, so only Delete removes its
   * target.
   */
  void removeExternalSecret(String namespace, String name);

  /** {@code store} was added or changed. */
  void applyStore(SecretStoreResource store);

  /** The store was removed ({@code namespace} empty for a ClusterSecretStore). */
  void removeStore(StoreKind kind, String namespace, String name);

  /**
   * Syncs the ExternalSecret {@code namespace/name} now, whatever its refresh policy: its target
   * Secret was deleted or edited by someone else, or a user asked for it.
   */
  void requestSync(String namespace, String name);
}
