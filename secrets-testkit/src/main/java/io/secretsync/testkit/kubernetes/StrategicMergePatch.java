package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Strategic merge patch for the built-in kinds the fake serves: JSON merge patch, except that lists
 * with a patch merge key (e.g. {@code metadata.ownerReferences} by {@code uid}, a Pod's
 * {@code containers} by {@code name}) merge element by element and {@code metadata.finalizers}
 * merges as a set, with the directives {@code $patch} (replace, delete, merge), {@code $retainKeys},
 * {@code $deleteFromPrimitiveList/<field>} and {@code $setElementOrder/<field>}. Every other list is
 * replaced as a whole, as the Go types without patch tags are.
 */
final class StrategicMergePatch {
  private static final String PRIMITIVE_MERGE = "";

  private StrategicMergePatch() {}

  /** The result of applying {@code patch} to {@code original} of {@code kind}; inputs unchanged. */
  static ObjectNode apply(String kind, ObjectNode original, ObjectNode patch) {
    return mergeMap(kind, List.of(), original.deepCopy(), patch);
  }

  /**
   * The merge key of the list at {@code path} (field names from the root) of {@code kind}: a field
   * name, {@code ""} for a primitive list merged as a set, or null for a list replaced whole.
   */
  static String mergeKey(String kind, List<String> path) {
    String p = String.join(".", path);
    switch (p) {
      case "metadata.ownerReferences":
        return "uid";
      case "metadata.finalizers":
        return PRIMITIVE_MERGE;
      default:
        break;
    }
    if (kind.equals("ServiceAccount") && p.equals("secrets")) {
      return "name";
    }
    if (kind.equals("Pod")) {
      return switch (p) {
        case "spec.containers", "spec.initContainers", "spec.ephemeralContainers",
            "spec.volumes", "spec.imagePullSecrets", "spec.containers.env",
            "spec.initContainers.env" -> "name";
        case "spec.containers.ports", "spec.initContainers.ports" -> "containerPort";
        case "spec.containers.volumeMounts", "spec.initContainers.volumeMounts" -> "mountPath";
        case "status.conditions" -> "type";
        default -> null;
      };
    }
    return null;
  }

  private static ObjectNode mergeMap(String kind, List<String> path, ObjectNode original,
      ObjectNode patch) {
    JsonNode directive = patch.get("$patch");
    if (directive != null) {
      String d = directive.asText();
      if (d.equals("replace")) {
        ObjectNode copy = patch.deepCopy();
        copy.remove("$patch");
        return stripDirectives(copy);
      }
      if (d.equals("delete")) {
        return null;
      }
    }
    ObjectNode result = original == null ? KubeJson.object() : original;
    JsonNode retain = patch.get("$retainKeys");
    if (retain != null && retain.isArray()) {
      Set<String> keep = new LinkedHashSet<>(KubeJson.strings(retain));
      List<String> drop = new ArrayList<>();
      result.fieldNames().forEachRemaining(f -> {
        if (!keep.contains(f)) {
          drop.add(f);
        }
      });
      drop.forEach(result::remove);
    }
    for (Map.Entry<String, JsonNode> e : patch.properties()) {
      String key = e.getKey();
      JsonNode value = e.getValue();
      if (key.equals("$patch") || key.equals("$retainKeys")
          || key.startsWith("$setElementOrder/")) {
        continue;
      }
      if (key.startsWith("$deleteFromPrimitiveList/")) {
        String field = key.substring("$deleteFromPrimitiveList/".length());
        JsonNode list = result.get(field);
        if (list instanceof ArrayNode a && value.isArray()) {
          ArrayNode kept = KubeJson.array();
          for (JsonNode el : a) {
            boolean remove = false;
            for (JsonNode v : value) {
              remove |= v.equals(el);
            }
            if (!remove) {
              kept.add(el);
            }
          }
          result.set(field, kept);
        }
        continue;
      }
      List<String> childPath = append(path, key);
      if (value.isNull()) {
        result.remove(key);
      } else if (value.isObject()) {
        JsonNode current = result.get(key);
        ObjectNode merged = mergeMap(kind, childPath,
            current instanceof ObjectNode o ? o : null, (ObjectNode) value);
        if (merged == null) {
          result.remove(key);
        } else {
          result.set(key, merged);
        }
      } else if (value.isArray()) {
        String mergeKey = mergeKey(kind, childPath);
        JsonNode current = result.get(key);
        if (mergeKey == null || !(current instanceof ArrayNode)) {
          result.set(key, stripList(kind, childPath, (ArrayNode) value));
        } else {
          result.set(key, mergeList(kind, childPath, (ArrayNode) current, (ArrayNode) value,
              mergeKey));
        }
        JsonNode order = patch.get("$setElementOrder/" + key);
        if (order instanceof ArrayNode o && result.get(key) instanceof ArrayNode list) {
          result.set(key, reorder(list, o, mergeKey));
        }
      } else {
        result.set(key, value.deepCopy());
      }
    }
    return result;
  }

