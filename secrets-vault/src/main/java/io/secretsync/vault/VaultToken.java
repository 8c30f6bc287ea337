package io.secretsync.vault;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import java.time.Duration;
import java.util.List;

/**
 * A Vault token and what the login answer said about it: its TTL, whether it is renewable, its
 * type and policies, and who it was issued to (for error messages). The token itself is reachable
 * only inside this package; {@link #toString()} never shows it. Immutable and thread-safe.
 *
 * <p>Tokens from a login ({@link VaultClient#login}) belong to the {@link TokenManager} that
 * obtained them: it renews and revokes them. Tokens from {@link #of(String)} (a static token from
 * configuration) are used as they are: never renewed, never revoked.
 */
public final class VaultToken {

  private final String token;
  private final Duration ttl;
  private final boolean renewable;
  private final String type;
  private final ImmutableList<String> policies;
  private final String issuedTo;
  private final boolean fromLogin;

  VaultToken(String token, Duration ttl, boolean renewable, String type, List<String> policies, String issuedTo,
      boolean fromLogin) {
    requireNonNull(token, "token");
    checkArgument(!token.isBlank(), "token must not be empty");
    this.token = token;
    this.ttl = requireNonNull(ttl, "ttl");
    this.renewable = renewable;
    this.type = requireNonNull(type, "type");
    this.policies = ImmutableList.copyOf(policies);
    this.issuedTo = requireNonNull(issuedTo, "issuedTo");
    this.fromLogin = fromLogin;
  }

  /**
   * A token given from outside (ESO's {@code tokenSecretRef}): TTL unknown, not renewed, not
   * revoked by the library.
   *
   * @param issuedTo who the token stands for, for messages (for example {@code "token from Secret
   *     ns/name"}); must not contain the token
   */
  public static VaultToken of(String token, String issuedTo) {
    return new VaultToken(token.trim(), Duration.ZERO, false, "service", List.of(), issuedTo, false);
  }

  /** The lifetime granted at login or last renewal; zero when unknown or unlimited. */
  public Duration ttl() {
    return ttl;
  }

  public boolean renewable() {
    return renewable;
  }

  /** {@code service} or {@code batch}. */
  public String type() {
    return type;
  }

  /** The token's policies as the login answer listed them; empty when unknown. */
  public ImmutableList<String> policies() {
    return policies;
  }

  /** Who the token was issued to, e.g. {@code kubernetes role "app" (service account ns/sa)}. */
  public String issuedTo() {
    return issuedTo;
  }

  /** Whether the library obtained this token by logging in (and so must renew and revoke it). */
  boolean fromLogin() {
    return fromLogin;
  }

  /** Whether revoke-self applies: login tokens of type service (batch tokens cannot be revoked). */
  boolean revocable() {
    return fromLogin && !type.equals("batch");
  }

  /** The token itself, for the {@code X-Vault-Token} header only. */
  String secret() {
    return token;
  }

  VaultToken withLease(Duration newTtl, boolean newRenewable) {
    return new VaultToken(token, newTtl, newRenewable, type, policies, issuedTo, fromLogin);
  }

  @Override
  public String toString() {
    return "VaultToken{" + type + ", ttl=" + ttl.getSeconds() + "s, renewable=" + renewable + ", policies=" + policies
        + ", issuedTo=" + issuedTo + "}";
  }
}
