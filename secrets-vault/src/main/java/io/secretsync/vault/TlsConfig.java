package io.secretsync.vault;

import static java.util.Objects.requireNonNull;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import io.secretsync.core.ServerTrust;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS side of a Vault connection: which CAs are trusted and which client certificate, if any, is
 * presented. Trust is the configured CA certificates alone, the system roots alone, or both. Host
 * names are always verified (by OkHttp's verifier; nothing here can turn that off).
 * {@link #trustId()} and {@link #clientCertId()} identify the material for sharing HTTP clients;
 * they are digests, safe to compare, never shown. Immutable and thread-safe.
 */
final class TlsConfig {

  private static final char[] NO_PASSWORD = new char[0];

  private final X509TrustManager trustManager;
  private final SSLSocketFactory socketFactory;
  private final String trustId;
  private final String clientCertId;

  private TlsConfig(X509TrustManager trustManager, SSLSocketFactory socketFactory, String trustId, String clientCertId) {
    this.trustManager = trustManager;
    this.socketFactory = socketFactory;
    this.trustId = trustId;
    this.clientCertId = clientCertId;
  }

  /** A client certificate chain (leaf first) and its private key. */
  record ClientKey(List<X509Certificate> chain, PrivateKey key) {
    ClientKey {
      chain = List.copyOf(chain);
      requireNonNull(key, "key");
      if (chain.isEmpty()) {
        throw new IllegalArgumentException("the client certificate chain is empty");
      }
    }
  }

  /**
   * @param caCertificates trusted CAs; empty means the system roots
   * @param addSystemRoots trust the system roots as well as {@code caCertificates}
   */
  static TlsConfig create(List<X509Certificate> caCertificates, boolean addSystemRoots, Optional<ClientKey> clientKey) {
    try {
      X509TrustManager trustManager = new ServerTrust(trustManager(caCertificates, addSystemRoots));
      KeyManager[] keyManagers = clientKey.isPresent() ? keyManagers(clientKey.get()) : null;
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers, new TrustManager[] {trustManager}, new SecureRandom());
      return new TlsConfig(trustManager, context.getSocketFactory(), trustId(caCertificates, addSystemRoots),
          clientKey.map(TlsConfig::clientCertId).orElse("none"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS: " + e.getClass().getSimpleName(), e);
    }
  }

  static TlsConfig systemDefault() {
    return create(List.of(), false, Optional.empty());
  }

  X509TrustManager trustManager() {
    return trustManager;
  }

  SSLSocketFactory socketFactory() {
    return socketFactory;
  }

  String trustId() {
    return trustId;
  }

  String clientCertId() {
    return clientCertId;
  }

  private static X509TrustManager trustManager(List<X509Certificate> cas, boolean addSystemRoots)
      throws GeneralSecurityException {
    if (cas.isEmpty()) {
      return systemTrustManager();
    }
    List<X509Certificate> trusted = new ArrayList<>(cas);
    if (addSystemRoots) {
      trusted.addAll(List.of(systemTrustManager().getAcceptedIssuers()));
    }
    KeyStore store = emptyKeyStore();
    for (int i = 0; i < trusted.size(); i++) {
      store.setCertificateEntry("ca-" + i, trusted.get(i));
    }
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    return onlyX509(factory.getTrustManagers());
  }

  private static X509TrustManager systemTrustManager() throws GeneralSecurityException {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    return onlyX509(factory.getTrustManagers());
  }

  private static KeyManager[] keyManagers(ClientKey clientKey) throws GeneralSecurityException {
    KeyStore store = emptyKeyStore();
    store.setKeyEntry("client", clientKey.key(), NO_PASSWORD, clientKey.chain().toArray(new X509Certificate[0]));
    KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(store, NO_PASSWORD);
    return factory.getKeyManagers();
  }

  private static KeyStore emptyKeyStore() throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try {
      store.load(null, null);
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException("cannot create an in-memory key store", e);
    }
    return store;
  }

  private static X509TrustManager onlyX509(TrustManager[] managers) {
    for (TrustManager manager : managers) {
      if (manager instanceof X509TrustManager x509) {
        return x509;
      }
    }
    throw new IllegalStateException("no X.509 trust manager available");
  }

  private static String trustId(List<X509Certificate> cas, boolean addSystemRoots) {
    if (cas.isEmpty()) {
      return "system";
    }
    Hasher hasher = Hashing.sha256().newHasher();
    for (X509Certificate ca : cas) {
      hasher.putBytes(encoded(ca));
    }
    return hasher.hash() + (addSystemRoots ? "+system" : "");
  }

  private static String clientCertId(ClientKey clientKey) {
    Hasher hasher = Hashing.sha256().newHasher();
    for (X509Certificate certificate : clientKey.chain()) {
      hasher.putBytes(encoded(certificate));
    }
    byte[] key = clientKey.key().getEncoded();
    if (key != null) {
      hasher.putBytes(key);
    }
    return hasher.hash().toString();
  }

  private static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("a certificate cannot be encoded", e);
    }
  }

  @Override
  public String toString() {
    return "TlsConfig{trust=" + (trustId.equals("system") ? "system roots" : "configured CA"
        + (trustId.endsWith("+system") ? " + system roots" : "")) + ", clientCert=" + !clientCertId.equals("none") + "}";
  }
}
