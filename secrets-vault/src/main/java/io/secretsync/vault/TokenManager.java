package io.secretsync.vault;

import static com.google.common.base.Preconditions.checkNotNull;

import io.secretsync.core.SecretStoreException;
import io.secretsync.core.SecretStoreException.AuthenticationException;
import io.secretsync.core.SecretStoreException.UnreachableException;
import io.secretsync.vault.VaultFailures.InvalidTokenException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the Vault token of one store identity: the only place that logs in, renews and revokes.
 *
 * <ul>
 *   <li>The first use logs in; concurrent first uses wait for that one login and share its token.
 *       When a login fails, callers that were waiting for it get the same failure instead of each
 *       logging in again.
 *   <li>The TTL comes from the login answer; no {@code lookup-self} is sent per use. At about two
 *       thirds of the TTL the next caller renews the token ({@code renew-self}) while other callers
 *       go on with the still-valid token.
 *   <li>When renewal is refused, or Vault grants less than asked (the token nears its max TTL),
 *       the next refresh is a new login; the replaced token is revoked. A non-renewable token is
 *       replaced by a new login at two thirds of its TTL. A token past its TTL by the clock is
 *       replaced before use.
 *   <li>A request answered 403 because Vault no longer accepts the token (expired or revoked out of
 *       band) causes one new login and one retry ({@link #withToken}); concurrent callers that saw
 *       the same stale token share that login.
 *   <li>{@link #close()} revokes a token the manager obtained by logging in ({@code revoke-self});
 *       static tokens and batch tokens are never revoked.
 * </ul>
 *
 * <p>Time comes from the injected {@link Clock}; nothing runs in the background. Thread-safe.
 */
public final class TokenManager implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TokenManager.class);

  private final VaultClient client;
  private final VaultAuth auth;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();

  private volatile Held held;
  private volatile boolean closed;
  private volatile long loginAttempts;
  private RuntimeException lastLoginFailure; // guarded by lock

  public TokenManager(VaultClient client, VaultAuth auth, Clock clock) {
    this.client = checkNotNull(client, "client");
    this.auth = checkNotNull(auth, "auth");
    this.clock = checkNotNull(clock, "clock");
  }

  /**
   * A token to use now: the held one, renewed or replaced first when it is due.
   *
   * @throws SecretStoreException when a needed login fails
   * @throws IllegalStateException after {@link #close()}
   */
  public VaultToken token() {
    checkOpen();
    Held current = held;
    Instant now = clock.instant();
    if (current != null && now.isBefore(current.refreshAt())) {
      return current.token();
    }
    long attemptsSeen = loginAttempts;
    if (current != null && current.usableAt(now)) {
      if (!lock.tryLock()) {
        return current.token(); // another caller is refreshing; this token is still good
      }
    } else {
      lock.lock();
    }
    try {
      checkOpen();
      current = held;
      now = clock.instant();
      if (current != null && now.isBefore(current.refreshAt())) {
        return current.token();
      }
      if (current == null && loginAttempts != attemptsSeen && lastLoginFailure != null) {
        throw lastLoginFailure;
      }
      if (current != null && current.usableAt(now) && current.mayRenew()) {
        Held renewed = renew(current, now);
        if (renewed != null) {
          held = renewed;
          return renewed.token();
        }
      }
      return login(held).token();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs {@code request} with the current token; when Vault answers that the token is no longer
   * valid, logs in again (once, shared with concurrent callers) and runs it once more.
   */
  <T> T withToken(Function<VaultToken, T> request) {
    VaultToken token = token();
    try {
      return request.apply(token);
    } catch (InvalidTokenException e) {
      invalidate(token);
      log.debug("Vault rejected the token issued to {}; logging in again", token.issuedTo());
      VaultToken fresh = token();
      try {
        return request.apply(fresh);
      } catch (InvalidTokenException again) {
        invalidate(fresh);
        List<String> hints = new ArrayList<>();
        if (fresh.fromLogin()) {
          hints.add("Vault rejects even a token from a fresh login: check the auth method's token settings "
              + "(token_ttl, token_num_uses, token_bound_cidrs) and that requests reach the same Vault cluster");
        } else {
          hints.add("the static token is expired or revoked: put a valid token into " + fresh.issuedTo().replace(
              "token from ", ""));
        }
        throw new AuthenticationException(again.getMessage(), hints, again);
      }
    }
  }

  /**
   * Checks that a usable token is held: nothing is sent when a token from a login is held and not
   * expired by the clock; otherwise logs in, and a static token is checked once with
   * {@code lookup-self}.
   */
  void validate() {
    Held current = held;
    if (current != null && current.verified() && current.usableAt(clock.instant())) {
      return;
    }
    withToken(token -> {
      if (!token.fromLogin()) {
        client.lookupSelf(token);
        markVerified(token);
      }
      return null;
    });
  }

  /** Whether a token is held that the clock says is still valid (for tests and diagnostics). */
  boolean holdsUsableToken() {
    Held current = held;
    return current != null && current.usableAt(clock.instant());
  }

  /** Revokes the token this manager obtained by logging in, if it is still valid. Idempotent. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      Held current = held;
      held = null;
      if (current != null && current.token().revocable() && current.usableAt(clock.instant())) {
        revokeQuietly(current.token());
      }
    } finally {
      lock.unlock();
    }
  }

  private void invalidate(VaultToken stale) {
    lock.lock();
    try {
      Held current = held;
      if (current != null && current.token() == stale) {
        held = null;
      }
    } finally {
      lock.unlock();
    }
  }

  private void markVerified(VaultToken token) {
    lock.lock();
    try {
      Held current = held;
      if (current != null && current.token() == token) {
        held = current.asVerified();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Renews {@code current}; null when a new login is needed instead. Called under the lock. */
  private Held renew(Held current, Instant now) {
    VaultToken token = current.token();
    try {
      VaultToken renewed = client.renewSelf(token, current.grantedTtl());
      Duration ttl = renewed.ttl();
      Duration minimum = current.grantedTtl().dividedBy(10);
      if (ttl.isZero() || ttl.compareTo(minimum) < 0) {
        log.debug("token of {} renewed for only {}s; logging in again", token.issuedTo(), ttl.getSeconds());
        return null;
      }
      boolean capped = ttl.compareTo(current.grantedTtl().minusSeconds(1)) < 0;
      log.debug("renewed token of {} for {}s{}", token.issuedTo(), ttl.getSeconds(), capped ? " (max TTL near)" : "");
      return Held.renewed(renewed, clock.instant(), current.grantedTtl(), capped);
    } catch (InvalidTokenException e) {
      held = null;
      return null;
    } catch (UnreachableException e) {
      // Keep the still-valid token and try again halfway to its expiry.
      log.warn("cannot renew the token of {} ({}); keeping it for now", token.issuedTo(), e.getMessage());
      return current.retryRefreshAt(now.plus(Duration.between(now, current.expiresAt()).dividedBy(2)));
    } catch (SecretStoreException e) {
      log.debug("renewal refused for {} ({}); logging in again", token.issuedTo(), e.getMessage());
      return null;
    }
  }

  /** Logs in, replacing {@code previous} (revoked when still valid). Called under the lock. */
  private Held login(Held previous) {
    loginAttempts++;
    VaultToken token;
    try {
      token = auth.login(client);
    } catch (RuntimeException e) {
      Instant now = clock.instant();
      if (previous != null && previous.usableAt(now)) {
        log.warn("login failed, keeping the still-valid token of {}: {}", previous.token().issuedTo(), e.getMessage());
        held = previous.retryRefreshAt(now.plus(Duration.between(now, previous.expiresAt()).dividedBy(2)));
        return held;
      }
      held = null;
      lastLoginFailure = e;
      throw e;
    }
    lastLoginFailure = null;
    Held fresh = Held.fresh(token, clock.instant());
    held = fresh;
    log.debug("logged in as {} (ttl {}s, renewable {})", token.issuedTo(), token.ttl().getSeconds(), token.renewable());
    if (previous != null && previous.token() != token && previous.token().revocable()
        && previous.usableAt(clock.instant())) {
      revokeQuietly(previous.token());
    }
    return fresh;
  }

  private void revokeQuietly(VaultToken token) {
    try {
      client.revokeSelf(token);
      log.debug("revoked the token of {}", token.issuedTo());
    } catch (RuntimeException e) {
      log.warn("cannot revoke the token of {}: {}", token.issuedTo(), e.getMessage());
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the token manager is closed");
    }
  }

  @Override
  public String toString() {
    Held current = held;
    return "TokenManager{" + (current == null ? "no token" : current.token().toString()) + (closed ? ", closed" : "")
        + "}";
  }

  /**
   * A held token and its schedule. {@code refreshAt}: when to renew or replace it;
   * {@code expiresAt}: when the clock says it is gone ({@link Instant#MAX} for tokens without TTL).
   */
  private record Held(VaultToken token, Instant refreshAt, Instant expiresAt, Duration grantedTtl,
      boolean reloginAtRefresh, boolean verified) {

    static Held fresh(VaultToken token, Instant now) {
      if (token.ttl().isZero()) {
        return new Held(token, Instant.MAX, Instant.MAX, Duration.ZERO, true, token.fromLogin());
      }
      return schedule(token, now, token.ttl(), token.ttl(), !token.renewable(), token.fromLogin());
    }

    static Held renewed(VaultToken token, Instant now, Duration grantedTtl, boolean capped) {
      return schedule(token, now, token.ttl(), grantedTtl, capped || !token.renewable(), true);
    }

    private static Held schedule(VaultToken token, Instant now, Duration ttl, Duration granted, boolean relogin,
        boolean verified) {
      return new Held(token, now.plus(ttl.multipliedBy(2).dividedBy(3)), now.plus(ttl), granted, relogin, verified);
    }

    /** Valid by the clock, with a margin for clock skew and request time. */
    boolean usableAt(Instant now) {
      if (expiresAt.equals(Instant.MAX)) {
        return true;
      }
      Duration margin = grantedTtl.dividedBy(20);
      if (margin.compareTo(Duration.ofSeconds(5)) > 0) {
        margin = Duration.ofSeconds(5);
      }
      return now.isBefore(expiresAt.minus(margin));
    }

    boolean mayRenew() {
      return !reloginAtRefresh && token.renewable() && token.fromLogin();
    }

    Held retryRefreshAt(Instant when) {
      return new Held(token, when, expiresAt, grantedTtl, reloginAtRefresh, verified);
    }

    Held asVerified() {
      return new Held(token, refreshAt, expiresAt, grantedTtl, reloginAtRefresh, true);
    }
  }
}
