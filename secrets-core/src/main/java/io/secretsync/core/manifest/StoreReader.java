package io.secretsync.core.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.model.ClusterStoreCondition;
import io.secretsync.core.model.ConfigNode;
import io.secretsync.core.model.GoDuration;
import io.secretsync.core.model.ObjectMeta;
import io.secretsync.core.model.ProviderConfig;
import io.secretsync.core.model.RetrySettings;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a SecretStore or ClusterSecretStore with ESO's {@code external-secrets.io/v1} schema. The
 * provider's settings ({@code spec.provider.<name>}) are kept as a {@link ConfigNode} for the
 * provider to check; everything else is checked here. {@code spec.refreshInterval} is ESO's
 * IntOrString: a number of seconds or a Go duration; unset is zero (the runtime's default).
 * {@code conditions} on a namespaced SecretStore are ignored with a note (ESO ignores them too);
 * {@code namespaceSelector.matchExpressions} is not supported. Not thread-safe: one reader per object.
 */
final class StoreReader {

  private final Notes notes;
  private final String defaultNamespace;

  StoreReader(Notes notes, String defaultNamespace) {
    this.notes = notes;
    this.defaultNamespace = defaultNamespace;
  }

  SecretStoreResource read(Node root, StoreKind kind) {
    root.allowOnly(Set.of("apiVersion", "kind", "metadata", "spec", "status"));
    ObjectMeta metadata = MetadataReader.read(root, kind.wireName(), kind == StoreKind.SECRET_STORE, defaultNamespace,
        notes);
    Node spec = root.object("spec");
    spec.allowOnly(Set.of("controller", "provider", "retrySettings", "refreshInterval", "conditions"));
    String controller = spec.optString("controller").orElse("");
    ProviderConfig provider = provider(spec);
    Optional<RetrySettings> retry = spec.optObject("retrySettings").map(StoreReader::retrySettings);
    Duration refreshInterval = refreshInterval(spec);
    ImmutableList<ClusterStoreCondition> conditions = ImmutableList.of();
    if (kind == StoreKind.CLUSTER_SECRET_STORE) {
      conditions = conditions(spec);
    } else if (spec.has("conditions")) {
      notes.add(spec.pathOf("conditions"), "ignored: only a ClusterSecretStore uses conditions; a SecretStore"
          + " serves its own namespace only");
    }
    return new SecretStoreResource(kind, metadata, controller, provider, retry, refreshInterval, conditions);
  }

  private static ProviderConfig provider(Node spec) {
    Node provider = spec.object("provider");
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = provider.json().fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    if (names.isEmpty()) {
      throw provider.problemHere("sets no provider", "add one, e.g. vault: {server: ..., path: ..., auth: ...}");
    }
    if (names.size() > 1) {
      throw provider.problemHere("sets " + names.size() + " providers (" + String.join(", ", names)
          + "); a store has exactly one", "keep one and give each other provider its own store");
    }
    String name = names.get(0);
    JsonNode settings = provider.json().get(name);
    if (!settings.isObject()) {
      throw provider.problem(name, "must be a mapping of the provider's settings, found " + Node.describe(settings),
          "write the settings as a mapping");
    }
    return new ProviderConfig(name, ConfigNode.of("spec.provider." + name, settings));
  }

  private static RetrySettings retrySettings(Node retry) {
    retry.allowOnly(Set.of("maxRetries", "retryInterval"));
    Optional<Integer> maxRetries = retry.optInteger("maxRetries", 0, Integer.MAX_VALUE).map(Long::intValue);
    Optional<Duration> interval = Optional.empty();
    Optional<String> text = retry.optString("retryInterval");
    if (text.isPresent()) {
      try {
        interval = Optional.of(GoDuration.parse(text.get()));
      } catch (IllegalArgumentException e) {
        throw retry.problem("retryInterval", e.getMessage(), "");
      }
    }
    return new RetrySettings(maxRetries, interval);
  }

  private static Duration refreshInterval(Node spec) {
    JsonNode value = spec.json().get("refreshInterval");
    if (value == null || value.isNull()) {
      return Duration.ZERO;
    }
    if (value.isIntegralNumber()) {
      if (!value.canConvertToLong() || value.longValue() < 0) {
        throw spec.problem("refreshInterval", "must not be negative", "write a number of seconds or a Go duration");
      }
      return Duration.ofSeconds(value.longValue());
    }
    if (!value.isTextual()) {
      throw spec.problem("refreshInterval", "must be a number of seconds or a Go duration, found "
          + Node.describe(value), "write e.g. 300 or \"5m\"");
    }
    try {
      return GoDuration.parse(value.textValue());
    } catch (IllegalArgumentException e) {
      throw spec.problem("refreshInterval", e.getMessage(), "a number of seconds must not be quoted");
    }
  }

  private static ImmutableList<ClusterStoreCondition> conditions(Node spec) {
    ImmutableList.Builder<ClusterStoreCondition> conditions = ImmutableList.builder();
    for (Node condition : spec.objectList("conditions")) {
      condition.allowOnly(Set.of("namespaceSelector", "namespaces", "namespaceRegexes"));
      ImmutableMap<String, String> matchLabels = ImmutableMap.of();
      Optional<Node> selector = condition.optObject("namespaceSelector");
      if (selector.isPresent()) {
        Node s = selector.get().allowOnly(Set.of("matchLabels", "matchExpressions"));
        if (!s.json().path("matchExpressions").isMissingNode() && !s.json().path("matchExpressions").isNull()
            && !s.json().path("matchExpressions").isEmpty()) {
          throw s.problem("matchExpressions", "not supported",
              "use matchLabels, namespaces or namespaceRegexes instead");
        }
        matchLabels = s.stringMap("matchLabels");
      }
      ImmutableList<String> namespaces = condition.stringList("namespaces");
      for (int i = 0; i < namespaces.size(); i++) {
        if (!MetadataReader.isDnsLabel(namespaces.get(i))) {
          throw new FieldProblem(condition.pathOf("namespaces") + "[" + i + "]",
              "\"" + namespaces.get(i) + "\" is not a valid namespace", MetadataReader.LABEL_RULE);
        }
      }
      conditions.add(new ClusterStoreCondition(matchLabels, namespaces, condition.stringList("namespaceRegexes")));
    }
    return conditions.build();
  }
}
