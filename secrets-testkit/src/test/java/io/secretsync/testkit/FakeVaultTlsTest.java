package io.secretsync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** FakeVault's TLS: trust only its CA to connect; another CA or a wrong-host certificate fails. */
class FakeVaultTlsTest {
  private static String health(OkHttpClient client, FakeVault vault) throws IOException {
    try (Response r = client.newCall(new Request.Builder().url(vault.address()
        + "/v1/sys/health").build()).execute()) {
      return r.code() + " " + r.handshake().tlsVersion();
    }
  }

  private static OkHttpClient trusting(TestPki pki) {
    return new OkHttpClient.Builder()
        .sslSocketFactory(pki.clientSslContext().getSocketFactory(), pki.trustManager()).build();
  }

  @Test
  void clientTrustingOnlyTheTestCaConnects() throws IOException {
    TestPki pki = TestPki.create();
    try (FakeVault vault = FakeVault.builder().pki(pki).start()) {
      assertTrue(vault.address().startsWith("https://127.0.0.1:"));
      assertTrue(health(trusting(pki), vault).startsWith("200 TLS_1_"));
      assertEquals(pki.caCertificatePem(), vault.caCertificatePem());
    }
  }

  @Test
  void clientTrustingAnotherCaFails() {
    try (FakeVault vault = FakeVault.start()) {
      assertThrows(SSLHandshakeException.class, () -> health(trusting(TestPki.create()), vault));
      assertThrows(SSLHandshakeException.class, () -> health(new OkHttpClient(), vault),
          "the system trust store does not know the test CA");
    }
  }

  @Test
  void wrongHostCertificateFailsHostnameVerification() {
    TestPki pki = TestPki.create();
    try (FakeVault vault = FakeVault.builder().pki(pki)
        .serverCertificate(pki.wrongHostServerCertificate()).start()) {
      SSLPeerUnverifiedException e = assertThrows(SSLPeerUnverifiedException.class,
          () -> health(trusting(pki), vault));
      assertTrue(e.getMessage().contains("not verified"), e.getMessage());
    }
  }

  @Test
  void plainHttpOnlyWhenAsked() throws IOException {
    try (FakeVault vault = FakeVault.builder().plainHttp().start()) {
      try (Response r = new OkHttpClient().newCall(new Request.Builder()
          .url(vault.address() + "/v1/sys/health").build()).execute()) {
        assertEquals(200, r.code());
        assertTrue(vault.address().startsWith("http://127.0.0.1:"));
      }
    }
  }
}
