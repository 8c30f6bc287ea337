package io.secretsync.kubernetes;

import io.secretsync.core.ServerTrust;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS side of a {@link KubernetesConfig}: the trust manager (the given CAs, else the system
 * roots; trust-all only with insecureSkipTlsVerify), the client key manager, and the host name
 * verifier ({@code tls-server-name} replaces the URL's host; none is replaced otherwise, so OkHttp's
 * own verifier applies).
 */
final class TlsSetup {

  final SSLContext context;
  final X509TrustManager trustManager;
  final Optional<HostnameVerifier> hostnameVerifier;

  private TlsSetup(SSLContext context, X509TrustManager trustManager, Optional<HostnameVerifier> hostnameVerifier) {
    this.context = context;
    this.trustManager = trustManager;
    this.hostnameVerifier = hostnameVerifier;
  }

  static TlsSetup of(KubernetesConfig config) {
    try {
      X509TrustManager trust = config.insecureSkipTlsVerify() ? new TrustAll()
          : new ServerTrust(trustManager(config.caCertificates()));
      KeyManager[] keys = null;
      if (config.clientCertificate().isPresent()) {
        KubernetesConfig.ClientCertificate client = config.clientCertificate().get();
        char[] password = new char[0];
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", client.key(), password, client.chain().toArray(new Certificate[0]));
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, password);
        keys = factory.getKeyManagers();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, new TrustManager[] {trust}, new SecureRandom());
      Optional<HostnameVerifier> verifier = config.insecureSkipTlsVerify() ? Optional.of((host, session) -> true)
          : config.tlsServerName().map(TlsSetup::verifierFor);
      return new TlsSetup(context, trust, verifier);
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot set up TLS for " + config.server() + ": " + e.getMessage(), e);
    }
  }

  private static X509TrustManager trustManager(List<X509Certificate> cas) throws GeneralSecurityException,
      java.io.IOException {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    if (cas.isEmpty()) {
      factory.init((KeyStore) null);
    } else {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        store.setCertificateEntry("ca-" + i, cas.get(i));
      }
      factory.init(store);
    }
    for (TrustManager manager : factory.getTrustManagers()) {
      if (manager instanceof X509TrustManager x509) {
        return x509;
      }
    }
    throw new IllegalStateException("no X509TrustManager available");
  }

  /** Verifies the server certificate's subject alternative names against {@code name}. */
  static HostnameVerifier verifierFor(String name) {
    return (host, session) -> matches(name, session);
  }

  private static boolean matches(String name, SSLSession session) {
    try {
      Certificate[] peer = session.getPeerCertificates();
      if (peer.length == 0 || !(peer[0] instanceof X509Certificate leaf)) {
        return false;
      }
      Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
      if (sans == null) {
        return false;
      }
      boolean ip = isIpLiteral(name);
      for (List<?> san : sans) {
        int type = (Integer) san.get(0);
        String value = String.valueOf(san.get(1));
        if (ip && type == 7 && sameAddress(name, value)) {
          return true;
        }
        if (!ip && type == 2 && dnsMatches(name.toLowerCase(Locale.ROOT), value.toLowerCase(Locale.ROOT))) {
          return true;
        }
      }
      return false;
    } catch (SSLPeerUnverifiedException | CertificateParsingException e) {
      return false;
    }
  }

  private static boolean isIpLiteral(String name) {
    return name.contains(":") || name.matches("\\d{1,3}(\\.\\d{1,3}){3}");
  }

  private static boolean sameAddress(String a, String b) {
    try {
      return InetAddress.getByName(a).equals(InetAddress.getByName(b));
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private static boolean dnsMatches(String host, String pattern) {
    if (!pattern.startsWith("*.")) {
      return host.equals(pattern);
    }
    String suffix = pattern.substring(1); // ".example.com"
    return host.endsWith(suffix) && host.indexOf('.') == host.length() - suffix.length();
  }

  /** Accepts every certificate: insecure-skip-tls-verify. */
  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
