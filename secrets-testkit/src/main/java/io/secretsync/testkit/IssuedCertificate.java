package io.secretsync.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * A certificate issued by a {@link TestPki} together with its private key and issuer chain. Gives PEM
 * text, a key manager and ready {@link SSLContext}s. Immutable and thread-safe; {@link #toString()}
 * shows the subject and host names, never the key.
 */
public final class IssuedCertificate {
  private static final char[] NO_PASSWORD = new char[0];

  private final X509Certificate certificate;
  private final List<X509Certificate> chain;
  private final PrivateKey privateKey;

  IssuedCertificate(X509Certificate certificate, List<X509Certificate> chain, PrivateKey privateKey) {
    this.certificate = certificate;
    this.chain = List.copyOf(chain);
    this.privateKey = privateKey;
  }

  /** The leaf certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** The leaf followed by its issuing CA. */
  public List<X509Certificate> chain() {
    return chain;
  }

  /** The private key of the leaf. */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /** The leaf certificate as PEM. */
  public String certificatePem() {
    return TestPki.Pem.certificate(certificate);
  }

  /** The leaf and its issuer as concatenated PEM certificates. */
  public String chainPem() {
    StringBuilder pem = new StringBuilder();
    for (X509Certificate c : chain) {
      pem.append(TestPki.Pem.certificate(c));
    }
    return pem.toString();
  }

  /** The private key as PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}). */
  public String privateKeyPem() {
    return TestPki.Pem.privateKey(privateKey);
  }

  /** Chain then key in one PEM text, as many servers and clients accept it. */
  public String bundlePem() {
    return chainPem() + privateKeyPem();
  }

  /** Writes the chain and the PKCS#8 key as PEM files. */
  public void writePem(Path certificateFile, Path keyFile) throws IOException {
    Files.writeString(certificateFile, chainPem(), StandardCharsets.US_ASCII);
    Files.writeString(keyFile, privateKeyPem(), StandardCharsets.US_ASCII);
  }

  /** A key manager presenting this certificate and chain. */
  public X509KeyManager keyManager() {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("key", privateKey, NO_PASSWORD, chain.toArray(Certificate[]::new));
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, NO_PASSWORD);
      for (KeyManager km : factory.getKeyManagers()) {
        if (km instanceof X509KeyManager x509) {
          return x509;
        }
      }
      throw new IllegalStateException("no X509KeyManager available");
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("could not build key manager for " + subject(), e);
    }
  }

  /** A server TLS context presenting this certificate; trusts nothing (no client authentication). */
  public SSLContext serverSslContext() {
    return TestPki.sslContext(keyManager(), null);
  }

  /**
   * A TLS context presenting this certificate and trusting {@code trust}: a server that verifies
   * client certificates, or a client that authenticates with this certificate.
   */
  public SSLContext sslContext(X509TrustManager trust) {
    return TestPki.sslContext(keyManager(), trust);
  }

  /** The subject distinguished name. */
  public String subject() {
    return certificate.getSubjectX500Principal().getName();
  }

  /** DNS names and IP addresses from the subject alternative names. */
  public List<String> hosts() {
    List<String> hosts = new ArrayList<>();
    try {
      Collection<List<?>> names = certificate.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          hosts.add(String.valueOf(name.get(1)));
        }
      }
    } catch (CertificateParsingException e) {
      throw new IllegalStateException("could not read SANs of " + subject(), e);
    }
    return List.copyOf(hosts);
  }

  @Override
  public String toString() {
    return "IssuedCertificate{subject=" + subject() + ", hosts=" + hosts() + ", notAfter="
        + certificate.getNotAfter().toInstant() + "}";
  }
}
