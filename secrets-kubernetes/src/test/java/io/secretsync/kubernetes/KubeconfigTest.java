package io.secretsync.kubernetes;

import static io.secretsync.kubernetes.TestFiles.base64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.InvalidConfigException;
import io.secretsync.testkit.IssuedCertificate;
import io.secretsync.testkit.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading kubeconfig files as client-go reads them, and errors that name the file and field. */
class KubeconfigTest {
  private static final String TOKEN = "kubeconfig-test-token-0123456789";

  private static TestPki pki;
  private static IssuedCertificate rsaClient;
  private static IssuedCertificate ecClient;

  @TempDir
  Path dir;

  @BeforeAll
  static void certificates() {
    pki = TestPki.create();
    rsaClient = pki.certificate().commonName("alice").clientAuth().keyType(TestPki.KeyType.RSA_2048).issue();
    ecClient = pki.certificate().commonName("bob").clientAuth().keyType(TestPki.KeyType.EC_P256).issue();
  }

  private Path write(String name, String yaml) throws IOException {
    return Files.writeString(dir.resolve(name), yaml);
  }

  private String twoContexts() {
    return """
        apiVersion: v1
        kind: Config
        current-context: dev
        clusters:
        - name: dev-cluster
          cluster:
            server: https://dev.example.com:6443
            certificate-authority-data: %s
        - name: prod-cluster
          cluster:
            server: https://prod.example.com
            insecure-skip-tls-verify: true
        users:
        - name: dev-user
          user:
            token: %s
        - name: prod-user
          user:
            username: admin
            password: hunter2
        contexts:
        - name: dev
          context: {cluster: dev-cluster, user: dev-user, namespace: apps}
        - name: prod
          context: {cluster: prod-cluster, user: prod-user}
        """.formatted(base64(pki.caCertificatePem()), TOKEN);
  }

  @Test
  void currentContextSelectsClusterUserAndNamespace() throws IOException {
    KubernetesConfig config = KubernetesConfig.fromKubeconfig(write("config", twoContexts()), "");

    assertEquals("https://dev.example.com:6443", config.server().toString());
    assertEquals("apps", config.namespace());
    assertEquals(List.of(pki.caCertificate()), config.caCertificates());
    assertEquals(TOKEN, config.bearerToken().orElseThrow());
    assertFalse(config.insecureSkipTlsVerify());
    assertTrue(config.source().contains("context dev"), config.source());
  }

  @Test
  void namedContextOverridesTheCurrentOne() throws IOException {
    KubernetesConfig config = KubernetesConfig.fromKubeconfig(write("config", twoContexts()), "prod");

    assertEquals("https://prod.example.com", config.server().toString());
    assertEquals("default", config.namespace(), "a context without a namespace means default");
    assertTrue(config.insecureSkipTlsVerify());
    assertTrue(config.caCertificates().isEmpty());
    assertEquals("admin", config.basicAuth().orElseThrow().username());
    assertTrue(config.bearerToken().isEmpty());
  }

  @Test
  void insecureSkipTlsVerifyFalseOrAbsentVerifies() throws IOException {
    String yaml = """
        clusters:
        - name: c
          cluster: {server: "https://a.example.com", insecure-skip-tls-verify: false}
        contexts:
        - name: x
          context: {cluster: c}
        current-context: x
        """;
    assertFalse(KubernetesConfig.fromKubeconfig(write("config", yaml), "").insecureSkipTlsVerify());
  }

  @Test
  void insecureSkipTlsVerifyWithACertificateAuthorityIsRefused() throws IOException {
    String yaml = """
        clusters:
        - name: c
          cluster: {server: "https://a.example.com", insecure-skip-tls-verify: true, certificate-authority-data: %s}
        contexts:
        - name: x
          context: {cluster: c}
        current-context: x
        """.formatted(base64(pki.caCertificatePem()));
    Path file = write("config", yaml);

    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> KubernetesConfig.fromKubeconfig(file, ""));

