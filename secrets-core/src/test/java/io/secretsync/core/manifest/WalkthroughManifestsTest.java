package io.secretsync.core.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import io.secretsync.core.model.ConfigNode;
import io.secretsync.core.model.ConversionStrategy;
import io.secretsync.core.model.CreationPolicy;
import io.secretsync.core.model.DecodingStrategy;
import io.secretsync.core.model.DeletionPolicy;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ExternalSecretData;
import io.secretsync.core.model.ExternalSecretValidator;
import io.secretsync.core.model.MetadataPolicy;
import io.secretsync.core.model.NullBytePolicy;
import io.secretsync.core.model.ObjectMeta;
import io.secretsync.core.model.RefreshPolicy;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import io.secretsync.core.model.StoreRef;
import io.secretsync.core.model.Target;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The walkthrough's manifests: example-api's ClusterSecretStore and ExternalSecret copied verbatim
 * from the walkthrough, and example-worker's and example-admin's written the way the walkthrough
 * implies ({@code vault kv put secret/example-worker/config-file config.json=@config.json},
 * {@code vault kv put secret/example-admin/config-file config=@config.yml}). Every field of the
 * loaded model is asserted, defaults included.
 */
class WalkthroughManifestsTest {

  private final ManifestLoader loader = new ManifestLoader();

