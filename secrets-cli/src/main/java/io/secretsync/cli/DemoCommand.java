package io.secretsync.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.google.common.collect.ImmutableList;
import io.secretsync.core.StoreRegistry;
import io.secretsync.core.SyncEngine;
import io.secretsync.core.SyncResult;
import io.secretsync.core.TargetSecret;
import io.secretsync.core.manifest.ManifestLoader;
import io.secretsync.core.manifest.Manifests;
import io.secretsync.core.model.ConfigNode;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ProviderConfig;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.testkit.InMemorySecretStore;
import io.secretsync.testkit.InMemoryTargetWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code secrets-sync demo}: the walkthrough's three apps, synced from an in-memory store that
 * stands in for Vault KV v2 into in-memory Secrets, printing each step and each Secret's keys,
 * sizes and hash prefix, never a value.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Runs the walkthrough (Vault KV v2 -> ClusterSecretStore -> ExternalSecret -> Secret) in memory.")
final class DemoCommand implements Callable<Integer> {

  static final List<String> WALKTHROUGH = List.of(
      "cluster-secret-store-example-api.yaml", "external-secret-example-api.yaml",
      "cluster-secret-store-example-worker.yaml", "external-secret-example-worker.yaml",
      "cluster-secret-store-example-admin.yaml", "external-secret-example-admin.yaml");

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    InMemorySecretStore kv = InMemorySecretStore.create("demo-kv");
    InMemoryTargetWriter cluster = new InMemoryTargetWriter();

    out.println("== Put secret data into Vault (KV v2 at secret/)");
    put(out, kv, "example-api/env-file", "dotenv", ".env",
        "API_BASE_URL=https://api.example.com\nAPI_TOKEN=demo-api-token\nLOG_LEVEL=info\n");
    put(out, kv, "example-worker/config-file", "config.json", "config.json",
        "{\"queue\":\"jobs\",\"concurrency\":4,\"ui\":\"https://worker.example.com\"}\n");
    put(out, kv, "example-admin/config-file", "config", "config.yml",
        "admin:\n  listen: 0.0.0.0:8080\n  session_secret: demo-session-secret\n");

    out.println();
    out.println("== Apply the ClusterSecretStores and ExternalSecrets");
    ManifestLoader loader = new ManifestLoader();
    ImmutableList.Builder<ExternalSecret> externalSecrets = ImmutableList.builder();
    StoreRegistry registry = StoreRegistry.builder().provider(InMemorySecretStore.provider()).build();
    for (String file : WALKTHROUGH) {
      Manifests manifests = loader.loadString(resource(file), file).throwIfErrors();
      out.println("$ kubectl apply -f " + file);
      for (SecretStoreResource store : manifests.stores()) {
        registry.put(inMemory(store));
        out.println("clustersecretstore.external-secrets.io/" + store.metadata().name()
            + " created (provider vault, served here by an in-memory KV v2)");
      }
      for (ExternalSecret es : manifests.externalSecrets()) {
        externalSecrets.add(es);
        out.println("externalsecret.external-secrets.io/" + es.metadata().name() + " created");
      }
    }

    try (registry) {
      SyncEngine engine = SyncEngine.builder().stores(registry).writer(cluster).build();
      out.println();
      out.println("== Sync");
      boolean ok = syncAll(out, engine, cluster, externalSecrets.build());

      out.println();
      out.println("== Sync again: nothing changed, nothing written");
      cluster.clearCalls();
      ok &= syncAll(out, engine, cluster, externalSecrets.build());
      out.println("writes to the cluster: " + cluster.writes().size());

      out.println();
      out.println("== Rotate the API token in Vault, then refresh");
      put(out, kv, "example-api/env-file", "dotenv", ".env",
          "API_BASE_URL=https://api.example.com\nAPI_TOKEN=rotated-api-token\nLOG_LEVEL=info\n");
      ok &= syncAll(out, engine, cluster, externalSecrets.build());
      return ok ? 0 : 1;
    }
  }

  private static boolean syncAll(PrintWriter out, SyncEngine engine, InMemoryTargetWriter cluster,
      List<ExternalSecret> externalSecrets) {
    boolean ok = true;
    for (ExternalSecret es : externalSecrets) {
      SyncResult result = engine.sync(es);
      ok &= !result.failed();
      out.println(Format.line(result));
      if (!result.failed()) {
        TargetSecret secret = cluster.get(es.metadata().namespace(), es.targetName()).orElseThrow();
        out.println(Format.secretSummary(secret));
      }
    }
    return ok;
  }

  private static void put(PrintWriter out, InMemorySecretStore kv, String path, String property, String file,
      String content) {
    kv.put(path, Map.of(property, content));
    out.println("$ vault kv put secret/" + path + " " + property + "=@" + file + "   (" + content.length() + " bytes)");
  }

  private static SecretStoreResource inMemory(SecretStoreResource store) {
    return new SecretStoreResource(store.kind(), store.metadata(), store.controller(),
        new ProviderConfig(InMemorySecretStore.PROVIDER_NAME, ConfigNode.of("spec.provider.memory",
            JsonNodeFactory.instance.objectNode().put("name", "demo-kv"))),
        store.retrySettings(), store.refreshInterval(), store.conditions());
  }

  static String resource(String file) throws IOException {
    String path = "/io/secretsync/testkit/walkthrough/" + file;
    try (InputStream in = DemoCommand.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IOException("missing resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
