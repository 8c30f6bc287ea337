package io.secretsync.core.manifest;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.model.ConversionStrategy;
import io.secretsync.core.model.CreationPolicy;
import io.secretsync.core.model.DataFromSource;
import io.secretsync.core.model.DecodingStrategy;
import io.secretsync.core.model.DeletionPolicy;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ExternalSecretData;
import io.secretsync.core.model.ExternalSecretSpec;
import io.secretsync.core.model.FindRef;
import io.secretsync.core.model.GoDuration;
import io.secretsync.core.model.MetadataPolicy;
import io.secretsync.core.model.NullBytePolicy;
import io.secretsync.core.model.ObjectMeta;
import io.secretsync.core.model.RefreshPolicy;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.Rewrite;
import io.secretsync.core.model.StoreKind;
import io.secretsync.core.model.StoreRef;
import io.secretsync.core.model.Target;
import io.secretsync.core.model.TargetTemplate;
import io.secretsync.core.model.TemplateAs;
import io.secretsync.core.model.TemplateFrom;
import io.secretsync.core.model.TemplateMergePolicy;
import io.secretsync.core.model.TemplateScope;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Reads an ExternalSecret with ESO's {@code external-secrets.io/v1} schema and defaults. Unknown
 * fields are errors; fields ESO has that this library does not implement are errors saying so,
 * except where ignoring them is harmless (then a note says what was ignored):
 * <ul>
 *   <li>errors: {@code spec.syncWindows}, {@code spec.target.manifest} (generic targets),
 *       {@code dataFrom[].sourceRef.generatorRef} (generators), {@code dataFrom[].rewrite[].merge},
 *       {@code templateFrom[].valuesDecodingStrategy} other than None;
 *   <li>ignored with a note: {@code data[].sourceRef.generatorRef} (ESO ignores it too: it is
 *       deprecated and not implemented for {@code data[]}), {@code template.metadata.finalizers}
 *       (the target Secret gets no finalizers).
 * </ul>
 * {@code templateFrom[].target} is matched ignoring case, as ESO's controller does. Not
 * thread-safe: one reader per object.
 */
final class ExternalSecretReader {

  private static final String KEY_FIX = "set the secret's path in the store, e.g. key: example-api/env-file";

  private final Notes notes;
  private final String defaultNamespace;

  ExternalSecretReader(Notes notes, String defaultNamespace) {
    this.notes = notes;
    this.defaultNamespace = defaultNamespace;
  }

  ExternalSecret read(Node root) {
    root.allowOnly(Set.of("apiVersion", "kind", "metadata", "spec", "status"));
    ObjectMeta metadata = MetadataReader.read(root, "ExternalSecret", true, defaultNamespace, notes);
    Node spec = root.object("spec");
    spec.allowOnly(Set.of("secretStoreRef", "target", "refreshPolicy", "refreshInterval", "syncWindows", "data",
        "dataFrom"));
    spec.unsupported("syncWindows", "remove it: sync windows are not implemented; refreshInterval and refreshPolicy"
        + " decide when this library refreshes");
    Optional<StoreRef> storeRef = spec.optObject("secretStoreRef").flatMap(ExternalSecretReader::storeRef);
    RefreshPolicy refreshPolicy = spec.enumValue("refreshPolicy", RefreshPolicy.class, RefreshPolicy.PERIODIC);
    Duration refreshInterval = duration(spec, "refreshInterval").orElse(ExternalSecretSpec.DEFAULT_REFRESH_INTERVAL);
    Target target = spec.optObject("target").map(this::target).orElse(Target.defaults());
    ImmutableList.Builder<ExternalSecretData> data = ImmutableList.builder();
    for (Node entry : spec.objectList("data")) {
      data.add(data(entry));
    }
    ImmutableList.Builder<DataFromSource> dataFrom = ImmutableList.builder();
    for (Node entry : spec.objectList("dataFrom")) {
      dataFrom.add(dataFrom(entry));
    }
    return new ExternalSecret(metadata,
        new ExternalSecretSpec(storeRef, refreshPolicy, refreshInterval, target, data.build(), dataFrom.build()));
  }

