package io.secretsync.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsync.core.SecretData;
import io.secretsync.core.SecretStore;
import io.secretsync.core.StoreContext;
import io.secretsync.core.SyncResult;
import io.secretsync.core.controller.BackoffPolicy;
import io.secretsync.core.controller.PrometheusMetrics;
import io.secretsync.core.controller.StoreCircuitBreaker;
import io.secretsync.core.controller.SyncListener;
import io.secretsync.core.manifest.ManifestLoader;
import io.secretsync.core.manifest.Manifests;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.kubernetes.KubernetesClient.ResourceType;
import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.FakeVault;
import io.secretsync.testkit.IssuedCertificate;
import io.secretsync.testkit.TestClock;
import io.secretsync.testkit.TestPki;
import io.secretsync.testkit.TestScheduler;
import io.secretsync.testkit.server.FaultInjector.Fault;
import io.secretsync.vault.VaultStoreProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The no-leak audit: distinct, recognisable canaries (secret values including a PEM private key,
 * Vault's root token, a static Vault token, the Vault tokens issued at login, the API server's admin
 * token, the token reviewer's JWT and the service-account JWTs issued by TokenRequest, the private
 * key of an mTLS client certificate) are pushed through every success and error path of the
 * Kubernetes pipeline: syncs through three stores (Kubernetes auth, a static token, a token with
 * mTLS), template errors, a missing property, a denied path, an invalid ExternalSecret in the
 * cluster, manifest errors, and each fault of the fault matrix. Then every output is searched:
 * every log line at every level with stack traces, status and Events read back from the cluster,
 * the metrics text, each sync result (message, error, hints, causes) and the {@code toString} of the
 * public value types met on the way. None may contain a canary, a Vault token ({@code hvs.}), a JWT
 * ({@code eyJ...}) or a PEM private key.
 */
