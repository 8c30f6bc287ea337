/**
 * The test kit's internal HTTP plumbing, shared by {@code FakeVault} and {@code FakeKubernetes}: a
 * loopback HTTPS (or plain HTTP) server on the JDK's {@code com.sun.net.httpserver} with a thread per
 * exchange, a small request/response abstraction, an {@link io.secretsync.testkit.server.AuditLog} of
 * requests, a {@link io.secretsync.testkit.server.FaultInjector}, and the {@code /_testkit/} control
 * endpoints. Public so that the fakes in other packages can use it; not meant as a general web server.
 */
package io.secretsync.testkit.server;
