package io.secretsync.kubernetes;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.sun.net.httpserver.HttpServer;
import io.secretsync.core.SecretData;
import io.secretsync.core.TargetSecret;
import io.secretsync.kubernetes.KubernetesClient.ConfigMap;
import io.secretsync.kubernetes.KubernetesClient.Lease;
import io.secretsync.kubernetes.KubernetesClient.ResourceType;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Whatever the API server answers (any status, any body) to the reads and writes the library makes
 * (Secrets, ConfigMaps, Leases, namespaces, lists, TokenRequests), the client returns a value or
 * fails with {@link KubernetesApiException}, never quoting the bearer token.
 *
 * <p>An input is a first line {@code <operation> <status>} and then the body every request is
 * answered with, over loopback HTTP. Regression mode (the default) replays
 * {@code KubernetesResponseFuzzTestInputs/}; fuzz with
 * {@code JAZZER_FUZZ=1 mvn -pl secrets-kubernetes test -Dtest=KubernetesResponseFuzzTest}.
 */
class KubernetesResponseFuzzTest {

  private static final List<String> OPERATIONS = List.of("get-secret", "list-secrets", "create-secret",
      "replace-secret", "get-configmap", "list-configmaps", "get-lease", "replace-lease", "namespace-labels",
      "token-request", "list", "delete");
  private static final String TOKEN = "fuzz-bearer-token-0123456789abcdef";

  private static HttpServer server;
  private static KubernetesClient client;
  private static volatile int status = 200;
  private static volatile byte[] body = new byte[0];

  @BeforeAll
  static void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      byte[] answer = body;
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      boolean noBody = status == 204 || status == 304;
      exchange.sendResponseHeaders(status, noBody || answer.length == 0 ? -1 : answer.length);
      if (!noBody && answer.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(answer);
        }
      }
      exchange.close();
    });
    server.setExecutor(Executors.newSingleThreadExecutor());
    server.start();
    client = KubernetesClient.create(KubernetesConfig.builder("http://" + server.getAddress().getHostString() + ":"
        + server.getAddress().getPort()).bearerToken(TOKEN).qps(1_000_000).burst(1_000_000)
        .requestTimeout(Duration.ofSeconds(10)).allowHttp(true).build());
  }

  @AfterAll
  static void stop() {
    client.close();
    server.stop(0);
  }

  @FuzzTest(maxDuration = "5m")
  void anyAnswerFailsOnlyWithKubernetesApiException(byte[] input) {
    // The only connections are to this loopback server; Jazzer's SSRF detector (active when fuzzing) is told so.
    try {
      BugDetectors.allowNetworkConnections((host, port) -> port == server.getAddress().getPort());
    } catch (IllegalStateException sanitizersOff) {
      // regression mode runs without Jazzer's sanitizers: nothing to configure
    }
    int newline = indexOf(input, (byte) '\n');
    String[] head = new String(input, 0, Math.max(newline, 0), StandardCharsets.UTF_8).trim().split(" ", 2);
    String operation = OPERATIONS.contains(head[0]) ? head[0]
        : OPERATIONS.get(Math.floorMod(head[0].hashCode(), OPERATIONS.size()));
    status = head.length > 1 ? status(head[1]) : 200;
    body = newline < 0 ? input : Arrays.copyOfRange(input, newline + 1, input.length);
    try {
      run(operation).toString();
    } catch (KubernetesApiException expected) {
      assertFalse(expected.getMessage().contains(TOKEN), "the message holds the token");
    }
  }

  private static Object run(String operation) {
    TargetSecret secret = new TargetSecret("apps", "db", "Opaque", ImmutableMap.of("l", "v"), ImmutableMap.of(), ImmutableList.of(), false,
        SecretData.builder().put("password", new byte[] {1, 2}).build(), "7");
    return switch (operation) {
      case "get-secret" -> client.getSecret("apps", "db");
      case "list-secrets" -> client.listSecrets("apps", "app=x");
      case "create-secret" -> client.createSecret(secret, "secrets-sync");
      case "replace-secret" -> client.replaceSecret(secret, "secrets-sync");
      case "get-configmap" -> client.getConfigMap("apps", "tpl");
      case "list-configmaps" -> client.listConfigMaps("apps", "");
      case "get-lease" -> client.getLease("apps", "leader").map(l -> List.of(l.holderIdentity(), l.leaseDuration(),
          l.acquireTime(), l.renewTime(), l.leaseTransitions(), l.resourceVersion())).orElse(List.of());
      case "replace-lease" -> client.replaceLease(Lease.of("apps", "leader").withSpec("me", Duration.ofSeconds(15),
          java.time.Instant.EPOCH, java.time.Instant.EPOCH, 1)).renewTime();
      case "namespace-labels" -> client.namespaceLabels("apps");
      case "token-request" -> client.requestServiceAccountToken("apps", "app", List.of("vault"), Duration.ofMinutes(10))
          .expirationTimestamp();
      case "list" -> client.list(ResourceType.EXTERNAL_SECRETS, "", "").items();
      case "delete" -> {
        client.deleteConfigMap("apps", "tpl", "");
        yield ConfigMap.of("apps", "tpl", Map.of());
      }
      default -> throw new AssertionError(operation);
    };
  }

  private static int status(String text) {
    try {
      int code = Integer.parseInt(text.trim());
      return code >= 200 && code <= 599 ? code : 200;
    } catch (NumberFormatException e) {
      return 200;
    }
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
