package io.secretsync.kubernetes;

import static io.secretsync.kubernetes.TestFiles.base64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.core.InvalidConfigException;
import io.secretsync.kubernetes.KubernetesClient.ConfigMap;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.IssuedCertificate;
import io.secretsync.testkit.TestPki;
import io.secretsync.testkit.server.OldTlsServer;
import io.secretsync.testkit.server.ServerResponse;
import io.secretsync.testkit.server.TestHttpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Kubeconfig settings used for real over HTTPS: against FakeKubernetes, and an mTLS server for client certificates. */
class KubeconfigConnectionTest {

  @RegisterExtension
  static final FakeKubernetes kube = FakeKubernetes.start();

  @TempDir
  Path dir;

  private KubernetesClient client(String yaml, String context) throws IOException {
    return KubernetesClient.create(KubernetesConfig.fromKubeconfig(Files.writeString(dir.resolve("config"), yaml),
        context));
  }

  private String cluster(String name, String server, String caLine) {
    return "- name: " + name + "\n  cluster:\n    server: " + server + "\n    " + caLine + "\n";
  }

  @Test
  void tokenAndCaDataFromTheFakesOwnKubeconfig() throws IOException {
    Path file = kube.writeKubeconfig(dir.resolve("kubeconfig"), "fake");
    kube.createNamespace("kc-token");
    try (KubernetesClient client = KubernetesClient.create(KubernetesConfig.fromKubeconfig(file, ""))) {
      client.createConfigMap(ConfigMap.of("kc-token", "settings", Map.of("mode", "fast")), "");

      assertEquals("fast", client.getConfigMap("kc-token", "settings").orElseThrow().data().get("mode"));
      assertEquals("default", client.namespace());
    }
  }

  @Test
  void caFileAndANamedContextAmongOthers() throws IOException {
    Files.writeString(dir.resolve("ca.crt"), kube.caCertificatePem());
    String yaml = "apiVersion: v1\nkind: Config\ncurrent-context: elsewhere\nclusters:\n"
        + cluster("nowhere", "https://127.0.0.1:1", "insecure-skip-tls-verify: true")
        + cluster("fake", kube.baseUrl(), "certificate-authority: ca.crt")
        + "users:\n- name: admin\n  user:\n    token: " + kube.adminToken() + "\n"
        + "contexts:\n- name: elsewhere\n  context: {cluster: nowhere, user: admin}\n"
        + "- name: fake\n  context: {cluster: fake, user: admin, namespace: kube-system}\n";

    try (KubernetesClient client = client(yaml, "fake")) {
      assertEquals("kube-system", client.namespace());
      assertEquals("kube-system", client.namespaceLabels("kube-system").get("kubernetes.io/metadata.name"));
    }
  }

  @Test
  void untrustedServerIsATlsFailureNamingTheCa() throws IOException {
    String yaml = "clusters:\n" + cluster("fake", kube.baseUrl(), "certificate-authority-data: "
        + base64(TestPki.create().caCertificatePem()))
        + "users:\n- {name: admin, user: {token: " + kube.adminToken() + "}}\n"
        + "contexts:\n- {name: fake, context: {cluster: fake, user: admin}}\ncurrent-context: fake\n";

    try (KubernetesClient client = client(yaml, "")) {
      KubernetesApiException e = assertThrows(KubernetesApiException.class, () -> client.namespaceLabels("default"));

      assertTrue(e.isTransportFailure());
      assertTrue(e.getMessage().contains("TLS handshake"), e.getMessage());
      assertTrue(e.hints().get(0).contains("certificate-authority-data"), e.hints().toString());
    }
  }

  @Test
  void insecureSkipTlsVerifyConnectsWithoutACa() throws IOException {
    String yaml = "clusters:\n" + cluster("fake", kube.baseUrl(), "insecure-skip-tls-verify: true")
        + "users:\n- {name: admin, user: {token: " + kube.adminToken() + "}}\n"
        + "contexts:\n- {name: fake, context: {cluster: fake, user: admin}}\ncurrent-context: fake\n";

    try (KubernetesClient client = client(yaml, "")) {
      assertEquals("default", client.namespaceLabels("default").get("kubernetes.io/metadata.name"));
    }
  }

