/**
 * The controller runtime: {@link io.secretsync.core.controller.SyncController} keeps many
 * ExternalSecrets in sync for a long time, on a bounded worker pool, with per-ExternalSecret
 * refresh schedules, error backoff ({@link io.secretsync.core.controller.BackoffPolicy}), a
 * circuit breaker per store ({@link io.secretsync.core.controller.StoreCircuitBreaker}), store
 * validation, ESO's status, Events and metrics.
 *
 * <h2>Seams for a platform</h2>
 *
 * Core knows no platform; a module such as secrets-kubernetes plugs in through four interfaces:
 *
 * <ul>
 *   <li>{@link io.secretsync.core.controller.ResourceSource}: reports ExternalSecrets and stores
 *       (on Kubernetes, watches of the custom resources with resume on resourceVersion and a relist
 *       on 410 Gone: re-applying an unchanged object costs nothing, objects missing from the relist
 *       are removed). ExternalSecrets are applied with the status they carry, so that a restart
 *       resumes their schedules. A watch of the managed Secrets (label
 *       {@code reconcile.external-secrets.io/managed=true}) calls
 *       {@link io.secretsync.core.controller.ResourceChanges#requestSync} for the owning
 *       ExternalSecret when its Secret is deleted or edited, which repairs it.
 *   <li>{@link io.secretsync.core.controller.StatusSink}: writes the {@code status} subresource.
 *   <li>{@link io.secretsync.core.controller.EventSink}: records Events.
 *   <li>{@link io.secretsync.core.controller.SyncListener}: metrics and audit;
 *       {@link io.secretsync.core.controller.PrometheusMetrics} and
 *       {@link io.secretsync.core.controller.MetricsServer} serve {@code /metrics},
 *       {@code /healthz} and {@code /readyz}.
 * </ul>
 *
 * With leader election, build and start a controller when the Lease is acquired and close it when
 * the Lease is lost; closing finishes or interrupts in-flight syncs and closes the stores.
 *
 * <p>Time is injected: a {@link java.time.Clock} and a {@link io.secretsync.core.controller.Scheduler}
 * for the timers, an {@link java.util.concurrent.Executor} for the workers, so that tests run hours
 * of schedule on a fake clock without sleeping.
 */
package io.secretsync.core.controller;
