package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The External Secrets Operator CRDs as its Helm chart installs them with {@code installCRDs: true}:
 * {@code externalsecrets}, {@code secretstores}, {@code clustersecretstores} and {@code pushsecrets}
 * in {@code external-secrets.io}, versions {@code v1} (storage) and {@code v1beta1}, with the status
 * subresource and ESO's printer columns. The schemas are abbreviated: {@code spec} and {@code status}
 * preserve unknown fields, so the fake neither prunes nor validates their content.
 */
final class EsoCrds {
  static final String GROUP = "external-secrets.io";

  private record Column(String name, String type, String jsonPath) {}

  private static final Column AGE = new Column("AGE", "date", ".metadata.creationTimestamp");
  private static final Column READY_REASON = new Column("Status", "string",
      ".status.conditions[?(@.type==\"Ready\")].reason");
  private static final Column READY = new Column("Ready", "string",
      ".status.conditions[?(@.type==\"Ready\")].status");

  private EsoCrds() {}

  /** The four CRD objects, ready to create. */
  static List<ObjectNode> all() {
    return List.of(
        crd("externalsecrets", "externalsecret", "ExternalSecret", "Namespaced", List.of("es"),
            List.of(new Column("StoreType", "string", ".spec.secretStoreRef.kind"),
                new Column("Store", "string", ".spec.secretStoreRef.name"),
                new Column("Refresh Interval", "string", ".spec.refreshInterval"),
                READY_REASON, READY)),
        crd("secretstores", "secretstore", "SecretStore", "Namespaced", List.of("ss"),
            List.of(AGE, READY_REASON,
                new Column("Capabilities", "string", ".status.capabilities"), READY)),
        crd("clustersecretstores", "clustersecretstore", "ClusterSecretStore", "Cluster",
            List.of("css"),
            List.of(AGE, READY_REASON,
                new Column("Capabilities", "string", ".status.capabilities"), READY)),
        crd("pushsecrets", "pushsecret", "PushSecret", "Namespaced", List.of(),
            List.of(AGE, READY_REASON)));
  }

  private static ObjectNode crd(String plural, String singular, String kind, String scope,
      List<String> shortNames, List<Column> columns) {
    ObjectNode crd = KubeJson.object();
    crd.put("apiVersion", "apiextensions.k8s.io/v1");
    crd.put("kind", "CustomResourceDefinition");
    ObjectNode meta = crd.putObject("metadata");
    meta.put("name", plural + "." + GROUP);
    meta.putObject("annotations").put("controller-gen.kubebuilder.io/version", "v0.18.0");
    meta.putObject("labels").put("external-secrets.io/component", "controller");
    ObjectNode spec = crd.putObject("spec");
    spec.put("group", GROUP);
    ObjectNode names = spec.putObject("names");
    names.putArray("categories").add("external-secrets");
    names.put("kind", kind);
    names.put("listKind", kind + "List");
    names.put("plural", plural);
    if (!shortNames.isEmpty()) {
      ArrayNode sn = names.putArray("shortNames");
      shortNames.forEach(sn::add);
    }
    names.put("singular", singular);
    spec.put("scope", scope);
    ArrayNode versions = spec.putArray("versions");
    for (String version : List.of("v1", "v1beta1")) {
      ObjectNode v = versions.addObject();
      ArrayNode cols = v.putArray("additionalPrinterColumns");
      for (Column c : columns) {
        cols.addObject().put("jsonPath", c.jsonPath()).put("name", c.name()).put("type", c.type());
      }
      v.put("name", version);
      ObjectNode schema = v.putObject("schema").putObject("openAPIV3Schema");
      schema.put("type", "object");
      ObjectNode props = schema.putObject("properties");
      props.putObject("apiVersion").put("type", "string");
      props.putObject("kind").put("type", "string");
      props.putObject("metadata").put("type", "object");
      props.putObject("spec").put("type", "object")
          .put("x-kubernetes-preserve-unknown-fields", true);
      props.putObject("status").put("type", "object")
          .put("x-kubernetes-preserve-unknown-fields", true);
      v.put("served", true);
      v.put("storage", version.equals("v1"));
      v.putObject("subresources").putObject("status");
    }
    return crd;
  }
}