  @Test
  void tlsServerNameIsVerifiedInsteadOfTheUrlHost() throws IOException {
    String template = "clusters:\n" + cluster("fake", kube.baseUrl(), "certificate-authority-data: "
        + base64(kube.caCertificatePem()) + "\n    tls-server-name: %s")
        + "users:\n- {name: admin, user: {token: " + kube.adminToken() + "}}\n"
        + "contexts:\n- {name: fake, context: {cluster: fake, user: admin}}\ncurrent-context: fake\n";

    try (KubernetesClient named = client(template.formatted("kubernetes.default.svc"), "")) {
      assertFalse(named.namespaceLabels("default").isEmpty());
    }
    try (KubernetesClient wrong = client(template.formatted("wrong.example.com"), "")) {
      KubernetesApiException e = assertThrows(KubernetesApiException.class, () -> wrong.namespaceLabels("default"));
      assertTrue(e.isTransportFailure(), e.getMessage());
    }
  }

  @Test
  void rejectedTokenIsUnauthorizedWithoutQuotingIt() throws IOException {
    String badToken = "not-a-valid-token-5f3c2a";
    String yaml = "clusters:\n" + cluster("fake", kube.baseUrl(), "certificate-authority-data: "
        + base64(kube.caCertificatePem()))
        + "users:\n- {name: admin, user: {token: " + badToken + "}}\n"
        + "contexts:\n- {name: fake, context: {cluster: fake, user: admin}}\ncurrent-context: fake\n";

    try (KubernetesClient client = client(yaml, "")) {
      KubernetesApiException e = assertThrows(KubernetesApiException.class, () -> client.getSecret("default", "x"));

      assertEquals(401, e.code());
      assertEquals("Unauthorized", e.reason());
      assertFalse(e.getMessage().contains(badToken));
      assertFalse(String.join(" ", e.hints()).contains(badToken));
      assertTrue(e.hints().get(0).contains("bearer token"), e.hints().toString());
    }
  }

  @Test
  void clientCertificatesWithRsaAndEcKeysAuthenticateOverMutualTls() throws IOException {
    TestPki pki = TestPki.create();
    IssuedCertificate rsa = pki.certificate().commonName("alice").clientAuth().keyType(TestPki.KeyType.RSA_2048).issue();
    IssuedCertificate ec = pki.certificate().commonName("bob").clientAuth().keyType(TestPki.KeyType.EC_P256).issue();
    try (TestHttpServer server = TestHttpServer.builder().name("mtls-apiserver").tls(pki.serverCertificate())
        .clientAuthentication(pki.trustManager(), true)
        .handler(request -> {
          ObjectNode namespace = ApiTransport.object().put("kind", "Namespace").put("apiVersion", "v1");
          namespace.putObject("metadata").put("name", "default").putObject("labels")
              .put("client", request.peerCertificates().get(0).getSubjectX500Principal().getName());
          return ServerResponse.json(200, namespace);
        }).start()) {
      record Case(IssuedCertificate certificate, String keyPem, String expected) {}
      for (Case c : List.of(
          new Case(rsa, TestFiles.traditionalPem(rsa.privateKey()), "CN=alice"),
          new Case(rsa, TestFiles.pkcs8Pem(rsa.privateKey()), "CN=alice"),
          new Case(ec, TestFiles.traditionalPem(ec.privateKey()), "CN=bob"),
          new Case(ec, TestFiles.pkcs8Pem(ec.privateKey()), "CN=bob"))) {
        String yaml = "clusters:\n" + cluster("mtls", server.baseUrl(), "certificate-authority-data: "
            + base64(pki.caCertificatePem()))
            + "users:\n- name: me\n  user:\n    client-certificate-data: " + base64(c.certificate().certificatePem())
            + "\n    client-key-data: " + base64(c.keyPem()) + "\n"
            + "contexts:\n- {name: mtls, context: {cluster: mtls, user: me}}\ncurrent-context: mtls\n";
        try (KubernetesClient client = client(yaml, "")) {
          assertEquals(c.expected(), client.namespaceLabels("default").get("client"), c.keyPem().lines().findFirst()
              .orElseThrow());
        }
      }

      String noCertificate = "clusters:\n" + cluster("mtls", server.baseUrl(), "certificate-authority-data: "
          + base64(pki.caCertificatePem()))
          + "contexts:\n- {name: mtls, context: {cluster: mtls}}\ncurrent-context: mtls\n";
      try (KubernetesClient client = client(noCertificate, "")) {
        KubernetesApiException e = assertThrows(KubernetesApiException.class, () -> client.namespaceLabels("default"));
        assertTrue(e.isTransportFailure(), e.getMessage());
      }
    }
  }

