package io.secretsync.kubernetes;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.FakeVault;
import io.secretsync.testkit.Sandbox;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.StreamSupport;

/**
 * A Sandbox (FakeVault + FakeKubernetes with ESO's CRDs) prepared for the controller tests: a
 * ClusterSecretStore {@code vault} reading KV v2 at {@code secret/} with a token kept in the Secret
 * {@code secrets-sync/vault-token}, and helpers to create ExternalSecrets and read what the API shows.
 */
final class ControllerCluster implements AutoCloseable {
  static final String STORE = "vault";

  final Sandbox sandbox;
  final FakeKubernetes kube;
  final FakeVault vault;
  final KubernetesClient client;

  ControllerCluster() {
    sandbox = Sandbox.start();
    kube = sandbox.kubernetes().orElseThrow();
    vault = sandbox.vault().orElseThrow();
    client = TestFiles.adminClient(kube);
    kube.createNamespace("secrets-sync");
    vault.policies().put("reader", "path \"secret/data/*\" { capabilities = [\"read\"] }\n"
        + "path \"secret/metadata/*\" { capabilities = [\"read\", \"list\"] }\n");
    String token = vault.createToken(List.of("reader"), Duration.ofHours(24));
    kube.apply("apiVersion: v1\nkind: Secret\nmetadata: {name: vault-token, namespace: secrets-sync}\n"
        + "stringData: {token: " + token + "}\n");
    kube.apply(clusterStore(STORE));
  }

  String clusterStore(String name) {
    String ca = Base64.getEncoder().encodeToString(vault.caCertificatePem().getBytes(StandardCharsets.UTF_8));
    return "apiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata: {name: " + name + "}\n"
        + "spec:\n  provider:\n    vault:\n      server: " + vault.address() + "\n      path: secret\n"
        + "      version: v2\n      caBundle: " + ca + "\n"
        + "      auth:\n        tokenSecretRef: {name: vault-token, namespace: secrets-sync, key: token}\n";
  }

  /** An ExternalSecret reading {@code password} from {@code secret/<ns>/<name>} into the Secret {@code <name>-creds}. */
  static String externalSecret(String ns, String name, String refreshInterval, String creationPolicy) {
    return "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: " + name + ", namespace: " + ns
        + "}\nspec:\n  refreshInterval: \"" + refreshInterval + "\"\n"
        + "  secretStoreRef: {name: " + STORE + ", kind: ClusterSecretStore}\n"
        + "  target: {name: " + name + "-creds, creationPolicy: " + creationPolicy + "}\n"
        + "  data:\n  - secretKey: password\n    remoteRef: {key: " + ns + "/" + name + ", property: password}\n";
  }

  void putPassword(String ns, String name, String password) {
    vault.kv("secret").put(ns + "/" + name, Map.of("password", password));
  }

  Optional<String> password(String ns, String secretName) {
    return kube.secretData(ns, secretName).map(d -> d.get("password"))
        .map(v -> new String(v, StandardCharsets.UTF_8));
  }

  JsonNode externalSecretObject(String ns, String name) {
    return kube.get("external-secrets.io/v1", "ExternalSecret", ns, name).orElseThrow();
  }

  JsonNode readyCondition(JsonNode object) {
    for (JsonNode c : object.path("status").path("conditions")) {
      if (c.path("type").asText().equals("Ready")) {
        return c;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  /** The core/v1 Events about {@code kind ns/name}, oldest first. */
  List<JsonNode> events(String ns, String kind, String name) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode e : kube.list("v1", "Event", ns.isEmpty() ? "default" : ns)) {
      JsonNode about = e.path("involvedObject");
      if (about.path("kind").asText().equals(kind) && about.path("name").asText().equals(name)) {
        out.add(e);
      }
    }
    return out;
  }

  static List<String> reasons(List<JsonNode> events) {
    return events.stream().map(e -> e.path("reason").asText()).toList();
  }

  static List<JsonNode> list(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).toList();
  }

  /** Waits for a condition the controller's threads bring about; fails with {@code what} after 20 s. */
  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting: " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted waiting: " + what);
      }
    }
  }

  @Override
  public void close() {
    client.close();
    sandbox.close();
  }
}