  /**
   * A store reference, or empty for an empty mapping: Go clients serialize an unset reference as
   * {@code {}}, and ESO reads that as "no store here".
   */
  private static Optional<StoreRef> storeRef(Node ref) {
    ref.allowOnly(Set.of("name", "kind"));
    StoreKind kind = ref.enumValue("kind", StoreKind.class, StoreKind.SECRET_STORE);
    if (!ref.has("name") && !ref.has("kind")) {
      return Optional.empty();
    }
    return Optional.of(new StoreRef(ref.requiredString("name", "name the " + kind.wireName() + " to read from"), kind));
  }

  private Target target(Node target) {
    target.allowOnly(Set.of("name", "creationPolicy", "deletionPolicy", "template", "manifest", "immutable"));
    target.unsupported("manifest", "remove it: only Secret targets are implemented, not ESO's generic targets");
    Target parsed = new Target(target.optString("name").orElse(""),
        target.enumValue("creationPolicy", CreationPolicy.class, CreationPolicy.OWNER),
        target.enumValue("deletionPolicy", DeletionPolicy.class, DeletionPolicy.RETAIN),
        target.optBoolean("immutable").orElse(false), Optional.empty());
    Optional<Node> template = target.optObject("template");
    return template.isPresent() ? parsed.withTemplate(template(template.get())) : parsed;
  }

  private TargetTemplate template(Node template) {
    template.allowOnly(Set.of("type", "engineVersion", "metadata", "mergePolicy", "data", "templateFrom"));
    String engineVersion =
        template.optString("engineVersion").filter(v -> !v.isEmpty()).orElse(TargetTemplate.ENGINE_V2);
    if (engineVersion.equals("v1")) {
      throw template.problem("engineVersion", "v1 templates are not supported",
          "use engineVersion v2 (the default) and write the templates in v2 syntax");
    }
    if (!engineVersion.equals(TargetTemplate.ENGINE_V2)) {
      throw template.problem("engineVersion", "\"" + engineVersion + "\" is not one of v2",
          "use v2 (the default), spelled exactly");
    }
    ImmutableMap<String, String> labels = ImmutableMap.of();
    ImmutableMap<String, String> annotations = ImmutableMap.of();
    Optional<Node> metadata = template.optObject("metadata");
    if (metadata.isPresent()) {
      Node m = metadata.get().allowOnly(Set.of("labels", "annotations", "finalizers"));
      labels = m.stringMap("labels");
      annotations = m.stringMap("annotations");
      if (!m.stringList("finalizers").isEmpty()) {
        notes.add(m.pathOf("finalizers"), "ignored: finalizers on the target Secret are not implemented");
      }
    }
    ImmutableList.Builder<TemplateFrom> templateFrom = ImmutableList.builder();
    for (Node entry : template.objectList("templateFrom")) {
      templateFrom.add(templateFrom(entry));
    }
    return new TargetTemplate(template.optString("type").orElse(""), engineVersion,
        template.enumValue("mergePolicy", TemplateMergePolicy.class, TemplateMergePolicy.REPLACE), labels, annotations,
        template.stringMap("data"), templateFrom.build());
  }

  private TemplateFrom templateFrom(Node entry) {
    entry.allowOnly(Set.of("configMap", "secret", "target", "literal", "valuesDecodingStrategy"));
    if (entry.enumValue("valuesDecodingStrategy", DecodingStrategy.class, DecodingStrategy.NONE)
        != DecodingStrategy.NONE) {
      throw entry.problem("valuesDecodingStrategy", "not supported",
          "remove it: rendered template values are used as they are (None)");
    }
    int set = (entry.has("configMap") ? 1 : 0) + (entry.has("secret") ? 1 : 0) + (entry.has("literal") ? 1 : 0);
    if (set != 1) {
      String problem = set == 0 ? "sets none of configMap, secret and literal"
          : "sets more than one of configMap, secret and literal";
      throw entry.problemHere(problem, "set exactly one of them per templateFrom entry");
    }
    return new TemplateFrom(entry.optObject("configMap").map(this::templateSource),
        entry.optObject("secret").map(this::templateSource), entry.optString("literal"), templateTarget(entry));
  }