  static Path resource(String name) throws URISyntaxException {
    return Path.of(WalkthroughManifestsTest.class.getResource("/walkthrough/" + name).toURI());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"example-api", "example-worker", "example-admin"})
  void clusterSecretStoreLoadsWithEveryField(String app) throws Exception {
    Manifests m = loader.load(resource("cluster-secret-store-" + app + ".yaml"));

    assertEquals(List.of(), m.errors());
    assertEquals(List.of(), m.warnings());
    assertEquals(List.of(), m.skipped());
    assertEquals(List.of(), m.externalSecrets());
    assertEquals(1, m.stores().size());
    SecretStoreResource store = m.stores().get(0);
    assertEquals(StoreKind.CLUSTER_SECRET_STORE, store.kind());
    assertEquals(new ObjectMeta("vault-" + app, "", ImmutableMap.of(), ImmutableMap.of(), "", 0, ""), store.metadata());
    assertEquals(StoreRef.clusterSecretStore("vault-" + app), store.ref());
    assertEquals("", store.controller());
    assertEquals(Optional.empty(), store.retrySettings());
    assertEquals(Duration.ZERO, store.refreshInterval());
    assertEquals(List.of(), store.conditions());

    assertEquals("vault", store.provider().name());
    ConfigNode vault = store.provider().settings();
    assertEquals("spec.provider.vault", vault.path());
    assertEquals(List.of("auth", "caProvider", "path", "server", "version"), List.copyOf(vault.fieldNames()));
    assertEquals(Optional.of("https://vault.example.internal:8200"), vault.string("server"));
    assertEquals(Optional.of("secret"), vault.string("path"));
    assertEquals(Optional.of("v2"), vault.string("version"));

    ConfigNode ca = vault.child("caProvider");
    assertEquals("spec.provider.vault.caProvider", ca.path());
    assertEquals(List.of("key", "name", "namespace", "type"), List.copyOf(ca.fieldNames()));
    assertEquals(Optional.of("ConfigMap"), ca.string("type"));
    assertEquals(Optional.of("vault-ca"), ca.string("name"));
    assertEquals(Optional.of("external-secrets"), ca.string("namespace"));
    assertEquals(Optional.of("ca.crt"), ca.string("key"));

    ConfigNode auth = vault.child("auth");
    assertEquals(List.of("kubernetes"), List.copyOf(auth.fieldNames()));
    ConfigNode kubernetes = auth.child("kubernetes");
    assertEquals("spec.provider.vault.auth.kubernetes", kubernetes.path());
    assertEquals(List.of("mountPath", "role", "serviceAccountRef"), List.copyOf(kubernetes.fieldNames()));
    assertEquals(Optional.of("kubernetes"), kubernetes.string("mountPath"));
    assertEquals(Optional.of("external-secrets-" + app), kubernetes.string("role"));
    ConfigNode serviceAccount = kubernetes.child("serviceAccountRef");
    assertEquals("spec.provider.vault.auth.kubernetes.serviceAccountRef", serviceAccount.path());
    assertEquals(List.of("name", "namespace"), List.copyOf(serviceAccount.fieldNames()));
    assertEquals(Optional.of("external-secrets"), serviceAccount.string("name"));
    assertEquals(Optional.of("external-secrets"), serviceAccount.string("namespace"));
    assertEquals(List.of(), serviceAccount.stringList("audiences"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "example-api, env-file, .env, dotenv",
      "example-worker, config-file, config.json, config.json",
      "example-admin, config-file, config.yml, config"})
  void externalSecretLoadsWithEveryFieldAndEsoDefaults(String app, String file, String secretKey, String property)
      throws Exception {
    Manifests m = loader.load(resource("external-secret-" + app + ".yaml"));

    assertEquals(List.of(), m.errors());
    assertEquals(List.of(), m.warnings());
    assertEquals(List.of(), m.skipped());
    assertEquals(List.of(), m.stores());
    assertEquals(1, m.externalSecrets().size());
    ExternalSecret es = m.externalSecrets().get(0);
    String name = app + "-" + file;
    assertEquals(new ObjectMeta(name, app, ImmutableMap.of(), ImmutableMap.of(), "", 0, ""), es.metadata());

    assertEquals(Optional.of(StoreRef.clusterSecretStore("vault-" + app)), es.spec().secretStoreRef());
    assertEquals(Duration.ofMinutes(2), es.spec().refreshInterval());
    assertEquals(RefreshPolicy.PERIODIC, es.spec().refreshPolicy());

    Target target = es.spec().target();
    assertEquals(name, target.name());
    assertEquals(CreationPolicy.OWNER, target.creationPolicy());
    assertEquals(DeletionPolicy.RETAIN, target.deletionPolicy());
    assertFalse(target.immutable());
    assertEquals(Optional.empty(), target.template());
    assertEquals(name, es.targetName());

    assertEquals(List.of(), es.spec().dataFrom());
    assertEquals(1, es.spec().data().size());
    ExternalSecretData entry = es.spec().data().get(0);
    assertEquals(secretKey, entry.secretKey());
    assertEquals(Optional.empty(), entry.sourceStoreRef());
    RemoteRef ref = entry.remoteRef();
    assertEquals(app + "/" + file, ref.key());
    assertEquals(property, ref.property());
    assertEquals(Optional.empty(), ref.version());
    assertEquals(DecodingStrategy.NONE, ref.decodingStrategy());
    assertEquals(ConversionStrategy.DEFAULT, ref.conversionStrategy());
    assertEquals(MetadataPolicy.NONE, ref.metadataPolicy());
    assertEquals(NullBytePolicy.IGNORE, ref.nullBytePolicy());
    assertEquals(new RemoteRef(app + "/" + file, property, Optional.empty(), DecodingStrategy.NONE,
        ConversionStrategy.DEFAULT, MetadataPolicy.NONE, NullBytePolicy.IGNORE), ref);
    assertEquals(Optional.of(StoreRef.clusterSecretStore("vault-" + app)), es.storeFor(entry.sourceStoreRef()));
    assertTrue(ExternalSecretValidator.validate(es).isEmpty());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"example-api", "example-worker", "example-admin"})
  void eachAppsStoreAndExternalSecretLoadTogetherFromTheFolder(String app) throws Exception {
    Manifests m = loader.load(resource("external-secret-" + app + ".yaml").getParent());

    assertEquals(List.of(), m.errors());
    assertEquals(3, m.externalSecrets().size());
    assertEquals(3, m.stores().size());
    ExternalSecret es = m.externalSecrets().stream().filter(e -> e.metadata().namespace().equals(app)).findFirst()
        .orElseThrow();
    SecretStoreResource store = m.stores().stream().filter(s -> s.ref().equals(es.spec().secretStoreRef().orElseThrow()))
        .findFirst().orElseThrow();
    assertEquals("vault-" + app, store.metadata().name());
  }
}
