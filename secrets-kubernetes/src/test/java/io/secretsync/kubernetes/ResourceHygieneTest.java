package io.secretsync.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.StoreContext;
import io.secretsync.core.StoreRegistry;
import io.secretsync.core.SyncEngine;
import io.secretsync.core.SyncResult;
import io.secretsync.core.manifest.ManifestLoader;
import io.secretsync.core.manifest.Manifests;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.FakeVault;
import io.secretsync.testkit.TestPki;
import io.secretsync.vault.VaultStoreProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * After 10,000 syncs with the real Vault provider (Kubernetes auth, KV v2 over HTTPS) and the real
 * Kubernetes writer, under a held Lease, and a clean shutdown: no thread, connection or file
 * descriptor is left behind, every token obtained is revoked and the Lease is released.
 * Connections are counted on the servers' side, from the kernel's table of TCP sockets.
 */
class ResourceHygieneTest {

  private static final int SECRETS = 50;
  private static final int SYNCS = 10_000;
  private static final String NS = "hygiene";

  private static FakeKubernetes kube;
  private static FakeVault vault;
  private static List<ExternalSecret> externalSecrets;
  private static String storeYaml;

  @BeforeAll
  static void startFakes() {
    TestPki pki = TestPki.create();
    kube = FakeKubernetes.builder().pki(pki).start();
    vault = FakeVault.builder().pki(pki).start();
    kube.createNamespace("vault-auth");
    kube.createServiceAccount("vault-auth", "vault-auth");
    kube.call("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "{\"metadata\":{\"name\":"
        + "\"vault-auth-tokenreview\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\","
        + "\"name\":\"system:auth-delegator\"},\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"vault-auth\","
        + "\"namespace\":\"vault-auth\"}]}", false);
    String reviewer = kube.serviceAccountToken("vault-auth", "vault-auth", List.of(FakeKubernetes.DEFAULT_AUDIENCE),
        Duration.ofHours(24));
    kube.createNamespace("external-secrets");
    kube.createServiceAccount("external-secrets", "external-secrets");
    kube.createNamespace(NS);
    kube.call("POST", "/api/v1/namespaces/external-secrets/configmaps", "{\"metadata\":{\"name\":\"vault-ca\"},"
        + "\"data\":{\"ca.crt\":" + io.secretsync.kubernetes.ApiTransport.JSON.valueToTree(vault.caCertificatePem())
        + "}}", false);
    vault.kubernetesAuth().enable().config(kube.baseUrl(), kube.caCertificatePem(), reviewer);
    vault.policies().put("hygiene", "path \"secret/data/hygiene/*\" {\n  capabilities = [\"read\"]\n}\n");
    vault.kubernetesAuth().role("hygiene", Map.of("bound_service_account_names", "external-secrets",
        "bound_service_account_namespaces", "external-secrets", "policies", "hygiene", "ttl", "1h"));
    StringBuilder manifests = new StringBuilder();
    for (int i = 0; i < SECRETS; i++) {
      vault.kv("secret").put("hygiene/db-" + i, Map.of("password", "pw-" + i + "-0"));
      manifests.append("---\napiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: db-").append(i)
          .append(", namespace: ").append(NS).append("}\nspec:\n  secretStoreRef: {name: vault, kind: ClusterSecretStore}\n")
          .append("  target: {name: db-").append(i).append("}\n  data:\n  - secretKey: password\n")
          .append("    remoteRef: {key: hygiene/db-").append(i).append(", property: password}\n");
    }
    externalSecrets = new ManifestLoader().loadString(manifests.toString(), "hygiene.yaml").throwIfErrors()
        .externalSecrets();
    storeYaml = "apiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata: {name: vault}\nspec:\n"
        + "  provider:\n    vault:\n      server: \"" + vault.address() + "\"\n      path: secret\n      version: v2\n"
        + "      caProvider: {type: ConfigMap, name: vault-ca, namespace: external-secrets, key: ca.crt}\n"
        + "      auth:\n        kubernetes:\n          mountPath: kubernetes\n          role: hygiene\n"
        + "          serviceAccountRef: {name: external-secrets, namespace: external-secrets}\n";
  }

  @AfterAll
  static void stopFakes() {
    vault.close();
    kube.close();
  }

  /** One process lifetime: clients, a Lease, a store registry and an engine; {@code syncs} syncs; shutdown. */
  private static int run(int syncs) {
    KubernetesClient client = KubernetesClient.create(KubernetesConfig.builder(kube.baseUrl())
        .caCertificatesPem(kube.caCertificatePem()).bearerToken(kube.adminToken()).qps(100_000).burst(100_000).build());
    LeaderElector elector = LeaderElector.builder(client, NS, "secret-sync", "pod-1").build();
    elector.start();
    await(elector::isLeader, "the elector leads");
    int ready = 0;
    try (StoreRegistry registry = StoreRegistry.builder().provider(new VaultStoreProvider())
        .context(new StoreContext(KubernetesPlatformAccess.create(client), Clock.systemUTC())).build()) {
      Manifests store = new ManifestLoader().loadString(storeYaml, "store.yaml").throwIfErrors();
      registry.put(store.stores().get(0));
      SyncEngine engine = SyncEngine.builder().stores(registry).writer(KubernetesSecretWriter.create(client)).build();
      for (int i = 0; i < syncs; i++) {
        if (i % 1000 == 999) {
          vault.kv("secret").put("hygiene/db-" + (i % SECRETS), Map.of("password", "pw-" + i));
        }
        SyncResult result = engine.sync(externalSecrets.get(i % SECRETS));
        if (result.ready()) {
          ready++;
        }
      }
    } finally {
      elector.close();
      client.close();
    }
    return ready;
  }

  @Test
  void tenThousandSyncsAndAShutdownLeaveNothingBehind() throws IOException {
    run(2 * SECRETS); // loads every class and opens every jar once, so the baseline below is the steady state
    awaitNoConnections();
    Set<Thread> threadsBefore = liveThreads();
    long fdsBefore = openFileDescriptors();
    long tokensBefore = vault.validTokenCount();
    long loginsBefore = vault.requestCount("POST", "/v1/auth/kubernetes/login");
    long readsBefore = vault.requestCount("GET", "/v1/secret/data/hygiene/db-0");

    assertEquals(SYNCS, run(SYNCS));

    assertEquals(SYNCS / SECRETS, vault.requestCount("GET", "/v1/secret/data/hygiene/db-0") - readsBefore,
        "each sync read Vault");
    long logins = vault.requestCount("POST", "/v1/auth/kubernetes/login") - loginsBefore;
    assertEquals(1, logins, "one login for the store's lifetime");
    await(() -> vault.validTokenCount() == tokensBefore, "every token obtained is revoked");
    assertEquals("", kube.get("/apis/coordination.k8s.io/v1/namespaces/" + NS + "/leases/secret-sync").orElseThrow()
        .path("spec").path("holderIdentity").asText("?"), "the Lease is released");
    awaitNoConnections();
    await(() -> liveThreads().stream().filter(t -> !threadsBefore.contains(t)).noneMatch(ResourceHygieneTest::ours),
        "no thread is left");
    await(() -> openFileDescriptors() <= fdsBefore, "no file descriptor is left");
  }

  /**
   * Whether a thread can be the library's: not the fakes' server threads (the JDK HTTP server's
   * dispatcher, idle timer and workers), and not OkHttp's process-wide task runner and Okio's
   * timeout watchdog, daemon threads shared with the fakes' own HTTP clients that retire after a
   * minute idle.
   */
  private static boolean ours(Thread thread) {
    String name = thread.getName();
    return !(name.startsWith("fake-") || name.equals("HTTP-Dispatcher") || name.equals("idle-timeout-task")
        || (thread.isDaemon() && (name.equals("OkHttp TaskRunner") || name.equals("Okio Watchdog"))));
  }

  private static Set<Thread> liveThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(Collectors.toSet());
  }

  private static long openFileDescriptors() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Established TCP connections whose local port is one of the fakes': what the servers see open. */
  private static List<String> serverSideConnections() {
    Set<String> ports = new HashSet<>(List.of(String.format("%04X", vault.port()), String.format("%04X", kube.port())));
    List<String> open = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        List<String> lines = Files.readAllLines(Path.of(table));
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
          String[] f = line.trim().split("\\s+");
          String localPort = f[1].substring(f[1].indexOf(':') + 1);
          if (f[3].equals("01") && ports.contains(localPort)) { // 01: ESTABLISHED
            open.add(table + " " + f[1] + " <- " + f[2]);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return open;
  }

  private static void awaitNoConnections() {
    await(() -> serverSideConnections().isEmpty(), "no connection is open at the servers");
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not so after 10 s" + (what.contains("connection")
            ? " vault port " + vault.port() + ", api server port " + kube.port() + ": " + serverSideConnections()
            : what.contains("thread") ? " " + Thread.getAllStackTraces().keySet().stream().filter(ResourceHygieneTest::ours)
                .map(Thread::getName).sorted().toList() : what.contains("descriptor") ? " " + openFileDescriptors() : ""));
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
