package io.secretsync.core;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableMap;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.TargetTemplate;

/**
 * Renders {@code target.template} and {@code rewrite.transform} for the sync engine. The template
 * engine in {@code io.secretsync.core.template} implements it; an engine without one fails every
 * ExternalSecret that uses a template with a clear error. Implementations are thread-safe.
 */
public interface TemplateRenderer {

  /**
   * Renders {@code template} over the provider's data for {@code externalSecret}.
   *
   * @throws SecretSyncException naming the template, line and column; never a value
   */
  Rendered render(ExternalSecret externalSecret, TargetTemplate template, SecretData providerData);

  /** Renders a {@code rewrite.transform} template with {@code .value} bound to {@code key}. */
  String transformKey(String template, String key);

  /** What a template produced: type (empty: keep), labels, annotations and the final data. */
  record Rendered(String type, ImmutableMap<String, String> labels, ImmutableMap<String, String> annotations,
      SecretData data) {
    public Rendered {
      requireNonNull(type, "type");
      labels = ImmutableMap.copyOf(labels);
      annotations = ImmutableMap.copyOf(annotations);
      requireNonNull(data, "data");
    }
  }

  /** The renderer used when none is installed: refuses templates, naming the field. */
  static TemplateRenderer unsupported() {
    return new TemplateRenderer() {
      @Override
      public Rendered render(ExternalSecret externalSecret, TargetTemplate template, SecretData providerData) {
        throw new InvalidConfigException("spec.target.template", "no template engine is installed in this engine");
      }

      @Override
      public String transformKey(String template, String key) {
        throw new InvalidConfigException("spec.dataFrom[].rewrite[].transform",
            "no template engine is installed in this engine");
      }
    };
  }
}
