package io.secretsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walkthrough end to end, as a user runs it: {@code secrets-sync sandbox} in its own process,
 * the Kubernetes steps with kubectl, the Vault steps as the HTTP calls the vault CLI makes, the
 * ClusterSecretStores and ExternalSecrets applied with kubectl, then {@code secrets-sync sync --once}
 * in controller mode: the three Secrets hold the files, the ExternalSecrets say Ready=True
 * SecretSynced, and a second pass (a separate process, with --verbose) writes no Secret.
 */
class SyncControllerProcessTest {

  @TempDir Path dir;

  private static Kubectl.Result ok(Kubectl.Result r) {
    assertEquals(0, r.exitCode(), () -> "kubectl failed: " + r.err() + r.out());
    return r;
  }

  @Test
  void walkthroughWithKubectlThenSyncOnceInControllerMode() throws Exception {
    Optional<Kubectl> found = Kubectl.in(dir.resolve("work"));
    assumeTrue(found.isPresent(), "no kubectl on this machine: the walkthrough test is skipped");
    Kubectl kubectl = found.get();
    Path sandboxDir = dir.resolve("sandbox");
    try (CliProcess sandbox = CliProcess.sandbox(sandboxDir)) {
      Map<String, String> env = CliProcess.readEnv(sandboxDir.resolve("env"));
      Map<String, String> kubeEnv = Map.of("KUBECONFIG", env.get("KUBECONFIG"), "VAULT_CACERT",
          env.get("VAULT_CACERT"));
      Path work = dir.resolve("work");

      // Kubernetes, as the walkthrough runs it: the reviewer service account, its token and the
      // cluster's CA and address for Vault; ESO's namespace and service account (the Helm chart's);
      // the CA ConfigMap; the apps' namespaces; the ClusterSecretStores and ExternalSecrets.
      Files.writeString(work.resolve("vault-auth-token.yaml"), """
          apiVersion: v1
          kind: Secret
          metadata:
            name: vault-auth-token
            namespace: vault-auth
            annotations:
              kubernetes.io/service-account.name: vault-auth
          type: kubernetes.io/service-account-token
          """);
      Walkthrough.writeManifests(work.resolve("manifests"), env.get("VAULT_ADDR"));
      String applied = ok(kubectl.sh("""
          set -e
          kubectl create namespace vault-auth --dry-run=client -o yaml | kubectl apply -f -
          kubectl -n vault-auth create serviceaccount vault-auth
          kubectl create clusterrolebinding vault-auth-tokenreview \\
            --clusterrole=system:auth-delegator \\
            --serviceaccount=vault-auth:vault-auth
          kubectl apply -f vault-auth-token.yaml
          TOKEN_REVIEWER_JWT=$(kubectl -n vault-auth get secret vault-auth-token -o jsonpath='{.data.token}' | base64 -d)
          kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d > ca.crt
          kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}' > server.txt
          printf %s "$TOKEN_REVIEWER_JWT" > reviewer.jwt
          kubectl create namespace external-secrets
          kubectl -n external-secrets create serviceaccount external-secrets
          kubectl -n external-secrets create configmap vault-ca \\
            --from-file=ca.crt="$VAULT_CACERT" \\
            --dry-run=client -o yaml | kubectl apply -f -
          for app in example-api example-worker example-admin; do kubectl create namespace $app; done
          kubectl apply -f manifests/
          """, kubeEnv)).out();
      assertTrue(applied.contains("clustersecretstore.external-secrets.io/vault-example-api created"), applied);
      assertTrue(applied.contains("externalsecret.external-secrets.io/example-admin-config-file created"), applied);

      // Vault: auth enable, auth config, policies, roles, kv put (the vault CLI's HTTP calls).
      Walkthrough.Vault vault = Walkthrough.Vault.of(env.get("VAULT_ADDR"), env.get("VAULT_TOKEN"),
          Path.of(env.get("VAULT_CACERT")));
      vault.configure(Files.readString(work.resolve("server.txt")), Files.readString(work.resolve("ca.crt")),
          Files.readString(work.resolve("reviewer.jwt")));

      // One pass in controller mode.
      SyncCommandTest.Run first = SyncCommandTest.runWith(new SyncCommand(), "", "--once", "--kubeconfig",
          env.get("KUBECONFIG"));
      assertEquals(0, first.exitCode(), first.out() + first.err());
      assertEquals("""
          example-admin/example-admin-config-file: synced -> Secret example-admin/example-admin-config-file (created)
          example-api/example-api-env-file: synced -> Secret example-api/example-api-env-file (created)
          example-worker/example-worker-config-file: synced -> Secret example-worker/example-worker-config-file (created)
          """, first.out());

      Kubectl.Result got = ok(kubectl.sh("kubectl get secrets -A -l reconcile.external-secrets.io/managed=true "
          + "-o json > secrets.json && kubectl get externalsecrets -A -o json > es.json", kubeEnv));
      Map<String, JsonNode> secrets = items(Files.readString(work.resolve("secrets.json")));
      Map<String, JsonNode> externalSecrets = items(Files.readString(work.resolve("es.json")));
      assertEquals(3, secrets.size(), got.out());
      for (Walkthrough.App app : Walkthrough.APPS) {
        JsonNode data = secrets.get(app.namespace() + "/" + app.secret()).path("data");
        assertEquals(List.of(app.key()), List.copyOf(data.properties().stream().map(Map.Entry::getKey).toList()));
        assertEquals(app.content(), new String(java.util.Base64.getDecoder().decode(data.path(app.key()).asText()),
            StandardCharsets.UTF_8), app.secret());
        JsonNode ready = null;
        for (JsonNode c : externalSecrets.get(app.namespace() + "/" + app.secret()).path("status").path("conditions")) {
          if (c.path("type").asText().equals("Ready")) {
            ready = c;
          }
        }
        assertTrue(ready != null, app.secret() + " has a Ready condition");
        assertEquals("True SecretSynced", ready.path("status").asText() + " " + ready.path("reason").asText());
      }
      String before = resourceVersions(kubectl, kubeEnv);
      assertEquals(3, before.lines().count(), before);

      // A second pass, with request logging: nothing to write.
      CliProcess.Result second = CliProcess.run("sync", "--once", "--verbose", "--kubeconfig",
          env.get("KUBECONFIG"));
      assertEquals(0, second.exitCode(), second.out() + second.err());
      assertEquals(3, second.out().lines().filter(l -> l.endsWith("(unchanged)")).count(), second.out());
      assertEquals(before, resourceVersions(kubectl, kubeEnv), "no Secret was written by the second pass");
      assertTrue(second.err().lines().anyMatch(l -> l.matches(
          ".*io\\.secretsync\\.vault\\.requests - POST /v1/auth/kubernetes/login -> 200 \\(\\d+ ms\\)")), second.err());
      assertTrue(second.err().lines().anyMatch(l -> l.matches(
          ".*io\\.secretsync\\.vault\\.requests - GET /v1/secret/data/example-api/env-file -> 200 \\(\\d+ ms\\)")),
          second.err());
      assertTrue(second.err().lines().anyMatch(l -> l.matches(".*io\\.secretsync\\.kubernetes\\.requests - GET "
          + "/api/v1/namespaces/example-api/secrets/example-api-env-file -> 200 \\(\\d+ ms\\)")), second.err());
      assertFalse(second.err().lines().anyMatch(l -> l.contains("secrets/example-api-env-file")
          && (l.startsWith("PUT") || l.contains(" PUT ") || l.contains(" POST /api/v1/namespaces/example-api/secrets"))),
          second.err());
      assertEquals(List.of(), second.err().lines()
          .filter(l -> l.matches(".*io\\.secretsync\\.kubernetes\\.requests - (PUT|PATCH|DELETE|POST) .*"))
          .filter(l -> !l.contains("/token ") && !l.contains("tokenreviews"))
          .toList(), "the second pass writes no Secret, status or Event");
      String everything = first.out() + first.err() + second.out() + second.err();
      assertFalse(everything.contains(env.get("VAULT_TOKEN")), "no Vault token in the output");
      assertFalse(everything.contains(Files.readString(work.resolve("reviewer.jwt"))), "no JWT in the output");
      for (Walkthrough.App app : Walkthrough.APPS) {
        for (String line : app.content().split("\n")) {
          assertFalse(everything.contains(line), "no value in the output");
        }
      }
    }
  }

  private static String resourceVersions(Kubectl kubectl, Map<String, String> env) {
    return ok(kubectl.sh("kubectl get secrets -A -l reconcile.external-secrets.io/managed=true -o jsonpath="
        + "'{range .items[*]}{.metadata.namespace}/{.metadata.name}={.metadata.resourceVersion}{\"\\n\"}{end}'",
        env)).out();
  }

  /** The items of {@code kubectl get <kind> -A -o json}, by namespace/name. */
  private static Map<String, JsonNode> items(String json) {
    Map<String, JsonNode> out = new java.util.TreeMap<>();
    for (JsonNode item : SyncCommandTest.readJson(json).path("items")) {
      out.put(item.path("metadata").path("namespace").asText() + "/" + item.path("metadata").path("name").asText(),
          item);
    }
    return out;
  }
}