  private static ArrayNode mergeList(String kind, List<String> path, ArrayNode original,
      ArrayNode patch, String mergeKey) {
    ArrayNode result = original.deepCopy();
    for (JsonNode el : patch) {
      if (el.isObject() && "replace".equals(el.path("$patch").asText())) {
        return stripList(kind, path, withoutDirectiveElements(patch));
      }
    }
    if (mergeKey.equals(PRIMITIVE_MERGE)) {
      for (JsonNode el : patch) {
        boolean present = false;
        for (JsonNode o : result) {
          present |= o.equals(el);
        }
        if (!present) {
          result.add(el.deepCopy());
        }
      }
      return result;
    }
    for (JsonNode el : patch) {
      if (!el.isObject()) {
        continue;
      }
      JsonNode keyValue = el.get(mergeKey);
      int found = -1;
      for (int i = 0; i < result.size(); i++) {
        if (keyValue != null && keyValue.equals(result.get(i).get(mergeKey))) {
          found = i;
          break;
        }
      }
      if ("delete".equals(el.path("$patch").asText())) {
        if (found >= 0) {
          result.remove(found);
        }
        continue;
      }
      if (found >= 0) {
        ObjectNode merged = mergeMap(kind, path, (ObjectNode) result.get(found).deepCopy(),
            (ObjectNode) el);
        result.set(found, merged);
      } else {
        result.add(stripDirectives(((ObjectNode) el).deepCopy()));
      }
    }
    return result;
  }

  private static ArrayNode reorder(ArrayNode list, ArrayNode order, String mergeKey) {
    ArrayNode out = KubeJson.array();
    List<JsonNode> rest = new ArrayList<>();
    list.forEach(rest::add);
    for (JsonNode o : order) {
      for (Iterator<JsonNode> it = rest.iterator(); it.hasNext();) {
        JsonNode el = it.next();
        boolean same = mergeKey == null || mergeKey.isEmpty() ? el.equals(o)
            : o.has(mergeKey) && o.get(mergeKey).equals(el.get(mergeKey));
        if (same) {
          out.add(el);
          it.remove();
          break;
        }
      }
    }
    rest.forEach(out::add);
    return out;
  }

  private static ArrayNode withoutDirectiveElements(ArrayNode list) {
    ArrayNode out = KubeJson.array();
    for (JsonNode el : list) {
      if (!(el.isObject() && el.has("$patch") && el.size() == 1)) {
        out.add(el);
      }
    }
    return out;
  }

  private static ArrayNode stripList(String kind, List<String> path, ArrayNode list) {
    ArrayNode out = KubeJson.array();
    for (JsonNode el : list) {
      out.add(el.isObject() ? stripDirectives(((ObjectNode) el).deepCopy()) : el.deepCopy());
    }
    return out;
  }

  private static ObjectNode stripDirectives(ObjectNode node) {
    List<String> drop = new ArrayList<>();
    node.fieldNames().forEachRemaining(f -> {
      if (f.startsWith("$")) {
        drop.add(f);
      }
    });
    drop.forEach(node::remove);
    node.properties().forEach(e -> {
      if (e.getValue() instanceof ObjectNode o) {
        stripDirectives(o);
      } else if (e.getValue() instanceof ArrayNode a) {
        for (JsonNode el : a) {
          if (el instanceof ObjectNode o) {
            stripDirectives(o);
          }
        }
      }
    });
    return node;
  }

  private static List<String> append(List<String> path, String key) {
    List<String> p = new ArrayList<>(path);
    p.add(key);
    return p;
  }
}
