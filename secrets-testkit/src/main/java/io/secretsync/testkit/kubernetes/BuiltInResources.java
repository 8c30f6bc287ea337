package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in resource types the fake serves, with the table columns of the API server's printers
 * ({@code pkg/printers/internalversion}).
 */
final class BuiltInResources {
  static final String CORE = "";
  static final String RBAC = "rbac.authorization.k8s.io";
  static final String COORDINATION = "coordination.k8s.io";
  static final String AUTHENTICATION = "authentication.k8s.io";
  static final String APIEXTENSIONS = "apiextensions.k8s.io";

  static final ResourceType NAMESPACES = ResourceType.builder(CORE, "v1", "namespaces", "Namespace")
      .clusterScoped().shortNames("ns")
      .verbs("create", "delete", "get", "list", "patch", "update", "watch")
      .statusSubresource()
      .table((o, now) -> List.of(name(o), KubeJson.text(o, "status", "phase"), age(o, now)),
          Tables.NAME, ResourceType.Column.of("Status", "string",
              "The status of the namespace"), Tables.AGE)
      .build();

  static final ResourceType SECRETS = ResourceType.builder(CORE, "v1", "secrets", "Secret")
      .table((o, now) -> List.of(name(o), KubeJson.text(o, "type"),
              size(o.get("data")), age(o, now)),
          Tables.NAME, ResourceType.Column.of("Type", "string", "The type of the secret"),
          ResourceType.Column.of("Data", "integer", "The number of entries in the secret"),
          Tables.AGE)
      .build();

  static final ResourceType CONFIG_MAPS = ResourceType.builder(CORE, "v1", "configmaps",
          "ConfigMap")
      .shortNames("cm")
      .table((o, now) -> List.of(name(o), size(o.get("data")) + size(o.get("binaryData")),
              age(o, now)),
          Tables.NAME, ResourceType.Column.of("Data", "string",
              "Data contains the configuration data."), Tables.AGE)
      .build();

  static final ResourceType SERVICE_ACCOUNTS = ResourceType.builder(CORE, "v1", "serviceaccounts",
          "ServiceAccount")
      .shortNames("sa")
      .table((o, now) -> List.of(name(o), size(o.get("secrets")), age(o, now)),
          Tables.NAME, ResourceType.Column.of("Secrets", "string",
              "Secrets is a list of the secrets in the same namespace that pods running using "
                  + "this ServiceAccount are allowed to use."), Tables.AGE)
      .build();

  static final ResourceType PODS = ResourceType.builder(CORE, "v1", "pods", "Pod")
      .shortNames("po").categories(List.of("all")).statusSubresource()
      .table(BuiltInResources::podRow,
          Tables.NAME, ResourceType.Column.of("Ready", "string",
              "The aggregate readiness state of this pod for accepting traffic."),
          ResourceType.Column.of("Status", "string",
              "The aggregate status of the containers in this pod."),
          ResourceType.Column.of("Restarts", "string",
              "The number of times the containers in this pod have been restarted and when the "
                  + "last container in this pod has restarted."),
          Tables.AGE)
      .build();

  static final ResourceType EVENTS = ResourceType.builder(CORE, "v1", "events", "Event")
      .shortNames("ev")
      .table(BuiltInResources::eventRow,
          ResourceType.Column.of("Last Seen", "string", "Time when this Event was last seen"),
          ResourceType.Column.of("Type", "string",
              "Type of this event (Normal, Warning), new types could be added in the future."),
          ResourceType.Column.of("Reason", "string",
              "This should be a short, machine understandable string that gives the reason for "
                  + "this event being generated."),
          ResourceType.Column.of("Object", "string", "The object that this event is about."),
          ResourceType.Column.of("Message", "string",
              "A human-readable description of the status of this operation."))
      .build();

  static final ResourceType CLUSTER_ROLES = ResourceType.builder(RBAC, "v1", "clusterroles",
          "ClusterRole")
      .clusterScoped()
      .table((o, now) -> List.of(name(o), created(o)), Tables.NAME, Tables.CREATED_AT)
      .build();

  static final ResourceType CLUSTER_ROLE_BINDINGS = ResourceType.builder(RBAC, "v1",
          "clusterrolebindings", "ClusterRoleBinding")
      .clusterScoped()
      .table(BuiltInResources::bindingRow, bindingColumns())
      .build();

  static final ResourceType ROLES = ResourceType.builder(RBAC, "v1", "roles", "Role")
      .table((o, now) -> List.of(name(o), created(o)), Tables.NAME, Tables.CREATED_AT)
      .build();

  static final ResourceType ROLE_BINDINGS = ResourceType.builder(RBAC, "v1", "rolebindings",
          "RoleBinding")
      .table(BuiltInResources::bindingRow, bindingColumns())
      .build();

