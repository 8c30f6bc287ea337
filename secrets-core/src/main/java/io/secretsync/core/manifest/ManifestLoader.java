package io.secretsync.core.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.common.collect.ImmutableList;
import io.secretsync.core.ExternalSecretValidator;
import io.secretsync.core.InvalidConfigException;
import io.secretsync.core.model.ClusterStoreCondition;
import io.secretsync.core.model.ConfigNode;
import io.secretsync.core.model.ConversionStrategy;
import io.secretsync.core.model.CreationPolicy;
import io.secretsync.core.model.DataFromSource;
import io.secretsync.core.model.DecodingStrategy;
import io.secretsync.core.model.DeletionPolicy;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ExternalSecretData;
import io.secretsync.core.model.ExternalSecretSpec;
import io.secretsync.core.model.FindRef;
import io.secretsync.core.model.MetadataPolicy;
import io.secretsync.core.model.NullBytePolicy;
import io.secretsync.core.model.ObjectMeta;
import io.secretsync.core.model.ProviderConfig;
import io.secretsync.core.model.RefreshPolicy;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.RetrySettings;
import io.secretsync.core.model.Rewrite;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import io.secretsync.core.model.StoreRef;
import io.secretsync.core.model.Target;
import io.secretsync.core.model.TargetTemplate;
import io.secretsync.core.model.TemplateAs;
import io.secretsync.core.model.TemplateFrom;
import io.secretsync.core.model.TemplateMergePolicy;
import io.secretsync.core.model.TemplateScope;
import io.secretsync.core.model.WireEnum;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads ESO manifests ({@code external-secrets.io/v1}, and {@code v1beta1} read as v1):
 * ExternalSecret, SecretStore and ClusterSecretStore, from YAML or JSON files, folders (recursively,
 * {@code *.yaml}, {@code *.yml}, {@code *.json}, in name order) and multi-document streams.
 * Documents of other kinds are skipped and listed. Unknown fields are errors (as kubectl's strict
 * validation), except under {@code metadata} and {@code spec.provider.<name>}, which the provider
 * checks. A file with any bad document contributes nothing; its error names the file, the
 * document and the field, and the other files still load. Defaults are ESO's. Thread-safe.
 */
public final class ManifestLoader {

  public static final String GROUP = "external-secrets.io";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Set<String> VERSIONS = Set.of(GROUP + "/v1", GROUP + "/v1beta1");

  /** The namespace of a namespaced object whose manifest names none, as kubectl's default context has. */
  private final String defaultNamespace;

  public ManifestLoader() {
    this("default");
  }

  public ManifestLoader(String defaultNamespace) {
    this.defaultNamespace = defaultNamespace;
  }

