package io.secretsync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The walkthrough's kubectl commands, verbatim where they touch Kubernetes, run by the oldest and the
 * newest kubectl on this machine against a fresh FakeKubernetes with the ESO CRDs installed (what the
 * sandbox starts). Steps that need a controller (ESO's store status and Secret, its events) are
 * written through the fake's Java API as ESO would write them.
 */
class KubectlWalkthroughTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String VAULT_AUTH_TOKEN_YAML = """
      apiVersion: v1
      kind: Secret
      metadata:
        name: vault-auth-token
        namespace: vault-auth
        annotations:
          kubernetes.io/service-account.name: vault-auth
      type: kubernetes.io/service-account-token
      """;

  private static final String CLUSTER_SECRET_STORE_YAML = """
      apiVersion: external-secrets.io/v1
      kind: ClusterSecretStore
      metadata:
        name: vault-example-api
      spec:
        provider:
          vault:
            server: "https://vault.example.internal:8200"
            path: "secret"
            version: "v2"
            caProvider:
              type: ConfigMap
              name: vault-ca
              namespace: external-secrets
              key: ca.crt
            auth:
              kubernetes:
                mountPath: kubernetes
                role: external-secrets-example-api
                serviceAccountRef:
                  name: external-secrets
                  namespace: external-secrets
      """;

  private static final String EXTERNAL_SECRET_YAML = """
      apiVersion: external-secrets.io/v1
      kind: ExternalSecret
      metadata:
        name: example-api-env-file
        namespace: example-api
      spec:
        refreshInterval: 2m
        secretStoreRef:
          name: vault-example-api
          kind: ClusterSecretStore
        target:
          name: example-api-env-file
          creationPolicy: Owner
        data:
          - secretKey: .env
            remoteRef:
              key: example-api/env-file
              property: dotenv
      """;

  @TempDir Path dir;

  static Stream<Arguments> kubectls() {
    List<Kubectl.Binary> binaries = Kubectl.oldestAndNewest();
    if (binaries.isEmpty()) {
      return Stream.of(Arguments.of((Object) null));
    }
    return binaries.stream().map(Arguments::of);
  }

  private Kubectl kubectl(Kubectl.Binary binary, FakeKubernetes kube) throws Exception {
    assumeTrue(binary != null, Kubectl.SKIP_MESSAGE);
    Path kubeconfig = kube.writeKubeconfig(dir.resolve("kubeconfig"), Sandbox.CONTEXT);
    return new Kubectl(binary, dir, kubeconfig);
  }

  private static Kubectl.Result ok(Kubectl.Result r) {
    assertEquals(0, r.exitCode(), () -> "kubectl failed: " + r.err());
    return r;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kubectls")
  void walkthroughCommandsRunVerbatim(Kubectl.Binary binary) throws Exception {
    try (FakeKubernetes kube = FakeKubernetes.builder().withEsoCrds().start()) {
      Kubectl k = kubectl(binary, kube);

      // Configure Vault Kubernetes auth: the reviewer service account and its token.
      assertEquals("namespace/vault-auth created\n", ok(k.sh(
          "kubectl create namespace vault-auth --dry-run=client -o yaml | kubectl apply -f -"))
          .out());
      assertEquals("serviceaccount/vault-auth created\n",
          ok(k.sh("kubectl -n vault-auth create serviceaccount vault-auth")).out());
      assertEquals("clusterrolebinding.rbac.authorization.k8s.io/vault-auth-tokenreview created\n",
          ok(k.sh("""
              kubectl create clusterrolebinding vault-auth-tokenreview \\
                --clusterrole=system:auth-delegator \\
                --serviceaccount=vault-auth:vault-auth""")).out());
      JsonNode binding = kube.get("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", null,
          "vault-auth-tokenreview").orElseThrow();
      assertEquals("system:auth-delegator", binding.path("roleRef").path("name").asText());
      assertEquals("vault-auth", binding.path("subjects").get(0).path("namespace").asText());

      Files.writeString(dir.resolve("vault-auth-token.yaml"), VAULT_AUTH_TOKEN_YAML);
      assertEquals("secret/vault-auth-token created\n",
          ok(k.sh("kubectl apply -f vault-auth-token.yaml")).out());
      ok(k.sh("""
          TOKEN_REVIEWER_JWT=$(kubectl -n vault-auth get secret vault-auth-token -o jsonpath='{.data.token}' | base64 -d)
          kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d > ca.crt
          printf %s "$TOKEN_REVIEWER_JWT" > reviewer.jwt"""));
      String reviewerJwt = Files.readString(dir.resolve("reviewer.jwt"));
      JsonNode review = kube.tokenReview(reviewerJwt, List.of());
      assertTrue(review.path("authenticated").asBoolean(), review::toString);
      assertEquals("system:serviceaccount:vault-auth:vault-auth",
          review.path("user").path("username").asText());
      assertEquals(kube.caCertificatePem(), Files.readString(dir.resolve("ca.crt")));

      // Create ClusterSecretStore: the CA ConfigMap in the operator's namespace.
      ok(k.sh("kubectl create namespace external-secrets"));
      Files.writeString(dir.resolve("vault-ca.crt"), kube.caCertificatePem());
      assertEquals("configmap/vault-ca created\n", ok(k.sh("""
          kubectl -n external-secrets create configmap vault-ca \\
            --from-file=ca.crt=./vault-ca.crt \\
            --dry-run=client -o yaml | kubectl apply -f -""")).out());
      assertEquals(kube.caCertificatePem(), kube.get("v1", "ConfigMap", "external-secrets",
          "vault-ca").orElseThrow().path("data").path("ca.crt").asText());

      Files.writeString(dir.resolve("cluster-secret-store.yaml"), CLUSTER_SECRET_STORE_YAML);
      assertEquals("clustersecretstore.external-secrets.io/vault-example-api created\n",
          ok(k.sh("kubectl apply -f cluster-secret-store.yaml")).out());
      assertEquals("clustersecretstore.external-secrets.io/vault-example-api unchanged\n",
          ok(k.sh("kubectl apply -f cluster-secret-store.yaml")).out());

      // Create ExternalSecret.
      ok(k.sh("kubectl create namespace example-api"));
      Files.writeString(dir.resolve("external-secret.yaml"), EXTERNAL_SECRET_YAML);
      assertEquals("externalsecret.external-secrets.io/example-api-env-file created\n",
          ok(k.sh("kubectl apply -f external-secret.yaml")).out());

      // Validate.
      assertEquals("No resources found in external-secrets namespace.\n",
          ok(k.sh("kubectl -n external-secrets get pods")).err());
      List<String> crds = ok(k.sh("kubectl get crd | grep external-secrets")).out().lines()
          .map(l -> l.split("\\s+")[0]).toList();
      assertEquals(List.of("clustersecretstores.external-secrets.io",
          "externalsecrets.external-secrets.io", "pushsecrets.external-secrets.io",
          "secretstores.external-secrets.io"), crds);

      markStoreReady(kube);
      List<String> stores = ok(k.sh("kubectl get clustersecretstore")).out().lines().toList();
      assertEquals(List.of("NAME", "AGE", "STATUS", "CAPABILITIES", "READY"),
          List.of(stores.get(0).split("\\s+")));
      List<String> row = List.of(stores.get(1).split("\\s+"));
      assertEquals("vault-example-api", row.get(0));
      assertEquals(List.of("Valid", "ReadWrite", "True"), row.subList(2, 5));

      String describe = ok(k.sh("kubectl describe clustersecretstore vault-example-api")).out();
      assertTrue(describe.startsWith("Name:         vault-example-api\n"), describe);
      for (String expected : List.of("Kind:\\s+ClusterSecretStore",
          "API Version:\\s+external-secrets.io/v1", "Role:\\s+external-secrets-example-api",
          "Server:\\s+https://vault.example.internal:8200", "Reason:\\s+Valid",
          "Normal\\s+Valid\\s+\\S+\\s+clustersecretstore\\s+store validated")) {
        assertTrue(describe.lines().anyMatch(l -> l.strip().matches(expected)),
            () -> "describe has no line '" + expected + "':\n" + describe);
      }

      Kubectl.Result missing = k.sh("kubectl -n example-api get secret example-api-env-file");
      assertEquals(1, missing.exitCode());
      assertEquals("Error from server (NotFound): secrets \"example-api-env-file\" not found\n",
          missing.err());
      writeSyncedSecret(kube);
      List<String> secret = ok(k.sh("kubectl -n example-api get secret example-api-env-file"))
          .out().lines().toList();
      assertEquals(List.of("NAME", "TYPE", "DATA", "AGE"), List.of(secret.get(0).split("\\s+")));
      assertEquals(List.of("example-api-env-file", "Opaque", "1"),
          List.of(secret.get(1).split("\\s+")).subList(0, 3));

      // Deleting the ExternalSecret garbage-collects the Secret it owns.
      ok(k.sh("kubectl -n example-api delete externalsecret example-api-env-file"));
      assertTrue(kube.get("v1", "Secret", "example-api", "example-api-env-file").isEmpty());
    }
  }

  /** ESO's status and event for a valid store. */
  private static void markStoreReady(FakeKubernetes kube) {
    ObjectNode store = (ObjectNode) kube.get("external-secrets.io/v1", "ClusterSecretStore", null,
        "vault-example-api").orElseThrow().deepCopy();
    ObjectNode status = store.putObject("status");
    status.put("capabilities", "ReadWrite");
    ObjectNode ready = status.putArray("conditions").addObject();
    ready.put("type", "Ready");
    ready.put("status", "True");
    ready.put("reason", "Valid");
    ready.put("message", "store validated");
    ready.put("lastTransitionTime", "2026-01-10T12:00:00Z");
    kube.updateStatus(store);

    ObjectNode event = JSON.createObjectNode();
    event.put("apiVersion", "v1");
    event.put("kind", "Event");
    event.putObject("metadata").put("name", "vault-example-api.1810a2b3c4d5e6f7")
        .put("namespace", "default");
    ObjectNode involved = event.putObject("involvedObject");
    involved.put("apiVersion", "external-secrets.io/v1");
    involved.put("kind", "ClusterSecretStore");
    involved.put("name", "vault-example-api");
    involved.put("uid", store.path("metadata").path("uid").asText());
    event.put("reason", "Valid");
    event.put("message", "store validated");
    event.put("type", "Normal");
    event.putObject("source").put("component", "clustersecretstore");
    String now = Instant.now().toString();
    event.put("firstTimestamp", now.replaceAll("\\.\\d+Z$", "Z"));
    event.put("lastTimestamp", now.replaceAll("\\.\\d+Z$", "Z"));
    event.put("count", 1);
    kube.create(event);
  }

  /** The Secret ESO writes for the ExternalSecret: owned by it, with its label and data. */
  private static void writeSyncedSecret(FakeKubernetes kube) {
    JsonNode es = kube.get("external-secrets.io/v1", "ExternalSecret", "example-api",
        "example-api-env-file").orElseThrow();
    ObjectNode secret = JSON.createObjectNode();
    secret.put("apiVersion", "v1");
    secret.put("kind", "Secret");
    ObjectNode meta = secret.putObject("metadata");
    meta.put("name", "example-api-env-file");
    meta.put("namespace", "example-api");
    meta.putObject("labels").put("reconcile.external-secrets.io/managed", "true");
    ObjectNode owner = meta.putArray("ownerReferences").addObject();
    owner.put("apiVersion", "external-secrets.io/v1");
    owner.put("kind", "ExternalSecret");
    owner.put("name", "example-api-env-file");
    owner.put("uid", es.path("metadata").path("uid").asText());
    owner.put("controller", true);
    owner.put("blockOwnerDeletion", true);
    secret.putObject("data").put(".env", java.util.Base64.getEncoder()
        .encodeToString("API_KEY=example\n".getBytes(StandardCharsets.UTF_8)));
    secret.put("type", "Opaque");
    kube.create(secret);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kubectls")
  void createTokenIssuesATokenTheApiServerAcceptsForItsAudience(Kubectl.Binary binary)
      throws Exception {
    try (FakeKubernetes kube = FakeKubernetes.start()) {
      Kubectl k = kubectl(binary, kube);
      ok(k.sh("kubectl create namespace external-secrets && "
          + "kubectl -n external-secrets create serviceaccount external-secrets"));
      ok(k.sh("kubectl -n external-secrets create token external-secrets --audience vault "
          + "--duration 20m > vault.jwt && kubectl -n external-secrets create token "
          + "external-secrets > api.jwt"));
      String vaultJwt = Files.readString(dir.resolve("vault.jwt")).strip();
      String apiJwt = Files.readString(dir.resolve("api.jwt")).strip();
      JsonNode forVault = kube.tokenReview(vaultJwt, List.of("vault"));
      assertTrue(forVault.path("authenticated").asBoolean(), forVault::toString);
      assertEquals("system:serviceaccount:external-secrets:external-secrets",
          forVault.path("user").path("username").asText());
      assertEquals(List.of("vault"), strings(forVault.path("audiences")));
      assertTrue(kube.tokenReview(vaultJwt, List.of()).path("error").asText()
          .contains("is invalid for the target audiences"));
      assertTrue(kube.tokenReview(apiJwt, List.of()).path("authenticated").asBoolean());

      // The API server itself accepts the default-audience token as a bearer token.
      Path saKubeconfig = dir.resolve("sa-kubeconfig");
      Files.writeString(saKubeconfig, kube.kubeconfig("sa").replace(kube.adminToken(), apiJwt));
      Kubectl.Result whoami = ok(k.run("--kubeconfig", saKubeconfig.toString(), "get",
          "serviceaccount", "external-secrets", "-n", "external-secrets", "-o",
          "jsonpath={.metadata.name}"));
      assertEquals("external-secrets", whoami.out());
      Files.writeString(saKubeconfig, kube.kubeconfig("sa").replace(kube.adminToken(), vaultJwt));
      Kubectl.Result refused = k.run("--kubeconfig", saKubeconfig.toString(), "get", "ns");
      assertNotEquals(0, refused.exitCode());
      assertTrue(refused.err().contains("Unauthorized"), refused::err);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kubectls")
  void defaultStrictValidationIsDoneByTheServer(Kubectl.Binary binary) throws Exception {
    try (FakeKubernetes kube = FakeKubernetes.start()) {
      Kubectl k = kubectl(binary, kube);
      Files.writeString(dir.resolve("typo.yaml"), """
          apiVersion: v1
          kind: Secret
          metadata:
            name: typo
          stringdata:
            password: s3cret
          """);
      Kubectl.Result r = k.sh("kubectl apply -f typo.yaml");
      assertEquals(1, r.exitCode());
      assertTrue(r.err().contains("strict decoding error: unknown field \"stringdata\""),
          r::err);
      assertTrue(kube.get("v1", "Secret", "default", "typo").isEmpty());

      Kubectl.Result serverSide = ok(k.sh("kubectl apply --server-side -f - <<'EOF'\n"
          + "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n"
          + "EOF"));
      assertEquals("configmap/settings serverside-applied\n", serverSide.out());
      JsonNode cm = kube.get("v1", "ConfigMap", "default", "settings").orElseThrow();
      assertEquals("kubectl", cm.path("metadata").path("managedFields").get(0).path("manager")
          .asText());
      assertEquals("Apply", cm.path("metadata").path("managedFields").get(0).path("operation")
          .asText());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kubectls")
  void clientSideApplyPatchesTheChangesAgainstTheLastAppliedConfiguration(Kubectl.Binary binary)
      throws Exception {
    try (FakeKubernetes kube = FakeKubernetes.start()) {
      Kubectl k = kubectl(binary, kube);
      Files.writeString(dir.resolve("settings.yaml"), """
          apiVersion: v1
          kind: ConfigMap
          metadata:
            name: settings
            labels: {tier: web}
          data:
            mode: fast
            level: "3"
          """);
      assertEquals("configmap/settings created\n", ok(k.sh("kubectl apply -f settings.yaml")).out());
      kube.call("PATCH", "/api/v1/namespaces/default/configmaps/settings",
          "{\"data\":{\"added-by-someone-else\":\"x\"}}", false);
      Files.writeString(dir.resolve("settings.yaml"), """
          apiVersion: v1
          kind: ConfigMap
          metadata:
            name: settings
            labels: {tier: web}
          data:
            mode: slow
          """);
      assertEquals("configmap/settings configured\n",
          ok(k.sh("kubectl apply -f settings.yaml")).out());
      JsonNode cm = kube.get("v1", "ConfigMap", "default", "settings").orElseThrow();
      assertEquals("{\"mode\":\"slow\",\"added-by-someone-else\":\"x\"}",
          cm.path("data").toString(), "removed keys go, keys applied by others stay");
      assertTrue(cm.path("metadata").path("annotations")
          .has("kubectl.kubernetes.io/last-applied-configuration"));
      assertEquals("configmap/settings unchanged\n",
          ok(k.sh("kubectl apply -f settings.yaml")).out());
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
