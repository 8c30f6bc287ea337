package io.secretsync.vault;

import static com.google.common.base.Preconditions.checkNotNull;

import io.secretsync.core.SecretStoreException;
import java.util.function.Supplier;

/**
 * A way to log in to Vault: one method that returns a new token. How long the token lives, when
 * it is renewed, when a new login is needed and when it is revoked is the {@link TokenManager}'s
 * business alone; an auth method only logs in, and reads its credentials (a JWT, a secret ID) afresh
 * on every call, so rotated credentials are picked up.
 *
 * <p>Implementations are thread-safe; the {@link TokenManager} calls {@link #login} once at a time.
 * They throw {@link SecretStoreException.AuthenticationException} when Vault refuses the login,
 * with a message that names the auth mount and role and says what to check, and never include the
 * credentials in it.
 */
@FunctionalInterface
public interface VaultAuth {

  /** Logs in through {@code client} and returns the new token. */
  VaultToken login(VaultClient client);

  /** Kubernetes auth ({@code auth/<mountPath>/login} with a service account JWT and a role). */
  static VaultAuth kubernetes(KubernetesAuthOptions options) {
    return new KubernetesAuth(checkNotNull(options, "options"));
  }

  /** AppRole auth ({@code auth/<path>/login} with a role ID and a secret ID). */
  static VaultAuth appRole(AppRoleAuthOptions options) {
    return new AppRoleAuth(checkNotNull(options, "options"));
  }

  /** JWT/OIDC auth ({@code auth/<path>/login} with a JWT and an optional role). */
  static VaultAuth jwt(JwtAuthOptions options) {
    return new JwtAuth(checkNotNull(options, "options"));
  }

  /**
   * A static token, read from {@code token} at every "login" (so a rotated token is picked up after
   * Vault rejects the old one). Such tokens are never renewed or revoked.
   *
   * @param description where the token comes from, for messages (never the token)
   */
  static VaultAuth token(Supplier<String> token, String description) {
    checkNotNull(token, "token");
    checkNotNull(description, "description");
    return client -> {
      String value = Credentials.obtain(token, "the Vault token", description);
      return VaultToken.of(value, "token from " + description);
    };
  }
}
