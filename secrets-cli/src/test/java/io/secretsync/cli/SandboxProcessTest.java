package io.secretsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.testkit.TestPki;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code secrets-sync sandbox} as a separate process: files, both servers over HTTPS, clean stop on SIGTERM. */
class SandboxProcessTest {

  @Test
  void sandboxServesVaultAndKubernetesUntilTerminated(@TempDir Path dir) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        SecretsSyncCommand.class.getName(), "sandbox", "--dir", dir.toString())
        .redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String ready = out.readLine();
      assertTrue(ready != null && ready.startsWith("ready "), String.valueOf(ready));
      assertTrue(Files.exists(dir.resolve("env")), "env is written before ready is printed");
      Map<String, String> env = new HashMap<>();
      for (String line : Files.readAllLines(dir.resolve("env"))) {
        String[] kv = line.substring("export ".length()).split("=", 2);
        env.put(kv[0], kv[1].replaceAll("^'|'$", ""));
      }
      assertEquals(Path.of(env.get("VAULT_CACERT")), dir.resolve("ca.crt").toAbsolutePath());
      assertEquals(Files.readString(dir.resolve("vault-token")).trim(), env.get("VAULT_TOKEN"));

      TestPki pki = TestPki.load(dir.resolve("ca.crt"), dir.resolve("ca.key"));
      OkHttpClient http = new OkHttpClient.Builder()
          .sslSocketFactory(pki.clientSslContext().getSocketFactory(), pki.trustManager()).build();
      String vault = env.get("VAULT_ADDR");
      try (Response put = http.newCall(new Request.Builder().url(vault + "/v1/secret/data/example-api/env-file")
          .header("X-Vault-Token", env.get("VAULT_TOKEN"))
          .post(RequestBody.create("{\"data\":{\"dotenv\":\"A=1\"}}", MediaType.get("application/json"))).build())
          .execute()) {
        assertEquals(200, put.code(), put.body().string());
      }
      try (Response health = http.newCall(new Request.Builder().url(vault + "/v1/sys/health").build()).execute()) {
        assertTrue(health.body().string().contains("\"sealed\":false"));
      }

      String kubeconfig = Files.readString(Path.of(env.get("KUBECONFIG")));
      String server = kubeconfig.lines().filter(l -> l.trim().startsWith("server:")).findFirst().orElseThrow()
          .trim().substring("server:".length()).trim();
      String token = kubeconfig.lines().filter(l -> l.trim().startsWith("token:")).findFirst().orElseThrow()
          .trim().substring("token:".length()).trim();
      try (Response crds = http.newCall(new Request.Builder()
          .url(server + "/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
          .header("Authorization", "Bearer " + token).build()).execute()) {
        assertTrue(crds.body().string().contains("externalsecrets.external-secrets.io"));
      }
      Path kubectl = Path.of("/usr/lib/google-cloud-sdk/bin/kubectl.1.33");
      if (Files.isExecutable(kubectl)) {
        ProcessBuilder pb = new ProcessBuilder(kubectl.toString(), "get", "namespaces").redirectErrorStream(true);
        pb.environment().put("KUBECONFIG", env.get("KUBECONFIG"));
        Process k = pb.start();
        String text = new String(k.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(k.waitFor(30, TimeUnit.SECONDS));
        assertTrue(text.contains("kube-system"), text);
      }

      process.destroy();
      assertTrue(process.waitFor(20, TimeUnit.SECONDS), "SIGTERM stops the sandbox");
      int port = Integer.parseInt(vault.substring(vault.lastIndexOf(':') + 1));
      assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
      for (String file : List.of("ca.crt", "ca.key", "kubeconfig", "vault-token", "env")) {
        assertTrue(Files.exists(dir.resolve(file)), file);
      }
    } finally {
      process.destroyForcibly();
    }
  }
}
