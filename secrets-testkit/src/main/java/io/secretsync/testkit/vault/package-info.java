/**
 * The internals of {@link io.secretsync.testkit.FakeVault}: request handling
 * ({@link io.secretsync.testkit.vault.VaultEngine}, public only for {@code FakeVault}), the system,
 * token, KV v1/v2 and Kubernetes auth backends, the HCL policy parser and the ACL. Behaviour follows
 * Vault's API docs and the sources of vault-plugin-secrets-kv and vault-plugin-auth-kubernetes;
 * everything but {@code VaultEngine} is package-private.
 */
package io.secretsync.testkit.vault;
