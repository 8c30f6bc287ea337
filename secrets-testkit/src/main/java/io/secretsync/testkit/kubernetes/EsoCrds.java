package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The External Secrets Operator CRDs as its Helm chart installs them (group
 * {@code external-secrets.io}, versions v1 (storage) and v1beta1, status subresource, printer
 * columns), with schemas that preserve unknown fields: the fake stores what it is given and leaves
 * validation to the library's manifest loader.
 */
final class EsoCrds {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String READY_REASON = ".status.conditions[?(@.type==\"Ready\")].reason";
  private static final String READY_STATUS = ".status.conditions[?(@.type==\"Ready\")].status";

  private EsoCrds() {}

  static List<ObjectNode> all() {
    return List.of(
        crd("ExternalSecret", "externalsecrets", "Namespaced", List.of("es"), List.of(
            column("Store", "string", ".spec.secretStoreRef.name"),
            column("Refresh Interval", "string", ".spec.refreshInterval"),
            column("Status", "string", READY_REASON),
            column("Ready", "string", READY_STATUS))),
        crd("SecretStore", "secretstores", "Namespaced", List.of("ss"), List.of(
            column("Age", "date", ".metadata.creationTimestamp"),
            column("Status", "string", READY_REASON),
            column("Capabilities", "string", ".status.capabilities"),
            column("Ready", "string", READY_STATUS))),
        crd("ClusterSecretStore", "clustersecretstores", "Cluster", List.of("css"), List.of(
            column("Age", "date", ".metadata.creationTimestamp"),
            column("Status", "string", READY_REASON),
            column("Capabilities", "string", ".status.capabilities"),
            column("Ready", "string", READY_STATUS))),
        crd("PushSecret", "pushsecrets", "Namespaced", List.of("ps"), List.of(
            column("Age", "date", ".metadata.creationTimestamp"),
            column("Status", "string", READY_REASON))));
  }

  private static ObjectNode column(String name, String type, String path) {
    return JSON.createObjectNode().put("name", name).put("type", type).put("jsonPath", path);
  }

  private static ObjectNode crd(String kind, String plural, String scope, List<String> shortNames,
      List<ObjectNode> columns) {
    ObjectNode crd = JSON.createObjectNode();
    crd.put("apiVersion", "apiextensions.k8s.io/v1").put("kind", "CustomResourceDefinition");
    crd.putObject("metadata").put("name", plural + ".external-secrets.io")
        .putObject("labels").put("external-secrets.io/component", "controller");
    ObjectNode spec = crd.putObject("spec");
    spec.put("group", "external-secrets.io").put("scope", scope);
    ObjectNode names = spec.putObject("names");
    names.put("kind", kind).put("listKind", kind + "List").put("plural", plural)
        .put("singular", kind.toLowerCase(java.util.Locale.ROOT));
    ArrayNode shorts = names.putArray("shortNames");
    shortNames.forEach(shorts::add);
    names.putArray("categories").add("external-secrets");
    ArrayNode versions = spec.putArray("versions");
    for (String version : List.of("v1", "v1beta1")) {
      ObjectNode v = versions.addObject();
      v.put("name", version).put("served", true).put("storage", version.equals("v1"));
      v.putObject("subresources").putObject("status");
      ArrayNode printer = v.putArray("additionalPrinterColumns");
      columns.forEach(printer::add);
      v.putObject("schema").putObject("openAPIV3Schema").put("type", "object")
          .put("x-kubernetes-preserve-unknown-fields", true);
    }
    return crd;
  }
}
