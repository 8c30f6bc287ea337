package io.secretsync.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

/** {@code spec.provider}: the provider's name ({@code vault}) and its settings, read by that provider. */
public record ProviderConfig(String name, ConfigNode settings) {

  public ProviderConfig {
    requireNonNull(name, "name");
    checkArgument(!name.isEmpty(), "provider name must not be empty");
    requireNonNull(settings, "settings");
  }
}
