package io.secretsync.core.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.model.ConversionStrategy;
import io.secretsync.core.model.CreationPolicy;
import io.secretsync.core.model.DataFromSource;
import io.secretsync.core.model.DecodingStrategy;
import io.secretsync.core.model.DeletionPolicy;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ExternalSecretData;
import io.secretsync.core.model.FindRef;
import io.secretsync.core.model.MetadataPolicy;
import io.secretsync.core.model.NullBytePolicy;
import io.secretsync.core.model.RefreshPolicy;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.RetrySettings;
import io.secretsync.core.model.Rewrite;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import io.secretsync.core.model.StoreRef;
import io.secretsync.core.model.TargetTemplate;
import io.secretsync.core.model.TemplateAs;
import io.secretsync.core.model.TemplateFrom;
import io.secretsync.core.model.TemplateMergePolicy;
import io.secretsync.core.model.TemplateScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestLoaderTest {

  private final ManifestLoader loader = new ManifestLoader();

  static final String ES = """
      apiVersion: external-secrets.io/v1
      kind: ExternalSecret
      metadata: {name: %s, namespace: apps}
      spec:
        secretStoreRef: {name: vault}
        data: [{secretKey: a, remoteRef: {key: k}}]
      """;

  static String es(String name) {
    return ES.formatted(name);
  }

  private static List<String> names(Manifests m) {
    return m.externalSecrets().stream().map(es -> es.metadata().qualifiedName()).collect(Collectors.toList());
  }

  @Test
  void mixedFolderLoadsTheGoodFilesSkipsOtherKindsAndReportsTheBadFile() throws Exception {
    Path dir = Path.of(getClass().getResource("/manifests/mixed").toURI());

    Manifests m = loader.load(dir);

    assertEquals(List.of("example-api/example-api-env-file", "example-worker/example-worker-config-file"), names(m));
    assertEquals(List.of(StoreRef.clusterSecretStore("vault-example-api")),
        m.stores().stream().map(SecretStoreResource::ref).collect(Collectors.toList()));
    assertEquals(1, m.errors().size());
    ManifestException error = m.errors().get(0);
    assertEquals(dir.resolve("apps/broken.yaml") + ": document 2: ExternalSecret example-api/broken:"
        + " spec.target.creationPolicy: \"owner\" is not one of Owner, Orphan, Merge, None, CreateOrMerge;"
        + " use one of these values, spelled exactly", error.getMessage());
    assertEquals(dir.resolve("apps/broken.yaml").toString(), error.source());
    assertEquals(2, error.document());
    assertEquals("ExternalSecret example-api/broken", error.object());
    assertEquals("spec.target.creationPolicy", error.field());
    assertEquals(List.of("use one of these values, spelled exactly"), error.hints());
    assertEquals(List.of(), m.warnings());

    assertEquals(List.of("00-namespaces.yaml 1 v1 Namespace /example-api", "00-namespaces.yaml 2 v1 Namespace /example-worker",
        "00-namespaces.yaml 3 v1 ServiceAccount external-secrets/external-secrets",
        "config/vault-ca.json 1 v1 ConfigMap external-secrets/vault-ca", "secret.yaml 1 v1 Secret example-api/hand-made"),
        m.skipped().stream().map(s -> dir.relativize(Path.of(s.source())).toString().replace('\\', '/') + " "
            + s.document() + " " + s.apiVersion() + " " + s.kind() + " " + s.namespace() + "/" + s.name())
            .collect(Collectors.toList()));
    Manifests.Skipped secret = m.skipped().get(4);
    assertEquals("canary-value-7f3a", secret.object().path("stringData").path("password").asText());
    assertFalse(secret.toString().contains("canary-value-7f3a"), secret.toString());
    assertFalse(m.toString().contains("canary-value-7f3a"), m.toString());
    ((ObjectNode) secret.object()).put("kind", "Changed");
    assertEquals("Secret", secret.object().path("kind").asText(), "the raw object is a copy");
  }

  @Test
  void folderIsReadRecursivelyInSortedOrderTakingOnlyManifestExtensions(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("b/c"));
    Files.writeString(dir.resolve("z.yaml"), es("z"));
    Files.writeString(dir.resolve("b/c/y.yml"), es("y"));
    Files.writeString(dir.resolve("b/x.json"), "{\"apiVersion\": \"external-secrets.io/v1\", \"kind\": \"ExternalSecret\","
        + " \"metadata\": {\"name\": \"x\", \"namespace\": \"apps\"}, \"spec\": {\"secretStoreRef\": {\"name\": \"vault\"},"
        + " \"data\": [{\"secretKey\": \"a\", \"remoteRef\": {\"key\": \"k\"}}]}}");
    Files.writeString(dir.resolve("a.yaml"), es("a"));
    Files.writeString(dir.resolve("notes.txt"), es("not-read"));
    Files.writeString(dir.resolve("upper.YAML"), es("not-read-either"));

    Manifests m = loader.load(dir);

    assertEquals(List.of(), m.errors());
    assertEquals(List.of("apps/a", "apps/y", "apps/x", "apps/z"), names(m), "b/c/y.yml sorts before b/x.json");
  }

  @Test
  void aFileNamedExplicitlyIsReadWhateverItsExtension(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("notes.txt"), es("from-txt"));

    assertEquals(List.of("apps/from-txt"), names(loader.load(dir.resolve("notes.txt")).throwIfErrors()));
  }

  @Test
  void aMissingPathIsAnErrorAndTheOtherPathsStillLoad(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.yaml"), es("a"));

    Manifests m = loader.load(List.of(dir.resolve("missing.yaml"), dir.resolve("a.yaml")));

    assertEquals(List.of("apps/a"), names(m));
    assertEquals(List.of(dir.resolve("missing.yaml") + ": no such file or folder; check the path"),
        m.errors().stream().map(Throwable::getMessage).collect(Collectors.toList()));
    assertEquals(0, m.errors().get(0).document());
  }

  @Test
  void documentsAreNumberedAsUsersCountThemIncludingEmptyOnes() {
    String text = "---\n# nothing here\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n---\n"
        + es("a") + "---\n" + es("b").replace("key: k", "key: ''");

    Manifests m = loader.loadString(text, "many.yaml");

    assertEquals(List.of("many.yaml: document 4: ExternalSecret apps/b: spec.data[0].remoteRef.key: required;"
        + " set the secret's path in the store, e.g. key: example-api/env-file"),
        m.errors().stream().map(Throwable::getMessage).collect(Collectors.toList()));
    assertEquals(List.of(), m.externalSecrets(), "nothing else is taken from a file with a bad document");
    assertEquals(List.of(), m.skipped());

    Manifests good = loader.loadString(text.substring(0, text.lastIndexOf("---\n")), "many.yaml").throwIfErrors();
    assertEquals(2, good.skipped().get(0).document());
    assertEquals(List.of("apps/a"), names(good));
  }

  @Test
  void everyBadDocumentOfAFileIsReported() {
    Manifests m = loader.loadString(es("UPPER") + "---\n" + es("fine") + "---\n" + es("c").replace("vault", "Vault"),
        "three.yaml");

    assertEquals(List.of(
        "three.yaml: document 1: ExternalSecret apps/UPPER: metadata.name: \"UPPER\" is not a valid name; use at most 253"
            + " lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
        "three.yaml: document 3: ExternalSecret apps/c: spec.secretStoreRef.name: \"Vault\" is not a valid store name;"
            + " use at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"),
        m.errors().stream().map(Throwable::getMessage).collect(Collectors.toList()));
    assertEquals(List.of(), m.externalSecrets());
  }

  @Test
  void v1beta1IsReadAsV1WithEveryOptionalField() {
    String yaml = """
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
            name: full-secret
            creationPolicy: Merge
            deletionPolicy: Merge
            immutable: true
            template:
              type: kubernetes.io/dockerconfigjson
              engineVersion: v2
              mergePolicy: Merge
              metadata:
                labels: {l: "{{ .a }}"}
                annotations: {x: y}
              data:
                .dockerconfigjson: '{{ .cfg }}'
              templateFrom:
                - configMap: {name: tpl, items: [{key: k, templateAs: KeysAndValues}, {key: v}]}
                - secret: {name: tpl-secret, items: [{key: s}]}
                  target: Labels
                - literal: "a: b"
                  target: annotations
                  valuesDecodingStrategy: None
          data:
            - secretKey: a
              remoteRef: {key: k, property: p, version: "3", decodingStrategy: Base64URL, conversionStrategy: Unicode,
                          metadataPolicy: Fetch, nullBytePolicy: Fail}
              sourceRef: {storeRef: {name: other, kind: ClusterSecretStore}}
            - secretKey: b
              remoteRef: {key: k2}
          dataFrom:
            - extract: {key: e, property: nested, version: "7", decodingStrategy: Auto, conversionStrategy: Unicode,
                        metadataPolicy: Fetch, nullBytePolicy: Fail}
              rewrite:
                - regexp: {source: "^(.*)$", target: "x_$1"}
                - transform: {template: "{{ .value | upper }}"}
              sourceRef: {storeRef: {name: third}}
            - find:
                path: dev
                name: {regexp: "^db"}
                tags: {env: dev, team: a}
                conversionStrategy: Unicode
                decodingStrategy: Base64
                nullBytePolicy: Fail
            - find: {}
        """;

    ExternalSecret es = loader.loadString(yaml, "full.yaml").throwIfErrors().externalSecrets().get(0);

    assertEquals("default", es.metadata().namespace());
    assertEquals(Map.of("team", "a"), es.metadata().labels());
    assertEquals(Map.of("note", "b"), es.metadata().annotations());
    assertEquals(Duration.ofMinutes(90), es.spec().refreshInterval());
    assertEquals(RefreshPolicy.ON_CHANGE, es.spec().refreshPolicy());
    assertEquals(Optional.of(StoreRef.secretStore("store")), es.spec().secretStoreRef());
    assertEquals("full-secret", es.targetName());
    assertEquals(CreationPolicy.MERGE, es.spec().target().creationPolicy());
    assertEquals(DeletionPolicy.MERGE, es.spec().target().deletionPolicy());
    assertTrue(es.spec().target().immutable());

    TargetTemplate template = es.spec().target().template().orElseThrow();
    assertEquals("kubernetes.io/dockerconfigjson", template.type());
    assertEquals("v2", template.engineVersion());
    assertEquals(TemplateMergePolicy.MERGE, template.mergePolicy());
    assertEquals(Map.of("l", "{{ .a }}"), template.labels());
    assertEquals(Map.of("x", "y"), template.annotations());
    assertEquals(Map.of(".dockerconfigjson", "{{ .cfg }}"), template.data());
    assertEquals(List.of(
        new TemplateFrom(Optional.of(new TemplateFrom.Source("tpl", ImmutableList.of(
            new TemplateFrom.Item("k", TemplateAs.KEYS_AND_VALUES), new TemplateFrom.Item("v", TemplateAs.VALUES)))),
            Optional.empty(), Optional.empty(), TemplateScope.DATA),
        new TemplateFrom(Optional.empty(), Optional.of(new TemplateFrom.Source("tpl-secret",
            ImmutableList.of(new TemplateFrom.Item("s", TemplateAs.VALUES)))),
            Optional.empty(), TemplateScope.LABELS),
        new TemplateFrom(Optional.empty(), Optional.empty(), Optional.of("a: b"), TemplateScope.ANNOTATIONS)),
        template.templateFrom());

    assertEquals(List.of(
        new ExternalSecretData("a", new RemoteRef("k", "p", Optional.of("3"), DecodingStrategy.BASE64URL,
            ConversionStrategy.UNICODE, MetadataPolicy.FETCH, NullBytePolicy.FAIL),
            Optional.of(StoreRef.clusterSecretStore("other"))),
        ExternalSecretData.of("b", RemoteRef.of("k2"))), es.spec().data());

    DataFromSource extract = es.spec().dataFrom().get(0);
    assertEquals(Optional.of(new RemoteRef("e", "nested", Optional.of("7"), DecodingStrategy.AUTO,
        ConversionStrategy.UNICODE, MetadataPolicy.FETCH, NullBytePolicy.FAIL)), extract.extract());
    assertEquals(List.of(new Rewrite.Regexp("^(.*)$", "x_$1"), new Rewrite.Transform("{{ .value | upper }}")),
        extract.rewrite());
    assertEquals(Optional.of(StoreRef.secretStore("third")), extract.sourceStoreRef());
    assertEquals(Optional.of(new FindRef(Optional.of("dev"), Optional.of("^db"),
        ImmutableMap.of("env", "dev", "team", "a"), ConversionStrategy.UNICODE,
        DecodingStrategy.BASE64, NullBytePolicy.FAIL)), es.spec().dataFrom().get(1).find());
    assertEquals(List.of(), es.spec().dataFrom().get(1).rewrite());
    assertEquals(Optional.empty(), es.spec().dataFrom().get(1).sourceStoreRef());
    assertEquals(Optional.of(new FindRef(Optional.empty(), Optional.empty(), ImmutableMap.of(),
        ConversionStrategy.DEFAULT, DecodingStrategy.NONE, NullBytePolicy.IGNORE)), es.spec().dataFrom().get(2).find());
  }

  @Test
  void unsetFieldsTakeEsoDefaults() {
    String yaml = """
        apiVersion: external-secrets.io/v1
        kind: ExternalSecret
        metadata: {name: minimal}
        spec:
          secretStoreRef: {name: vault}
          target: {template: {}}
          dataFrom: [{extract: {key: app}}]
        """;

    ExternalSecret es = loader.loadString(yaml, "min.yaml").throwIfErrors().externalSecrets().get(0);

    assertEquals("default", es.metadata().namespace());
    assertEquals(StoreKind.SECRET_STORE, es.spec().secretStoreRef().orElseThrow().kind());
    assertEquals(Duration.ofHours(1), es.spec().refreshInterval());
    assertEquals(RefreshPolicy.PERIODIC, es.spec().refreshPolicy());
    assertEquals("", es.spec().target().name());
    assertEquals("minimal", es.targetName());
    assertEquals(CreationPolicy.OWNER, es.spec().target().creationPolicy());
    assertEquals(DeletionPolicy.RETAIN, es.spec().target().deletionPolicy());
    assertFalse(es.spec().target().immutable());
    TargetTemplate template = es.spec().target().template().orElseThrow();
    assertEquals(new TargetTemplate("", "v2", TemplateMergePolicy.REPLACE, ImmutableMap.of(),
        ImmutableMap.of(), ImmutableMap.of(),
        ImmutableList.of()), template);
    assertEquals(Optional.of(RemoteRef.of("app")), es.spec().dataFrom().get(0).extract());
    assertEquals(Duration.ZERO, loader.loadString("apiVersion: external-secrets.io/v1\nkind: ExternalSecret\n"
        + "metadata: {name: once}\nspec:\n  refreshInterval: \"0\"\n  secretStoreRef: {name: v}\n"
        + "  data: [{secretKey: a, remoteRef: {key: k}}]\n", "once.yaml").throwIfErrors().externalSecrets().get(0)
        .spec().refreshInterval());
  }

  @Test
  void storesReadEveryField() {
    String yaml = """
        apiVersion: external-secrets.io/v1
        kind: ClusterSecretStore
        metadata: {name: shared, labels: {tier: a}}
        spec:
          controller: dev
          refreshInterval: 300
          retrySettings: {maxRetries: 3, retryInterval: 10s}
          provider:
            vault: {server: "https://vault:8200", anything: [1, 2], nested: {free: form}}
          conditions:
            - namespaces: [team-a, team-b]
              namespaceRegexes: ['^team-']
              namespaceSelector: {matchLabels: {env: prod}}
            - namespaceSelector: {matchLabels: {env: dev}, matchExpressions: []}
        ---
        apiVersion: external-secrets.io/v1beta1
        kind: SecretStore
        metadata: {name: local, namespace: apps}
        spec:
          refreshInterval: 1h
          retrySettings: {}
          provider: {vault: {server: "https://vault:8200"}}
        """;

    Manifests m = loader.loadString(yaml, "stores.yaml").throwIfErrors();

    SecretStoreResource cluster = m.stores().get(0);
    assertEquals(StoreKind.CLUSTER_SECRET_STORE, cluster.kind());
    assertEquals("", cluster.metadata().namespace());
    assertEquals(Map.of("tier", "a"), cluster.metadata().labels());
    assertEquals("dev", cluster.controller());
    assertEquals(Duration.ofMinutes(5), cluster.refreshInterval());
    assertEquals(Optional.of(new RetrySettings(Optional.of(3), Optional.of(Duration.ofSeconds(10)))),
        cluster.retrySettings());
    assertEquals("vault", cluster.provider().name());
    assertEquals(List.of("anything", "nested", "server"), List.copyOf(cluster.provider().settings().fieldNames()));
    assertEquals(2, cluster.conditions().size());
    assertEquals(List.of("team-a", "team-b"), cluster.conditions().get(0).namespaces());
    assertEquals(List.of("^team-"), cluster.conditions().get(0).namespaceRegexes());
    assertEquals(Map.of("env", "prod"), cluster.conditions().get(0).namespaceSelectorMatchLabels());
    assertEquals(Map.of("env", "dev"), cluster.conditions().get(1).namespaceSelectorMatchLabels());

    SecretStoreResource local = m.stores().get(1);
    assertEquals(StoreRef.secretStore("local"), local.ref());
    assertEquals("apps", local.metadata().namespace());
    assertEquals(Duration.ofHours(1), local.refreshInterval());
    assertEquals(Optional.of(new RetrySettings(Optional.empty(), Optional.empty())), local.retrySettings());
    assertEquals(List.of(), local.conditions());
  }

  @Test
  void kubectlListOutputLoadsEachItem() {
    String list = """
        apiVersion: v1
        kind: List
        items:
          - %s
          - apiVersion: v1
            kind: ConfigMap
            metadata: {name: cm, namespace: apps}
        """.formatted(es("listed").replace("\n", "\n    ").trim());

    Manifests m = loader.loadString(list, "list.yaml").throwIfErrors();

    assertEquals(List.of("apps/listed"), names(m));
    assertEquals("ConfigMap", m.skipped().get(0).kind());
    assertEquals(1, m.skipped().get(0).document());

    Manifests bad = loader.loadString(list.replace("secretKey: a", "secretKey: 'a b'"), "list.yaml");
    assertEquals("list.yaml: document 1: ExternalSecret apps/listed: items[0].spec.data[0].secretKey: \"a b\" is not a"
        + " valid Secret key; use only letters, digits, '-', '_' and '.' (and not just \".\" or \"..\")",
        bad.errors().get(0).getMessage());
  }

  @Test
  void apiObjectKeepsServerMetadataAndIgnoresStatusAndManagedFields() throws Exception {
    JsonNode object = new ObjectMapper().readTree("""
        {"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
         "metadata": {"name": "example-api-env-file", "namespace": "example-api", "uid": "6f1c-42",
           "generation": 4, "resourceVersion": "98765", "labels": {"app": "example-api"},
           "annotations": {"force-sync": "1"}, "creationTimestamp": "2026-01-01T00:00:00Z",
           "finalizers": ["externalsecrets.external-secrets.io/externalsecret-cleanup"],
           "managedFields": [{"manager": "kubectl", "operation": "Apply", "fieldsV1": {"f:spec": {}}}]},
         "spec": {"refreshInterval": "2m0s", "secretStoreRef": {"name": "vault-example-api", "kind": "ClusterSecretStore"},
           "target": {"name": "example-api-env-file", "creationPolicy": "Owner", "deletionPolicy": "Retain"},
           "data": [{"secretKey": ".env", "remoteRef": {"key": "example-api/env-file", "property": "dotenv",
             "conversionStrategy": "Default", "decodingStrategy": "None", "metadataPolicy": "None"}}]},
         "status": {"refreshTime": "2026-01-01T00:02:00Z", "syncedResourceVersion": "4-abc",
           "conditions": [{"type": "Ready", "status": "True", "reason": "SecretSynced"}]}}
        """);

    ExternalSecret es = loader.externalSecret(object);

    assertEquals("6f1c-42", es.metadata().uid());
    assertEquals(4, es.metadata().generation());
    assertEquals("98765", es.metadata().resourceVersion());
    assertEquals(Map.of("app", "example-api"), es.metadata().labels());
    assertEquals(Map.of("force-sync", "1"), es.metadata().annotations());
    assertEquals(Duration.ofMinutes(2), es.spec().refreshInterval());
    assertEquals(RemoteRef.of("example-api/env-file", "dotenv"), es.spec().data().get(0).remoteRef());

    JsonNode store = new ObjectMapper().readTree("""
        {"apiVersion": "external-secrets.io/v1", "kind": "ClusterSecretStore",
         "metadata": {"name": "vault-example-api", "uid": "u-1", "generation": 2, "resourceVersion": "77"},
         "spec": {"provider": {"vault": {"server": "https://vault.example.internal:8200"}}},
         "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "Valid"}], "capabilities": "ReadWrite"}}
        """);
    SecretStoreResource parsed = loader.store(store);
    assertEquals("u-1", parsed.metadata().uid());
    assertEquals(2, parsed.metadata().generation());
    assertEquals("77", parsed.metadata().resourceVersion());
  }

  @Test
  void anEmptyStoreReferenceAsGoClientsWriteItMeansNone() throws Exception {
    JsonNode object = new ObjectMapper().readTree("""
        {"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret", "metadata": {"name": "es", "namespace": "apps"},
         "spec": {"secretStoreRef": {}, "target": {},
           "data": [{"secretKey": "a", "remoteRef": {"key": "k"}, "sourceRef": {"storeRef": {"name": "own"}}}]}}
        """);

    ExternalSecret es = loader.externalSecret(object);

    assertEquals(Optional.empty(), es.spec().secretStoreRef());
    assertEquals(Optional.of(StoreRef.secretStore("own")), es.spec().data().get(0).sourceStoreRef());
  }

  @Test
  void invalidApiObjectThrowsAManifestExceptionNamingObjectAndField() throws Exception {
    JsonNode object = new ObjectMapper().readTree("""
        {"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
         "metadata": {"name": "es", "namespace": "apps"},
         "spec": {"secretStoreRef": {"name": "v"}, "target": {"creationPolicy": "Owner", "deletionPolicy": "Delete"},
           "dataFrom": [{"find": {"name": {"regexp": "x"}}, "rewrite": [{"merge": {"into": "all"}}]}]}}
        """);

    ManifestException e = assertThrows(ManifestException.class, () -> loader.externalSecret(object));

    assertEquals("ExternalSecret apps/es: spec.dataFrom[0].rewrite[0].merge: not supported; remove it: merge rewrites"
        + " are not implemented; use regexp or transform", e.getMessage());
    assertEquals("", e.source());
    assertEquals(0, e.document());

    ManifestException kind = assertThrows(ManifestException.class, () -> loader.store(object));
    assertEquals("kind: expected a SecretStore or ClusterSecretStore of external-secrets.io/v1 or v1beta1, found"
        + " external-secrets.io/v1 ExternalSecret; pass an object of that kind", kind.getMessage());
  }

  @Test
  void harmlessIgnoredFieldsAndUnsupportedKindsAreWarnings() {
    String yaml = """
        apiVersion: external-secrets.io/v1
        kind: ExternalSecret
        metadata: {name: es, namespace: apps}
        spec:
          secretStoreRef: {name: vault}
          target:
            template:
              metadata: {finalizers: [example.com/keep]}
          data:
            - secretKey: a
              remoteRef: {key: k}
              sourceRef: {generatorRef: {kind: Password, name: pw}}
        ---
        apiVersion: external-secrets.io/v1
        kind: SecretStore
        metadata: {name: local, namespace: apps}
        spec:
          provider: {vault: {server: "https://vault:8200"}}
          conditions: [{namespaces: [other]}]
        ---
        apiVersion: external-secrets.io/v1
        kind: ClusterSecretStore
        metadata: {name: shared, namespace: apps}
        spec:
          provider: {vault: {server: "https://vault:8200"}}
        ---
        apiVersion: external-secrets.io/v1
        kind: ClusterExternalSecret
        metadata: {name: everywhere}
        spec: {}
        ---
        apiVersion: generators.external-secrets.io/v1alpha1
        kind: Password
        metadata: {name: pw, namespace: apps}
        ---
        apiVersion: external-secret.io/v1
        kind: ExternalSecret
        metadata: {name: typo, namespace: apps}
        ---
        just a string
        ---
        replicaCount: 2
        """;

    Manifests m = loader.loadString(yaml, "w.yaml").throwIfErrors();

    assertEquals(List.of(
        "w.yaml: document 1: ExternalSecret apps/es: spec.target.template.metadata.finalizers: ignored: finalizers on the"
            + " target Secret are not implemented",
        "w.yaml: document 1: ExternalSecret apps/es: spec.data[0].sourceRef.generatorRef: ignored, as ESO ignores it:"
            + " generators are not implemented for data[]; the entry reads from its store",
        "w.yaml: document 2: SecretStore apps/local: spec.conditions: ignored: only a ClusterSecretStore uses conditions;"
            + " a SecretStore serves its own namespace only",
        "w.yaml: document 3: ClusterSecretStore shared: metadata.namespace: ignored: a ClusterSecretStore is"
            + " cluster-scoped",
        "w.yaml: document 4: ClusterExternalSecret everywhere: skipped: ClusterExternalSecret (external-secrets.io/v1) is"
            + " not supported; nothing is synced for it",
        "w.yaml: document 5: Password apps/pw: skipped: Password (generators.external-secrets.io/v1alpha1) is not"
            + " supported; nothing is synced for it",
        "w.yaml: document 6: ExternalSecret apps/typo: apiVersion: skipped: \"external-secret.io/v1\" is not an External"
            + " Secrets API version; use external-secrets.io/v1",
        "w.yaml: document 7: skipped: not a Kubernetes object (the document is a string)",
        "w.yaml: document 8: skipped: not a Kubernetes object (apiVersion and kind are not both set)"),
        m.warnings().stream().map(ManifestWarning::toString).collect(Collectors.toList()));
    assertEquals(List.of("apps/es"), names(m));
    assertEquals(Optional.empty(), m.externalSecrets().get(0).spec().data().get(0).sourceStoreRef());
    assertEquals(List.of(), m.stores().get(0).conditions());
    assertEquals("", m.stores().get(1).metadata().namespace());
    assertEquals(List.of(4, 5, 6, 7, 8), m.skipped().stream().map(Manifests.Skipped::document)
        .collect(Collectors.toList()));
    assertEquals(2, m.skipped().get(4).object().path("replicaCount").asInt());
  }

  @Test
  void unknownFieldsAreAcceptedUnderMetadataAndTheProviderSettings() {
    String yaml = """
        apiVersion: external-secrets.io/v1
        kind: SecretStore
        metadata: {name: s, namespace: apps, generateName: x-, somethingNew: true}
        spec:
          provider:
            vault: {server: "https://vault:8200", futureSetting: {deep: [1]}}
        """;

    SecretStoreResource store = loader.loadString(yaml, "s.yaml").throwIfErrors().stores().get(0);

    assertTrue(store.provider().settings().has("futureSetting"));
  }

  @Test
  void templateFromTargetIgnoresCaseAsEsosControllerDoes() {
    String yaml = es("t").replace("  data:", "  target:\n    template:\n      templateFrom:\n"
        + "        - {literal: x, target: LABELS}\n        - {literal: y, target: data}\n  data:");

    TargetTemplate template = loader.loadString(yaml, "t.yaml").throwIfErrors().externalSecrets().get(0).spec().target()
        .template().orElseThrow();

    assertEquals(List.of(TemplateScope.LABELS, TemplateScope.DATA),
        template.templateFrom().stream().map(TemplateFrom::target).collect(Collectors.toList()));
  }

  @Test
  void anObjectDefinedTwiceIsAnErrorOfTheFileThatDefinesItAgain(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.yaml"), es("same"));
    Files.writeString(dir.resolve("b.yaml"), es("other") + "---\n" + es("same"));
    Files.writeString(dir.resolve("c.yaml"), es("third"));

    Manifests m = loader.load(dir);

    assertEquals(List.of("apps/same", "apps/third"), names(m));
    assertEquals(List.of(dir.resolve("b.yaml") + ": document 2: ExternalSecret apps/same: metadata.name: is defined"
        + " twice; first in " + dir.resolve("a.yaml") + " document 1; keep one definition of each object"),
        m.errors().stream().map(Throwable::getMessage).collect(Collectors.toList()));

    Manifests stores = loader.loadString("apiVersion: external-secrets.io/v1\nkind: SecretStore\nmetadata: {name: v,"
        + " namespace: apps}\nspec: {provider: {vault: {}}}\n---\napiVersion: external-secrets.io/v1\n"
        + "kind: ClusterSecretStore\nmetadata: {name: v}\nspec: {provider: {vault: {}}}\n", "s.yaml");
    assertEquals(2, stores.throwIfErrors().stores().size(), "a SecretStore and a ClusterSecretStore may share a name");
  }

  @Test
  void theDefaultNamespaceIsTheLoadersChoice() {
    assertEquals(List.of("team-a/n"), names(new ManifestLoader("team-a").loadString(es("n").replace(", namespace: apps",
        ""), "n.yaml").throwIfErrors()));
    assertThrows(IllegalArgumentException.class, () -> new ManifestLoader("Not A Namespace"));
  }

  @Test
  void byteOrderMarkAndJsonTextAreAccepted() {
    String json = "\uFEFF{\"apiVersion\": \"external-secrets.io/v1\", \"kind\": \"ExternalSecret\", \"metadata\": {\"name\":"
        + " \"j\", \"namespace\": \"apps\"}, \"spec\": {\"secretStoreRef\": {\"name\": \"v\"}, \"dataFrom\": [{\"find\":"
        + " {\"path\": \"dev\"}}]}}";

    assertEquals(List.of("apps/j"), names(loader.loadString(json, "j.json").throwIfErrors()));
  }

  @Test
  void oneLoaderServesConcurrentLoads() throws Exception {
    Path dir = Path.of(getClass().getResource("/manifests/mixed").toURI());
    Manifests expected = loader.load(dir);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Manifests>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        results.add(pool.submit(() -> loader.load(dir)));
      }
      for (Future<Manifests> result : results) {
        Manifests m = result.get();
        assertEquals(expected.externalSecrets(), m.externalSecrets());
        assertEquals(expected.stores(), m.stores());
        assertEquals(expected.skipped(), m.skipped());
        assertEquals(expected.errors().stream().map(Throwable::getMessage).collect(Collectors.toList()),
            m.errors().stream().map(Throwable::getMessage).collect(Collectors.toList()));
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
