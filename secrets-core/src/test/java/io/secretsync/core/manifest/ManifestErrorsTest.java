package io.secretsync.core.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every way a manifest can be rejected, with the exact message a user sees. */
class ManifestErrorsTest {

  private final ManifestLoader loader = new ManifestLoader();

  private static final String ES_HEAD = """
      apiVersion: external-secrets.io/v1
      kind: ExternalSecret
      metadata: {name: es, namespace: apps}
      spec:
      """;
  private static final String STORE = "  secretStoreRef: {name: vault}\n";
  private static final String DATA = "  data: [{secretKey: a, remoteRef: {key: k}}]\n";
  private static final String WHERE = "m.yaml: document 1: ExternalSecret apps/es: ";

  /** An ExternalSecret whose spec is {@code spec} (indented by two spaces). */
  private static String es(String spec) {
    return ES_HEAD + spec;
  }

  private static String store(String kind, String spec) {
    return "apiVersion: external-secrets.io/v1\nkind: " + kind + "\nmetadata: {name: st"
        + (kind.equals("SecretStore") ? ", namespace: apps" : "") + "}\nspec:\n" + spec;
  }

  /** Loads {@code text} as m.yaml, checks nothing was taken from it, and returns its one error's message. */
  private String error(String text) {
    return errors(text).get(0);
  }

  private List<String> errors(String text) {
    Manifests m = loader.loadString(text, "m.yaml");
    assertEquals(List.of(), m.externalSecrets());
    assertEquals(List.of(), m.stores());
    assertEquals(List.of(), m.skipped());
    assertEquals(List.of(), m.warnings());
    assertFalse(m.errors().isEmpty(), "expected an error");
    return m.errors().stream().map(Throwable::getMessage).collect(Collectors.toList());
  }

  // ---- required fields -----------------------------------------------------------------------

  @Test
  void missingRemoteKeyNamesFileDocumentObjectAndField() {
    Manifests m = loader.loadString(es(STORE + "  data:\n    - secretKey: a\n      remoteRef: {property: p}\n"), "m.yaml");

    ManifestException e = m.errors().get(0);
    assertEquals(WHERE + "spec.data[0].remoteRef.key: required; set the secret's path in the store, e.g. key:"
        + " example-api/env-file", e.getMessage());
    assertEquals("m.yaml", e.source());
    assertEquals(1, e.document());
    assertEquals("ExternalSecret apps/es", e.object());
    assertEquals("spec.data[0].remoteRef.key", e.field());
    assertEquals("required", e.problem());
    assertEquals(0, e.line());
  }

  @Test
  void otherRequiredFields() {
    assertEquals(WHERE + "spec.data[0].remoteRef: required; add it",
        error(es(STORE + "  data: [{secretKey: a}]\n")));
    assertEquals(WHERE + "spec.data[0].secretKey: required; name the key of the target Secret, e.g. secretKey: .env",
        error(es(STORE + "  data: [{remoteRef: {key: k}}]\n")));
    assertEquals(WHERE + "spec.secretStoreRef.name: required; name the ClusterSecretStore to read from",
        error(es("  secretStoreRef: {kind: ClusterSecretStore}\n" + DATA)));
    assertEquals(WHERE + "spec: required; add it", error(ES_HEAD));
    assertEquals("m.yaml: document 1: ExternalSecret apps/(no name): metadata.name: required; give the ExternalSecret a"
        + " name", error(es(STORE + DATA).replace("name: es, ", "")));
    assertEquals("m.yaml: document 1: ExternalSecret default/(no name): metadata: required; add it",
        error(es(STORE + DATA).replace("metadata: {name: es, namespace: apps}\n", "")));
    assertEquals("m.yaml: document 1: SecretStore apps/st: spec.provider: required; add it",
        error(store("SecretStore", "  controller: x\n")));
  }

