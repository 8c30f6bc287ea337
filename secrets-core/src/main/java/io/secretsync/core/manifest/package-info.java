/**
 * External Secrets Operator manifests: {@link io.secretsync.core.manifest.ManifestLoader} reads
 * ExternalSecret, SecretStore and ClusterSecretStore objects ({@code external-secrets.io/v1}, and
 * {@code v1beta1} read as v1) from files, folders, YAML or JSON text and Kubernetes API objects
 * into the immutable model of {@link io.secretsync.core.model}, and returns them as
 * {@link io.secretsync.core.manifest.Manifests}.
 *
 * <p>Decisions, in brief:
 * <ul>
 *   <li>Errors are per file. A file with any bad document contributes nothing, so nothing else is
 *       synced from it; every bad document of it is reported with its file, document number (1-based,
 *       as {@code ---} documents are counted), object and field path, or line and column for YAML
 *       syntax; the other files load. Nothing is thrown while loading files;
 *       {@link io.secretsync.core.manifest.Manifests#throwIfErrors()} fails on the first error.
 *   <li>Documents of other kinds are skipped and kept raw; External Secrets kinds this library does
 *       not sync (ClusterExternalSecret, PushSecret, ClusterPushSecret, generators) are skipped with
 *       a warning.
 *   <li>The schema is checked as strictly as the API server with kubectl's strict field validation
 *       checks it: unknown fields, types and exact enum spellings; {@code metadata} and
 *       {@code spec.provider.<name>} may hold anything (the provider checks its own settings).
 *   <li>ESO features this library does not implement are errors naming the field:
 *       {@code spec.syncWindows}, {@code spec.target.manifest}, {@code dataFrom[].sourceRef.generatorRef},
 *       {@code dataFrom[].rewrite[].merge}, {@code templateFrom[].valuesDecodingStrategy} other than
 *       None, template {@code engineVersion} v1, {@code conditions[].namespaceSelector.matchExpressions}.
 *       Where ignoring is harmless they are warnings instead: {@code data[].sourceRef.generatorRef}
 *       (ESO ignores it too), {@code template.metadata.finalizers}, {@code conditions} on a namespaced
 *       SecretStore, {@code metadata.namespace} on a ClusterSecretStore.
 *   <li>YAML aliases are errors (Jackson would read them as the anchor's name); duplicate keys are
 *       errors.
 * </ul>
 */
package io.secretsync.core.manifest;
