package io.secretsync.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import java.util.Optional;

/** One {@code target.template.templateFrom[]} entry: templates kept in a ConfigMap, a Secret, or inline. */
public record TemplateFrom(
    Optional<Source> configMap,
    Optional<Source> secret,
    Optional<String> literal,
    TemplateScope target) {

  public TemplateFrom {
    requireNonNull(configMap, "configMap");
    requireNonNull(secret, "secret");
    requireNonNull(literal, "literal");
    requireNonNull(target, "target");
    int set = (configMap.isPresent() ? 1 : 0) + (secret.isPresent() ? 1 : 0) + (literal.isPresent() ? 1 : 0);
    checkArgument(set == 1, "a templateFrom entry sets exactly one of configMap, secret and literal");
  }

  /** A ConfigMap or Secret in the ExternalSecret's namespace and the items of it to use. */
  public record Source(String name, ImmutableList<Item> items) {
    public Source {
      requireNonNull(name, "name");
      items = ImmutableList.copyOf(items);
    }
  }

  /** One key of a templateFrom source and how it is used. */
  public record Item(String key, TemplateAs templateAs) {
    public Item {
      requireNonNull(key, "key");
      requireNonNull(templateAs, "templateAs");
    }
  }
}