class CanaryAuditTest {
  static final String NS = "canary";
  static final String PASSWORD = "canary-password-Zq8vX3kLpW";
  static final String API_KEY = "canary-apikey-R7tYu2NmQa";
  static final String ROOT_TOKEN = "hvs.canaryRootTokenQ1w2E3r4T5y6";
  static final String ADMIN_TOKEN = "canary-kube-admin-token-P0o9I8u7";
  static final Pattern VAULT_TOKEN = Pattern.compile("hv[sbr]\\.[A-Za-z0-9_-]{8,}");
  static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]{8,}");
  static final Pattern PEM_KEY = Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----");

  @Test
  void noSecretValueTokenJwtOrKeyAppearsInAnyOutput() throws InterruptedException {
    LogCapture.clear();
    TestClock clock = TestClock.create();
    TestScheduler scheduler = new TestScheduler(clock);
    TestPki pki = TestPki.create();
    IssuedCertificate clientCert = pki.clientCertificate("secrets-sync");
    String valueKey = pki.clientCertificate("a-key-stored-in-vault").privateKeyPem();
    List<String> canaries = new ArrayList<>(List.of(PASSWORD, API_KEY, ROOT_TOKEN, ADMIN_TOKEN));
    canaries.addAll(pemBodyLines(valueKey));
    canaries.addAll(pemBodyLines(clientCert.privateKeyPem()));
    List<String> outputs = new ArrayList<>();
    Map<String, SyncResult> results = new ConcurrentHashMap<>();
    PrometheusMetrics metrics = PrometheusMetrics.create();

    try (FakeVault vault = FakeVault.builder().pki(pki).clock(clock).rootToken(ROOT_TOKEN).start();
        FakeKubernetes kube = FakeKubernetes.builder().pki(pki).clock(clock).adminToken(ADMIN_TOKEN).withEsoCrds()
            .start();
        KubernetesClient client = KubernetesClient.create(TestFiles.adminConfig(kube).qps(10_000).burst(10_000)
            .build())) {
      String reviewerJwt = configure(kube, vault);
      canaries.add(reviewerJwt);
      String staticToken = vault.createToken(List.of("canary"), Duration.ofHours(24));
      canaries.add(staticToken);
      kube.apply("apiVersion: v1\nkind: Secret\nmetadata: {name: vault-token, namespace: external-secrets}\n"
          + "stringData: {token: " + staticToken + "}\n");
      kube.apply("apiVersion: v1\nkind: Secret\nmetadata: {name: vault-client, namespace: external-secrets}\n"
          + "type: kubernetes.io/tls\ndata: {tls.crt: " + b64(clientCert.certificatePem()) + ", tls.key: "
          + b64(clientCert.privateKeyPem()) + "}\n");
      vault.kv("secret").put(NS + "/app", Map.of("password", PASSWORD, "apiKey", API_KEY, "key", valueKey));
      String ca = b64(vault.caCertificatePem());
      kube.apply(store("vault-k8s", vault.address(), ca, "kubernetes: {mountPath: kubernetes, role: canary, "
          + "serviceAccountRef: {name: external-secrets, namespace: external-secrets}}", ""));
      kube.apply(store("vault-token", vault.address(), ca,
          "tokenSecretRef: {name: vault-token, namespace: external-secrets, key: token}", ""));
      kube.apply(store("vault-mtls", vault.address(), ca,
          "tokenSecretRef: {name: vault-token, namespace: external-secrets, key: token}",
          "      tls:\n        certSecretRef: {name: vault-client, namespace: external-secrets, key: tls.crt}\n"
              + "        keySecretRef: {name: vault-client, namespace: external-secrets, key: tls.key}\n"));
      List<String> names = new ArrayList<>();
      Map<String, String> externalSecrets = externalSecrets();
      externalSecrets.forEach((name, spec) -> {
        names.add(name);
        kube.apply("apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: " + name
            + ", namespace: " + NS + "}\nspec:\n  refreshInterval: 10s\n" + spec);
      });
      // An ExternalSecret the manifest reader refuses, with a literal secret in its template.
      kube.apply("apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: invalid, namespace: "
          + NS + "}\nspec:\n  refreshInterval: 1m\n  secretStoreRef: {name: vault-k8s, kind: ClusterSecretStore}\n"
          + "  target:\n    template:\n      data: {literal: \"" + PASSWORD + "\"}\n  data:\n  - secretKey: x\n"
          + "    remoteRef: {key: " + NS + "/app, property: password, decodingStrategy: Rot13}\n");

      KubernetesController controller = KubernetesController.builder(client)
          .provider(VaultStoreProvider.withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(500)))
          .clock(clock).scheduler(scheduler).executor(scheduler.executor())
          .backoff(BackoffPolicy.builder().initialDelay(Duration.ofSeconds(1)).jitter(0)
              .maxDelay(Duration.ofSeconds(30)).build())
          .circuitBreaker(new StoreCircuitBreaker.Policy(3, Duration.ofSeconds(5), Duration.ofSeconds(30)))
          .refreshJitter(0)
          .listener(metrics)
          .listener(new SyncListener() {
            @Override
            public void syncFinished(ExternalSecret es, SyncResult result, Duration duration) {
              results.put(es.metadata().name() + "@" + result.syncedAt(), result);
            }
          })
          .build();
      try {
        controller.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!names.stream().allMatch(n -> controller.status(NS, n).isPresent())) {
          if (System.nanoTime() > deadline) {
            fail("the controller did not pick up the ExternalSecrets");
          }
          scheduler.runPending();
          Thread.sleep(10);
        }
        scheduler.advance(Duration.ofSeconds(5));
        assertEquals(Optional.of(PASSWORD), kube.secretData(NS, "plain").map(d -> utf8(d.get("password"))),
            "the canary value did sync (the audit follows it through a working pipeline)");
        assertEquals(Optional.of(valueKey), kube.secretData(NS, "extract").map(d -> utf8(d.get("key"))));
        assertTrue(kube.secretData(NS, "mtls").isPresent(), "the mTLS store works");

        for (Map.Entry<String, Runnable[]> fault : faults(vault, kube).entrySet()) {
          vault.kv("secret").put(NS + "/app", Map.of("password", PASSWORD, "apiKey", API_KEY, "key", valueKey,
              "round", fault.getKey()));
          fault.getValue()[0].run();
          long faultStarted = System.nanoTime();
          for (int s = 0; s < 15; s++) {
            scheduler.advance(Duration.ofSeconds(1));
          }
          fault.getValue()[1].run();
          vault.faults().clear();
          kube.faults().clear();
          for (int s = 0; s < 35; s++) {
            scheduler.advance(Duration.ofSeconds(1));
            Thread.sleep(2);
          }
          System.out.printf("canary audit: fault %s took %.1f s%n", fault.getKey(),
              (System.nanoTime() - faultStarted) / 1e9);
        }
        scheduler.advance(Duration.ofSeconds(70));
        assertEquals(Optional.of(PASSWORD), kube.secretData(NS, "plain").map(d -> utf8(d.get("password"))),
            "synced again after all faults");

        // What the cluster shows: status of ExternalSecrets and stores, Events.
        for (JsonNode es : kube.list("external-secrets.io/v1", "ExternalSecret", NS)) {
          outputs.add("status of ExternalSecret " + es.path("metadata").path("name").asText() + ": "
              + es.path("status"));
        }
        for (JsonNode store : kube.list("external-secrets.io/v1", "ClusterSecretStore", "")) {
          outputs.add("status of ClusterSecretStore: " + store.path("status"));
        }
        for (JsonNode event : kube.list("v1", "Event", NS)) {
          outputs.add("event: " + event);
        }
        for (JsonNode event : kube.list("v1", "Event", "default")) {
          outputs.add("event: " + event);
        }
        outputs.add(metrics.scrape());
        for (String name : names) {
          outputs.add(String.valueOf(controller.status(NS, name)));
        }
        outputs.add(controller.toString());
      } finally {
        controller.close();
      }

      // Every sync result, as a caller would print or log it.
      assertTrue(results.values().stream().anyMatch(SyncResult::failed), "errors were produced");
      for (SyncResult result : results.values()) {
        outputs.add(result.toString());
        outputs.add(result.message());
        result.desired().ifPresent(d -> outputs.add(d.toString()));
        result.error().ifPresent(e -> {
          for (Throwable t = e; t != null; t = t.getCause()) {
            outputs.add(t.toString());
            outputs.add(String.valueOf(t.getMessage()));
          }
          outputs.add(e.hints().toString());
        });
      }
      assertTrue(results.values().stream().anyMatch(r -> r.error().map(e -> e.getMessage().contains("pkcs12"))
          .orElse(false)), "a template error was produced");
      assertTrue(results.values().stream().anyMatch(r -> r.error().map(e -> e.getMessage().contains("permission denied"))
          .orElse(false)), "a denied path was reported");

      // toString of the public types met on the way.
      KubernetesSecretWriter writer = KubernetesSecretWriter.create(client);
      writer.read(NS, "plain").ifPresent(t -> {
        outputs.add(t.toString());
        outputs.add(t.data().toString());
      });
      outputs.add(SecretData.ofStrings(Map.of("password", PASSWORD)).toString());
      outputs.add(writer.toString());
      outputs.add(client.toString());
      outputs.add(client.config().toString());
      outputs.add(TestFiles.adminConfig(kube).clientCertificatePem(clientCert.certificatePem(),
          clientCert.privateKeyPem()).build().toString());
      outputs.add(KubernetesConfig.builder(kube.baseUrl()).basicAuth("admin", PASSWORD).build().toString());
      ManifestLoader loader = new ManifestLoader();
      for (JsonNode object : kube.list("external-secrets.io/v1", "ClusterSecretStore", "")) {
        SecretStoreResource resource = loader.store((com.fasterxml.jackson.databind.node.ObjectNode) object);
        outputs.add(resource.toString());
        try (SecretStore store = new VaultStoreProvider().newStore(resource,
            new StoreContext(KubernetesPlatformAccess.create(client), clock))) {
          outputs.add(store.toString());
          outputs.add(store.read(io.secretsync.core.model.RemoteRef.of(NS + "/app", "password").location()).toString());
          outputs.add(store.getSecretMap(io.secretsync.core.model.RemoteRef.of(NS + "/app", "")).toString());
        } catch (Exception e) {
          outputs.add(e.toString());
        }
      }
      for (JsonNode object : kube.list("external-secrets.io/v1", "ExternalSecret", NS)) {
        try {
          outputs.add(loader.externalSecret((com.fasterxml.jackson.databind.node.ObjectNode) object).toString());
        } catch (RuntimeException e) {
          outputs.add(e.toString());
        }
      }
      try {
        client.get(ResourceType.SECRETS, "no-such-namespace-\u0000", "x");
      } catch (RuntimeException e) {
        outputs.add(e.toString());
      }

      // Manifest errors: a file with a Secret holding the canaries and broken ExternalSecrets around it.
      Manifests loaded = loader.loadString("apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: " + NS
          + "}\nstringData: {password: " + PASSWORD + ", token: " + staticToken + "}\n---\n"
          + "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: bad, namespace: " + NS + "}\n"
          + "spec:\n  secretStoreRef: {name: vault-k8s, kind: ClusterSecretStore}\n  target:\n    template:\n"
          + "      data: {x: \"{{ .password " + API_KEY + "\"}\n  data:\n  - secretKey: password\n"
          + "    remoteRef: {key: " + NS + "/app, property: " + "password, extra: " + API_KEY + "}\n---\n"
          + "apiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata: {name: bad}\nspec:\n"
          + "  provider:\n    vault:\n      server: https://vault\n      auth: {tokenSecretRef: {name: t, key: "
          + staticToken + "}}\n      token: " + ROOT_TOKEN + "\n", "canary.yaml");
      outputs.add(loaded.toString());
      outputs.add(String.valueOf(loaded.errors()));
      outputs.add(String.valueOf(loaded.warnings()));
      try {
        loaded.throwIfErrors();
      } catch (RuntimeException e) {
        outputs.add(e.toString());
      }
    }
    outputs.addAll(LogCapture.lines());
    assertTrue(LogCapture.lines().size() > 100, "logs were captured: " + LogCapture.lines().size());

    System.out.println("canary audit: " + outputs.size() + " texts searched, " + LogCapture.lines().size()
        + " log lines, " + results.size() + " sync results; failures seen:");
    results.values().stream().flatMap(r -> r.error().stream()).map(e -> "  " + e.getMessage().replace('\n', ' '))
        .map(m -> m.length() > 200 ? m.substring(0, 200) : m).distinct().sorted().forEach(System.out::println);
    List<String> leaks = new ArrayList<>();
    for (String text : outputs) {
      for (String canary : canaries) {
        if (text.contains(canary)) {
          leaks.add("canary " + describe(canary) + " in: " + excerpt(text, text.indexOf(canary)));
        }
      }
      for (Pattern pattern : List.of(VAULT_TOKEN, JWT, PEM_KEY)) {
        Matcher m = pattern.matcher(text);
        if (m.find()) {
          leaks.add(pattern + " in: " + excerpt(text, m.start()));
        }
      }
    }
    assertEquals(List.of(), leaks.stream().distinct().limit(20).toList(), leaks.size() + " leaks");
  }

  private static Map<String, String> externalSecrets() {
    Map<String, String> es = new LinkedHashMap<>();
    String k8s = "  secretStoreRef: {name: vault-k8s, kind: ClusterSecretStore}\n";
    es.put("plain", k8s + "  target: {name: plain}\n  data:\n  - secretKey: password\n"
        + "    remoteRef: {key: " + NS + "/app, property: password}\n");
    es.put("extract", k8s + "  target: {name: extract}\n  dataFrom:\n  - extract: {key: " + NS + "/app}\n");
    es.put("templated", k8s + "  target:\n    name: templated\n    template:\n      data:\n"
        + "        url: \"postgres://app:{{ .password }}@db/app\"\n  data:\n  - secretKey: password\n"
        + "    remoteRef: {key: " + NS + "/app, property: password}\n");
    int n = 0;
    for (String template : List.of("{{ .password | b64dec }}", "{{ .password | mustFromJson }}",
        "{{ .password | pkcs12key }}", "{{ .key | jwkPublicKeyPem }}", "{{ .password | atoi | toString }}",
        "{{ index .password 3 }}", "{{ .key | filterPEM 7 }}", "{{ printf \"%d\" .password | mustRegexMatch \"(\" }}")) {
      es.put("template-error-" + n, k8s + "  target:\n    name: template-error-" + n + "\n    template:\n      data:\n"
          + "        out: '" + template + "'\n  dataFrom:\n  - extract: {key: " + NS + "/app}\n");
      n++;
    }
    es.put("missing-property", k8s + "  target: {name: missing-property}\n  data:\n  - secretKey: password\n"
        + "    remoteRef: {key: " + NS + "/app, property: nope}\n");
    es.put("denied", k8s + "  target: {name: denied}\n  data:\n  - secretKey: password\n"
        + "    remoteRef: {key: other/app, property: password}\n");
    es.put("static-token", "  secretStoreRef: {name: vault-token, kind: ClusterSecretStore}\n"
        + "  target: {name: static-token}\n  dataFrom:\n  - extract: {key: " + NS + "/app}\n");
    es.put("mtls", "  secretStoreRef: {name: vault-mtls, kind: ClusterSecretStore}\n"
        + "  target: {name: mtls}\n  dataFrom:\n  - extract: {key: " + NS + "/app}\n");
    es.put("decoding-error", k8s + "  target: {name: decoding-error}\n  data:\n  - secretKey: password\n"
        + "    remoteRef: {key: " + NS + "/app, property: password, decodingStrategy: Base64}\n");
    return es;
  }

  /** The faults of the fault matrix, each as {inject, clear}. */
  private static Map<String, Runnable[]> faults(FakeVault vault, FakeKubernetes kube) {
    Map<String, Runnable[]> f = new LinkedHashMap<>();
    String secrets = "/api/v1/namespaces/" + NS + "/secrets";
    f.put("sealed", new Runnable[] {vault::seal, vault::unseal});
    f.put("refused", new Runnable[] {vault::stopListening, vault::startListening});
    f.put("timeout", new Runnable[] {() -> vault.faults().add(Fault.delay(Duration.ofSeconds(1)).times(8)),
        () -> { }});
    f.put("cut", new Runnable[] {() -> vault.faults().add(Fault.cutMidBody()), () -> { }});
    f.put("malformed", new Runnable[] {() -> vault.faults().add(Fault.malformedJson()), () -> { }});
    f.put("truncated", new Runnable[] {() -> vault.faults().add(Fault.truncatedBody()), () -> { }});
    f.put("429", new Runnable[] {() -> vault.faults().add(Fault.status(429).withRetryAfter(0)), () -> { }});
    f.put("500-half", new Runnable[] {() -> vault.faults().add(Fault.status(500).everyNth(2)), () -> { }});
    f.put("revoked", new Runnable[] {() -> vault.revokeLoginTokens("kubernetes"), () -> { }});
    f.put("login", new Runnable[] {() -> {
      vault.revokeLoginTokens("kubernetes");
      vault.faults().add(Fault.status(500).onPathPrefix("auth/kubernetes/login"));
    }, () -> { }});
    f.put("tokenreview", new Runnable[] {() -> {
      vault.revokeLoginTokens("kubernetes");
      kube.faults().add(Fault.status(500).onPathPrefix("/apis/authentication.k8s.io/v1/tokenreviews"));
    }, () -> { }});
    f.put("409", new Runnable[] {() -> kube.faults().add(Fault.status(409).onMethod("PUT").onPathPrefix(secrets)),
        () -> { }});
    f.put("k8s-500", new Runnable[] {() -> kube.faults().add(Fault.status(500).onPathPrefix(secrets)), () -> { }});
    f.put("k8s-429", new Runnable[] {() -> kube.faults().add(Fault.status(429).withRetryAfter(0).times(5)
        .onPathPrefix(secrets)), () -> { }});
    f.put("watch-closed", new Runnable[] {kube::endWatches, () -> { }});
    f.put("watch-410", new Runnable[] {() -> {
      kube.compactWatchHistory();
      kube.endWatches();
    }, () -> { }});
    f.put("api-down", new Runnable[] {kube::stopListening, kube::startListening});
    return f;
  }

  private static String store(String name, String server, String ca, String auth, String tls) {
    return "apiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata: {name: " + name + "}\nspec:\n"
        + "  retrySettings: {maxRetries: 1, retryInterval: 10ms}\n"
        + "  provider:\n    vault:\n      server: " + server + "\n      path: secret\n      version: v2\n"
        + "      caBundle: " + ca + "\n" + tls + "      auth: {" + auth + "}\n";
  }

  /** Cluster and Vault as the walkthrough sets them up; returns the token reviewer's JWT. */
  private static String configure(FakeKubernetes kube, FakeVault vault) {
    kube.createNamespace("vault-auth");
    kube.createServiceAccount("vault-auth", "vault-auth");
    kube.call("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "{\"metadata\":{\"name\":"
        + "\"vault-auth-tokenreview\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\","
        + "\"name\":\"system:auth-delegator\"},\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"vault-auth\","
        + "\"namespace\":\"vault-auth\"}]}", false);
    kube.call("POST", "/api/v1/namespaces/vault-auth/secrets", "{\"metadata\":{\"name\":\"vault-auth-token\","
        + "\"annotations\":{\"kubernetes.io/service-account.name\":\"vault-auth\"}},"
        + "\"type\":\"kubernetes.io/service-account-token\"}", false);
    String jwt = utf8(Base64.getDecoder().decode(kube.get("/api/v1/namespaces/vault-auth/secrets/vault-auth-token")
        .orElseThrow().path("data").path("token").asText()));
    kube.createNamespace("external-secrets");
    kube.createServiceAccount("external-secrets", "external-secrets");
    kube.createNamespace(NS);
    vault.kubernetesAuth().enable().config(kube.baseUrl(), kube.caCertificatePem(), jwt);
    vault.policies().put("canary", "path \"secret/data/" + NS + "/*\" {\n  capabilities = [\"read\"]\n}\n");
    vault.kubernetesAuth().role("canary", Map.of("bound_service_account_names", "external-secrets",
        "bound_service_account_namespaces", "external-secrets", "policies", "canary", "ttl", "1h"));
    return jwt;
  }

  private static List<String> pemBodyLines(String pem) {
    return pem.lines().filter(l -> !l.startsWith("-----") && l.length() >= 16).toList();
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static String describe(String canary) {
    return canary.length() > 12 ? canary.substring(0, 12) + "..." : canary;
  }

  private static String excerpt(String text, int at) {
    int from = Math.max(0, at - 160);
    int to = Math.min(text.length(), at + 40);
    return "..." + text.substring(from, to).replace('\n', ' ') + "...";
  }
}
