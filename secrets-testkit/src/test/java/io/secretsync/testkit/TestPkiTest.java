package io.secretsync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.testkit.server.ServerResponse;
import io.secretsync.testkit.server.TestHttpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestPkiTest {
  private static final TestPki PKI = TestPki.create();

  private static TestHttpServer serve(IssuedCertificate certificate) {
    return TestHttpServer.builder().tls(certificate)
        .handler(r -> ServerResponse.text(200, "hello")).start();
  }

  private static OkHttpClient clientTrusting(TestPki pki) {
    return new OkHttpClient.Builder()
        .sslSocketFactory(pki.clientSslContext().getSocketFactory(), pki.trustManager()).build();
  }

  private static String get(OkHttpClient client, String url) throws IOException {
    try (Response response = client.newCall(new Request.Builder().url(url).build()).execute()) {
      return response.code() + " " + response.body().string();
    }
  }

  @Test
  void clientTrustingTheCaConnectsToServerCertificateOnIpAndLocalhost() throws IOException {
    try (TestHttpServer server = serve(PKI.serverCertificate())) {
      OkHttpClient client = clientTrusting(PKI);
      assertEquals("200 hello", get(client, server.baseUrl() + "/"));
      assertEquals("200 hello", get(client, "https://localhost:" + server.port() + "/"));
    }
  }

  @Test
  void clientTrustingAnotherCaFailsTheHandshake() {
    try (TestHttpServer server = serve(PKI.serverCertificate())) {
      OkHttpClient client = clientTrusting(TestPki.create());
      assertThrows(SSLHandshakeException.class, () -> get(client, server.baseUrl() + "/"));
    }
  }

  @Test
  void certificateSignedByAnotherCaIsRejected() {
    try (TestHttpServer server = serve(PKI.serverCertificateFromAnotherCa())) {
      assertThrows(SSLHandshakeException.class,
          () -> get(clientTrusting(PKI), server.baseUrl() + "/"));
    }
  }

  @Test
  void wrongHostCertificateFailsHostnameVerification() {
    try (TestHttpServer server = serve(PKI.wrongHostServerCertificate())) {
      SSLPeerUnverifiedException e = assertThrows(SSLPeerUnverifiedException.class,
          () -> get(clientTrusting(PKI), server.baseUrl() + "/"));
      assertTrue(e.getMessage().contains("Hostname 127.0.0.1 not verified"), e.getMessage());
    }
  }

  @Test
  void expiredAndNotYetValidCertificatesAreRejected() {
    assertThrows(CertificateExpiredException.class,
        () -> PKI.expiredServerCertificate().certificate().checkValidity());
    assertThrows(CertificateNotYetValidException.class,
        () -> PKI.notYetValidServerCertificate().certificate().checkValidity());
    try (TestHttpServer server = serve(PKI.expiredServerCertificate())) {
      assertThrows(SSLHandshakeException.class,
          () -> get(clientTrusting(PKI), server.baseUrl() + "/"));
    }
    try (TestHttpServer server = serve(PKI.notYetValidServerCertificate())) {
      assertThrows(SSLHandshakeException.class,
          () -> get(clientTrusting(PKI), server.baseUrl() + "/"));
    }
  }

  @Test
  void serverCertificateCarriesDefaultAndExtraHosts() {
    IssuedCertificate cert = PKI.serverCertificate("vault.vault.svc", "10.0.0.7");
    assertEquals(List.of("localhost", "127.0.0.1", "vault.vault.svc", "10.0.0.7"), cert.hosts());
    assertEquals(PKI.caCertificate(), cert.chain().get(1));
  }

  @Test
  void caLoadedFromPemFilesIssuesCertificatesTheOriginalTrusts(@TempDir Path dir)
      throws IOException {
    PKI.writeCa(dir.resolve("ca.crt"), dir.resolve("ca.key"));
    assertTrue(Files.readString(dir.resolve("ca.key")).startsWith("-----BEGIN PRIVATE KEY-----"));
    TestPki loaded = TestPki.load(dir.resolve("ca.crt"), dir.resolve("ca.key"));
    assertEquals(PKI.caCertificate(), loaded.caCertificate());
    try (TestHttpServer server = serve(loaded.serverCertificate())) {
      assertEquals("200 hello", get(clientTrusting(PKI), server.baseUrl() + "/"));
    }
  }

  @Test
  void rsaKeysAreSupported() throws IOException {
    TestPki rsa = TestPki.create("RSA CA", TestPki.KeyType.RSA_2048);
    IssuedCertificate cert = rsa.serverCertificate();
    assertEquals("RSA", cert.privateKey().getAlgorithm());
    TestPki reloaded = TestPki.fromPem(rsa.caCertificatePem(), rsa.caPrivateKeyPem());
    assertEquals(TestPki.KeyType.RSA_2048, reloaded.keyType());
    try (TestHttpServer server = serve(cert)) {
      assertEquals("200 hello", get(clientTrusting(rsa), server.baseUrl() + "/"));
    }
  }

  @Test
  void pemOutputParsesBack() {
    IssuedCertificate cert = PKI.clientCertificate("jane", "system:masters");
    assertEquals(2, TestPki.parseCertificates(cert.chainPem(), "chain").size());
    assertEquals(3, cert.bundlePem().split("-----BEGIN ").length - 1);
    assertEquals("CN=jane,O=system:masters", cert.subject());
    assertTrue(!cert.toString().contains("PRIVATE"));
  }

  @Test
  void loadingGarbageNamesTheSource() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TestPki.fromPem("not pem", PKI.caPrivateKeyPem()));
    assertTrue(e.getMessage().startsWith("CA certificate PEM: no PEM CERTIFICATE block"),
        e.getMessage());
    IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
        () -> TestPki.fromPem(PKI.caCertificatePem(), PKI.caCertificatePem()));
    assertTrue(k.getMessage().startsWith("CA key PEM: no unencrypted PEM private key"),
        k.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> TestPki.fromPem(PKI.serverCertificate().certificatePem(), PKI.caPrivateKeyPem()));
  }
}
