package io.secretsync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.SyncResult;
import io.secretsync.core.TargetSecret;
import io.secretsync.core.manifest.ManifestLoader;
import io.secretsync.core.model.ExternalSecret;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An engine built with defaults renders ESO's target.template and rewrite.transform. */
class TemplatedSyncTest {
  private final EngineFixture fx = new EngineFixture();

  @AfterEach
  void close() {
    fx.close();
  }

  @Test
  void dockerConfigJsonTemplateRendersWithTheDefaultEngine() {
    fx.vault.put("registry", Map.of("user", "robot", "password", "pw"));
    ExternalSecret es = new ManifestLoader().loadString("""
        apiVersion: external-secrets.io/v1
        kind: ExternalSecret
        metadata: {name: registry, namespace: example-api}
        spec:
          secretStoreRef: {name: vault-example-api, kind: ClusterSecretStore}
          target:
            template:
              type: kubernetes.io/dockerconfigjson
              metadata:
                labels: {app: '{{ "api" | upper }}'}
              data:
                .dockerconfigjson: '{"auths":{"r.example.com":{"auth":"{{ printf "%s:%s" .USER .PASSWORD | b64enc }}"}}}'
          dataFrom:
            - extract: {key: registry}
              rewrite:
                - transform: {template: '{{ .value | upper }}'}
        """, "registry.yaml").throwIfErrors().externalSecrets().get(0);

    SyncResult result = fx.engine.sync(es);

    assertTrue(result.ready(), result.toString());
    TargetSecret secret = fx.writer.get("example-api", "registry").orElseThrow();
    assertEquals("kubernetes.io/dockerconfigjson", secret.type());
    assertEquals("API", secret.labels().get("app"));
    assertEquals("{\"auths\":{\"r.example.com\":{\"auth\":\"cm9ib3Q6cHc=\"}}}",
        secret.data().getString(".dockerconfigjson").orElseThrow());
  }
}