  /** Loads every manifest file under {@code paths}; unreadable files become errors in the result. */
  public Manifests load(List<Path> paths) {
    Collector out = new Collector();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        try (Stream<Path> files = Files.walk(path)) {
          files.filter(Files::isRegularFile).filter(ManifestLoader::isManifestFile).sorted()
              .forEach(file -> loadFile(file, out));
        } catch (IOException e) {
          out.errors.add(new ManifestException(path.toString(), 0, "cannot read folder: " + e.getMessage(), List.of()));
        }
      } else {
        loadFile(path, out);
      }
    }
    return out.build();
  }

  /** Loads the documents of one YAML or JSON text; {@code source} names it in errors. */
  public Manifests loadString(String text, String source) {
    Collector out = new Collector();
    loadText(text, source, out);
    return out.build();
  }

  private static boolean isManifestFile(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
  }

  private void loadFile(Path file, Collector out) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      out.errors.add(new ManifestException(file.toString(), 0, "cannot read file: " + e.getMessage(),
          List.of("check that the file exists and is readable")));
      return;
    }
    loadText(text, file.toString(), out);
  }

  private void loadText(String text, String source, Collector out) {
    Collector file = new Collector();
    int document = 0;
    try (JsonParser parser = YAML.getFactory().createParser(text);
        MappingIterator<JsonNode> documents = YAML.readValues(parser, JsonNode.class)) {
      while (documents.hasNextValue()) {
        document++;
        JsonNode node = documents.nextValue();
        if (node == null || node.isNull() || node.isMissingNode() || (node.isObject() && node.isEmpty())) {
          continue;
        }
        if (node.isObject() && "List".equals(node.path("kind").asText()) && node.path("items").isArray()) {
          for (JsonNode item : node.path("items")) {
            parseDocument(item, source, document, file);
          }
        } else {
          parseDocument(node, source, document, file);
        }
      }
    } catch (JsonProcessingException e) {
      var where = e.getLocation();
      String at = where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
      file.errors.add(new ManifestException(source, Math.max(document, 1), "invalid YAML" + at + ": "
          + e.getOriginalMessage().replaceAll("\\s+", " "), List.of("fix the YAML syntax")));
    } catch (IOException | RuntimeException e) {
      file.errors.add(new ManifestException(source, Math.max(document, 1), "invalid YAML", List.of("fix the YAML syntax")));
    }
    if (file.errors.isEmpty()) {
      out.externalSecrets.addAll(file.externalSecrets);
      out.stores.addAll(file.stores);
      out.skipped.addAll(file.skipped);
    } else {
      out.errors.addAll(file.errors);
    }
  }

  private void parseDocument(JsonNode node, String source, int document, Collector out) {
    if (!node.isObject()) {
      out.errors.add(new ManifestException(source, document, "a manifest must be a YAML mapping with apiVersion and kind",
          List.of()));
      return;
    }
    String apiVersion = node.path("apiVersion").asText("");
    String kind = node.path("kind").asText("");
    boolean ours = apiVersion.startsWith(GROUP + "/");
    if (!ours || !(kind.equals("ExternalSecret") || kind.equals("SecretStore") || kind.equals("ClusterSecretStore"))) {
      out.skipped.add(new Manifests.Skipped(source, document, apiVersion, kind, node.path("metadata").path("name").asText("")));
      return;
    }
    try {
      if (!VERSIONS.contains(apiVersion)) {
        throw new InvalidConfigException("apiVersion", "\"" + apiVersion + "\" is not supported; use "
            + GROUP + "/v1 or " + GROUP + "/v1beta1");
      }
      if (kind.equals("ExternalSecret")) {
        ExternalSecret es = externalSecret(node);
        ExternalSecretValidator.check(es);
        out.externalSecrets.add(es);
      } else {
        out.stores.add(store(node));
      }
    } catch (InvalidConfigException e) {
      out.errors.add(new ManifestException(source, document, kind + " \"" + node.path("metadata").path("name").asText("")
          + "\": " + e.getMessage(), e.hints()));
    }
  }

  // ---- ExternalSecret ------------------------------------------------------------------------

  /**
   * Reads one ExternalSecret object, as a manifest or as the API server returns it (status and
   * managedFields are ignored).
   *
   * @throws InvalidConfigException naming the field path
   */
  public ExternalSecret externalSecret(JsonNode object) {
    ObjectMeta metadata = metadata(object, true);
    ConfigNode spec = child(object, "spec");
    spec.requireOnly(Set.of("secretStoreRef", "refreshInterval", "refreshPolicy", "target", "data", "dataFrom",
        "syncWindows"));
    unsupported(spec, "syncWindows");
    Optional<StoreRef> storeRef = spec.has("secretStoreRef") ? Optional.of(storeRef(spec.child("secretStoreRef")))
        : Optional.empty();
    Duration refresh = spec.duration("refreshInterval").orElse(ExternalSecretSpec.DEFAULT_REFRESH_INTERVAL);
    RefreshPolicy refreshPolicy = enumField(spec, "refreshPolicy", RefreshPolicy.class, RefreshPolicy.PERIODIC);

    ImmutableList.Builder<ExternalSecretData> data = ImmutableList.builder();
    for (ConfigNode entry : spec.objectList("data")) {
      entry.requireOnly(Set.of("secretKey", "remoteRef", "sourceRef"));
      String secretKey = entry.requiredString("secretKey");
      ConfigNode remote = entry.child("remoteRef");
      if (!remote.isPresent()) {
        throw entry.invalid("remoteRef", "required");
      }
      data.add(new ExternalSecretData(secretKey, remoteRef(remote), sourceStore(entry)));
    }
    ImmutableList.Builder<DataFromSource> dataFrom = ImmutableList.builder();
    for (ConfigNode entry : spec.objectList("dataFrom")) {
      dataFrom.add(dataFrom(entry));
    }
    Target target = target(spec.child("target"));
    ExternalSecretSpec parsed = new ExternalSecretSpec(storeRef, refreshPolicy, refresh, target, data.build(),
        dataFrom.build());
    return new ExternalSecret(metadata, parsed);
  }

  private DataFromSource dataFrom(ConfigNode entry) {
    entry.requireOnly(Set.of("extract", "find", "rewrite", "sourceRef"));
    Optional<StoreRef> store = sourceStore(entry);
    ConfigNode sourceRef = entry.child("sourceRef");
    boolean generator = sourceRef.has("generatorRef");
    int set = (entry.has("extract") ? 1 : 0) + (entry.has("find") ? 1 : 0) + (generator ? 1 : 0);
    if (generator) {
      throw sourceRef.invalid("generatorRef", "generators are not supported; read the secret with extract or find");
    }
    if (set != 1) {
      throw new InvalidConfigException(entry.path(), "set exactly one of extract and find");
    }
    ImmutableList.Builder<Rewrite> rewrites = ImmutableList.builder();
    for (ConfigNode rewrite : entry.objectList("rewrite")) {
      rewrite.requireOnly(Set.of("regexp", "transform", "merge"));
      unsupported(rewrite, "merge");
      if (rewrite.has("regexp") == rewrite.has("transform")) {
        throw new InvalidConfigException(rewrite.path(), "set exactly one of regexp and transform");
      }
      if (rewrite.has("regexp")) {
        ConfigNode regexp = rewrite.child("regexp").requireOnly(Set.of("source", "target"));
        rewrites.add(new Rewrite.Regexp(regexp.requiredString("source"), regexp.string("target").orElse("")));
      } else {
        ConfigNode transform = rewrite.child("transform").requireOnly(Set.of("template"));
        rewrites.add(new Rewrite.Transform(transform.requiredString("template")));
      }
    }
    if (entry.has("extract")) {
      return new DataFromSource(Optional.of(remoteRef(entry.child("extract"))), Optional.empty(), rewrites.build(), store);
    }
    ConfigNode find = entry.child("find");
    find.requireOnly(Set.of("path", "name", "tags", "conversionStrategy", "decodingStrategy", "nullBytePolicy"));
    Optional<String> regexp = Optional.empty();
    if (find.has("name")) {
      regexp = Optional.of(find.child("name").requireOnly(Set.of("regexp")).requiredString("regexp"));
    }
    if (regexp.isEmpty() && find.stringMap("tags").isEmpty()) {
      throw new InvalidConfigException(find.path(), "set name.regexp or tags (or both)");
    }
    FindRef findRef = new FindRef(find.string("path"), regexp, find.stringMap("tags"),
        enumField(find, "conversionStrategy", ConversionStrategy.class, ConversionStrategy.DEFAULT),
        enumField(find, "decodingStrategy", DecodingStrategy.class, DecodingStrategy.NONE),
        enumField(find, "nullBytePolicy", NullBytePolicy.class, NullBytePolicy.IGNORE));
    return new DataFromSource(Optional.empty(), Optional.of(findRef), rewrites.build(), store);
  }

  private RemoteRef remoteRef(ConfigNode ref) {
    ref.requireOnly(Set.of("key", "property", "version", "decodingStrategy", "conversionStrategy", "metadataPolicy",
        "nullBytePolicy"));
    return new RemoteRef(ref.requiredString("key"), ref.string("property").orElse(""),
        ref.string("version").filter(v -> !v.isEmpty()),
        enumField(ref, "decodingStrategy", DecodingStrategy.class, DecodingStrategy.NONE),
        enumField(ref, "conversionStrategy", ConversionStrategy.class, ConversionStrategy.DEFAULT),
        enumField(ref, "metadataPolicy", MetadataPolicy.class, MetadataPolicy.NONE),
        enumField(ref, "nullBytePolicy", NullBytePolicy.class, NullBytePolicy.IGNORE));
  }

  private Optional<StoreRef> sourceStore(ConfigNode entry) {
    ConfigNode sourceRef = entry.child("sourceRef");
    if (!sourceRef.isPresent()) {
      return Optional.empty();
    }
    sourceRef.requireOnly(Set.of("storeRef", "generatorRef"));
    if (sourceRef.has("generatorRef")) {
      throw sourceRef.invalid("generatorRef", "generators are not supported; read the secret with a store");
    }
    return sourceRef.has("storeRef") ? Optional.of(storeRef(sourceRef.child("storeRef"))) : Optional.empty();
  }

  private StoreRef storeRef(ConfigNode ref) {
    ref.requireOnly(Set.of("name", "kind"));
    StoreKind kind = enumField(ref, "kind", StoreKind.class, StoreKind.SECRET_STORE);
    return new StoreRef(ref.requiredString("name"), kind);
  }

  private Target target(ConfigNode target) {
    if (!target.isPresent()) {
      return Target.defaults();
    }
    target.requireOnly(Set.of("name", "creationPolicy", "deletionPolicy", "immutable", "template", "manifest"));
    if (target.has("manifest")) {
      throw target.invalid("manifest", "generic (non-Secret) targets are not supported");
    }
    Target parsed = new Target(target.string("name").orElse(""),
        enumField(target, "creationPolicy", CreationPolicy.class, CreationPolicy.OWNER),
        enumField(target, "deletionPolicy", DeletionPolicy.class, DeletionPolicy.RETAIN),
        target.bool("immutable").orElse(false), Optional.empty());
    ConfigNode template = target.child("template");
    return template.isPresent() ? parsed.withTemplate(template(template)) : parsed;
  }

  private TargetTemplate template(ConfigNode t) {
    t.requireOnly(Set.of("type", "engineVersion", "mergePolicy", "metadata", "data", "templateFrom"));
    String engine = t.string("engineVersion").orElse(TargetTemplate.ENGINE_V2);
    if (!engine.equals(TargetTemplate.ENGINE_V2)) {
      throw t.invalid("engineVersion", "\"" + engine + "\" is not supported: only v2 templates are (ESO removed v1)");
    }
    ConfigNode metadata = t.child("metadata");
    metadata.requireOnly(Set.of("labels", "annotations", "finalizers"));
    ImmutableList.Builder<TemplateFrom> from = ImmutableList.builder();
    for (ConfigNode item : t.objectList("templateFrom")) {
      item.requireOnly(Set.of("configMap", "secret", "literal", "target"));
      TemplateScope scope = enumField(item, "target", TemplateScope.class, TemplateScope.DATA);
      int set = (item.has("configMap") ? 1 : 0) + (item.has("secret") ? 1 : 0) + (item.has("literal") ? 1 : 0);
      if (set != 1) {
        throw new InvalidConfigException(item.path(), "set exactly one of configMap, secret and literal");
      }
      from.add(new TemplateFrom(templateSource(item, "configMap"), templateSource(item, "secret"),
          item.string("literal"), scope));
    }
    return new TargetTemplate(t.string("type").orElse(""), engine,
        enumField(t, "mergePolicy", TemplateMergePolicy.class, TemplateMergePolicy.REPLACE),
        metadata.stringMap("labels"), metadata.stringMap("annotations"), t.stringMap("data"), from.build());
  }

  private Optional<TemplateFrom.Source> templateSource(ConfigNode item, String field) {
    if (!item.has(field)) {
      return Optional.empty();
    }
    ConfigNode source = item.child(field).requireOnly(Set.of("name", "items"));
    ImmutableList.Builder<TemplateFrom.Item> items = ImmutableList.builder();
    for (ConfigNode i : source.objectList("items")) {
      i.requireOnly(Set.of("key", "templateAs"));
      items.add(new TemplateFrom.Item(i.requiredString("key"),
          enumField(i, "templateAs", TemplateAs.class, TemplateAs.VALUES)));
    }
    return Optional.of(new TemplateFrom.Source(source.requiredString("name"), items.build()));
  }

  // ---- stores --------------------------------------------------------------------------------

  /**
   * Reads one SecretStore or ClusterSecretStore object.
   *
   * @throws InvalidConfigException naming the field path
   */
  public SecretStoreResource store(JsonNode object) {
    StoreKind kind = object.path("kind").asText().equals("ClusterSecretStore") ? StoreKind.CLUSTER_SECRET_STORE
        : StoreKind.SECRET_STORE;
    ObjectMeta metadata = metadata(object, kind == StoreKind.SECRET_STORE);
    ConfigNode spec = child(object, "spec");
    spec.requireOnly(Set.of("controller", "provider", "retrySettings", "refreshInterval", "conditions"));
    if (spec.has("conditions") && kind == StoreKind.SECRET_STORE) {
      throw spec.invalid("conditions", "only a ClusterSecretStore has conditions");
    }
    ConfigNode provider = spec.child("provider");
    if (provider.fieldNames().size() != 1) {
      throw new InvalidConfigException(provider.path(),
          provider.fieldNames().isEmpty() ? "required: one provider, e.g. vault" : "set exactly one provider, found "
              + String.join(", ", provider.fieldNames()));
    }
    String providerName = provider.fieldNames().iterator().next();
    ConfigNode settings = provider.child(providerName);
    Optional<RetrySettings> retry = Optional.empty();
    if (spec.has("retrySettings")) {
      ConfigNode r = spec.child("retrySettings").requireOnly(Set.of("maxRetries", "retryInterval"));
      retry = Optional.of(new RetrySettings(r.integer("maxRetries"), r.duration("retryInterval")));
    }
    ImmutableList.Builder<ClusterStoreCondition> conditions = ImmutableList.builder();
    for (ConfigNode c : spec.objectList("conditions")) {
      c.requireOnly(Set.of("namespaceSelector", "namespaces", "namespaceRegexes"));
      ConfigNode selector = c.child("namespaceSelector").requireOnly(Set.of("matchLabels", "matchExpressions"));
      if (selector.has("matchExpressions")) {
        throw selector.invalid("matchExpressions", "not supported; use matchLabels, namespaces or namespaceRegexes");
      }
      conditions.add(new ClusterStoreCondition(selector.stringMap("matchLabels"), c.stringList("namespaces"),
          c.stringList("namespaceRegexes")));
    }
    return new SecretStoreResource(kind, metadata, spec.string("controller").orElse(""),
        new ProviderConfig(providerName, settings), retry, spec.duration("refreshInterval").orElse(Duration.ZERO),
        conditions.build());
  }

  // ---- shared --------------------------------------------------------------------------------

  private ObjectMeta metadata(JsonNode object, boolean namespaced) {
    JsonNode meta = object.path("metadata");
    if (!meta.isObject()) {
      throw new InvalidConfigException("metadata", "required");
    }
    ConfigNode m = ConfigNode.of("metadata", meta);
    String name = m.requiredString("name");
    if (!name.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?") || name.length() > 253) {
      throw m.invalid("name", "\"" + name + "\" is not a valid name: use lower case letters, digits, '-' and '.'");
    }
    String namespace = namespaced ? m.string("namespace").filter(s -> !s.isEmpty()).orElse(defaultNamespace) : "";
    long generation = meta.path("generation").asLong(0);
    return new ObjectMeta(name, namespace, m.stringMap("labels"), m.stringMap("annotations"),
        m.string("uid").orElse(""), generation, m.string("resourceVersion").orElse(""));
  }

  private static ConfigNode child(JsonNode object, String field) {
    JsonNode node = object.path(field);
    if (!node.isObject()) {
      throw new InvalidConfigException(field, node.isMissingNode() || node.isNull() ? "required" : "must be an object");
    }
    return ConfigNode.of(field, node);
  }

  private static void unsupported(ConfigNode node, String field) {
    if (node.has(field)) {
      throw node.invalid(field, "not supported by secrets-sync; remove it");
    }
  }

  private static <E extends Enum<E> & WireEnum> E enumField(ConfigNode node, String field, Class<E> type, E fallback) {
    Optional<String> value = node.string(field).filter(s -> !s.isEmpty());
    if (value.isEmpty()) {
      return fallback;
    }
    return WireEnum.parse(type, value.get()).orElseThrow(() -> node.invalid(field,
        "\"" + value.get() + "\" is not one of " + WireEnum.allowed(type)));
  }

  private static final class Collector {
    final List<ExternalSecret> externalSecrets = new ArrayList<>();
    final List<SecretStoreResource> stores = new ArrayList<>();
    final List<Manifests.Skipped> skipped = new ArrayList<>();
    final List<ManifestException> errors = new ArrayList<>();

    Manifests build() {
      return new Manifests(ImmutableList.copyOf(externalSecrets), ImmutableList.copyOf(stores),
          ImmutableList.copyOf(skipped), ImmutableList.copyOf(errors));
    }
  }
}
