package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The garbage collector, run synchronously after a delete: objects whose every owner (by
 * {@code ownerReferences} UID) is gone are deleted, repeatedly so chains go too; references to gone
 * owners are dropped from objects that still have another owner; with the Orphan policy the
 * dependents only lose their reference. Called under the store's monitor.
 */
final class GarbageCollector {
  private static final String MANAGER = "garbage-collector";
  private final Cluster cluster;

  GarbageCollector(Cluster cluster) {
    this.cluster = cluster;
  }

  /**
   * The garbage collector, run synchronously: objects whose every owner is gone are deleted
   * (repeatedly, so chains go too); references to gone owners are dropped from objects that still
   * have another owner.
   */
  void collect() {
    boolean changed = true;
    while (changed) {
      changed = false;
      Set<String> uids = new HashSet<>();
      Map<String, List<ObjectNode>> all = cluster.store.all();
      all.values().forEach(l -> l.forEach(o -> uids.add(KubeJson.text(o, "metadata", "uid"))));
      for (ResourceType t : cluster.registry.all()) {
        for (ObjectNode o : all.getOrDefault(t.key(), List.of())) {
          JsonNode refs = o.path("metadata").get("ownerReferences");
          if (refs == null || !refs.isArray() || refs.isEmpty()) {
            continue;
          }
          ArrayNode alive = KubeJson.array();
          for (JsonNode r : refs) {
            if (uids.contains(r.path("uid").asText())) {
              alive.add(r);
            }
          }
          if (alive.size() == refs.size()) {
            continue;
          }
          changed = true;
          if (alive.isEmpty()) {
            String ns = t.namespaced() ? KubeJson.text(o, "metadata", "namespace") : null;
            cluster.delete(t, ns, KubeJson.text(o, "metadata", "name"),
                Cluster.DeleteOptions.DEFAULT);
          } else {
            ObjectNode updated = o.deepCopy();
            ((ObjectNode) updated.get("metadata")).set("ownerReferences", alive);
            cluster.commitUpdate(t, o, updated, MANAGER, t.apiVersion(t.storageVersion()), "");
          }
          break;
        }
        if (changed) {
          break;
        }
      }
    }
  }

  void orphan(String ownerUid) {
    for (ResourceType t : cluster.registry.all()) {
      for (ObjectNode o : cluster.store.list(t.key(), null)) {
        JsonNode refs = o.path("metadata").get("ownerReferences");
        if (refs == null || !refs.isArray()) {
          continue;
        }
        ArrayNode kept = KubeJson.array();
        for (JsonNode r : refs) {
          if (!ownerUid.equals(r.path("uid").asText())) {
            kept.add(r);
          }
        }
        if (kept.size() != refs.size()) {
          ObjectNode updated = o.deepCopy();
          if (kept.isEmpty()) {
            ((ObjectNode) updated.get("metadata")).remove("ownerReferences");
          } else {
            ((ObjectNode) updated.get("metadata")).set("ownerReferences", kept);
          }
          cluster.commitUpdate(t, o, updated, MANAGER, t.apiVersion(t.storageVersion()), "");
        }
      }
    }
  }
}
