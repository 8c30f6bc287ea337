package io.secretsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretsync.testkit.TestPki;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code secrets-sync sandbox} as a separate process: it writes its files, {@code env} last, prints
 * {@code ready}, serves Vault and Kubernetes over HTTPS with the CA in {@code ca.crt} (kubectl and
 * plain OkHttp), reuses that CA on the next start, and stops cleanly on SIGTERM.
 */
class SandboxCommandProcessTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /** A running sandbox process and the lines it printed. */
  private static final class Running implements AutoCloseable {
    final Process process;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    Running(Path dir, String... options) throws IOException {
      String classpath = System.getProperty("surefire.test.class.path",
          System.getProperty("java.class.path"));
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", classpath,
          "io.secretsync.cli.SecretsSyncCommand", "sandbox", "--dir", dir.toString()));
      command.addAll(List.of(options));
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
            process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            lines.add(line);
          }
        } catch (IOException e) {
          lines.add("<output closed: " + e.getMessage() + ">");
        }
      });
      reader.setDaemon(true);
      reader.start();
    }

    /** The next printed line, waiting up to a minute (a cold JVM on a busy machine is slow). */
    String nextLine() throws InterruptedException {
      String line = lines.poll(60, TimeUnit.SECONDS);
      if (line == null) {
        throw new AssertionError("the sandbox printed nothing within 60 s");
      }
      return line;
    }

    /** SIGTERM (through the process handle, which keeps our end of its output open). */
    int terminate() throws InterruptedException {
      process.toHandle().destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("the sandbox did not stop within 30 s of SIGTERM");
      }
      return process.exitValue();
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
    }
  }

  @Test
  void sandboxServesBothServersUntilSigtermAndReusesItsCa() throws Exception {
    String firstCa;
    try (Running sandbox = new Running(dir)) {
      String ready = sandbox.nextLine();
      assertTrue(ready.startsWith("ready vault=https://127.0.0.1:"), ready);
      assertTrue(ready.contains(" kubernetes=https://127.0.0.1:"), ready);
      assertTrue(Files.exists(dir.resolve("env")), "env is written before ready is printed");
      Map<String, String> env = readEnv(dir.resolve("env"));
      assertEquals(dir.resolve("ca.crt").toString(), env.get("VAULT_CACERT"));
      assertEquals(dir.resolve("kubeconfig").toString(), env.get("KUBECONFIG"));
      assertTrue(Files.readString(dir.resolve("vault-token")).strip().equals(env.get("VAULT_TOKEN")),
          "env's VAULT_TOKEN is the token in vault-token");
      firstCa = Files.readString(dir.resolve("ca.crt"));
      assertFalse(ready.contains(env.get("VAULT_TOKEN")), "the ready line shows no token");

      OkHttpClient https = client(dir.resolve("ca.crt"));
      JsonNode mounts = get(https, env.get("VAULT_ADDR") + "/v1/sys/mounts",
          "X-Vault-Token", env.get("VAULT_TOKEN"));
      assertEquals("kv", mounts.path("secret/").path("type").asText());
      assertEquals("2", mounts.path("secret/").path("options").path("version").asText());
      String kubeconfig = Files.readString(dir.resolve("kubeconfig"));
      String server = value(kubeconfig, "server");
      JsonNode crds = get(https, server + "/apis/apiextensions.k8s.io/v1/"
          + "customresourcedefinitions", "Authorization", "Bearer " + value(kubeconfig, "token"));
      assertEquals(4, crds.path("items").size());

      Optional<Path> kubectl = kubectl();
      if (kubectl.isPresent()) {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c",
            ". ./env && \"$KUBECTL\" get crd -o name").directory(dir.toFile())
            .redirectErrorStream(true);
        pb.environment().put("KUBECTL", kubectl.get().toString());
        pb.environment().put("HOME", Files.createDirectories(dir.resolve("home")).toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("customresourcedefinition.apiextensions.k8s.io/"
            + "externalsecrets.external-secrets.io"), out);
      }

      assertEquals(143, sandbox.terminate(), "exit status of a JVM stopped by SIGTERM");
      assertEquals("stopped", sandbox.nextLine());
      assertFalse(Files.exists(dir.resolve("env")), "env is removed when the servers stop");
    }

    int vaultPort = freePort();
    int kubePort = freePort();
    try (Running again = new Running(dir, "--vault-port", Integer.toString(vaultPort),
        "--kube-port", Integer.toString(kubePort))) {
      String ready = again.nextLine();
      assertTrue(ready.startsWith("ready vault=https://127.0.0.1:" + vaultPort + " kubernetes="
          + "https://127.0.0.1:" + kubePort + " "), ready);
      assertEquals(firstCa, Files.readString(dir.resolve("ca.crt")), "the CA is reused");
      Map<String, String> env = readEnv(dir.resolve("env"));
      get(client(dir.resolve("ca.crt")), env.get("VAULT_ADDR") + "/v1/sys/health", "X-Ignored",
          "");
      assertEquals(143, again.terminate());
    }
    assumeTrue(kubectl().isPresent(), "no kubectl binary found: the kubectl part was skipped");
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static Optional<Path> kubectl() {
    Path sdk = Path.of("/usr/lib/google-cloud-sdk/bin");
    if (Files.isDirectory(sdk)) {
      try (Stream<Path> files = Files.list(sdk)) {
        Optional<Path> newest = files.filter(f -> f.getFileName().toString()
            .matches("kubectl\\.1\\.\\d+")).max(Comparator.comparingInt(f -> Integer.parseInt(
                f.getFileName().toString().substring("kubectl.1.".length()))));
        if (newest.isPresent()) {
          return newest;
        }
      } catch (IOException e) {
        return Optional.empty();
      }
    }
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(d, "kubectl");
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private static Map<String, String> readEnv(Path env) throws IOException {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (String line : Files.readAllLines(env)) {
      assertTrue(line.startsWith("export "), line);
      String[] kv = line.substring(7).split("=", 2);
      out.put(kv[0], kv[1].substring(1, kv[1].length() - 1));
    }
    assertEquals(List.of("VAULT_ADDR", "VAULT_TOKEN", "VAULT_CACERT", "KUBECONFIG"),
        new ArrayList<>(out.keySet()));
    return out;
  }

  private static String value(String yaml, String key) {
    return yaml.lines().map(String::strip).filter(l -> l.startsWith(key + ": ")).findFirst()
        .orElseThrow().substring(key.length() + 2);
  }

  private static OkHttpClient client(Path caFile) throws IOException {
    List<X509Certificate> roots = TestPki.parseCertificates(Files.readString(caFile),
        caFile.toString());
    X509TrustManager trust = TestPki.trustManagerFor(roots);
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new javax.net.ssl.TrustManager[] {trust}, null);
      return new OkHttpClient.Builder().sslSocketFactory(context.getSocketFactory(), trust)
          .build();
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  private static JsonNode get(OkHttpClient client, String url, String header, String value)
      throws IOException {
    try (Response r = client.newCall(new Request.Builder().url(url).header(header, value).build())
        .execute()) {
      String body = r.body().string();
      assertEquals(200, r.code(), body);
      return JSON.readTree(body);
    }
  }
}
