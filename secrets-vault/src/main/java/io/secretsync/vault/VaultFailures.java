package io.secretsync.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableList;
import io.secretsync.core.CommonIssue;
import io.secretsync.core.SecretStoreException;
import io.secretsync.core.SecretStoreException.AuthenticationException;
import io.secretsync.core.SecretStoreException.PermissionDeniedException;
import io.secretsync.core.SecretStoreException.TlsException;
import io.secretsync.core.SecretStoreException.UnreachableException;
import io.secretsync.core.ServerTrust;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.ProtocolException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.HttpUrl;

/**
 * The one place where Vault's answers and transport failures become typed exceptions. Messages
 * carry the request ({@code GET secret/data/app}), whom the token was issued to (the role), and
 * Vault's own error text; never a token, a JWT or a secret value (Vault's error texts contain none).
 */
final class VaultFailures {
  private VaultFailures() {}

  /** 403 on a request whose token Vault no longer accepts (expired, revoked): log in again and retry once. */
  static final class InvalidTokenException extends AuthenticationException {
    private static final long serialVersionUID = 1L;

    InvalidTokenException(String message, List<String> hints) {
      super(message, hints, null);
    }
  }

  /** A login Vault refused; auth methods turn it into a diagnosis of their own. */
  static final class LoginRefusedException extends AuthenticationException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final ImmutableList<String> vaultErrors;

    LoginRefusedException(String message, int status, List<String> vaultErrors, List<String> hints) {
      super(message, hints, null);
      this.status = status;
      this.vaultErrors = ImmutableList.copyOf(vaultErrors);
    }

    int status() {
      return status;
    }

    ImmutableList<String> vaultErrors() {
      return vaultErrors;
    }

    /** Whether Vault's only error is exactly {@code text} (ignoring multierror wrapping). */
    boolean saysOnly(String text) {
      return vaultErrors.size() == 1 && vaultErrors.get(0).equals(text);
    }

