package io.secretsync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.secretsync.core.manifest.ManifestLoader;
import io.secretsync.core.manifest.Manifests;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ExternalSecretData;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The walkthrough's six manifests that this module ships under {@code io/secretsync/testkit/walkthrough/}
 * for other modules' tests and the demo: each app's ClusterSecretStore and ExternalSecret load
 * cleanly and point at each other, its Vault role, path and property.
 */
class WalkthroughManifestResourcesTest {

  private static String resource(String file) throws IOException {
    try (InputStream in = WalkthroughManifestResourcesTest.class.getResourceAsStream(
        "/io/secretsync/testkit/walkthrough/" + file)) {
      assertNotNull(in, file);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "example-api, env-file, .env, dotenv",
      "example-worker, config-file, config.json, config.json",
      "example-admin, config-file, config.yml, config"})
  void eachAppsManifestsLoadAndFitTogether(String app, String file, String secretKey, String property)
      throws IOException {
    ManifestLoader loader = new ManifestLoader();
    Manifests storeFile = loader.loadString(resource("cluster-secret-store-" + app + ".yaml"), app + " store");
    Manifests esFile = loader.loadString(resource("external-secret-" + app + ".yaml"), app + " es");

    assertEquals(List.of(), storeFile.errors());
    assertEquals(List.of(), esFile.errors());
    assertEquals(List.of(), storeFile.warnings());
    assertEquals(List.of(), esFile.warnings());
    SecretStoreResource store = storeFile.stores().get(0);
    ExternalSecret es = esFile.externalSecrets().get(0);
    assertEquals(StoreRef.clusterSecretStore("vault-" + app), store.ref());
    assertEquals(Optional.of(store.ref()), es.spec().secretStoreRef());
    assertEquals(Optional.of("external-secrets-" + app),
        store.provider().settings().child("auth").child("kubernetes").string("role"));
    assertEquals(app, es.metadata().namespace());
    assertEquals(app + "-" + file, es.targetName());
    assertEquals(Duration.ofMinutes(2), es.spec().refreshInterval());
    ExternalSecretData entry = es.spec().data().get(0);
    assertEquals(secretKey, entry.secretKey());
    assertEquals(app + "/" + file, entry.remoteRef().key());
    assertEquals(property, entry.remoteRef().property());
  }
}
