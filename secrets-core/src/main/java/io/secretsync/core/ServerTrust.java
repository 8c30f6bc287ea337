package io.secretsync.core;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A trust manager that decides exactly as the one it wraps and, when it refuses a server whose
 * certificate is self-signed, says so with {@link SelfSignedException}: the JDK reports every
 * untrusted chain with the same words, and "self-signed" is the more useful diagnosis.
 * Providers and target writers wrap the trust manager of their HTTPS clients in it, so that every
 * TLS refusal reads the same. Thread-safe when the wrapped manager is.
 */
public final class ServerTrust extends X509ExtendedTrustManager {

  /** The server's certificate is its own issuer and is not trusted. */
  public static final class SelfSignedException extends CertificateException {
    private static final long serialVersionUID = 1L;

    public SelfSignedException(CertificateException cause) {
      super("the server's certificate is self-signed and not trusted", cause);
    }
  }

  private final X509TrustManager delegate;

  public ServerTrust(X509TrustManager delegate) {
    this.delegate = delegate;
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    try {
      delegate.checkServerTrusted(chain, authType);
    } catch (CertificateException e) {
      throw explained(chain, e);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    try {
      if (delegate instanceof X509ExtendedTrustManager extended) {
        extended.checkServerTrusted(chain, authType, socket);
      } else {
        delegate.checkServerTrusted(chain, authType);
      }
    } catch (CertificateException e) {
      throw explained(chain, e);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    try {
      if (delegate instanceof X509ExtendedTrustManager extended) {
        extended.checkServerTrusted(chain, authType, engine);
      } else {
        delegate.checkServerTrusted(chain, authType);
      }
    } catch (CertificateException e) {
      throw explained(chain, e);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    delegate.checkClientTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    delegate.checkClientTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    delegate.checkClientTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return delegate.getAcceptedIssuers();
  }

  private static CertificateException explained(X509Certificate[] chain, CertificateException e) {
    return chain != null && chain.length > 0 && selfSigned(chain[0]) ? new SelfSignedException(e) : e;
  }

  static boolean selfSigned(X509Certificate certificate) {
    if (!certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
      return false;
    }
    try {
      certificate.verify(certificate.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
