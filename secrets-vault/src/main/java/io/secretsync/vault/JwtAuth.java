package io.secretsync.vault;

import io.secretsync.core.SecretStoreException.AuthenticationException;
import io.secretsync.vault.VaultFailures.LoginRefusedException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Vault's JWT/OIDC auth: {@code POST auth/<path>/login {"role", "jwt"}} with a JWT fetched for every login. */
final class JwtAuth implements VaultAuth {

  private final JwtAuthOptions options;

  JwtAuth(JwtAuthOptions options) {
    this.options = options;
  }

  @Override
  public VaultToken login(VaultClient client) {
    String jwt = Credentials.obtain(options.jwt(), "the JWT", options.jwtSource());
    Map<String, String> body = new LinkedHashMap<>();
    options.role().ifPresent(role -> body.put("role", role));
    body.put("jwt", jwt);
    Optional<JwtClaims> claims = JwtClaims.of(jwt);
    String issuedTo = "jwt " + options.role().map(r -> "role \"" + r + "\"").orElse("default role") + " at auth/"
        + options.path() + " (" + claims.flatMap(JwtClaims::subject).map(s -> "subject " + s + ", ").orElse("")
        + "JWT from " + options.jwtSource() + ")";
    try {
      return client.login("auth/" + options.path() + "/login", body, issuedTo);
    } catch (LoginRefusedException e) {
      throw new AuthenticationException(e.getMessage() + " for " + issuedTo,
          List.of("compare the JWT's claims (audience, subject, issuer) with the role: vault read auth/" + options.path()
              + "/role/" + options.role().orElse("<role>") + " and the mount's config: vault read auth/"
              + options.path() + "/config"), e);
    }
  }
}
