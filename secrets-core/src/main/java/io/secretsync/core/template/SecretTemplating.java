package io.secretsync.core.template;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.InvalidConfigException;
import io.secretsync.core.SecretData;
import io.secretsync.core.TemplateRenderer;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.TargetTemplate;
import io.secretsync.core.model.TemplateAs;
import io.secretsync.core.model.TemplateFrom;
import io.secretsync.core.model.TemplateMergePolicy;
import io.secretsync.core.model.TemplateScope;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Applies ESO's {@code target.template} (engine v2) and {@code rewrite.transform} with the Go
 * template engine, in ESO's order: the template's labels and annotations as given; the provider's
 * data when {@code mergePolicy} is Merge or the template has neither {@code data} nor
 * {@code templateFrom}; then each {@code templateFrom} entry in order (ConfigMap items, Secret
 * items, literal; {@code Values} renders each item as one value, {@code KeysAndValues} renders a
 * YAML map of keys to values); then {@code data} (which wins); then the label and annotation
 * templates. Templates see the provider's values as strings ({@code map[string]string}) and a
 * missing key is an error, as in ESO. Thread-safe if the {@link TemplateSources} is.
 *
 * <pre>{@code
 * SyncEngine engine = SyncEngine.builder()...templates(new SecretTemplating(sources)).build();
 * }</pre>
 */
public final class SecretTemplating implements TemplateRenderer {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final TemplateSources sources;
  private final TemplateOptions options;

  /** Templating without {@code templateFrom} ConfigMaps or Secrets. */
  public SecretTemplating() {
    this(TemplateSources.none());
  }

  public SecretTemplating(TemplateSources sources) {
    this(sources, TemplateOptions.defaults());
  }

  /** {@code options} sets bounds and delimiters; its missing-key policy is ignored (ESO's rules apply). */
  public SecretTemplating(TemplateSources sources, TemplateOptions options) {
    this.sources = requireNonNull(sources, "sources");
    this.options = requireNonNull(options, "options").toBuilder()
        .missingKey(TemplateOptions.MissingKey.ERROR).build();
  }

  @Override
  public Rendered render(ExternalSecret externalSecret, TargetTemplate template, SecretData providerData) {
    requireNonNull(externalSecret, "externalSecret");
    requireNonNull(template, "template");
    requireNonNull(providerData, "providerData");
    if (!template.engineVersion().isEmpty() && !template.engineVersion().equals(TargetTemplate.ENGINE_V2)) {
      throw new InvalidConfigException("spec.target.template.engineVersion",
          "unsupported template engine version: " + template.engineVersion(), java.util.List.of("use v2"));
    }
    Map<String, String> values = new TreeMap<>();
    for (String key : providerData.keys()) {
      values.put(key, GoStrings.fromBytes(providerData.get(key).orElseThrow()));
    }
    Output out = new Output();
    out.labels.putAll(template.labels());
    out.annotations.putAll(template.annotations());
    boolean noTemplate = template.data().isEmpty() && template.templateFrom().isEmpty();
    if (template.mergePolicy() == TemplateMergePolicy.MERGE || noTemplate) {
      for (String key : providerData.keys()) {
        out.data.put(key, providerData.get(key).orElseThrow());
      }
    }
    String namespace = externalSecret.metadata().namespace();
    for (int i = 0; i < template.templateFrom().size(); i++) {
      applyTemplateFrom(template.templateFrom().get(i), i, namespace, values, out);
    }
    String field = "spec.target.template.";
    applyValues(template.data(), TemplateScope.DATA, values, out, field + "data.");
    applyValues(template.labels(), TemplateScope.LABELS, values, out, field + "metadata.labels.");
    applyValues(template.annotations(), TemplateScope.ANNOTATIONS, values, out, field + "metadata.annotations.");
    return new Rendered(template.type(), ImmutableMap.copyOf(out.labels), ImmutableMap.copyOf(out.annotations),
        SecretData.of(out.data));
  }

  /**
   * Renders a {@code rewrite.transform} template for one key: {@code .value} is the key, and, as in
   * ESO, a missing key renders {@code <no value>} instead of failing.
   */
  @Override
  public String transformKey(String template, String key) {
    TemplateOptions transformOptions = options.toBuilder().missingKey(TemplateOptions.MissingKey.NO_VALUE)
        .delimiters("{{", "}}").build();
    Template t = Template.parse("transform", template, transformOptions);
    return t.render(Map.of("value", key));
  }

  /** What has been rendered so far. */
  private static final class Output {
    final Map<String, String> labels = new TreeMap<>();
    final Map<String, String> annotations = new TreeMap<>();
    final Map<String, byte[]> data = new TreeMap<>();

    void put(TemplateScope scope, String key, byte[] value) {
      switch (scope) {
        case DATA -> data.put(key, value);
        case LABELS -> labels.put(key, GoStrings.fromBytes(value));
        case ANNOTATIONS -> annotations.put(key, GoStrings.fromBytes(value));
      }
    }
  }