  // ---- TLS strictness: each refusal says which problem it is ---------------------------------------

  private static String tlsFailure(IssuedCertificate certificate, TestPki trusted) {
    try (TestHttpServer server = TestHttpServer.builder().name("strict-tls").tls(certificate)
        .handler(request -> ServerResponse.jsonText(200, "{}")).start();
        KubernetesClient client = KubernetesClient.create(KubernetesConfig.builder(server.baseUrl())
            .caCertificatesPem(trusted.caCertificatePem()).bearerToken("t").build())) {
      KubernetesApiException e = assertThrows(KubernetesApiException.class, () -> client.namespaceLabels("default"));
      assertTrue(e.isTransportFailure(), e.getMessage());
      assertTrue(e.getMessage().startsWith("GET /api/v1/namespaces/default: TLS handshake with " + server.baseUrl()
          + " failed: the server"), e.getMessage());
      return e.getMessage();
    }
  }

  @Test
  void expiredNotYetValidWrongHostSelfSignedAndWrongCaCertificatesAreRefusedSayingWhich() {
    TestPki pki = TestPki.create();
    assertTrue(tlsFailure(pki.expiredServerCertificate(), pki)
        .contains("the server's certificate (or one of its CAs) has expired"));
    assertTrue(tlsFailure(pki.notYetValidServerCertificate(), pki).contains("the server's certificate is not valid yet"));
    assertTrue(tlsFailure(pki.wrongHostServerCertificate(), pki)
        .contains("the server's certificate is not valid for host "));
    assertTrue(tlsFailure(pki.selfSignedServerCertificate(), pki)
        .contains("the server's certificate is self-signed and not trusted"));
    assertTrue(tlsFailure(pki.serverCertificateFromAnotherCa(), pki)
        .contains("the server's certificate is not signed by a trusted CA"));
  }

  @Test
  void aServerOfferingOnlyTls11Or10IsRefusedNamingTheMinimum() {
    for (String version : List.of("TLSv1.1", "TLSv1")) {
      try (OldTlsServer old = OldTlsServer.start(version);
          KubernetesClient client = KubernetesClient.create(KubernetesConfig.builder(old.baseUrl())
              .caCertificatesPem(kube.caCertificatePem()).build())) {
        KubernetesApiException e = assertThrows(KubernetesApiException.class, () -> client.namespaceLabels("default"));
        assertTrue(e.getMessage().contains("TLS 1.2 is the minimum"), e.getMessage());
        assertEquals(0, old.acceptedByClients(), version);
      }
    }
  }

  @Test
  void theClientOffersOnlyTls12And13() {
    assertEquals(List.of(okhttp3.TlsVersion.TLS_1_3, okhttp3.TlsVersion.TLS_1_2),
        ApiTransport.TLS_1_2_OR_NEWER.tlsVersions());
  }

  @Test
  void plainHttpIsRefusedUnlessAllowed() throws IOException {
    InvalidConfigException built = assertThrows(InvalidConfigException.class,
        () -> KubernetesConfig.builder("http://127.0.0.1:8001").build());
    assertTrue(built.getMessage().contains("plain http:// is refused"), built.getMessage());
    assertTrue(built.hints().get(0).contains("allowHttp(true)"), built.hints().toString());

    String yaml = "clusters:\n" + cluster("plain", "http://127.0.0.1:8001", "")
        + "contexts:\n- {name: plain, context: {cluster: plain}}\ncurrent-context: plain\n";
    InvalidConfigException fromFile = assertThrows(InvalidConfigException.class, () -> client(yaml, ""));
    assertTrue(fromFile.getMessage().contains("clusters[plain].cluster.server"), fromFile.getMessage());
    assertTrue(fromFile.getMessage().contains("plain http:// is refused"), fromFile.getMessage());

    try (TestHttpServer plain = TestHttpServer.builder().name("kubectl-proxy").plainHttp()
        .handler(request -> ServerResponse.jsonText(200, "{\"metadata\":{\"labels\":{\"via\":\"proxy\"}}}")).start();
        KubernetesClient client = KubernetesClient.create(KubernetesConfig.builder(plain.baseUrl()).allowHttp(true)
            .build())) {
      assertEquals("proxy", client.namespaceLabels("default").get("via"));
    }
  }
}