  private static TemplateScope templateTarget(Node entry) {
    String value = entry.optString("target").orElse("");
    if (value.isEmpty()) {
      return TemplateScope.DATA;
    }
    for (TemplateScope scope : TemplateScope.values()) {
      if (scope.wireName().equalsIgnoreCase(value)) {
        return scope;
      }
    }
    throw entry.problem("target", "templateFrom target=\"" + value + "\" is not allowed when targeting a Secret,"
        + " must be one of \"Data\", \"Annotations\" or \"Labels\"", "use one of these values");
  }

  private TemplateFrom.Source templateSource(Node source) {
    source.allowOnly(Set.of("name", "items"));
    String name = source.requiredString("name", "name the ConfigMap or Secret that holds the templates");
    if (!MetadataReader.isDnsSubdomain(name)) {
      throw source.problem("name", "\"" + name + "\" is not a valid name", MetadataReader.NAME_RULE);
    }
    if (!source.has("items")) {
      throw source.problem("items", "required", "list the keys to use, e.g. items: [{key: config.tpl}]");
    }
    ImmutableList.Builder<TemplateFrom.Item> items = ImmutableList.builder();
    for (Node item : source.objectList("items")) {
      item.allowOnly(Set.of("key", "templateAs"));
      String key = item.requiredString("key", "name a key of the ConfigMap or Secret");
      if (key.length() > 253 || !key.matches("^[-._a-zA-Z0-9]+$")) {
        throw item.problem("key", "\"" + key + "\" is not a valid key", "use only letters, digits, '-', '_' and '.'");
      }
      items.add(new TemplateFrom.Item(key, item.enumValue("templateAs", TemplateAs.class, TemplateAs.VALUES)));
    }
    return new TemplateFrom.Source(name, items.build());
  }

  private ExternalSecretData data(Node entry) {
    entry.allowOnly(Set.of("secretKey", "remoteRef", "sourceRef"));
    String secretKey = entry.requiredString("secretKey", "name the key of the target Secret, e.g. secretKey: .env");
    RemoteRef remoteRef = remoteRef(entry.object("remoteRef"));
    Optional<StoreRef> store = Optional.empty();
    Optional<Node> sourceRef = entry.optObject("sourceRef");
    if (sourceRef.isPresent()) {
      Node ref = sourceRef.get().allowOnly(Set.of("storeRef", "generatorRef"));
      if (ref.has("generatorRef")) {
        notes.add(ref.pathOf("generatorRef"), "ignored, as ESO ignores it: generators are not implemented for data[];"
            + " the entry reads from its store");
      }
      store = ref.optObject("storeRef").flatMap(ExternalSecretReader::storeRef);
      if (store.isEmpty() && !ref.has("generatorRef")) {
        throw ref.problemHere("sets no storeRef", "add storeRef (name and kind) or remove sourceRef");
      }
    }
    return new ExternalSecretData(secretKey, remoteRef, store);
  }

  private RemoteRef remoteRef(Node ref) {
    ref.allowOnly(Set.of("key", "property", "version", "conversionStrategy", "decodingStrategy", "metadataPolicy",
        "nullBytePolicy"));
    return new RemoteRef(ref.requiredString("key", KEY_FIX), ref.optString("property").orElse(""),
        ref.optString("version").filter(v -> !v.isEmpty()),
        ref.enumValue("decodingStrategy", DecodingStrategy.class, DecodingStrategy.NONE),
        ref.enumValue("conversionStrategy", ConversionStrategy.class, ConversionStrategy.DEFAULT),
        ref.enumValue("metadataPolicy", MetadataPolicy.class, MetadataPolicy.NONE),
        ref.enumValue("nullBytePolicy", NullBytePolicy.class, NullBytePolicy.IGNORE));
  }

