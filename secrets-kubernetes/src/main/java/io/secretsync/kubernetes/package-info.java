/**
 * The Kubernetes side of Secret Sync: everything a service or a custom controller needs to talk to
 * a cluster.
 *
 * <ul>
 *   <li>{@link io.secretsync.kubernetes.KubernetesConfig}: where the API server is and how to
 *       authenticate, loaded as client-go loads it (in-cluster, {@code $KUBECONFIG},
 *       {@code ~/.kube/config}) or built;
 *   <li>{@link io.secretsync.kubernetes.KubernetesClient}: Secrets, ConfigMaps, TokenRequest,
 *       Leases and any custom resource with its status, including watches that resume and relist;
 *       errors are {@link io.secretsync.kubernetes.KubernetesApiException}s;
 *   <li>{@link io.secretsync.kubernetes.KubernetesSecretWriter}: the sync engine's target writer
 *       for Kubernetes Secrets (optimistic concurrency, ESO's field manager, immutable and
 *       ownership rules, validation before sending, no write when nothing changed), optionally
 *       reading through a {@link io.secretsync.kubernetes.ManagedSecretCache}, a watch of the
 *       managed Secrets;
 *   <li>{@link io.secretsync.kubernetes.KubernetesPlatformAccess}: ConfigMap and Secret values and
 *       service account tokens for providers, and namespace labels for ClusterSecretStore
 *       conditions;
 *   <li>{@link io.secretsync.kubernetes.LeaderElector}: client-go's Lease leader election;
 *   <li>{@link io.secretsync.kubernetes.KubernetesController}: controller mode as ESO runs it
 *       (watches of ExternalSecrets, stores and managed Secrets, ESO's status and Events, repair of
 *       managed Secrets, Lease-gated syncing) and a one-pass {@code syncOnce()}.
 * </ul>
 */
package io.secretsync.kubernetes;
