package io.secretsync.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.testkit.TestPki;
import io.secretsync.testkit.server.ServerResponse;
import io.secretsync.testkit.server.TestHttpServer;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An answer that is JSON but not the object asked for (from a proxy, or a server that is not a
 * Kubernetes API server) is a {@link KubernetesApiException} naming the request and the field, not
 * an IllegalStateException, ClassCastException or IllegalArgumentException from deep inside; an
 * error that echoes the bearer token does not show it. Each case was found by
 * {@link KubernetesResponseFuzzTest}.
 */
class MalformedAnswerTest {

  private final TestPki pki = TestPki.create();
  private final AtomicReference<String> answer = new AtomicReference<>("{}");
  private TestHttpServer server;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    server = TestHttpServer.builder().name("odd-apiserver").tls(pki.serverCertificate())
        .handler(request -> ServerResponse.jsonText(200, answer.get())).start();
    client = KubernetesClient.create(KubernetesConfig.builder(server.baseUrl())
        .caCertificatesPem(pki.caCertificatePem()).bearerToken("t0ken-never-shown").build());
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  @Test
  void aServerThatEchoesTheBearerTokenInItsStatusShowsItToNoOne() {
    // Found by KubernetesResponseFuzzTest: the Status message was quoted as the server wrote it.
    server.close();
    server = TestHttpServer.builder().name("echoing-apiserver").tls(pki.serverCertificate())
        .handler(request -> ServerResponse.jsonText(401, "{\"kind\":\"Status\",\"message\":\"token "
            + request.header("Authorization").orElse("") + " is unknown\",\"reason\":\"Unauthorized\",\"code\":401,"
            + "\"details\":{\"causes\":[{\"message\":\"t0ken-never-shown\"}]}}")).start();
    client.close();
    client = KubernetesClient.create(KubernetesConfig.builder(server.baseUrl())
        .caCertificatesPem(pki.caCertificatePem()).bearerToken("t0ken-never-shown").build());
    KubernetesApiException e = assertThrows(KubernetesApiException.class, () -> client.listSecrets("apps", ""));
    assertEquals("GET /api/v1/namespaces/apps/secrets: token Bearer <redacted> is unknown (401 Unauthorized)",
        e.getMessage());
    assertEquals("<redacted>", e.causes().get(0).message());
  }

  @Test
  void anArrayWhereAnObjectBelongsNamesTheRequest() {
    answer.set("[]");
    KubernetesApiException e = assertThrows(KubernetesApiException.class, () -> client.getSecret("apps", "db"));
    assertEquals("GET /api/v1/namespaces/apps/secrets/db: the answer is malformed: a JSON ARRAY where an object "
        + "belongs", e.getMessage());
  }

  @Test
  void secretDataThatIsNotBase64NamesTheKeyNotTheValue() {
    answer.set("{\"kind\":\"Secret\",\"metadata\":{\"namespace\":\"apps\",\"name\":\"db\"},"
        + "\"data\":{\"password\":\"not base64 s3cr3t\"}}");
    KubernetesApiException e = assertThrows(KubernetesApiException.class, () -> client.getSecret("apps", "db"));
    assertEquals("Secret apps/db: the answer is malformed: data[password] is not base64", e.getMessage());
    assertFalse(e.getMessage().contains("s3cr3t"));
  }

  @Test
  void configMapBinaryDataThatIsNotAStringNamesTheKey() {
    answer.set("{\"kind\":\"ConfigMap\",\"metadata\":{\"namespace\":\"apps\",\"name\":\"tpl\"},"
        + "\"binaryData\":{\"bin\":7}}");
    KubernetesApiException e = assertThrows(KubernetesApiException.class, () -> client.getConfigMap("apps", "tpl"));
    assertTrue(e.getMessage().endsWith("binaryData[bin] is not base64"), e.getMessage());
  }

  @Test
  void aListWhoseItemsAreNotObjectsNamesTheRequest() {
    answer.set("{\"kind\":\"SecretList\",\"items\":[1]}");
    KubernetesApiException e = assertThrows(KubernetesApiException.class, () -> client.listSecrets("apps", ""));
    assertEquals("GET /api/v1/namespaces/apps/secrets: the answer is malformed: an item is a JSON NUMBER, not an "
        + "object", e.getMessage());
    answer.set("{\"kind\":\"SecretList\",\"items\":{}}");
    e = assertThrows(KubernetesApiException.class, () -> client.listSecrets("apps", ""));
    assertTrue(e.getMessage().endsWith("items is a JSON OBJECT, not an array"), e.getMessage());
  }
}