  // ---- enums ---------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "spec.target.creationPolicy|target: {creationPolicy: owner}\\n|owner|Owner, Orphan, Merge, None, CreateOrMerge",
      "spec.target.deletionPolicy|target: {deletionPolicy: delete}\\n|delete|Retain, Delete, Merge",
      "spec.refreshPolicy|refreshPolicy: periodic\\n|periodic|Periodic, OnChange, CreatedOnce",
      "spec.data[0].remoteRef.decodingStrategy|data: [{secretKey: a, remoteRef: {key: k, decodingStrategy: base64}}]\\n"
          + "|base64|None, Base64, Base64URL, Auto",
      "spec.data[0].remoteRef.conversionStrategy|data: [{secretKey: a, remoteRef: {key: k, conversionStrategy: unicode}}]\\n"
          + "|unicode|Default, Unicode",
      "spec.data[0].remoteRef.metadataPolicy|data: [{secretKey: a, remoteRef: {key: k, metadataPolicy: fetch}}]\\n"
          + "|fetch|None, Fetch",
      "spec.data[0].remoteRef.nullBytePolicy|data: [{secretKey: a, remoteRef: {key: k, nullBytePolicy: FAIL}}]\\n"
          + "|FAIL|Ignore, Fail",
      "spec.dataFrom[0].find.decodingStrategy|dataFrom: [{find: {path: p, decodingStrategy: BASE64URL}}]\\n"
          + "|BASE64URL|None, Base64, Base64URL, Auto",
      "spec.target.template.mergePolicy|target: {template: {mergePolicy: merge}}\\n|merge|Replace, Merge",
      "spec.target.template.templateFrom[0].configMap.items[0].templateAs|target: {template: {templateFrom: [{configMap:"
          + " {name: t, items: [{key: k, templateAs: values}]}}]}}\\n|values|Values, KeysAndValues"})
  void enumValuesMustBeSpelledExactlyAsEsosCrd(String field, String spec, String value, String allowed) {
    String text = es(STORE + "  " + spec.replace("\\n", "\n") + (spec.contains("data:") ? "" : DATA));

    assertEquals(WHERE + field + ": \"" + value + "\" is not one of " + allowed + "; use one of these values, spelled"
        + " exactly", error(text));
  }

  @Test
  void storeKindIsAnEnumToo() {
    assertEquals(WHERE + "spec.secretStoreRef.kind: \"clustersecretstore\" is not one of SecretStore, ClusterSecretStore;"
        + " use one of these values, spelled exactly",
        error(es("  secretStoreRef: {name: v, kind: clustersecretstore}\n" + DATA)));
  }

  // ---- unknown and unsupported fields --------------------------------------------------------

  @Test
  void unknownFieldsAreNamedWithWhatIsAllowedThere() {
    assertEquals(WHERE + "spec.refreshIntervall: unknown field; remove it or correct its spelling (fields allowed here:"
        + " data, dataFrom, refreshInterval, refreshPolicy, secretStoreRef, syncWindows, target)",
        error(es(STORE + "  refreshIntervall: 1h\n" + DATA)));
    assertEquals(WHERE + "spec.data[0].remoteRef.propery: unknown field; remove it or correct its spelling (fields"
        + " allowed here: conversionStrategy, decodingStrategy, key, metadataPolicy, nullBytePolicy, property, version)",
        error(es(STORE + "  data: [{secretKey: a, remoteRef: {key: k, propery: p}}]\n")));
    assertEquals(WHERE + "specs: unknown field; remove it or correct its spelling (fields allowed here: apiVersion, kind,"
        + " metadata, spec, status)", error(es(STORE + DATA) + "specs: {}\n"));
    assertEquals("m.yaml: document 1: ClusterSecretStore st: spec.providers: unknown field; remove it or correct its"
        + " spelling (fields allowed here: conditions, controller, provider, refreshInterval, retrySettings)",
        error(store("ClusterSecretStore", "  provider: {vault: {}}\n  providers: {}\n")));
  }

  @Test
  void fieldsEsoHasButThisLibraryDoesNotImplementAreNamed() {
    assertEquals(WHERE + "spec.syncWindows: not supported; remove it: sync windows are not implemented; refreshInterval"
        + " and refreshPolicy decide when this library refreshes",
        error(es(STORE + DATA + "  syncWindows: {kind: deny, windows: [{schedule: '@daily', duration: 1h}]}\n")));
    assertEquals(WHERE + "spec.target.manifest: not supported; remove it: only Secret targets are implemented, not ESO's"
        + " generic targets", error(es(STORE + DATA + "  target: {manifest: {apiVersion: v1, kind: ConfigMap}}\n")));
    assertEquals(WHERE + "spec.dataFrom[0].sourceRef.generatorRef: not supported; remove it: generators are not"
        + " implemented; read values from a store with extract or find",
        error(es(STORE + "  dataFrom: [{sourceRef: {generatorRef: {kind: Password, name: pw}}}]\n")));
    assertEquals(WHERE + "spec.dataFrom[0].rewrite[0].merge: not supported; remove it: merge rewrites are not"
        + " implemented; use regexp or transform",
        error(es(STORE + "  dataFrom: [{extract: {key: k}, rewrite: [{merge: {into: all}}]}]\n")));
    assertEquals(WHERE + "spec.target.template.templateFrom[0].valuesDecodingStrategy: not supported; remove it:"
        + " rendered template values are used as they are (None)", error(es(STORE + DATA
        + "  target: {template: {templateFrom: [{literal: x, valuesDecodingStrategy: Base64}]}}\n")));
    assertEquals("m.yaml: document 1: ClusterSecretStore st: spec.conditions[0].namespaceSelector.matchExpressions: not"
        + " supported; use matchLabels, namespaces or namespaceRegexes instead", error(store("ClusterSecretStore",
        "  provider: {vault: {}}\n  conditions: [{namespaceSelector: {matchExpressions: [{key: a, operator: Exists}]}}]\n")));
  }

  @Test
  void v1TemplatesAreNotSupported() {
    assertEquals(WHERE + "spec.target.template.engineVersion: v1 templates are not supported; use engineVersion v2 (the"
        + " default) and write the templates in v2 syntax",
        error(es(STORE + DATA + "  target: {template: {engineVersion: v1, data: {x: '{{ .a | toString }}'}}}\n")));
    assertEquals(WHERE + "spec.target.template.engineVersion: \"V2\" is not one of v2; use v2 (the default), spelled"
        + " exactly", error(es(STORE + DATA + "  target: {template: {engineVersion: V2}}\n")));
  }

  @Test
  void unsupportedApiVersionOfAnEsoKind() {
    assertEquals(WHERE + "apiVersion: \"external-secrets.io/v1alpha1\" is not supported; use external-secrets.io/v1"
        + " (external-secrets.io/v1beta1 is read as v1)",
        error(es(STORE + DATA).replace("external-secrets.io/v1", "external-secrets.io/v1alpha1")));
  }

  // ---- types ---------------------------------------------------------------------------------

  @Test
  void typesAreCheckedAsTheApiServerChecksThemWithoutQuotingValues() {
    assertEquals(WHERE + "spec.data[0].remoteRef.version: must be a string, found a number; put the value in quotes",
        error(es(STORE + "  data: [{secretKey: a, remoteRef: {key: k, version: 3}}]\n")));
    assertEquals(WHERE + "spec.target.immutable: must be true or false, found a string; remove the quotes",
        error(es(STORE + DATA + "  target: {immutable: \"true\"}\n")));
    assertEquals(WHERE + "spec.data: must be a list, found a mapping; write it as a list (items starting with -)",
        error(es(STORE + "  data: {secretKey: a}\n")));
    assertEquals(WHERE + "spec.data[0]: must be a mapping (key: value pairs), found a string; write each item as a"
        + " mapping", error(es(STORE + "  data: [a]\n")));
    assertEquals(WHERE + "spec.target: must be a mapping (key: value pairs), found a string; write it as a mapping",
        error(es(STORE + DATA + "  target: my-secret\n")));
    String withNumber = es(STORE + DATA + "  target: {template: {data: {pin: 904711}}}\n");
    assertEquals(WHERE + "spec.target.template.data.pin: must be a string, found a number; put the value in quotes",
        error(withNumber));
    assertFalse(error(withNumber).contains("904711"));
    assertEquals("m.yaml: document 1: ExternalSecret apps/es: metadata.labels.enabled: must be a string, found a boolean;"
        + " put the value in quotes", error(es(STORE + DATA).replace("namespace: apps}", "namespace: apps, labels:"
        + " {enabled: yes}}")));
    assertEquals("m.yaml: document 1: ClusterSecretStore st: spec.retrySettings.maxRetries: must be between 0 and"
        + " 2147483647; use a value in that range",
        error(store("ClusterSecretStore", "  provider: {vault: {}}\n  retrySettings: {maxRetries: -1}\n")));
  }

  @Test
  void durations() {
    assertEquals(WHERE + "spec.refreshInterval: invalid duration \"soon\": expected a Go duration such as 1h, 2m or 30s",
        error(es(STORE + DATA + "  refreshInterval: soon\n")));
    assertEquals(WHERE + "spec.refreshInterval: must be a string, found a number; put the value in quotes",
        error(es(STORE + DATA + "  refreshInterval: 300\n")));
    assertEquals("m.yaml: document 1: ClusterSecretStore st: spec.refreshInterval: invalid duration \"300\": expected a"
        + " Go duration such as 1h, 2m or 30s; a number of seconds must not be quoted",
        error(store("ClusterSecretStore", "  provider: {vault: {}}\n  refreshInterval: \"300\"\n")));
    assertEquals("m.yaml: document 1: ClusterSecretStore st: spec.refreshInterval: must not be negative; write a number"
        + " of seconds or a Go duration",
        error(store("ClusterSecretStore", "  provider: {vault: {}}\n  refreshInterval: -5\n")));
    assertEquals("m.yaml: document 1: ClusterSecretStore st: spec.retrySettings.retryInterval: invalid duration \"10\":"
        + " expected a Go duration such as 1h, 2m or 30s",
        error(store("ClusterSecretStore", "  provider: {vault: {}}\n  retrySettings: {retryInterval: \"10\"}\n")));
  }

  // ---- stores --------------------------------------------------------------------------------

  @Test
  void aStoreHasExactlyOneProvider() {
    assertEquals("m.yaml: document 1: SecretStore apps/st: spec.provider: sets no provider; add one, e.g. vault:"
        + " {server: ..., path: ..., auth: ...}", error(store("SecretStore", "  provider: {}\n")));
    assertEquals("m.yaml: document 1: SecretStore apps/st: spec.provider: sets 2 providers (vault, aws); a store has"
        + " exactly one; keep one and give each other provider its own store",
        error(store("SecretStore", "  provider: {vault: {}, aws: {}}\n")));
    assertEquals("m.yaml: document 1: SecretStore apps/st: spec.provider.vault: must be a mapping of the provider's"
        + " settings, found null; write the settings as a mapping", error(store("SecretStore", "  provider: {vault: }\n")));
    assertEquals("m.yaml: document 1: ClusterSecretStore st: spec.conditions[0].namespaces[1]: \"Team_B\" is not a valid"
        + " namespace; use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit",
        error(store("ClusterSecretStore", "  provider: {vault: {}}\n  conditions: [{namespaces: [team-a, Team_B]}]\n")));
  }

  // ---- ESO's webhook rules, through the loader -----------------------------------------------

  @Test
  void esoWebhookRulesAreAppliedWithFieldPaths() {
    assertEquals(WHERE + "spec: either data or dataFrom should be specified; add data[] entries (one value each) or"
        + " dataFrom[] entries (many values)", error(es(STORE)));
    assertEquals(WHERE + "spec.target.deletionPolicy: deletionPolicy=Delete must not be used when the controller doesn't"
        + " own the secret. Please set creationPolicy=Owner; use creationPolicy Owner with deletionPolicy Delete, or keep"
        + " creationPolicy Merge with deletionPolicy Retain or Merge",
        error(es(STORE + DATA + "  target: {creationPolicy: Merge, deletionPolicy: Delete}\n")));
    assertEquals(WHERE + "spec.target.deletionPolicy: deletionPolicy=Merge must not be used with creationPolicy=None."
        + " There is no Secret to merge with; use deletionPolicy Retain with creationPolicy None",
        error(es(STORE + DATA + "  target: {creationPolicy: None, deletionPolicy: Merge}\n")));
    assertEquals(WHERE + "spec.data[1].secretKey: duplicate secretKey found: a; give each data[] entry its own secretKey",
        error(es(STORE + "  data: [{secretKey: a, remoteRef: {key: k}}, {secretKey: a, remoteRef: {key: l}}]\n")));
    assertEquals(WHERE + "spec.secretStoreRef: required: spec.data[1], spec.dataFrom[0] name no sourceRef.storeRef; set"
        + " spec.secretStoreRef (name and kind), or a sourceRef.storeRef on every entry",
        error(es("  data:\n    - {secretKey: a, remoteRef: {key: k}, sourceRef: {storeRef: {name: s}}}\n"
            + "    - {secretKey: b, remoteRef: {key: k}}\n  dataFrom: [{extract: {key: k}}]\n")));
    assertEquals(WHERE + "spec.target.template.type: template.type=\"bootstrap.kubernetes.io/token\" is not allowed; use"
        + " another Secret type", error(es(STORE + DATA + "  target: {template: {type: bootstrap.kubernetes.io/token}}\n")));
    assertEquals(WHERE + "spec.target.template.metadata.annotations: template.type=\"kubernetes.io/service-account-token\""
        + " with annotation \"kubernetes.io/service-account.name\" is not allowed; remove the annotation or use another"
        + " Secret type", error(es(STORE + DATA + "  target: {template: {type: kubernetes.io/service-account-token,"
        + " metadata: {annotations: {kubernetes.io/service-account.name: default}}}}\n")));
  }

  @Test
  void everyBrokenRuleOfOneDocumentIsReported() {
    assertEquals(List.of(
        WHERE + "spec.target.deletionPolicy: deletionPolicy=Merge must not be used with creationPolicy=None. There is no"
            + " Secret to merge with; use deletionPolicy Retain with creationPolicy None",
        WHERE + "spec.target.template.type: template.type=\"bootstrap.kubernetes.io/token\" is not allowed; use another"
            + " Secret type"),
        errors(es(STORE + DATA + "  target: {creationPolicy: None, deletionPolicy: Merge, template: {type:"
            + " bootstrap.kubernetes.io/token}}\n")));
  }

  @Test
  void dataFromAndRewriteShapes() {
    assertEquals(WHERE + "spec.dataFrom[0]: extract, find, or generatorRef cannot be set at the same time; keep one of"
        + " extract and find, and move the other to its own dataFrom entry",
        error(es(STORE + "  dataFrom: [{extract: {key: k}, find: {path: p}}]\n")));
    assertEquals(WHERE + "spec.dataFrom[0]: sets neither extract nor find; add extract (every property of one secret) or"
        + " find (secrets by name or tags)", error(es(STORE + "  dataFrom: [{rewrite: []}]\n")));
    assertEquals(WHERE + "spec.dataFrom[0].sourceRef: generatorRef or storeRef must be set when using sourceRef in"
        + " dataFrom; add storeRef (name and kind) or remove sourceRef",
        error(es(STORE + "  dataFrom: [{extract: {key: k}, sourceRef: {}}]\n")));
    assertEquals(WHERE + "spec.dataFrom[0].rewrite[0]: sets both regexp and transform; set exactly one of them per rewrite"
        + " entry; add another entry for the other", error(es(STORE + "  dataFrom: [{extract: {key: k}, rewrite:"
        + " [{regexp: {source: a, target: b}, transform: {template: x}}]}]\n")));
    assertEquals(WHERE + "spec.dataFrom[0].rewrite[0].regexp.target: required; write the replacement, e.g. target:"
        + " \"app_$1\" (\"\" removes the match)",
        error(es(STORE + "  dataFrom: [{extract: {key: k}, rewrite: [{regexp: {source: a}}]}]\n")));
    assertEquals(WHERE + "spec.dataFrom[0].rewrite[0].transform.template: required; write the template that computes the"
        + " new key, e.g. template: \"{{ .value | upper }}\"",
        error(es(STORE + "  dataFrom: [{extract: {key: k}, rewrite: [{transform: {}}]}]\n")));
    assertEquals(WHERE + "spec.data[0].sourceRef: sets no storeRef; add storeRef (name and kind) or remove sourceRef",
        error(es(STORE + "  data: [{secretKey: a, remoteRef: {key: k}, sourceRef: {}}]\n")));
  }

  @Test
  void templateFromShapes() {
    assertEquals(WHERE + "spec.target.template.templateFrom[0]: sets none of configMap, secret and literal; set exactly"
        + " one of them per templateFrom entry", error(es(STORE + DATA + "  target: {template: {templateFrom:"
        + " [{target: Data}]}}\n")));
    assertEquals(WHERE + "spec.target.template.templateFrom[0].target: templateFrom target=\"type\" is not allowed when"
        + " targeting a Secret, must be one of \"Data\", \"Annotations\" or \"Labels\"; use one of these values",
        error(es(STORE + DATA + "  target: {template: {templateFrom: [{literal: x, target: type}]}}\n")));
    assertEquals(WHERE + "spec.target.template.templateFrom[0].configMap.items: required; list the keys to use, e.g."
        + " items: [{key: config.tpl}]", error(es(STORE + DATA + "  target: {template: {templateFrom: [{configMap:"
        + " {name: t}}]}}\n")));
  }

  // ---- YAML ----------------------------------------------------------------------------------

  @Test
  void yamlSyntaxErrorsGiveLineAndColumnAndDropTheWholeFile() {
    String good = es(STORE + DATA);
    Manifests m = loader.loadString(good + "---\n" + ES_HEAD + "  data: [ {secretKey: a\n", "m.yaml");

    assertEquals(List.of(), m.externalSecrets());
    ManifestException e = m.errors().get(0);
    assertEquals("m.yaml: document 2, line 13, column 1: invalid YAML: while parsing a flow mapping: expected ',' or '}',"
        + " but got <stream end>; fix the syntax at that position", e.getMessage());
    assertEquals(2, e.document());
    assertEquals(13, e.line());
    assertEquals(1, e.column());

    assertEquals("m.yaml: document 1, line 5, column 1: invalid YAML: while scanning for the next token: found character"
        + " '\\t(TAB)' that cannot start any token. (Do not use \\t(TAB) for indentation); fix the syntax at that"
        + " position", error(ES_HEAD + "\tdata: []\n"));
    assertEquals("m.yaml: document 1, line 6, column 7: invalid YAML: Duplicate field 'data'; fix the syntax at that"
        + " position", error(es(DATA + DATA)));
    assertEquals("m.yaml: document 1, line 6, column 6: invalid YAML: aliases (*store) are not supported; write the value"
        + " out in full",
        error(es("  secretStoreRef: &store {name: vault}\n  x: *store\n" + DATA)));
  }

  @Test
  void aSyntaxErrorNeverQuotesTheLineItIsOn() {
    String secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  password: \"canary-8812\n";

    String message = error(secret);

    assertTrue(message.startsWith("m.yaml: document 1, line "), message);
    assertFalse(message.contains("canary-8812"), message);
  }

  @Test
  void aFileThatIsNotUtf8IsAnError(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("latin1.yaml"), new byte[] {'a', ':', ' ', (byte) 0xE9, '\n'});

    Manifests m = loader.load(dir);

    assertEquals(List.of(dir.resolve("latin1.yaml") + ": is not UTF-8 text; save it as UTF-8"),
        m.errors().stream().map(Throwable::getMessage).collect(Collectors.toList()));
    assertEquals(0, m.errors().get(0).document());
  }

  @Test
  void throwIfErrorsThrowsTheFirstError() {
    Manifests m = loader.loadString(es(STORE), "m.yaml");

    ManifestException e = org.junit.jupiter.api.Assertions.assertThrows(ManifestException.class, m::throwIfErrors);
    assertEquals(m.errors().get(0), e);
    assertTrue(e instanceof io.secretsync.core.SecretSyncException);
  }
}
