package io.secretsync.testkit;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * An internal certificate authority for tests: issues server and client certificates with DNS and IP
 * subject alternative names, deliberately broken certificates (expired, not yet valid, wrong host,
 * signed by another CA), PEM text and ready {@link SSLContext}s.
 *
 * <pre>{@code
 * TestPki pki = TestPki.create();
 * IssuedCertificate server = pki.serverCertificate();           // localhost, 127.0.0.1
 * SSLContext serverContext = server.serverSslContext();
 * OkHttpClient client = new OkHttpClient.Builder()
 *     .sslSocketFactory(pki.clientSslContext().getSocketFactory(), pki.trustManager())
 *     .build();
 * }</pre>
 *
 * <p>Keys are EC P-256 by default (fast to generate); RSA 2048 on request. Certificates are valid from
 * one hour ago for 30 days unless a validity is given. Instances are immutable and thread-safe.
 */
public final class TestPki {

  /** The key algorithm of a generated key pair. */
  public enum KeyType {
    /** ECDSA on the NIST P-256 curve, signed with SHA256withECDSA. */
    EC_P256,
    /** RSA with a 2048-bit modulus, signed with SHA256withRSA. */
    RSA_2048
  }

  /** The host names every default server certificate carries. */
  public static final List<String> DEFAULT_SERVER_HOSTS = List.of("localhost", "127.0.0.1");

  /** The single host name of {@link #wrongHostServerCertificate()}. */
  public static final String WRONG_HOST = "wrong-host.invalid";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Duration DEFAULT_VALIDITY = Duration.ofDays(30);

  private final X509Certificate caCertificate;
  private final PrivateKey caKey;
  private final KeyType keyType;

  private TestPki(X509Certificate caCertificate, PrivateKey caKey, KeyType keyType) {
    this.caCertificate = caCertificate;
    this.caKey = caKey;
    this.keyType = keyType;
  }

  /** Creates a new CA named {@code "Secret Sync Test CA"} with an EC P-256 key. */
  public static TestPki create() {
    return create("Secret Sync Test CA", KeyType.EC_P256);
  }