    boolean mentions(String text) {
      return vaultErrors.stream().anyMatch(e -> e.contains(text));
    }
  }

  /** A refused login whose explanation names the walkthrough's common issues it may be. */
  static final class DiagnosedLoginException extends AuthenticationException implements CommonIssue.Evidence {
    private static final long serialVersionUID = 1L;

    private final ImmutableList<CommonIssue> issues;

    DiagnosedLoginException(String message, List<CommonIssue> issues, List<String> hints, Throwable cause) {
      super(message, hints, cause);
      this.issues = ImmutableList.copyOf(issues);
    }

    @Override
    public ImmutableList<CommonIssue> commonIssues() {
      return issues;
    }
  }

  /** A KV read or list the token's policies do not grant: the walkthrough's policy path issue. */
  static final class PolicyDeniedException extends PermissionDeniedException implements CommonIssue.Evidence {
    private static final long serialVersionUID = 1L;

    PolicyDeniedException(String message, List<String> hints) {
      super(message, hints, null);
    }

    @Override
    public ImmutableList<CommonIssue> commonIssues() {
      return ImmutableList.of(CommonIssue.POLICY_PATH);
    }
  }

  /**
   * Vault's error strings from an {@code {"errors":[...]}} body, with go-multierror renderings
   * ({@code "1 error occurred:\n\t* permission denied\n\n"}) split into their items.
   */
  static ImmutableList<String> errors(JsonNode body) {
    ImmutableList.Builder<String> out = ImmutableList.builder();
    JsonNode errors = body == null ? null : body.get("errors");
    if (errors == null || !errors.isArray()) {
      return out.build();
    }
    for (JsonNode error : errors) {
      String text = error.asText();
      if (text.matches("(?s)\\d+ errors? occurred:.*")) {
        for (String line : text.split("\n")) {
          String item = line.strip();
          if (item.startsWith("* ")) {
            out.add(item.substring(2).strip());
          }
        }
      } else {
        out.add(text.strip());
      }
    }
    return out.build();
  }

  /** {@code errors} with every occurrence of {@code secret} replaced: a server that echoes the token shows no one. */
  static ImmutableList<String> redacted(ImmutableList<String> errors, String secret) {
    if (secret.isEmpty()) {
      return errors;
    }
    return errors.stream().map(e -> e.replace(secret, "<redacted>")).collect(ImmutableList.toImmutableList());
  }

  /** Whether the body is the multierror form Vault uses for an ACL denial of a valid token. */
  static boolean isMultiError(JsonNode body) {
    JsonNode errors = body == null ? null : body.get("errors");
    return errors != null && errors.isArray() && errors.size() == 1
        && errors.get(0).asText().matches("(?s)\\d+ errors? occurred:.*");
  }

  /** The exception for a non-success answer that the caller does not handle itself. */
  static SecretStoreException forStatus(VaultRequest request, int status, JsonNode body, Optional<VaultToken> token,
      Optional<String> namespace) {
    ImmutableList<String> vaultErrors = token.map(t -> redacted(errors(body), t.secret())).orElseGet(() -> errors(body));
    String vaultText = vaultErrors.isEmpty() ? "" : ": " + String.join("; ", vaultErrors);
    String where = request.describe() + namespace.map(ns -> " (namespace " + ns + ")").orElse("");
    String who = token.map(t -> " for " + t.issuedTo()).orElse("");
    if (request.purpose() == VaultRequest.Purpose.LOGIN && status >= 400 && status < 500) {
      return new LoginRefusedException(where + ": login refused (HTTP " + status + ")" + vaultText, status, vaultErrors,
          List.of());
    }
    if (status == 403) {
      boolean invalidToken = vaultErrors.stream().anyMatch(e -> e.contains("invalid token"))
          || (!isMultiError(body) && vaultErrors.equals(List.of("permission denied")));
      if (invalidToken && token.isPresent()) {
        return new InvalidTokenException(where + ": Vault no longer accepts the token" + who + vaultText,
            List.of("the token expired or was revoked; a new login is needed"));
      }
      List<String> hints = new ArrayList<>(request.deniedHints());
      token.filter(t -> !t.policies().isEmpty())
          .ifPresent(t -> hints.add("the token's policies are " + String.join(", ", t.policies())
              + "; read them with: vault policy read <name>"));
      String detail = vaultErrors.equals(List.of("permission denied")) ? "" : vaultText;
      String message = where + ": permission denied (HTTP 403)" + who + detail;
      if (request.purpose() == VaultRequest.Purpose.READ || request.purpose() == VaultRequest.Purpose.LIST) {
        return new PolicyDeniedException(message, hints);
      }
      return new PermissionDeniedException(message, hints, null);
    }
    if (status == 429 || status == 412 || status >= 500) {
      List<String> hints = new ArrayList<>();
      if (vaultErrors.contains("Vault is sealed")) {
        hints.add("Vault is sealed: unseal it (vault operator unseal) and the next refresh will succeed");
      } else if (status == 429) {
        hints.add("Vault is rate limiting or answering from a standby node; retries were exhausted");
      } else {
        hints.add("Vault answered with a server error; retries were exhausted, the next refresh tries again");
      }
      return new UnreachableException(where + ": Vault answered HTTP " + status + vaultText, hints, null);
    }
    if (status == 404) {
      return new SecretStoreException.NoSecretException(where + ": not found (HTTP 404)" + vaultText, List.of());
    }
    return new SecretStoreException(where + ": Vault answered HTTP " + status + who + vaultText, List.of(), null);
  }

  /** The exception for a request that got no answer: TLS, DNS, connection, timeout. */
  static SecretStoreException forTransport(VaultRequest request, HttpUrl server, IOException e) {
    String where = request.describe() + " at " + server.host() + ":" + server.port();
    if (e instanceof SSLPeerUnverifiedException) {
      return new TlsException(where + ": the server's certificate is not valid for host " + server.host()
          + " (" + e.getMessage() + ")",
          List.of("the certificate's subjectAltNames must contain the host name or IP in spec.provider.vault.server;"
              + " use a name the certificate has, or reissue the certificate with this name"), e);
    }
    if (e instanceof SSLException) {
      return tlsFailure(where, e);
    }
    if (e instanceof UnknownHostException) {
      return new UnreachableException(where + ": unknown host " + server.host(),
          List.of("check spec.provider.vault.server and the DNS name of Vault"), e);
    }
    if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
      return new UnreachableException(where + ": cannot connect (" + e.getMessage() + ")",
          List.of("check that Vault listens at spec.provider.vault.server and that the network allows it"), e);
    }
    if (e instanceof SocketTimeoutException) {
      return new UnreachableException(where + ": timed out", List.of("Vault or the network is slow or down"), e);
    }
    if (e instanceof VaultClient.NotJsonAnswer) {
      return new UnreachableException(where + ": " + e.getMessage(), List.of("check that spec.provider.vault.server "
          + "points at Vault itself and not at a proxy or load balancer page"), e);
    }
    if (e instanceof EOFException || e instanceof ProtocolException
        || (e instanceof SocketException && !(e instanceof ConnectException))) {
      return new UnreachableException(where + ": the connection closed before the whole answer arrived ("
          + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")",
          List.of("Vault, a proxy or the network dropped the connection; it is retried"), e);
    }
    return new UnreachableException(where + ": " + e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), List.of(), e);
  }

  private static TlsException tlsFailure(String where, IOException e) {
    if (causedBy(e, CertificateExpiredException.class)) {
      return new TlsException(where + ": the server's certificate (or one of its CAs) has expired",
          List.of("renew Vault's certificate"), e);
    }
    if (causedBy(e, CertificateNotYetValidException.class)) {
      return new TlsException(where + ": the server's certificate is not valid yet",
          List.of("check the clocks, or the certificate's notBefore date"), e);
    }
    if (causedBy(e, ServerTrust.SelfSignedException.class)) {
      return new TlsException(where + ": the server's certificate is self-signed and not trusted",
          List.of("put Vault's certificate (or the CA that should sign it) in spec.provider.vault.caBundle or "
              + "caProvider, or give Vault a certificate signed by a CA"), e);
    }
    if (causedBy(e, CertPathBuilderException.class) || causedBy(e, CertPathValidatorException.class)) {
      return new TlsException(where + ": the server's certificate is not signed by a trusted CA",
          List.of("put the CA that signed Vault's certificate in spec.provider.vault.caBundle or caProvider",
              "when caProvider is set, check that the ConfigMap or Secret key holds that CA (PEM)",
              "with a public CA and no caBundle/caProvider, the system roots are used"), e);
    }
    if (protocolTooOld(e)) {
      return new TlsException(where + ": the server offers no TLS version this client accepts; TLS 1.2 is the "
          + "minimum (" + e.getMessage() + ")", List.of("configure Vault's listener for TLS 1.2 or 1.3 "
          + "(tls_min_version = \"tls12\")"), e);
    }
    if (e instanceof SSLHandshakeException) {
      return new TlsException(where + ": TLS handshake failed (" + e.getMessage() + ")",
          List.of("if Vault requires client certificates, set spec.provider.vault.tls.certSecretRef and keySecretRef"
              + " to a certificate its CA accepts"), e);
    }
    return new TlsException(where + ": TLS failed (" + e.getMessage() + ")",
        List.of("if Vault requires client certificates, check spec.provider.vault.tls"), e);
  }

  /** The handshake failed on the protocol version: the server offers only TLS 1.1 or older. */
  static boolean protocolTooOld(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String message = t.getMessage() == null ? "" : t.getMessage();
      if (message.contains("protocol_version") || message.contains("not accepted by client preferences")
          || message.contains("No appropriate protocol")
          || message.contains("protocol is disabled")) {
        return true;
      }
    }
    return false;
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