  private void applyTemplateFrom(TemplateFrom from, int index, String namespace, Map<String, String> values,
      Output out) {
    String field = "spec.target.template.templateFrom[" + index + "]";
    if (from.configMap().isPresent()) {
      TemplateFrom.Source source = from.configMap().get();
      Map<String, String> cm = sources.configMap(namespace, source.name()).orElseThrow(() ->
          new InvalidConfigException(field + ".configMap.name", "ConfigMap " + namespace + "/" + source.name()
              + " not found", java.util.List.of("create the ConfigMap or fix its name")));
      for (TemplateFrom.Item item : source.items()) {
        String text = cm.get(item.key());
        if (text == null) {
          throw new InvalidConfigException(field + ".configMap.items", "error in configmap " + source.name()
              + ": missing key " + item.key());
        }
        applyItem(item.templateAs(), item.key(), text, from.target(), values, out,
            "configmap " + source.name() + " key " + item.key());
      }
    }
    if (from.secret().isPresent()) {
      TemplateFrom.Source source = from.secret().get();
      Map<String, byte[]> secret = sources.secret(namespace, source.name()).orElseThrow(() ->
          new InvalidConfigException(field + ".secret.name", "Secret " + namespace + "/" + source.name()
              + " not found", java.util.List.of("create the Secret or fix its name")));
      for (TemplateFrom.Item item : source.items()) {
        byte[] text = secret.get(item.key());
        if (text == null) {
          throw new InvalidConfigException(field + ".secret.items", "error in secret " + source.name()
              + ": missing key " + item.key());
        }
        applyItem(item.templateAs(), item.key(), GoStrings.fromBytes(text), from.target(), values, out,
            "secret " + source.name() + " key " + item.key());
      }
    }
    if (from.literal().isPresent()) {
      applyItem(TemplateAs.KEYS_AND_VALUES, "", from.literal().get(), from.target(), values, out,
          "templateFrom[" + index + "].literal");
    }
  }

  private void applyItem(TemplateAs as, String key, String text, TemplateScope target, Map<String, String> values,
      Output out, String name) {
    if (as == TemplateAs.VALUES) {
      out.put(target, key, renderBytes(name, text, values));
    } else {
      String rendered = GoStrings.fromBytes(renderBytes(name, text, values));
      keysAndValues(rendered, name).forEach((k, v) -> out.put(target, k, GoStrings.toBytes(v)));
    }
  }

  private void applyValues(Map<String, String> templates, TemplateScope scope, Map<String, String> values,
      Output out, String fieldPrefix) {
    for (Map.Entry<String, String> e : new TreeMap<>(templates).entrySet()) {
      out.put(scope, e.getKey(), renderBytes(e.getKey(), e.getValue(), values));
    }
  }

  private byte[] renderBytes(String name, String text, Map<String, String> values) {
    return Template.parse(name, text, options).renderBytes(values);
  }

  /**
   * ESO reads a KeysAndValues result as YAML into {@code map[string]string}; like
   * {@code sigs.k8s.io/yaml}, scalars become strings (numbers in Go's shortest form, booleans as
   * {@code true}/{@code false}, null as empty), and nested maps or lists are errors.
   */
  private static Map<String, String> keysAndValues(String rendered, String name) {
    JsonNode node;
    try {
      node = YAML.readTree(rendered);
    } catch (Exception e) {
      throw new InvalidConfigException(name, "could not unmarshal template to 'map[string][]byte': the rendered "
          + "text is not valid YAML");
    }
    Map<String, String> result = new LinkedHashMap<>();
    if (node == null || node.isNull() || node.isMissingNode()) {
      return result;
    }
    if (!node.isObject()) {
      throw new InvalidConfigException(name, "could not unmarshal template to 'map[string][]byte': the rendered "
          + "text is not a YAML map");
    }
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (v.isNull()) {
        result.put(e.getKey(), "");
      } else if (v.isTextual()) {
        result.put(e.getKey(), v.textValue());
      } else if (v.isBoolean()) {
        result.put(e.getKey(), Boolean.toString(v.booleanValue()));
      } else if (v.isIntegralNumber()) {
        result.put(e.getKey(), v.bigIntegerValue().toString());
      } else if (v.isNumber()) {
        result.put(e.getKey(), GoFmt.formatFloat(v.doubleValue(), 'g', -1));
      } else {
        String kind = v.isNumber() ? "number" : v.isBoolean() ? "bool" : v.isArray() ? "array" : "object";
        throw new InvalidConfigException(name, "could not unmarshal template to 'map[string][]byte': json: cannot "
            + "unmarshal " + kind + " into Go value of type string (key " + GoStrings.quote(e.getKey()) + ")");
      }
    }
    return result;
  }

  @Override
  public String toString() {
    return "SecretTemplating{" + options + "}";
  }
}
