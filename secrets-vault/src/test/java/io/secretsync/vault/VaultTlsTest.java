package io.secretsync.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.SecretStoreException.TlsException;
import io.secretsync.testkit.IssuedCertificate;
import io.secretsync.testkit.TestPki;
import io.secretsync.testkit.server.OldTlsServer;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Protocol;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Trust, host-name verification and client certificates against a real HTTPS server. */
class VaultTlsTest {

  private final TestPki pki = TestPki.create();
  private final MockWebServer server = new MockWebServer();
  private final VaultToken token = VaultToken.of("hvs.abc", "test token");

  @AfterEach
  void stop() {
    server.close();
  }

  private String start(IssuedCertificate certificate) throws Exception {
    server.setServerSocketFactory(new NoDelayServerSockets());
    server.useHttps(certificate.serverSslContext().getSocketFactory());
    server.enqueue(ScriptedVault.json(200, "{}"));
    server.start();
    return server.url("/").toString();
  }

  private int get(VaultClient client) {
    return client.send(VaultRequest.read("secret/data/app", Map.of(), List.of()), Optional.of(token)).status();
  }

  private static VaultClient.Builder builder(String url) {
    return VaultClient.builder(url).retries(0, Duration.ZERO);
  }

  @Test
  void caBundleAsRawPemIsTrusted() throws Exception {
    String url = start(pki.serverCertificate());
    assertEquals(200, get(builder(url).caCertificatesPem(pki.caCertificatePem()).build()));
  }

  @Test
  void caBundleAsBase64WithSeveralCertificatesIsTrusted() throws Exception {
    String url = start(pki.serverCertificate());
    String bundle = TestPki.create("Another CA", TestPki.KeyType.RSA_2048).caCertificatePem() + pki.caCertificatePem();
    String base64 = Base64.getMimeEncoder().encodeToString(bundle.getBytes(StandardCharsets.UTF_8));
    assertEquals(2, Pem.certificates(base64.getBytes(StandardCharsets.UTF_8)).size());
    assertEquals(200, get(builder(url).caCertificatesPem(base64).build()));
  }

  @Test
  void systemRootsDoNotTrustAPrivateCa() throws Exception {
    String url = start(pki.serverCertificate());
    TlsException e = assertThrows(TlsException.class, () -> get(builder(url).build()));
    assertTrue(e.getMessage().contains("not signed by a trusted CA"), e.getMessage());
    assertTrue(e.hints().get(0).contains("caBundle or caProvider"), e.hints().toString());
  }

  @Test
  void certificateFromAnotherCaIsRefused() throws Exception {
    String url = start(pki.serverCertificateFromAnotherCa());
    TlsException e = assertThrows(TlsException.class,
        () -> get(builder(url).caCertificatesPem(pki.caCertificatePem()).build()));
    assertTrue(e.getMessage().contains("not signed by a trusted CA"), e.getMessage());
  }

  @Test
  void wrongHostCertificateFailsHostNameVerification() throws Exception {
    String url = start(pki.wrongHostServerCertificate());
    TlsException e = assertThrows(TlsException.class,
        () -> get(builder(url).caCertificatesPem(pki.caCertificatePem()).build()));
    assertTrue(e.getMessage().contains("not valid for host"), e.getMessage());
    assertTrue(e.getMessage().contains(TestPki.WRONG_HOST), e.getMessage());
  }

  @Test
  void expiredCertificateIsRefused() throws Exception {
    String url = start(pki.expiredServerCertificate());
    TlsException e = assertThrows(TlsException.class,
        () -> get(builder(url).caCertificatesPem(pki.caCertificatePem()).build()));
    assertTrue(e.getMessage().contains("expired"), e.getMessage());
  }

  @Test
  void notYetValidCertificateIsRefusedSayingSo() throws Exception {
    String url = start(pki.notYetValidServerCertificate());
    TlsException e = assertThrows(TlsException.class,
        () -> get(builder(url).caCertificatesPem(pki.caCertificatePem()).build()));
    assertTrue(e.getMessage().contains("the server's certificate is not valid yet"), e.getMessage());
    assertEquals("check the clocks, or the certificate's notBefore date", e.hints().get(0));
  }

  @Test
  void selfSignedCertificateIsRefusedSayingSo() throws Exception {
    String url = start(pki.selfSignedServerCertificate());
    TlsException e = assertThrows(TlsException.class,
        () -> get(builder(url).caCertificatesPem(pki.caCertificatePem()).build()));
    assertTrue(e.getMessage().contains("the server's certificate is self-signed and not trusted"), e.getMessage());
    TlsException withSystemRoots = assertThrows(TlsException.class, () -> get(builder(url).build()));
    assertTrue(withSystemRoots.getMessage().contains("self-signed"), withSystemRoots.getMessage());
  }

  @Test
  void eachCertificateProblemHasItsOwnMessage() throws Exception {
    java.util.Set<String> messages = new java.util.HashSet<>();
    for (IssuedCertificate certificate : List.of(pki.expiredServerCertificate(), pki.notYetValidServerCertificate(),
        pki.wrongHostServerCertificate(), pki.selfSignedServerCertificate(), pki.serverCertificateFromAnotherCa())) {
      try (MockWebServer one = new MockWebServer()) {
        one.useHttps(certificate.serverSslContext().getSocketFactory());
        one.start();
        TlsException e = assertThrows(TlsException.class,
            () -> get(builder(one.url("/").toString()).caCertificatesPem(pki.caCertificatePem()).build()));
        messages.add(e.getMessage().replaceAll(" \\(.*", "").replaceAll("^.*localhost:\\d+: ", ""));
      }
    }
    assertEquals(5, messages.size(), messages.toString());
  }

