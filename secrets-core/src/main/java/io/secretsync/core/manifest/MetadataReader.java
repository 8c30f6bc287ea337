package io.secretsync.core.manifest;

import com.google.common.collect.ImmutableMap;
import io.secretsync.core.model.ObjectMeta;
import java.util.regex.Pattern;

/**
 * Reads {@code metadata}: name, namespace, labels, annotations and, for objects that come from an
 * API server, uid, generation and resourceVersion. Every other metadata field (finalizers,
 * ownerReferences, managedFields, timestamps...) is accepted and ignored, as it belongs to the
 * server. Stateless.
 */
final class MetadataReader {

  static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  static final String NAME_RULE =
      "use at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit";
  static final String LABEL_RULE =
      "use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit";

  private MetadataReader() {}

  /**
   * @param namespaced whether the kind is namespaced; a namespaced object without a namespace gets
   *     {@code defaultNamespace}, a cluster-scoped one ignores its namespace with a warning
   */
  static ObjectMeta read(Node root, String kind, boolean namespaced, String defaultNamespace, Notes notes) {
    Node meta = root.object("metadata");
    String name = meta.requiredString("name", "give the " + kind + " a name");
    if (!isDnsSubdomain(name)) {
      throw meta.problem("name", "\"" + name + "\" is not a valid name", NAME_RULE);
    }
    String namespace = meta.optString("namespace").orElse("");
    if (!namespace.isEmpty() && !isDnsLabel(namespace)) {
      throw meta.problem("namespace", "\"" + namespace + "\" is not a valid namespace", LABEL_RULE);
    }
    if (!namespaced) {
      if (!namespace.isEmpty()) {
        notes.add(meta.pathOf("namespace"), "ignored: a " + kind + " is cluster-scoped");
      }
      namespace = "";
    } else if (namespace.isEmpty()) {
      namespace = defaultNamespace;
    }
    ImmutableMap<String, String> labels = meta.stringMap("labels");
    ImmutableMap<String, String> annotations = meta.stringMap("annotations");
    String uid = meta.optString("uid").orElse("");
    long generation = meta.optInteger("generation", 0, Long.MAX_VALUE).orElse(0L);
    String resourceVersion = meta.optString("resourceVersion").orElse("");
    return new ObjectMeta(name, namespace, labels, annotations, uid, generation, resourceVersion);
  }

  static boolean isDnsSubdomain(String name) {
    return name.length() <= 253 && DNS_SUBDOMAIN.matcher(name).matches();
  }

  static boolean isDnsLabel(String name) {
    return name.length() <= 63 && DNS_LABEL.matcher(name).matches();
  }
}