  static final ResourceType LEASES = ResourceType.builder(COORDINATION, "v1", "leases", "Lease")
      .table((o, now) -> List.of(name(o), KubeJson.text(o, "spec", "holderIdentity"),
              age(o, now)),
          Tables.NAME, ResourceType.Column.of("Holder", "string",
              "The holder of the lease"), Tables.AGE)
      .build();

  static final ResourceType TOKEN_REVIEWS = ResourceType.builder(AUTHENTICATION, "v1",
          "tokenreviews", "TokenReview")
      .clusterScoped().verbs("create")
      .build();

  static final ResourceType SELF_SUBJECT_REVIEWS = ResourceType.builder(AUTHENTICATION, "v1",
          "selfsubjectreviews", "SelfSubjectReview")
      .versions(List.of("v1", "v1beta1", "v1alpha1")).clusterScoped().verbs("create")
      .build();

  static final ResourceType CRDS = ResourceType.builder(APIEXTENSIONS, "v1",
          "customresourcedefinitions", "CustomResourceDefinition")
      .clusterScoped().shortNames("crd", "crds").categories(List.of("api-extensions"))
      .statusSubresource().generation()
      .table((o, now) -> List.of(name(o), created(o)), Tables.NAME, Tables.CREATED_AT)
      .build();

  static final List<ResourceType> ALL = List.of(NAMESPACES, SECRETS, CONFIG_MAPS,
      SERVICE_ACCOUNTS, PODS, EVENTS, CLUSTER_ROLES, CLUSTER_ROLE_BINDINGS, ROLES, ROLE_BINDINGS,
      LEASES, TOKEN_REVIEWS, SELF_SUBJECT_REVIEWS, CRDS);

  private BuiltInResources() {}

  private static ResourceType.Column[] bindingColumns() {
    return new ResourceType.Column[] {Tables.NAME,
        ResourceType.Column.of("Role", "string", "RoleRef to the role"), Tables.AGE,
        ResourceType.Column.wide("Users", "string", "Users in the binding"),
        ResourceType.Column.wide("Groups", "string", "Groups in the binding"),
        ResourceType.Column.wide("ServiceAccounts", "string",
            "ServiceAccounts in the binding")};
  }

  static String name(ObjectNode o) {
    return KubeJson.text(o, "metadata", "name");
  }

  static String age(ObjectNode o, Instant now) {
    return Tables.age(KubeJson.text(o, "metadata", "creationTimestamp"), now);
  }

  private static String created(ObjectNode o) {
    return KubeJson.text(o, "metadata", "creationTimestamp");
  }

  private static int size(JsonNode n) {
    return n == null || n.isNull() ? 0 : n.size();
  }

  private static List<Object> podRow(ObjectNode o, Instant now) {
    JsonNode containers = KubeJson.at(o, "spec", "containers");
    int total = containers == null ? 0 : containers.size();
    int ready = 0;
    long restarts = 0;
    JsonNode statuses = KubeJson.at(o, "status", "containerStatuses");
    if (statuses != null) {
      for (JsonNode s : statuses) {
        if (s.path("ready").asBoolean(false)) {
          ready++;
        }
        restarts += s.path("restartCount").asLong(0);
      }
    }
    String phase = KubeJson.text(o, "status", "phase");
    return List.of(name(o), ready + "/" + total, phase.isEmpty() ? "Pending" : phase,
        Long.toString(restarts), age(o, now));
  }

  private static List<Object> eventRow(ObjectNode o, Instant now) {
    String last = KubeJson.text(o, "lastTimestamp");
    if (last.isEmpty()) {
      last = KubeJson.text(o, "eventTime");
    }
    if (last.isEmpty()) {
      last = KubeJson.text(o, "metadata", "creationTimestamp");
    }
    String object = KubeJson.text(o, "involvedObject", "kind").toLowerCase(java.util.Locale.ROOT)
        + "/" + KubeJson.text(o, "involvedObject", "name");
    return List.of(Tables.age(last.replaceAll("\\.\\d+Z$", "Z"), now), KubeJson.text(o, "type"),
        KubeJson.text(o, "reason"), object, KubeJson.text(o, "message"));
  }

  private static List<Object> bindingRow(ObjectNode o, Instant now) {
    List<String> users = new ArrayList<>();
    List<String> groups = new ArrayList<>();
    List<String> sas = new ArrayList<>();
    JsonNode subjects = o.get("subjects");
    if (subjects != null) {
      for (JsonNode s : subjects) {
        switch (s.path("kind").asText()) {
          case "User" -> users.add(s.path("name").asText());
          case "Group" -> groups.add(s.path("name").asText());
          case "ServiceAccount" -> sas.add(s.path("namespace").asText() + "/"
              + s.path("name").asText());
          default -> { }
        }
      }
    }
    return List.of(name(o), KubeJson.text(o, "roleRef", "kind") + "/"
        + KubeJson.text(o, "roleRef", "name"), age(o, now), String.join(", ", users),
        String.join(", ", groups), String.join(", ", sas));
  }
}
