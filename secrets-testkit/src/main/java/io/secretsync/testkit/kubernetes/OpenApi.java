package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * Just enough OpenAPI v3 for kubectl: the root index of group versions, and per group version the
 * PATCH operation of each kind with its {@code fieldValidation} parameter, which tells kubectl the
 * server validates fields itself (so it skips client-side schema validation). No schemas.
 */
final class OpenApi {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private OpenApi() {}

  static ObjectNode root(Set<String> groupVersionPaths) {
    ObjectNode root = NODES.objectNode();
    ObjectNode paths = root.putObject("paths");
    for (String gv : new TreeSet<>(groupVersionPaths)) {
      String key = gv.substring(1);
      paths.putObject(key).put("serverRelativeURL", "/openapi/v3" + gv + "?hash=" + Integer.toHexString(key.hashCode()));
    }
    return root;
  }

  static ObjectNode groupVersion(Collection<ResourceType> types) {
    ObjectNode doc = NODES.objectNode().put("openapi", "3.0.0");
    doc.putObject("info").put("title", "Kubernetes").put("version", KubeApi.SERVER_VERSION);
    ObjectNode paths = doc.putObject("paths");
    for (ResourceType t : types) {
      String path = t.groupVersionPath() + (t.namespaced() ? "/namespaces/{namespace}/" : "/") + t.plural() + "/{name}";
      ObjectNode patch = paths.putObject(path).putObject("patch");
      patch.put("operationId", "patch" + t.kind());
      patch.putObject("x-kubernetes-group-version-kind").put("group", t.group()).put("version", t.version())
          .put("kind", t.kind());
      ArrayNode parameters = patch.putArray("parameters");
      for (String name : new String[] {"dryRun", "fieldManager", "fieldValidation", "force"}) {
        parameters.addObject().put("name", name).put("in", "query").putObject("schema").put("type", "string");
      }
      patch.putObject("responses").putObject("200").put("description", "OK");
    }
    doc.putObject("components").putObject("schemas");
    return doc;
  }
}