  /** Creates a new self-signed CA with the given common name and key type. */
  public static TestPki create(String commonName, KeyType keyType) {
    Objects.requireNonNull(commonName, "commonName");
    Objects.requireNonNull(keyType, "keyType");
    KeyPair keyPair = generateKeyPair(keyType);
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    Instant now = Instant.now();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
          subject, serial(), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(Duration.ofDays(3650))), subject, keyPair.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
      builder.addExtension(Extension.subjectKeyIdentifier, false,
          ext.createSubjectKeyIdentifier(keyPair.getPublic()));
      X509Certificate ca = sign(builder, keyPair.getPrivate());
      return new TestPki(ca, keyPair.getPrivate(), keyType);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("could not create test CA '" + commonName + "'", e);
    }
  }

  /**
   * Loads an existing CA from PEM files: a certificate and its private key (PKCS#8 {@code PRIVATE KEY},
   * or traditional {@code EC PRIVATE KEY} / {@code RSA PRIVATE KEY}).
   *
   * @throws IllegalArgumentException naming the file when it holds no usable certificate or key
   * @throws UncheckedIOException when a file cannot be read
   */
  public static TestPki load(Path caCertificateFile, Path caKeyFile) {
    String cert;
    String key;
    try {
      cert = Files.readString(caCertificateFile, StandardCharsets.US_ASCII);
      key = Files.readString(caKeyFile, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read test CA files " + caCertificateFile + ", "
          + caKeyFile, e);
    }
    return fromPem(cert, key, caCertificateFile.toString(), caKeyFile.toString());
  }

  /** Loads an existing CA from PEM text; see {@link #load(Path, Path)}. */
  public static TestPki fromPem(String caCertificatePem, String caKeyPem) {
    return fromPem(caCertificatePem, caKeyPem, "CA certificate PEM", "CA key PEM");
  }

  private static TestPki fromPem(String certPem, String keyPem, String certSource, String keySource) {
    List<X509Certificate> certs = parseCertificates(certPem, certSource);
    if (certs.isEmpty()) {
      throw new IllegalArgumentException(certSource + ": no PEM CERTIFICATE block found");
    }
    X509Certificate ca = certs.get(0);
    if (ca.getBasicConstraints() < 0) {
      throw new IllegalArgumentException(certSource + ": certificate " + ca.getSubjectX500Principal()
          + " is not a CA certificate (basicConstraints CA:false)");
    }
    PrivateKey key = parsePrivateKey(keyPem, keySource);
    KeyType type = "EC".equals(key.getAlgorithm()) ? KeyType.EC_P256 : KeyType.RSA_2048;
    return new TestPki(ca, key, type);
  }

  /** The CA certificate. */
  public X509Certificate caCertificate() {
    return caCertificate;
  }

  /** The CA certificate as PEM text. */
  public String caCertificatePem() {
    return Pem.certificate(caCertificate);
  }

  /** The CA private key as PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}). */
  public String caPrivateKeyPem() {
    return Pem.privateKey(caKey);
  }

  /** Writes the CA certificate and its PKCS#8 key as PEM files (e.g. {@code ca.crt}, {@code ca.key}). */
  public void writeCa(Path certificateFile, Path keyFile) throws IOException {
    Files.writeString(certificateFile, caCertificatePem(), StandardCharsets.US_ASCII);
    Files.writeString(keyFile, caPrivateKeyPem(), StandardCharsets.US_ASCII);
  }

  /** The key type of this CA, also the default for the certificates it issues. */
  public KeyType keyType() {
    return keyType;
  }

  /** Starts a certificate to be issued by this CA; see {@link CertificateRequest}. */
  public CertificateRequest certificate() {
    return new CertificateRequest(this);
  }

  /** A server certificate for {@code localhost} and {@code 127.0.0.1}, plus any extra hosts given. */
  public IssuedCertificate serverCertificate(String... extraHosts) {
    return certificate().commonName("localhost").hosts(DEFAULT_SERVER_HOSTS).hosts(extraHosts)
        .serverAuth().issue();
  }

  /**
   * A client certificate with the given common name and organizations (Kubernetes reads them as user
   * name and groups).
   */
  public IssuedCertificate clientCertificate(String commonName, String... organizations) {
    return certificate().commonName(commonName).organizations(organizations).clientAuth().issue();
  }

  /** A server certificate for the default hosts that expired yesterday. */
  public IssuedCertificate expiredServerCertificate() {
    Instant now = Instant.now();
    return certificate().commonName("localhost").hosts(DEFAULT_SERVER_HOSTS).serverAuth()
        .validity(now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1))).issue();
  }

  /** A server certificate for the default hosts that becomes valid only tomorrow. */
  public IssuedCertificate notYetValidServerCertificate() {
    Instant now = Instant.now();
    return certificate().commonName("localhost").hosts(DEFAULT_SERVER_HOSTS).serverAuth()
        .validity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).issue();
  }

  /** A valid server certificate from this CA for {@value #WRONG_HOST} only, so hostname checks fail. */
  public IssuedCertificate wrongHostServerCertificate() {
    return certificate().commonName(WRONG_HOST).hosts(WRONG_HOST).serverAuth().issue();
  }

  /** A server certificate for the default hosts signed by its own key: its own issuer, trusted by no CA. */
  public IssuedCertificate selfSignedServerCertificate() {
    CertificateRequest request = certificate().commonName("localhost").hosts(DEFAULT_SERVER_HOSTS).serverAuth();
    request.selfSigned = true;
    return request.issue();
  }

  /** A server certificate for the default hosts signed by a fresh, unrelated CA. */
  public IssuedCertificate serverCertificateFromAnotherCa() {
    return create("Unrelated Test CA", keyType).serverCertificate();
  }

  /** A trust manager that trusts this CA only. */
  public X509TrustManager trustManager() {
    return trustManagerFor(List.of(caCertificate));
  }

  /** A client TLS context (TLS 1.2+) that trusts this CA only and presents no client certificate. */
  public SSLContext clientSslContext() {
    return sslContext(null, trustManager());
  }

  /** A client TLS context that trusts this CA only and presents the given client certificate. */
  public SSLContext clientSslContext(IssuedCertificate clientCertificate) {
    return sslContext(clientCertificate.keyManager(), trustManager());
  }

  /** A trust manager trusting exactly the given root certificates. */
  public static X509TrustManager trustManagerFor(List<X509Certificate> roots) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (X509Certificate root : roots) {
        store.setCertificateEntry("root-" + i++, root);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      for (TrustManager tm : factory.getTrustManagers()) {
        if (tm instanceof X509TrustManager x509) {
          return x509;
        }
      }
      throw new IllegalStateException("no X509TrustManager available");
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("could not build trust manager", e);
    }
  }

  /**
   * Parses every {@code CERTIFICATE} block of PEM text.
   *
   * @throws IllegalArgumentException naming {@code source} when a block cannot be parsed
   */
  public static List<X509Certificate> parseCertificates(String pem, String source) {
    List<X509Certificate> result = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      Object item;
      while ((item = readPem(parser, source)) != null) {
        if (item instanceof org.bouncycastle.cert.X509CertificateHolder holder) {
          result.add((X509Certificate) factory.generateCertificate(
              new java.io.ByteArrayInputStream(holder.getEncoded())));
        }
      }
    } catch (IOException | CertificateException e) {
      throw new IllegalArgumentException(source + ": could not parse PEM certificate", e);
    }
    return List.copyOf(result);
  }

  static PrivateKey parsePrivateKey(String pem, String source) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      Object item;
      while ((item = readPem(parser, source)) != null) {
        if (item instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (item instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": could not parse PEM private key", e);
    }
    throw new IllegalArgumentException(source
        + ": no unencrypted PEM private key (PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY) found");
  }

  private static Object readPem(PEMParser parser, String source) throws IOException {
    try {
      return parser.readObject();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(source + ": malformed PEM block", e);
    }
  }

  static SSLContext sslContext(KeyManager keyManager, TrustManager trustManager) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManager == null ? null : new KeyManager[] {keyManager},
          trustManager == null ? null : new TrustManager[] {trustManager}, RANDOM);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("could not create SSLContext", e);
    }
  }

  private IssuedCertificate issue(CertificateRequest request) {
    KeyPair keyPair = generateKeyPair(request.keyType == null ? keyType : request.keyType);
    X500NameBuilder name = new X500NameBuilder(BCStyle.INSTANCE);
    for (String org : request.organizations) {
      name.addRDN(BCStyle.O, org);
    }
    name.addRDN(BCStyle.CN, request.commonName);
    Instant notBefore = request.notBefore != null ? request.notBefore
        : Instant.now().minus(Duration.ofHours(1));
    Instant notAfter = request.notAfter != null ? request.notAfter
        : notBefore.plus(DEFAULT_VALIDITY);
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = request.selfSigned
          ? new JcaX509v3CertificateBuilder(name.build(), serial(), Date.from(notBefore), Date.from(notAfter),
              name.build(), keyPair.getPublic())
          : new JcaX509v3CertificateBuilder(caCertificate, serial(), Date.from(notBefore), Date.from(notAfter),
              name.build(), keyPair.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      int usage = KeyUsage.digitalSignature;
      if ("RSA".equals(keyPair.getPublic().getAlgorithm())) {
        usage |= KeyUsage.keyEncipherment;
      }
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
      List<KeyPurposeId> purposes = new ArrayList<>();
      if (request.serverAuth) {
        purposes.add(KeyPurposeId.id_kp_serverAuth);
      }
      if (request.clientAuth) {
        purposes.add(KeyPurposeId.id_kp_clientAuth);
      }
      if (!purposes.isEmpty()) {
        builder.addExtension(Extension.extendedKeyUsage, false,
            new ExtendedKeyUsage(purposes.toArray(KeyPurposeId[]::new)));
      }
      if (!request.hosts.isEmpty()) {
        GeneralName[] names = request.hosts.stream()
            .map(h -> IPV4.matcher(h).matches() || h.contains(":")
                ? new GeneralName(GeneralName.iPAddress, h)
                : new GeneralName(GeneralName.dNSName, h))
            .toArray(GeneralName[]::new);
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      builder.addExtension(Extension.subjectKeyIdentifier, false,
          ext.createSubjectKeyIdentifier(keyPair.getPublic()));
      if (request.selfSigned) {
        X509Certificate leaf = sign(builder, keyPair.getPrivate());
        return new IssuedCertificate(leaf, List.of(leaf), keyPair.getPrivate());
      }
      builder.addExtension(Extension.authorityKeyIdentifier, false,
          ext.createAuthorityKeyIdentifier(caCertificate));
      X509Certificate leaf = sign(builder, caKey);
      return new IssuedCertificate(leaf, List.of(leaf, caCertificate), keyPair.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("could not issue certificate for " + request.commonName, e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
      throws CertificateException {
    String algorithm = "EC".equals(signer.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(signer)));
    } catch (OperatorCreationException e) {
      throw new CertificateException("could not sign with " + algorithm, e);
    }
  }

  private static KeyPair generateKeyPair(KeyType type) {
    try {
      if (type == KeyType.EC_P256) {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
      }
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048, RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("could not generate " + type + " key pair", e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(63, RANDOM).add(BigInteger.ONE);
  }

  @Override
  public String toString() {
    return "TestPki{ca=" + caCertificate.getSubjectX500Principal().getName() + ", keyType=" + keyType
        + "}";
  }

  /**
   * A certificate to be issued by a {@link TestPki}: subject, host names (DNS names or IP addresses),
   * key usage and validity. Not thread-safe; use once.
   */
  public static final class CertificateRequest {
    private final TestPki pki;
    private String commonName = "test";
    private final List<String> organizations = new ArrayList<>();
    private final Set<String> hosts = new LinkedHashSet<>();
    private boolean serverAuth;
    private boolean clientAuth;
    private Instant notBefore;
    private Instant notAfter;
    private KeyType keyType;
    private boolean selfSigned;

    private CertificateRequest(TestPki pki) {
      this.pki = pki;
    }

    /** The subject common name (default {@code "test"}). */
    public CertificateRequest commonName(String commonName) {
      this.commonName = Objects.requireNonNull(commonName, "commonName");
      return this;
    }

    /** Subject organizations, in order. */
    public CertificateRequest organizations(String... organizations) {
      this.organizations.addAll(Arrays.asList(organizations));
      return this;
    }

    /** Adds subject alternative names; IPv4/IPv6 literals become IP SANs, others DNS SANs. */
    public CertificateRequest hosts(String... hosts) {
      return hosts(Arrays.asList(hosts));
    }

    /** Adds subject alternative names; see {@link #hosts(String...)}. */
    public CertificateRequest hosts(List<String> hosts) {
      for (String host : hosts) {
        this.hosts.add(Objects.requireNonNull(host, "host"));
      }
      return this;
    }

    /** Marks the certificate for TLS server authentication (extended key usage). */
    public CertificateRequest serverAuth() {
      this.serverAuth = true;
      return this;
    }

    /** Marks the certificate for TLS client authentication (extended key usage). */
    public CertificateRequest clientAuth() {
      this.clientAuth = true;
      return this;
    }

    /** The validity window; default from one hour ago for 30 days. */
    public CertificateRequest validity(Instant notBefore, Instant notAfter) {
      if (!notAfter.isAfter(notBefore)) {
        throw new IllegalArgumentException("notAfter " + notAfter + " must be after notBefore "
            + notBefore);
      }
      this.notBefore = notBefore;
      this.notAfter = notAfter;
      return this;
    }

    /** The key type of the issued certificate; default the CA's. */
    public CertificateRequest keyType(KeyType keyType) {
      this.keyType = Objects.requireNonNull(keyType, "keyType");
      return this;
    }

    /** Generates a key pair and issues the certificate. */
    public IssuedCertificate issue() {
      return pki.issue(this);
    }
  }

  /** PEM encoding helpers. */
  static final class Pem {
    private Pem() {}

    static String certificate(X509Certificate certificate) {
      try {
        return block("CERTIFICATE", certificate.getEncoded());
      } catch (java.security.cert.CertificateEncodingException e) {
        throw new IllegalStateException("could not encode certificate", e);
      }
    }

    static String privateKey(PrivateKey key) {
      return block("PRIVATE KEY", key.getEncoded());
    }

    static String publicKey(PublicKey key) {
      return block("PUBLIC KEY", key.getEncoded());
    }

    static String block(String type, byte[] der) {
      String base64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
          .encodeToString(der);
      return "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n";
    }
  }
}
