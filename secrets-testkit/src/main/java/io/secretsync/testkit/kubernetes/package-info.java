/**
 * The internals of {@link io.secretsync.testkit.FakeKubernetes}: request handling
 * ({@link io.secretsync.testkit.kubernetes.ApiServer} and its in-process twin
 * {@link io.secretsync.testkit.kubernetes.InProcessApi}, public only for {@code FakeKubernetes}), the
 * object store with its resourceVersion counter and watch history, the resource registry and
 * discovery, validation with apimachinery's messages, merge / strategic merge / JSON patches,
 * server-side apply's field ownership, service account tokens and TokenReview, server-side printing,
 * the minimal OpenAPI v2 document, protobuf request bodies and the ESO CRDs. Behaviour follows the
 * Kubernetes API documentation and the apimachinery / apiserver sources; everything else is
 * package-private.
 */
package io.secretsync.testkit.kubernetes;
