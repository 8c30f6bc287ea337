package io.secretsync.core.model;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;

/**
 * {@code spec.target.template}: how the target Secret is rendered (engine version v2 only).
 * {@code type} empty keeps the existing Secret's type (new Secrets are {@code Opaque}).
 * Label and annotation values and {@code data} values are themselves templates.
 */
public record TargetTemplate(
    String type,
    String engineVersion,
    TemplateMergePolicy mergePolicy,
    ImmutableMap<String, String> labels,
    ImmutableMap<String, String> annotations,
    ImmutableMap<String, String> data,
    ImmutableList<TemplateFrom> templateFrom) {

  /** The only engine version ESO still supports, and the default. */
  public static final String ENGINE_V2 = "v2";

  public TargetTemplate {
    requireNonNull(type, "type");
    requireNonNull(engineVersion, "engineVersion");
    requireNonNull(mergePolicy, "mergePolicy");
    labels = ImmutableMap.copyOf(labels);
    annotations = ImmutableMap.copyOf(annotations);
    data = ImmutableMap.copyOf(data);
    templateFrom = ImmutableList.copyOf(templateFrom);
  }
}
