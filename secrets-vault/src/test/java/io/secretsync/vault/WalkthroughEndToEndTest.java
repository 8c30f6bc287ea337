package io.secretsync.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.StoreRegistry;
import io.secretsync.core.SyncEngine;
import io.secretsync.core.SyncResult;
import io.secretsync.core.TargetSecret;
import io.secretsync.testkit.InMemoryTargetWriter;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The walkthrough end to end: Vault configured with its commands, the ClusterSecretStore and
 * ExternalSecret manifests as written, Kubernetes auth through TokenRequest and TokenReview, the
 * sync engine writing the Kubernetes Secret.
 */
class WalkthroughEndToEndTest {

  @Test
  void everyAppsSecretHoldsWhatVaultHolds() {
    InMemoryTargetWriter writer = new InMemoryTargetWriter();
    try (Walkthrough w = Walkthrough.start()) {
      try (StoreRegistry registry = StoreRegistry.builder().provider(new VaultStoreProvider()).context(w.context())
          .build()) {
        SyncEngine engine = SyncEngine.builder().stores(registry).writer(writer).clock(w.clock).build();
        for (String app : Walkthrough.APPS) {
          registry.put(w.clusterStore(app));
          SyncResult result = engine.sync(w.externalSecret(app));
          assertTrue(result.ready(), app + ": " + result.message()
              + result.error().map(e -> " " + e.getMessage()).orElse(""));
          assertEquals(SyncResult.REASON_SYNCED, result.reason());
        }

        TargetSecret api = writer.get("example-api", "example-api-env-file").orElseThrow();
        assertEquals(Walkthrough.DOTENV, api.data().getString(".env").orElseThrow());
        assertEquals(Set.of(".env"), api.data().keys());
        assertEquals(Walkthrough.CONFIG_JSON, writer.get("example-worker", "example-worker-config-file")
            .orElseThrow().data().getString("config.json").orElseThrow());
        assertEquals(Walkthrough.CONFIG_YML, writer.get("example-admin", "example-admin-config-file")
            .orElseThrow().data().getString("config.yml").orElseThrow());

        // One login per store, each through one TokenRequest and one TokenReview; one read per secret.
        assertEquals(3, w.logins());
        assertEquals(3, w.platform.tokenRequests.get());
        assertEquals(3, w.tokenReviews());
        assertEquals(1, w.vault.requestCount("GET", "/v1/secret/data/example-api/env-file"));
        assertEquals(1, w.vault.requestCount("GET", "/v1/secret/data/example-worker/config-file"));

        // The refresh two minutes later reads again with the same token and writes nothing.
        w.clock.advance(Duration.ofMinutes(2));
        writer.clearCalls();
        SyncResult again = engine.sync(w.externalSecret("example-api"));
        assertEquals(SyncResult.Outcome.UNCHANGED, again.outcome());
        assertEquals(3, w.logins());
        assertEquals(2, w.vault.requestCount("GET", "/v1/secret/data/example-api/env-file"));
        assertTrue(writer.writes().isEmpty());
      }
      // Closing the registry closes the stores, and each revokes its token.
      assertEquals(3, w.awaitCount("POST", "/v1/auth/token/revoke-self", 3));
    }
  }
}