    assertTrue(e.getMessage().contains(file + ": clusters[c].cluster.insecure-skip-tls-verify"), e.getMessage());
  }

  @Test
  void certificateAuthorityFileIsResolvedAgainstTheKubeconfigDirectory() throws IOException {
    Files.createDirectories(dir.resolve("pki"));
    Files.writeString(dir.resolve("pki/ca.crt"), pki.caCertificatePem());
    String yaml = """
        clusters:
        - name: c
          cluster: {server: "https://a.example.com", certificate-authority: pki/ca.crt}
        users:
        - name: u
          user: {tokenFile: token.txt}
        contexts:
        - name: x
          context: {cluster: c, user: u}
        current-context: x
        """;
    Files.writeString(dir.resolve("token.txt"), TOKEN + "\n");

    KubernetesConfig config = KubernetesConfig.fromKubeconfig(write("config", yaml), "");

    assertEquals(List.of(pki.caCertificate()), config.caCertificates());
    assertEquals(dir.resolve("token.txt"), config.bearerTokenFile().orElseThrow());
  }

  @Test
  void tokenWinsOverTokenFile() throws IOException {
    Files.writeString(dir.resolve("token.txt"), "from-file");
    String yaml = """
        clusters:
        - {name: c, cluster: {server: "https://a.example.com"}}
        users:
        - {name: u, user: {token: inline-token, tokenFile: token.txt}}
        contexts:
        - {name: x, context: {cluster: c, user: u}}
        current-context: x
        """;
    KubernetesConfig config = KubernetesConfig.fromKubeconfig(write("config", yaml), "");

    assertEquals("inline-token", config.bearerToken().orElseThrow());
    assertTrue(config.bearerTokenFile().isEmpty());
  }

  private String clientCertYaml(String certificateData, String keyData) {
    return """
        clusters:
        - {name: c, cluster: {server: "https://a.example.com"}}
        users:
        - name: me
          user:
            client-certificate-data: %s
            client-key-data: %s
        contexts:
        - {name: x, context: {cluster: c, user: me}}
        current-context: x
        """.formatted(certificateData, keyData);
  }

  @Test
  void clientCertificateWithRsaKeyInPkcs1AndPkcs8() throws IOException {
    for (String keyPem : List.of(TestFiles.traditionalPem(rsaClient.privateKey()),
        TestFiles.pkcs8Pem(rsaClient.privateKey()))) {
      KubernetesConfig config = KubernetesConfig.fromKubeconfig(write("config",
          clientCertYaml(base64(rsaClient.certificatePem()), base64(keyPem))), "");

      KubernetesConfig.ClientCertificate client = config.clientCertificate().orElseThrow();
      assertTrue(client.key() instanceof RSAPrivateKey, keyPem.lines().findFirst().orElseThrow());
      assertEquals(rsaClient.certificate(), client.chain().get(0));
    }
    assertTrue(TestFiles.traditionalPem(rsaClient.privateKey()).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
  }

  @Test
  void clientCertificateWithEcKeyInSec1AndPkcs8() throws IOException {
    for (String keyPem : List.of(TestFiles.traditionalPem(ecClient.privateKey()),
        TestFiles.pkcs8Pem(ecClient.privateKey()))) {
      KubernetesConfig config = KubernetesConfig.fromKubeconfig(write("config",
          clientCertYaml(base64(ecClient.certificatePem()), base64(keyPem))), "");

      assertTrue(config.clientCertificate().orElseThrow().key() instanceof ECPrivateKey);
    }
    assertTrue(TestFiles.traditionalPem(ecClient.privateKey()).startsWith("-----BEGIN EC PRIVATE KEY-----"));
  }

  @Test
  void clientCertificateAndKeyFiles() throws IOException {
    Files.writeString(dir.resolve("me.crt"), ecClient.certificatePem());
    Files.writeString(dir.resolve("me.key"), TestFiles.traditionalPem(ecClient.privateKey()));
    String yaml = """
        clusters:
        - {name: c, cluster: {server: "https://a.example.com"}}
        users:
        - {name: me, user: {client-certificate: me.crt, client-key: %s}}
        contexts:
        - {name: x, context: {cluster: c, user: me}}
        current-context: x
        """.formatted(dir.resolve("me.key"));

    KubernetesConfig config = KubernetesConfig.fromKubeconfig(write("config", yaml), "");

    assertEquals(ecClient.certificate(), config.clientCertificate().orElseThrow().chain().get(0));
  }

  @Test
  void kubeconfigListIsMergedAndTheFirstOccurrenceWins() throws IOException {
    Path first = write("first", """
        current-context: b
        clusters:
        - {name: shared, cluster: {server: "https://first.example.com"}}
        """);
    Path second = write("second", """
        current-context: a
        clusters:
        - {name: shared, cluster: {server: "https://second.example.com"}}
        contexts:
        - {name: b, context: {cluster: shared, namespace: from-second}}
        """);
    Path missing = dir.resolve("does-not-exist");

    KubernetesConfig config = KubernetesConfig.loader()
        .environment(Map.of("KUBECONFIG", missing + ":" + first + ":" + second))
        .homeDirectory(dir).load();

    assertEquals("https://first.example.com", config.server().toString());
    assertEquals("from-second", config.namespace());
  }

  @Test
  void homeKubeconfigIsTheDefaultOutsideAPod() throws IOException {
    Files.createDirectories(dir.resolve(".kube"));
    Files.writeString(dir.resolve(".kube/config"), twoContexts());

    KubernetesConfig config = KubernetesConfig.loader().environment(Map.of()).homeDirectory(dir).load();

    assertEquals("apps", config.namespace());
  }

  @Test
  void badBase64NamesTheFileAndField() throws IOException {
    Path file = write("config", clientCertYaml(base64(rsaClient.certificatePem()), "not*base64!"));

    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> KubernetesConfig.fromKubeconfig(file, ""));

    assertEquals(file + ": users[me].user.client-key-data", e.field());
    assertTrue(e.getMessage().contains("not valid base64"), e.getMessage());
  }

  @Test
  void keyThatIsNotAKeyNamesTheFieldAndNeverQuotesIt() throws IOException {
    String notAKey = rsaClient.certificatePem();
    Path file = write("config", clientCertYaml(base64(rsaClient.certificatePem()), base64(notAKey)));

    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> KubernetesConfig.fromKubeconfig(file, ""));

    assertEquals(file + ": users[me].user.client-key-data", e.field());
    assertFalse(e.getMessage().contains("MII"), "no PEM content in the message");
  }

  @Test
  void certificateWithoutKeyIsRefused() throws IOException {
    Path file = write("config", """
        clusters:
        - {name: c, cluster: {server: "https://a.example.com"}}
        users:
        - {name: me, user: {client-certificate-data: %s}}
        contexts:
        - {name: x, context: {cluster: c, user: me}}
        current-context: x
        """.formatted(base64(rsaClient.certificatePem())));

    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> KubernetesConfig.fromKubeconfig(file, ""));

    assertEquals(file + ": users[me].user.client-key-data", e.field());
  }

  @Test
  void missingServerNamesTheCluster() throws IOException {
    Path file = write("config", """
        clusters:
        - {name: c, cluster: {certificate-authority-data: ""}}
        contexts:
        - {name: x, context: {cluster: c}}
        current-context: x
        """);

    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> KubernetesConfig.fromKubeconfig(file, ""));

    assertEquals(file + ": clusters[c].cluster.server", e.field());
  }

  @Test
  void unknownContextListsTheKnownOnes() throws IOException {
    Path file = write("config", twoContexts());

    InvalidConfigException e = assertThrows(InvalidConfigException.class,
        () -> KubernetesConfig.fromKubeconfig(file, "staging"));

    assertTrue(e.getMessage().contains("no context named \"staging\" (contexts: dev, prod)"), e.getMessage());
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
  }

  @Test
  void contextNamingAMissingUserOrCluster() throws IOException {
    Path file = write("config", """
        clusters:
        - {name: c, cluster: {server: "https://a.example.com"}}
        contexts:
        - {name: x, context: {cluster: c, user: ghost}}
        - {name: y, context: {cluster: nowhere}}
        current-context: x
        """);

    InvalidConfigException user = assertThrows(InvalidConfigException.class,
        () -> KubernetesConfig.fromKubeconfig(file, ""));
    InvalidConfigException cluster = assertThrows(InvalidConfigException.class,
        () -> KubernetesConfig.fromKubeconfig(file, "y"));

    assertEquals(file + ": contexts[x].context.user", user.field());
    assertEquals(file + ": contexts[y].context.cluster", cluster.field());
  }

  @Test
  void invalidYamlAndMissingFileNameTheFile() throws IOException {
    Path broken = write("broken", "clusters: [\n  - name: {");
    Path missing = dir.resolve("nope");

    InvalidConfigException yaml = assertThrows(InvalidConfigException.class,
        () -> KubernetesConfig.fromKubeconfig(broken, ""));
    InvalidConfigException absent = assertThrows(InvalidConfigException.class,
        () -> KubernetesConfig.fromKubeconfig(missing, ""));

    assertEquals(broken.toString(), yaml.field());
    assertTrue(yaml.getMessage().contains("not valid YAML"), yaml.getMessage());
    assertEquals(missing.toString(), absent.field());
  }

  @Test
  void credentialPluginsAreRefusedByName() throws IOException {
    Path file = write("config", """
        clusters:
        - {name: c, cluster: {server: "https://a.example.com"}}
        users:
        - name: eks
          user:
            exec: {apiVersion: client.authentication.k8s.io/v1, command: aws, interactiveMode: Never}
        contexts:
        - {name: x, context: {cluster: c, user: eks}}
        current-context: x
        """);

    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> KubernetesConfig.fromKubeconfig(file, ""));

    assertEquals(file + ": users[eks].user.exec", e.field());
  }

  @Test
  void noCurrentContextAsksForOne() throws IOException {
    Path file = write("config", "clusters: []\n");

    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> KubernetesConfig.fromKubeconfig(file, ""));

    assertEquals(file + ": current-context", e.field());
  }

  @Test
  void toStringNamesTheCredentialKindNeverTheToken() throws IOException {
    KubernetesConfig config = KubernetesConfig.fromKubeconfig(write("config", twoContexts()), "");

    assertFalse(config.toString().contains(TOKEN), config.toString());
    assertTrue(config.toString().contains("bearer token"), config.toString());
  }
}
