package io.secretsync.core.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.model.ConfigNode;
import io.secretsync.core.model.ConversionStrategy;
import io.secretsync.core.model.CreationPolicy;
import io.secretsync.core.model.DataFromSource;
import io.secretsync.core.model.DecodingStrategy;
import io.secretsync.core.model.DeletionPolicy;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ExternalSecretData;
import io.secretsync.core.model.MetadataPolicy;
import io.secretsync.core.model.NullBytePolicy;
import io.secretsync.core.model.RefreshPolicy;
import io.secretsync.core.model.Rewrite;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import io.secretsync.core.model.StoreRef;
import io.secretsync.core.model.TemplateMergePolicy;
import io.secretsync.core.model.TemplateScope;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestLoaderTest {
  private final ManifestLoader loader = new ManifestLoader();

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(ManifestLoaderTest.class.getResource("/walkthrough/" + name).toURI());
  }

  @Test
  void walkthroughClusterSecretStoreLoadsWithEveryField() throws Exception {
    Manifests m = loader.load(List.of(resource("cluster-secret-store-example-api.yaml"))).throwIfErrors();

    assertEquals(1, m.stores().size());
    SecretStoreResource store = m.stores().get(0);
    assertEquals(StoreKind.CLUSTER_SECRET_STORE, store.kind());
    assertEquals("vault-example-api", store.metadata().name());
    assertEquals("", store.metadata().namespace());
    assertEquals("", store.controller());
    assertEquals(Optional.empty(), store.retrySettings());
    assertEquals(Duration.ZERO, store.refreshInterval());
    assertEquals(List.of(), store.conditions());
    assertEquals("vault", store.provider().name());
    ConfigNode vault = store.provider().settings();
    assertEquals("spec.provider.vault", vault.path());
    assertEquals(Optional.of("https://vault.example.internal:8200"), vault.string("server"));
    assertEquals(Optional.of("secret"), vault.string("path"));
    assertEquals(Optional.of("v2"), vault.string("version"));
    ConfigNode ca = vault.child("caProvider");
    assertEquals(Optional.of("ConfigMap"), ca.string("type"));
    assertEquals(Optional.of("vault-ca"), ca.string("name"));
    assertEquals(Optional.of("external-secrets"), ca.string("namespace"));
    assertEquals(Optional.of("ca.crt"), ca.string("key"));
    ConfigNode k8s = vault.child("auth").child("kubernetes");
    assertEquals("spec.provider.vault.auth.kubernetes", k8s.path());
    assertEquals(Optional.of("kubernetes"), k8s.string("mountPath"));
    assertEquals(Optional.of("external-secrets-example-api"), k8s.string("role"));
    assertEquals(Optional.of("external-secrets"), k8s.child("serviceAccountRef").string("name"));
    assertEquals(Optional.of("external-secrets"), k8s.child("serviceAccountRef").string("namespace"));
    assertEquals(List.of("auth", "caProvider", "path", "server", "version"), List.copyOf(vault.fieldNames()));
  }

  @Test
  void walkthroughExternalSecretLoadsWithEveryFieldAndEsoDefaults() throws Exception {
    Manifests m = loader.load(List.of(resource("external-secret-example-api.yaml"))).throwIfErrors();

    ExternalSecret es = m.externalSecrets().get(0);
    assertEquals("example-api-env-file", es.metadata().name());
    assertEquals("example-api", es.metadata().namespace());
    assertEquals(Map.of(), es.metadata().labels());
    assertEquals(Duration.ofMinutes(2), es.spec().refreshInterval());
    assertEquals(RefreshPolicy.PERIODIC, es.spec().refreshPolicy());
    assertEquals(Optional.of(StoreRef.clusterSecretStore("vault-example-api")), es.spec().secretStoreRef());
    assertEquals("example-api-env-file", es.spec().target().name());
    assertEquals(CreationPolicy.OWNER, es.spec().target().creationPolicy());
    assertEquals(DeletionPolicy.RETAIN, es.spec().target().deletionPolicy());
    assertFalse(es.spec().target().immutable());
    assertEquals(Optional.empty(), es.spec().target().template());
    assertEquals(List.of(), es.spec().dataFrom());
    assertEquals(1, es.spec().data().size());
    ExternalSecretData entry = es.spec().data().get(0);
    assertEquals(".env", entry.secretKey());
    assertEquals(Optional.empty(), entry.sourceStoreRef());
    assertEquals("example-api/env-file", entry.remoteRef().key());
    assertEquals("dotenv", entry.remoteRef().property());
    assertEquals(Optional.empty(), entry.remoteRef().version());
    assertEquals(DecodingStrategy.NONE, entry.remoteRef().decodingStrategy());
    assertEquals(ConversionStrategy.DEFAULT, entry.remoteRef().conversionStrategy());
    assertEquals(MetadataPolicy.NONE, entry.remoteRef().metadataPolicy());
    assertEquals(NullBytePolicy.IGNORE, entry.remoteRef().nullBytePolicy());
    assertEquals("example-api-env-file", es.targetName());
  }

  @Test
  void v1beta1MultiDocumentWithEveryOptionalField() {
    String yaml = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: apps
        ---
        apiVersion: external-secrets.io/v1beta1
        kind: ExternalSecret
        metadata:
          name: full
          labels: {team: a}
          annotations: {note: b}
        spec:
          refreshInterval: 1h30m
          refreshPolicy: OnChange
          secretStoreRef: {name: store}
          target:
            creationPolicy: Merge
            deletionPolicy: Merge
            immutable: true
            template:
              type: kubernetes.io/dockerconfigjson
              mergePolicy: Merge
              metadata:
                labels: {l: "{{ .a }}"}
                annotations: {x: y}
              data:
                .dockerconfigjson: '{{ .cfg }}'
              templateFrom:
                - configMap: {name: tpl, items: [{key: k, templateAs: KeysAndValues}]}
                - literal: "a: b"
                  target: Annotations
          data:
            - secretKey: a
              remoteRef: {key: k, property: p, version: "3", decodingStrategy: Base64URL, metadataPolicy: Fetch, nullBytePolicy: Fail}
              sourceRef: {storeRef: {name: other, kind: ClusterSecretStore}}
          dataFrom:
            - extract: {key: e, conversionStrategy: Unicode}
              rewrite:
                - regexp: {source: "^(.*)$", target: "x_$1"}
                - transform: {template: "{{ .value | upper }}"}
            - find:
                path: dev
                name: {regexp: "^db"}
                tags: {env: dev}
                decodingStrategy: Auto
        """;

    Manifests m = loader.loadString(yaml, "inline.yaml").throwIfErrors();

    assertEquals(1, m.skipped().size());
    assertEquals("Namespace", m.skipped().get(0).kind());
    ExternalSecret es = m.externalSecrets().get(0);
    assertEquals("default", es.metadata().namespace());
    assertEquals(Map.of("team", "a"), es.metadata().labels());
    assertEquals(Duration.ofMinutes(90), es.spec().refreshInterval());
    assertEquals(RefreshPolicy.ON_CHANGE, es.spec().refreshPolicy());
    assertEquals(StoreKind.SECRET_STORE, es.spec().secretStoreRef().orElseThrow().kind());
    assertEquals("full", es.targetName());
    assertEquals(CreationPolicy.MERGE, es.spec().target().creationPolicy());
    assertEquals(DeletionPolicy.MERGE, es.spec().target().deletionPolicy());
    assertTrue(es.spec().target().immutable());
    var template = es.spec().target().template().orElseThrow();
    assertEquals("kubernetes.io/dockerconfigjson", template.type());
    assertEquals("v2", template.engineVersion());
    assertEquals(TemplateMergePolicy.MERGE, template.mergePolicy());
    assertEquals(Map.of("l", "{{ .a }}"), template.labels());
    assertEquals(Map.of(".dockerconfigjson", "{{ .cfg }}"), template.data());
    assertEquals("tpl", template.templateFrom().get(0).configMap().orElseThrow().name());
    assertEquals(TemplateScope.ANNOTATIONS, template.templateFrom().get(1).target());
    var a = es.spec().data().get(0);
    assertEquals(Optional.of("3"), a.remoteRef().version());
    assertEquals(DecodingStrategy.BASE64URL, a.remoteRef().decodingStrategy());
    assertEquals(MetadataPolicy.FETCH, a.remoteRef().metadataPolicy());
    assertEquals(NullBytePolicy.FAIL, a.remoteRef().nullBytePolicy());
    assertEquals(Optional.of(StoreRef.clusterSecretStore("other")), a.sourceStoreRef());
    DataFromSource extract = es.spec().dataFrom().get(0);
    assertEquals(ConversionStrategy.UNICODE, extract.extract().orElseThrow().conversionStrategy());
    assertEquals(new Rewrite.Regexp("^(.*)$", "x_$1"), extract.rewrite().get(0));
    assertEquals(new Rewrite.Transform("{{ .value | upper }}"), extract.rewrite().get(1));
    var find = es.spec().dataFrom().get(1).find().orElseThrow();
    assertEquals(Optional.of("dev"), find.path());
    assertEquals(Optional.of("^db"), find.nameRegexp());
    assertEquals(Map.of("env", "dev"), find.tags());
    assertEquals(DecodingStrategy.AUTO, find.decodingStrategy());
  }

  private static String error(Manifests m) {
    assertEquals(1, m.errors().size(), m.errors().toString());
    assertEquals(List.of(), m.externalSecrets());
    assertEquals(List.of(), m.stores());
    return m.errors().get(0).getMessage();
  }

  private static final String HEAD = """
      apiVersion: external-secrets.io/v1
      kind: ExternalSecret
      metadata: {name: es, namespace: apps}
      """;

  @Test
  void missingRemoteKeyNamesFileDocumentAndField() {
    String msg = error(loader.loadString(HEAD + "spec:\n  secretStoreRef: {name: s}\n  data:\n"
        + "    - secretKey: a\n      remoteRef: {property: p}\n", "es.yaml"));
    assertEquals("es.yaml: document 1: ExternalSecret \"es\": spec.data[0].remoteRef.key: required", msg);
  }

  @Test
  void wrongEnumSpellingListsTheAllowedValues() {
    String msg = error(loader.loadString(HEAD + "spec:\n  secretStoreRef: {name: s}\n  target: {creationPolicy: owner}\n"
        + "  data: [{secretKey: a, remoteRef: {key: k}}]\n", "es.yaml"));
    assertTrue(msg.endsWith("spec.target.creationPolicy: \"owner\" is not one of Owner, Orphan, Merge, None, CreateOrMerge"),
        msg);
  }

  @Test
  void unknownFieldIsNamed() {
    String msg = error(loader.loadString(HEAD + "spec:\n  secretStoreRef: {name: s}\n  refreshIntervall: 1h\n"
        + "  data: [{secretKey: a, remoteRef: {key: k}}]\n", "es.yaml"));
    assertTrue(msg.contains("spec.refreshIntervall: unknown field"), msg);
  }

  @Test
  void rejectedPolicyPairIsAnError() {
    String msg = error(loader.loadString(HEAD + "spec:\n  secretStoreRef: {name: s}\n"
        + "  target: {creationPolicy: Merge, deletionPolicy: Delete}\n  data: [{secretKey: a, remoteRef: {key: k}}]\n",
        "es.yaml"));
    assertTrue(msg.contains("spec.target.deletionPolicy: deletionPolicy=Delete must not be used"), msg);
  }

  @Test
  void badDurationAndNoDataAreErrors() {
    assertTrue(error(loader.loadString(HEAD + "spec:\n  secretStoreRef: {name: s}\n  refreshInterval: soon\n"
        + "  data: [{secretKey: a, remoteRef: {key: k}}]\n", "es.yaml")).contains("spec.refreshInterval: invalid duration"));
    assertTrue(error(loader.loadString(HEAD + "spec:\n  secretStoreRef: {name: s}\n", "es.yaml"))
        .contains("either data or dataFrom should be specified"));
  }

  @Test
  void yamlSyntaxErrorGivesLineAndColumn() {
    String msg = error(loader.loadString(HEAD + "spec:\n  data: [ {secretKey: a\n", "broken.yaml"));
    assertTrue(msg.startsWith("broken.yaml: document 1: invalid YAML at line "), msg);
  }

  @Test
  void secondBadDocumentDropsTheWholeFile() {
    String good = HEAD + "spec:\n  secretStoreRef: {name: s}\n  data: [{secretKey: a, remoteRef: {key: k}}]\n";
    String msg = error(loader.loadString(good + "---\n" + good.replace("name: es", "name: es2")
        .replace("secretKey: a", "secretKey: 'bad key'"), "two.yaml"));
    assertTrue(msg.startsWith("two.yaml: document 2: ExternalSecret \"es2\": spec.data[0].secretKey"), msg);
  }

  @Test
  void folderWithABadFileLoadsTheGoodOnesAndReportsTheBadOne(@TempDir Path dir) throws IOException,
      URISyntaxException {
    Files.copy(resource("external-secret-example-api.yaml"), dir.resolve("a.yaml"));
    Files.createDirectories(dir.resolve("nested"));
    Files.copy(resource("cluster-secret-store-example-api.yaml"), dir.resolve("nested/b.yml"));
    Files.writeString(dir.resolve("c.yaml"), HEAD + "spec: {}\n");
    Files.writeString(dir.resolve("notes.txt"), "ignored");

    Manifests m = loader.load(List.of(dir));

    assertEquals(1, m.externalSecrets().size());
    assertEquals(1, m.stores().size());
    assertEquals(1, m.errors().size());
    assertTrue(m.errors().get(0).getMessage().startsWith(dir.resolve("c.yaml") + ": document 1:"),
        m.errors().get(0).getMessage());
  }

  @Test
  void storeWithTwoProvidersOrConditionsOnANamespacedStoreIsAnError() {
    String two = "apiVersion: external-secrets.io/v1\nkind: SecretStore\nmetadata: {name: s, namespace: a}\n"
        + "spec:\n  provider: {vault: {}, aws: {}}\n";
    assertTrue(error(loader.loadString(two, "s.yaml")).contains("spec.provider: set exactly one provider"));
    String cond = "apiVersion: external-secrets.io/v1\nkind: SecretStore\nmetadata: {name: s, namespace: a}\n"
        + "spec:\n  provider: {vault: {server: x}}\n  conditions: [{namespaces: [a]}]\n";
    assertTrue(error(loader.loadString(cond, "s.yaml")).contains("spec.conditions: only a ClusterSecretStore"));
  }

  @Test
  void clusterStoreConditionsRetryAndRefresh() {
    String yaml = "apiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata: {name: s}\n"
        + "spec:\n  provider: {vault: {server: x}}\n  refreshInterval: 300\n"
        + "  retrySettings: {maxRetries: 3, retryInterval: 10s}\n"
        + "  conditions:\n    - namespaces: [a]\n      namespaceRegexes: ['^team-']\n"
        + "      namespaceSelector: {matchLabels: {env: prod}}\n";
    SecretStoreResource store = loader.loadString(yaml, "s.yaml").throwIfErrors().stores().get(0);
    assertEquals(Duration.ofMinutes(5), store.refreshInterval());
    assertEquals(Optional.of(3), store.retrySettings().orElseThrow().maxRetries());
    assertEquals(Optional.of(Duration.ofSeconds(10)), store.retrySettings().orElseThrow().retryInterval());
    assertEquals(List.of("a"), store.conditions().get(0).namespaces());
    assertEquals(Map.of("env", "prod"), store.conditions().get(0).namespaceSelectorMatchLabels());
  }

  @Test
  void errorsNeverQuoteSecretLookingValuesOutsideTheirField() {
    String yaml = HEAD + "spec:\n  secretStoreRef: {name: s}\n  data: [{secretKey: a, remoteRef: {key: k}}]\n"
        + "  target: {template: {engineVersion: v1, data: {x: canary-4711}}}\n";
    String msg = error(loader.loadString(yaml, "t.yaml"));
    assertTrue(msg.contains("spec.target.template.engineVersion"), msg);
    assertFalse(msg.contains("canary-4711"));
  }
}
