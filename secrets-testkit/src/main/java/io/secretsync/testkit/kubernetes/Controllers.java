package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The controllers a fresh cluster runs, acting synchronously inside the write that triggers them:
 * the bootstrap objects (namespaces default, kube-system, kube-public, kube-node-lease and a few
 * cluster roles), the namespace controllers (a {@code default} ServiceAccount and the
 * {@code kube-root-ca.crt} ConfigMap in every new namespace), the token controller (a
 * service-account-token Secret gets {@code token}, {@code ca.crt} and {@code namespace}, also when
 * its ServiceAccount is created later) and CRD establishment. Called under the store's monitor.
 */
final class Controllers {
  private final Cluster cluster;

  Controllers(Cluster cluster) {
    this.cluster = cluster;
  }

  /** Creates the objects of a fresh cluster: default, kube-system, kube-public, kube-node-lease. */
  void bootstrap() {
    for (String ns : List.of("default", "kube-system", "kube-public", "kube-node-lease")) {
      ObjectNode n = KubeJson.object();
      n.put("apiVersion", "v1");
      n.put("kind", "Namespace");
      n.putObject("metadata").put("name", ns);
      cluster.create(BuiltInResources.NAMESPACES, "v1", null, n,
          Cluster.WriteOptions.of("kube-apiserver"));
    }
    for (String role : List.of("cluster-admin", "admin", "edit", "view", "system:auth-delegator",
        "system:service-account-issuer-discovery")) {
      ObjectNode r = KubeJson.object();
      r.put("apiVersion", "rbac.authorization.k8s.io/v1");
      r.put("kind", "ClusterRole");
      ObjectNode meta = r.putObject("metadata");
      meta.put("name", role);
      meta.putObject("labels").put("kubernetes.io/bootstrapping", "rbac-defaults");
      ArrayNode rules = r.putArray("rules");
      if (role.equals("system:auth-delegator")) {
        rules.addObject().set("apiGroups", KubeJson.array().add("authentication.k8s.io"));
        ((ObjectNode) rules.get(0)).set("resources", KubeJson.array().add("tokenreviews"));
        ((ObjectNode) rules.get(0)).set("verbs", KubeJson.array().add("create"));
        ObjectNode sar = rules.addObject();
        sar.set("apiGroups", KubeJson.array().add("authorization.k8s.io"));
        sar.set("resources", KubeJson.array().add("subjectaccessreviews"));
        sar.set("verbs", KubeJson.array().add("create"));
      } else if (role.equals("cluster-admin")) {
        ObjectNode all = rules.addObject();
        all.set("apiGroups", KubeJson.array().add("*"));
        all.set("resources", KubeJson.array().add("*"));
        all.set("verbs", KubeJson.array().add("*"));
      }
      cluster.create(BuiltInResources.CLUSTER_ROLES, "v1", null, r,
          Cluster.WriteOptions.of("kube-apiserver"));
    }
  }

  /** The token controller: a service-account-token Secret gets token, ca.crt and namespace. */
  void fillServiceAccountToken(ObjectNode secret) {
    if (!"kubernetes.io/service-account-token".equals(KubeJson.text(secret, "type"))) {
      return;
    }
    String ns = KubeJson.text(secret, "metadata", "namespace");
    String saName = KubeJson.text(secret, "metadata", "annotations",
        "kubernetes.io/service-account.name");
    if (saName.isEmpty()) {
      return;
    }
    Optional<ObjectNode> sa = cluster.get(BuiltInResources.SERVICE_ACCOUNTS, ns, saName);
    if (sa.isEmpty()) {
      return;
    }
    String uid = KubeJson.text(sa.get(), "metadata", "uid");
    ObjectNode annotations = KubeJson.objectField(KubeJson.objectField(secret, "metadata"),
        "annotations");
    annotations.put("kubernetes.io/service-account.uid", uid);
    ObjectNode data = KubeJson.objectField(secret, "data");
    Base64.Encoder b64 = Base64.getEncoder();
    data.put("ca.crt", b64.encodeToString(cluster.caPem().getBytes(StandardCharsets.UTF_8)));
    data.put("namespace", b64.encodeToString(ns.getBytes(StandardCharsets.UTF_8)));
    data.put("token", b64.encodeToString(cluster.tokens.issueLegacy(ns, saName, uid,
        KubeJson.text(secret, "metadata", "name")).getBytes(StandardCharsets.UTF_8)));
  }

  void afterCreate(ResourceType type, ObjectNode stored) {
    String name = KubeJson.text(stored, "metadata", "name");
    if (type == BuiltInResources.NAMESPACES) {
      ObjectNode sa = KubeJson.object();
      sa.put("apiVersion", "v1");
      sa.put("kind", "ServiceAccount");
      sa.putObject("metadata").put("name", "default").put("namespace", name);
      cluster.create(BuiltInResources.SERVICE_ACCOUNTS, "v1", name, sa,
          Cluster.WriteOptions.of("kube-controller-manager"));
      if (!cluster.caPem().isEmpty()) {
        ObjectNode cm = KubeJson.object();
        cm.put("apiVersion", "v1");
        cm.put("kind", "ConfigMap");
        cm.putObject("metadata").put("name", "kube-root-ca.crt").put("namespace", name);
        cm.putObject("data").put("ca.crt", cluster.caPem());
        cluster.create(BuiltInResources.CONFIG_MAPS, "v1", name, cm,
            Cluster.WriteOptions.of("kube-controller-manager"));
      }
    } else if (type == BuiltInResources.SERVICE_ACCOUNTS) {
      String ns = KubeJson.text(stored, "metadata", "namespace");
      for (ObjectNode s : cluster.list(BuiltInResources.SECRETS, ns, o -> true)) {
        if ("kubernetes.io/service-account-token".equals(KubeJson.text(s, "type"))
            && name.equals(KubeJson.text(s, "metadata", "annotations",
                "kubernetes.io/service-account.name"))
            && KubeJson.text(s, "data", "token").isEmpty()) {
          ObjectNode filled = s.deepCopy();
          fillServiceAccountToken(filled);
          cluster.commitUpdate(BuiltInResources.SECRETS, s, filled, "token-controller", "v1", "");
        }
      }
    } else if (type == BuiltInResources.CRDS) {
      cluster.refreshCustomTypes();
    }
  }
}
