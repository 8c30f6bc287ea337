/**
 * The HashiCorp Vault provider: KV v2 and v1 stores over HTTPS, configured by ESO's
 * {@code spec.provider.vault}.
 *
 * <p>Public types: {@link io.secretsync.vault.VaultStoreProvider} (the {@code vault} provider,
 * found by {@link java.util.ServiceLoader}), {@link io.secretsync.vault.VaultClient} (the HTTPS
 * transport: trust, retries, namespaces), the {@link io.secretsync.vault.VaultAuth} SPI with
 * {@link io.secretsync.vault.KubernetesAuthOptions}, {@link io.secretsync.vault.AppRoleAuthOptions}
 * and {@link io.secretsync.vault.JwtAuthOptions}, {@link io.secretsync.vault.VaultToken}, and
 * {@link io.secretsync.vault.TokenManager}, which alone logs in, renews and revokes, and
 * {@link io.secretsync.vault.VaultKv}, a KV mount as a {@code SecretStore} without a store manifest.
 * Everything else is package-private.
 *
 * <pre>{@code
 * VaultClient client = VaultClient.builder("https://vault.example.internal:8200")
 *     .caCertificatesPem(caPem)
 *     .build();
 * VaultAuth auth = VaultAuth.kubernetes(KubernetesAuthOptions.builder()
 *     .role("external-secrets-example-api")
 *     .build());                                  // JWT: the pod's projected token, read per login
 * try (TokenManager tokens = new TokenManager(client, auth, Clock.systemUTC())) {
 *   VaultToken token = tokens.token();            // one login, shared; renewed at 2/3 of its TTL
 * }                                               // revoked here
 * }</pre>
 */
package io.secretsync.vault;
