package io.secretsync.cli;

import io.secretsync.core.StoreContext;
import io.secretsync.core.StoreRegistry;
import io.secretsync.core.SyncEngine;
import io.secretsync.core.template.SecretTemplating;
import io.secretsync.kubernetes.KubernetesClient;
import io.secretsync.kubernetes.KubernetesPlatformAccess;
import io.secretsync.kubernetes.KubernetesSecretWriter;
import java.time.Clock;

/**
 * The library wired to one cluster: stores are created by the installed providers (Vault) and read
 * their CA bundles, credentials and service account tokens from the cluster; ClusterSecretStore
 * namespace selectors see the cluster's namespace labels; templates read {@code templateFrom}
 * ConfigMaps and Secrets from it; target Secrets are written to it. {@link #close()} closes the
 * stores (revoking their Vault tokens) but not the client, which the caller owns. Thread-safe.
 */
final class ClusterSync implements AutoCloseable {
  private final KubernetesClient client;
  private final KubernetesPlatformAccess platform;
  private final StoreRegistry stores;
  private final SyncEngine engine;

  ClusterSync(KubernetesClient client, Clock clock) {
    this.client = client;
    this.platform = KubernetesPlatformAccess.create(client);
    this.stores = StoreRegistry.builder().context(new StoreContext(platform, clock)).namespaceLabels(platform)
        .build();
    this.engine = SyncEngine.builder().stores(stores).writer(KubernetesSecretWriter.create(client))
        .templates(new SecretTemplating(platform)).clock(clock).build();
  }

  KubernetesClient client() {
    return client;
  }

  KubernetesPlatformAccess platform() {
    return platform;
  }

  StoreRegistry stores() {
    return stores;
  }

  SyncEngine engine() {
    return engine;
  }

  @Override
  public void close() {
    stores.close();
  }
}