  @Test
  void aServerOfferingOnlyTls11Or10IsRefusedNamingTheMinimum() {
    for (String version : List.of("TLSv1.1", "TLSv1")) {
      try (OldTlsServer old = OldTlsServer.start(version)) {
        TlsException e = assertThrows(TlsException.class,
            () -> get(builder(old.baseUrl()).caCertificatesPem(pki.caCertificatePem()).build()));
        assertTrue(e.getMessage().contains("TLS 1.2 is the minimum"), e.getMessage());
        assertEquals(0, old.acceptedByClients(), version);
      }
    }
  }

  @Test
  void theClientOffersOnlyTls12And13() {
    VaultClient client = builder("https://localhost:8200").caCertificatesPem(pki.caCertificatePem()).build();
    List<okhttp3.TlsVersion> versions = client.http().connectionSpecs().stream()
        .filter(okhttp3.ConnectionSpec::isTls).flatMap(spec -> spec.tlsVersions().stream()).toList();
    assertEquals(List.of(okhttp3.TlsVersion.TLS_1_3, okhttp3.TlsVersion.TLS_1_2), versions);
  }

  @Test
  void addSystemRootsTrustsBothTheCaAndThePlatformRoots() throws Exception {
    String url = start(pki.serverCertificate());
    VaultClient client = builder(url).caCertificatesPem(pki.caCertificatePem()).addSystemRoots(true).build();
    assertEquals(200, get(client));
    TlsConfig both = TlsConfig.create(List.of(pki.caCertificate()), true, Optional.empty());
    TlsConfig only = TlsConfig.create(List.of(pki.caCertificate()), false, Optional.empty());
    List<X509Certificate> accepted = List.of(both.trustManager().getAcceptedIssuers());
    assertTrue(accepted.contains(pki.caCertificate()));
    assertTrue(accepted.size() > 1, "system roots present: " + accepted.size());
    assertEquals(1, only.trustManager().getAcceptedIssuers().length);
    assertFalse(both.trustId().equals(only.trustId()));
  }

  @Test
  void clientCertificateIsPresentedForMutualTls() throws Exception {
    IssuedCertificate serverCert = pki.serverCertificate();
    server.useHttps(serverCert.sslContext(pki.trustManager()).getSocketFactory());
    server.requireClientAuth();
    server.setServerSocketFactory(new NoDelayServerSockets());
    server.enqueue(ScriptedVault.json(200, "{}"));
    server.start();
    String url = server.url("/").toString();
    IssuedCertificate clientCert = pki.clientCertificate("external-secrets");
    VaultClient client = builder(url).caCertificatesPem(pki.caCertificatePem())
        .clientCertificatePem(clientCert.chainPem(), clientCert.privateKeyPem()).build();
    assertEquals(200, get(client));
    RecordedRequest request = server.takeRequest();
    assertEquals(clientCert.certificate(), request.getHandshake().peerCertificates().get(0));
  }

  @Test
  void missingClientCertificateIsATlsError() throws Exception {
    IssuedCertificate serverCert = pki.serverCertificate();
    server.useHttps(serverCert.sslContext(pki.trustManager()).getSocketFactory());
    server.requireClientAuth();
    server.start();
    String url = server.url("/").toString();
    assertThrows(io.secretsync.core.SecretStoreException.class,
        () -> get(builder(url).caCertificatesPem(pki.caCertificatePem()).build()));
  }

  @Test
  void rsaKeysInPkcs1PemAreAccepted() throws Exception {
    TestPki rsa = TestPki.create("RSA CA", TestPki.KeyType.RSA_2048);
    IssuedCertificate clientCert = rsa.certificate().commonName("rsa-client").clientAuth()
        .keyType(TestPki.KeyType.RSA_2048).issue();
    PrivateKeyInfo info = PrivateKeyInfo.getInstance(clientCert.privateKey().getEncoded());
    StringWriter pkcs1 = new StringWriter();
    try (PemWriter writer = new PemWriter(pkcs1)) {
      writer.writeObject(new PemObject("RSA PRIVATE KEY", info.parsePrivateKey().toASN1Primitive().getEncoded()));
    }
    assertTrue(pkcs1.toString().contains("BEGIN RSA PRIVATE KEY"));
    assertEquals(clientCert.privateKey(), Pem.privateKey(pkcs1.toString().getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void encryptedKeysAreRefusedWithoutQuotingThem() {
    String encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n"
        + "-----END ENCRYPTED PRIVATE KEY-----\n";
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Pem.privateKey(encrypted.getBytes(StandardCharsets.UTF_8)));
    assertFalse(e.getMessage().contains("MIIB"), e.getMessage());
  }

  @Test
  void http2IsUsedWhereTheServerOffersIt() throws Exception {
    server.setProtocols(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));
    String url = start(pki.serverCertificate());
    assertEquals(200, get(builder(url).caCertificatesPem(pki.caCertificatePem()).build()));
    assertEquals("HTTP/2", server.takeRequest().getVersion());
  }
}
