package io.secretsync.core.model;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;

/**
 * One {@code ClusterSecretStore.spec.conditions[]} entry: the namespaces whose ExternalSecrets may
 * use the store. A namespace is allowed when it matches any condition; a condition matches when the
 * namespace is listed, matches one of the regexes, or carries all the selector's labels.
 */
public record ClusterStoreCondition(
    ImmutableMap<String, String> namespaceSelectorMatchLabels,
    ImmutableList<String> namespaces,
    ImmutableList<String> namespaceRegexes) {

  public ClusterStoreCondition {
    namespaceSelectorMatchLabels = ImmutableMap.copyOf(namespaceSelectorMatchLabels);
    namespaces = ImmutableList.copyOf(namespaces);
    namespaceRegexes = ImmutableList.copyOf(namespaceRegexes);
  }
}