  private DataFromSource dataFrom(Node entry) {
    entry.allowOnly(Set.of("extract", "find", "rewrite", "sourceRef"));
    Optional<StoreRef> store = Optional.empty();
    Optional<Node> sourceRef = entry.optObject("sourceRef");
    if (sourceRef.isPresent()) {
      Node ref = sourceRef.get().allowOnly(Set.of("storeRef", "generatorRef"));
      ref.unsupported("generatorRef", "remove it: generators are not implemented; read values from a store with"
          + " extract or find");
      store = ref.optObject("storeRef").flatMap(ExternalSecretReader::storeRef);
      if (store.isEmpty()) {
        throw ref.problemHere("generatorRef or storeRef must be set when using sourceRef in dataFrom",
            "add storeRef (name and kind) or remove sourceRef");
      }
    }
    if (entry.has("extract") && entry.has("find")) {
      throw entry.problemHere("extract, find, or generatorRef cannot be set at the same time",
          "keep one of extract and find, and move the other to its own dataFrom entry");
    }
    if (!entry.has("extract") && !entry.has("find")) {
      throw entry.problemHere("sets neither extract nor find",
          "add extract (every property of one secret) or find (secrets by name or tags)");
    }
    ImmutableList.Builder<Rewrite> rewrites = ImmutableList.builder();
    for (Node rewrite : entry.objectList("rewrite")) {
      rewrites.add(rewrite(rewrite));
    }
    if (entry.has("extract")) {
      return new DataFromSource(Optional.of(remoteRef(entry.object("extract"))), Optional.empty(), rewrites.build(),
          store);
    }
    return new DataFromSource(Optional.empty(), Optional.of(find(entry.object("find"))), rewrites.build(), store);
  }

  private FindRef find(Node find) {
    find.allowOnly(Set.of("path", "name", "tags", "conversionStrategy", "decodingStrategy", "nullBytePolicy"));
    Optional<String> nameRegexp = Optional.empty();
    Optional<Node> name = find.optObject("name");
    if (name.isPresent()) {
      nameRegexp = name.get().allowOnly(Set.of("regexp")).optString("regexp").filter(r -> !r.isEmpty());
    }
    return new FindRef(find.optString("path").filter(p -> !p.isEmpty()), nameRegexp, find.stringMap("tags"),
        find.enumValue("conversionStrategy", ConversionStrategy.class, ConversionStrategy.DEFAULT),
        find.enumValue("decodingStrategy", DecodingStrategy.class, DecodingStrategy.NONE),
        find.enumValue("nullBytePolicy", NullBytePolicy.class, NullBytePolicy.IGNORE));
  }

  private static Rewrite rewrite(Node rewrite) {
    rewrite.allowOnly(Set.of("regexp", "transform", "merge"));
    rewrite.unsupported("merge", "remove it: merge rewrites are not implemented; use regexp or transform");
    if (rewrite.has("regexp") == rewrite.has("transform")) {
      String problem = rewrite.has("regexp") ? "sets both regexp and transform" : "sets neither regexp nor transform";
      throw rewrite.problemHere(problem, "set exactly one of them per rewrite entry; add another entry for the other");
    }
    Optional<Node> regexp = rewrite.optObject("regexp");
    if (regexp.isPresent()) {
      Node r = regexp.get().allowOnly(Set.of("source", "target"));
      String source = r.requiredString("source", "write the regular expression to match in key names");
      String target = r.optString("target").orElseThrow(() -> r.problem("target", "required",
          "write the replacement, e.g. target: \"app_$1\" (\"\" removes the match)"));
      return new Rewrite.Regexp(source, target);
    }
    Node transform = rewrite.object("transform").allowOnly(Set.of("template"));
    return new Rewrite.Transform(transform.requiredString("template",
        "write the template that computes the new key, e.g. template: \"{{ .value | upper }}\""));
  }

  private static Optional<Duration> duration(Node node, String field) {
    Optional<String> text = node.optString(field);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(GoDuration.parse(text.get()));
    } catch (IllegalArgumentException e) {
      throw node.problem(field, e.getMessage(), "");
    }
  }
}
