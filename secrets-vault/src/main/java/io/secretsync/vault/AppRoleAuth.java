package io.secretsync.vault;

import io.secretsync.core.SecretStoreException.AuthenticationException;
import io.secretsync.vault.VaultFailures.LoginRefusedException;
import java.util.List;
import java.util.Map;

/** Vault's AppRole auth: {@code POST auth/<path>/login {"role_id", "secret_id"}}, both fetched for every login. */
final class AppRoleAuth implements VaultAuth {

  private final AppRoleAuthOptions options;

  AppRoleAuth(AppRoleAuthOptions options) {
    this.options = options;
  }

  @Override
  public VaultToken login(VaultClient client) {
    String roleId = Credentials.obtain(options.roleId(), "the AppRole role ID", options.source());
    String secretId = Credentials.obtain(options.secretId(), "the AppRole secret ID", options.source());
    String issuedTo = "approle at auth/" + options.path() + " (IDs from " + options.source() + ")";
    try {
      return client.login("auth/" + options.path() + "/login", Map.of("role_id", roleId, "secret_id", secretId),
          issuedTo);
    } catch (LoginRefusedException e) {
      String hint = e.mentions("invalid role or secret ID") || e.mentions("invalid secret id")
          ? "the secret ID is wrong, expired or used up: issue a new one (vault write -f auth/" + options.path()
              + "/role/<role>/secret-id) and update the Secret"
          : "check the role ID and secret ID: vault read auth/" + options.path() + "/role/<role>/role-id";
      throw new AuthenticationException(e.getMessage() + " for " + issuedTo, List.of(hint), e);
    }
  }
}
