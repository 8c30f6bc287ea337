package io.secretsync.vault;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.sun.net.httpserver.HttpServer;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.SecretStoreException;
import io.secretsync.core.model.FindRef;
import io.secretsync.core.model.MetadataPolicy;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.testkit.TestClock;
import io.secretsync.vault.VaultSettings.KvVersion;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Whatever a Vault server answers (any status, any body) to a login, a KV v1 or v2 read, a
 * metadata read, a list-and-read {@code find}, a token lookup or renewal, the client fails only
 * with {@link SecretStoreException} (or one of its subclasses) and never quotes the token.
 *
 * <p>An input is a first line {@code <operation> <status>} and then the body every request is
 * answered with, over loopback HTTP. Regression mode (the default) replays
 * {@code VaultResponseFuzzTestInputs/}; fuzz with
 * {@code JAZZER_FUZZ=1 mvn -pl secrets-vault test -Dtest=VaultResponseFuzzTest}.
 */
class VaultResponseFuzzTest {

  private static final List<String> OPERATIONS = List.of("login", "read-v2", "read-v1", "metadata", "find-v2",
      "find-v1", "lookup", "renew", "read-version");
  private static final String TOKEN = "hvs.fuzz-static-token-0123456789";

  private static HttpServer server;
  private static volatile int status = 200;
  private static volatile byte[] body = new byte[0];

  @BeforeAll
  static void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      byte[] answer = body;
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      boolean noBody = status == 204 || status == 304 || status < 200;
      exchange.sendResponseHeaders(status, noBody ? -1 : answer.length == 0 ? -1 : answer.length);
      if (!noBody && answer.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(answer);
        }
      }
      exchange.close();
    });
    server.setExecutor(Executors.newSingleThreadExecutor());
    server.start();
  }

  @AfterAll
  static void stop() {
    server.stop(0);
  }

  @FuzzTest(maxDuration = "5m")
  void anyAnswerFailsOnlyWithSecretStoreException(byte[] input) {
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
      run(operation);
    } catch (SecretStoreException expected) {
      assertFalse(expected.getMessage().contains(TOKEN), "the message holds the token");
      expected.hints().forEach(h -> assertFalse(h.contains(TOKEN), "a hint holds the token"));
    }
  }

  private static void run(String operation) {
    String url = "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    VaultClient client = VaultClient.builder(url).allowHttp(true).retries(0, Duration.ZERO)
        .readTimeout(Duration.ofSeconds(10)).build();
    VaultAuth auth = operation.equals("login")
        ? VaultAuth.kubernetes(KubernetesAuthOptions.builder().role("r").jwt(() -> "a.b.c", "test").build())
        : VaultAuth.token(() -> TOKEN, "the fuzz token");
    KvVersion version = operation.endsWith("v1") ? KvVersion.V1 : KvVersion.V2;
    try (VaultKvStore store = new VaultKvStore("fuzz", new KvPaths(Optional.of("secret"), version), () -> client,
        c -> new TokenManager(c, auth, TestClock.create()))) {
      switch (operation) {
        case "login", "lookup" -> store.validate();
        case "read-v2", "read-v1" -> store.read(RemoteRef.of("app/config").location());
        case "read-version" -> store.read(RemoteRef.of("app/config").withVersion("3").location());
        case "metadata" -> store.read(RemoteRef.of("app/config").withMetadataPolicy(MetadataPolicy.FETCH).location());
        case "find-v2" -> store.find(FindRef.byTags(Optional.of("app"), ImmutableMap.of("env", "prod")));
        case "find-v1" -> store.find(FindRef.byName(Optional.of("app"), "^c.*"));
        case "renew" -> client.renewSelf(VaultToken.of(TOKEN, "the fuzz token"), Duration.ofMinutes(5));
        default -> throw new AssertionError(operation);
      }
    }
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
