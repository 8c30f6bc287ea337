package io.secretsync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The walkthrough's kubectl commands, verbatim, against FakeKubernetes, with the oldest and the
 * newest kubectl that can drive it. Skipped (with the reason) only where no kubectl exists.
 */
class KubectlWalkthroughTest {
  private static final Path SDK = Path.of("/usr/lib/google-cloud-sdk/bin");

  /** The oldest and the newest kubectl on the machine images. */
  static Stream<String> kubectls() {
    List<String> found = new ArrayList<>();
    for (String version : List.of("1.27", "1.33")) {
      Path binary = SDK.resolve("kubectl." + version);
      if (Files.isExecutable(binary)) {
        found.add(binary.toString());
      }
    }
    if (found.isEmpty()) {
      found.add("kubectl");
    }
    return found.stream();
  }

  private record Run(int exit, String out) {}

  private static Run sh(Path dir, Path kubeconfig, String kubectl, String script) throws IOException,
      InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("sh", "-c", script).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    pb.environment().put("PATH", dir + ":" + System.getenv("PATH"));
    Files.deleteIfExists(dir.resolve("kubectl"));
    Files.createSymbolicLink(dir.resolve("kubectl"), Path.of(kubectl).toAbsolutePath());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return new Run(p.exitValue(), out);
  }

  private static boolean available(String kubectl) {
    try {
      Process p = new ProcessBuilder(kubectl, "version", "--client").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kubectls")
  void walkthroughCommandsRunVerbatim(String kubectl, @TempDir Path dir) throws Exception {
    assumeTrue(available(kubectl), "no kubectl binary on this machine (" + kubectl + ")");
    try (FakeKubernetes kube = FakeKubernetes.builder().withEsoCrds().start()) {
      Path kubeconfig = kube.writeKubeconfig(dir.resolve("kubeconfig"), "sandbox");
      Files.writeString(dir.resolve("vault-auth-token.yaml"), """
          apiVersion: v1
          kind: Secret
          metadata:
            name: vault-auth-token
            namespace: vault-auth
            annotations:
              kubernetes.io/service-account.name: vault-auth
          type: kubernetes.io/service-account-token
          """);
      for (String file : List.of("cluster-secret-store-example-api.yaml", "external-secret-example-api.yaml")) {
        try (var in = getClass().getResourceAsStream("/io/secretsync/testkit/walkthrough/" + file)) {
          Files.write(dir.resolve(file), in.readAllBytes());
        }
      }
      Files.writeString(dir.resolve("vault-ca.crt"), kube.caCertificatePem());

      Run run = sh(dir, kubeconfig, kubectl, """
          set -e
          kubectl create namespace vault-auth --dry-run=client -o yaml | kubectl apply -f -
          kubectl -n vault-auth create serviceaccount vault-auth
          kubectl create clusterrolebinding vault-auth-tokenreview \\
            --clusterrole=system:auth-delegator \\
            --serviceaccount=vault-auth:vault-auth
          kubectl apply -f vault-auth-token.yaml
          TOKEN_REVIEWER_JWT=$(kubectl -n vault-auth get secret vault-auth-token -o jsonpath='{.data.token}' | base64 -d)
          echo "$TOKEN_REVIEWER_JWT" > reviewer.jwt
          kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d > ca.crt
          kubectl create namespace external-secrets --dry-run=client -o yaml | kubectl apply -f -
          kubectl -n external-secrets create configmap vault-ca \\
            --from-file=ca.crt=./vault-ca.crt \\
            --dry-run=client -o yaml | kubectl apply -f -
          kubectl get crd | grep external-secrets
          kubectl apply -f cluster-secret-store-example-api.yaml
          kubectl create namespace example-api
          kubectl apply -f external-secret-example-api.yaml
          kubectl get clustersecretstore
          kubectl describe clustersecretstore vault-example-api
          kubectl -n vault-auth create token vault-auth > created.jwt
          kubectl -n example-api get externalsecret example-api-env-file -o yaml
          """);

      assertEquals(0, run.exit(), run.out());
      String out = run.out();
      assertTrue(out.contains("namespace/vault-auth created"), out);
      assertTrue(out.contains("serviceaccount/vault-auth created"), out);
      assertTrue(out.contains("clusterrolebinding.rbac.authorization.k8s.io/vault-auth-tokenreview created"), out);
      assertTrue(out.contains("secret/vault-auth-token created"), out);
      assertTrue(out.contains("configmap/vault-ca created"), out);
      for (String crd : List.of("clustersecretstores", "externalsecrets", "pushsecrets", "secretstores")) {
        assertTrue(out.contains(crd + ".external-secrets.io"), out);
      }
      assertTrue(out.contains("clustersecretstore.external-secrets.io/vault-example-api created"), out);
      assertTrue(out.contains("externalsecret.external-secrets.io/example-api-env-file created"), out);
      assertTrue(out.matches("(?s).*NAME\\s+AGE\\s+STATUS\\s+CAPABILITIES\\s+READY\\s+vault-example-api.*"), out);
      assertTrue(out.contains("Role:        external-secrets-example-api"), out);
      assertTrue(out.contains("property: dotenv"), out);

      String reviewerJwt = Files.readString(dir.resolve("reviewer.jwt")).trim();
      assertEquals(3, reviewerJwt.split("\\.").length, "the token controller filled in a JWT");
      assertEquals(kube.caCertificatePem().trim(), Files.readString(dir.resolve("ca.crt")).trim());
      assertEquals(3, Files.readString(dir.resolve("created.jwt")).trim().split("\\.").length);
      String caInConfigMap = kube.get("/api/v1/namespaces/external-secrets/configmaps/vault-ca").orElseThrow()
          .path("data").path("ca.crt").asText();
      assertEquals(kube.caCertificatePem().trim(), caInConfigMap.trim());
      String claims = new String(Base64.getUrlDecoder().decode(reviewerJwt.split("\\.")[1]), StandardCharsets.UTF_8);
      assertTrue(claims.contains("\"sub\":\"system:serviceaccount:vault-auth:vault-auth\""), claims);

      Run again = sh(dir, kubeconfig, kubectl, "kubectl apply -f vault-auth-token.yaml && "
          + "kubectl apply --server-side -f external-secret-example-api.yaml && kubectl -n example-api get secret");
      assertEquals(0, again.exit(), again.out());
      assertTrue(again.out().contains("secret/vault-auth-token unchanged"), again.out());
      assertTrue(again.out().contains("externalsecret.external-secrets.io/example-api-env-file serverside-applied"),
          again.out());
    }
  }
}
