package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Label selectors ({@code k=v}, {@code k==v}, {@code k!=v}, {@code k in (a,b)},
 * {@code k notin (a)}, {@code k}, {@code !k}) and field selectors ({@code f=v}, {@code f==v},
 * {@code f!=v}) on the fields each kind supports. Parse errors are {@link ApiError} 400s.
 */
final class Selectors {
  private static final Map<String, Set<String>> FIELDS = Map.of(
      "/secrets", Set.of("type"),
      "/events", Set.of("involvedObject.kind", "involvedObject.namespace",
          "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
          "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
          "reportingComponent", "source", "type"),
      "/pods", Set.of("spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
          "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP",
          "status.nominatedNodeName"),
      "/namespaces", Set.of("status.phase"));

  private Selectors() {}

  /** A predicate for {@code labelSelector}; always true when blank. */
  static Predicate<ObjectNode> labels(String selector) {
    if (selector == null || selector.isBlank()) {
      return o -> true;
    }
    List<Predicate<ObjectNode>> reqs = new ArrayList<>();
    for (String part : splitTopLevel(selector)) {
      reqs.add(labelRequirement(part.strip(), selector));
    }
    return o -> reqs.stream().allMatch(r -> r.test(o));
  }

  private static Predicate<ObjectNode> labelRequirement(String r, String selector) {
    if (r.isEmpty()) {
      throw ApiError.badRequest("unable to parse requirement: found '', expected: identifier");
    }
    String[] ops = {"!=", "==", "="};
    for (String op : ops) {
      int i = r.indexOf(op);
      if (i > 0 && !r.contains(" in ") && !r.contains(" notin ")) {
        String key = r.substring(0, i).strip();
        String value = r.substring(i + op.length()).strip();
        checkKey(key);
        return op.equals("!=") ? o -> !value.equals(label(o, key))
            : o -> value.equals(label(o, key));
      }
    }
    int in = r.indexOf(" in ");
    int notin = r.indexOf(" notin ");
    if (in > 0 || notin > 0) {
      boolean negate = notin > 0;
      String key = r.substring(0, negate ? notin : in).strip();
      String rest = r.substring((negate ? notin + 7 : in + 4)).strip();
      if (!rest.startsWith("(") || !rest.endsWith(")")) {
        throw ApiError.badRequest("unable to parse requirement: found '" + rest
            + "', expected: '('");
      }
      List<String> values = new ArrayList<>();
      for (String v : rest.substring(1, rest.length() - 1).split(",")) {
        values.add(v.strip());
      }
      checkKey(key);
      return negate ? o -> !values.contains(label(o, key)) : o -> values.contains(label(o, key));
    }
    if (r.startsWith("!")) {
      String key = r.substring(1).strip();
      checkKey(key);
      return o -> label(o, key) == null;
    }
    checkKey(r);
    return o -> label(o, r) != null;
  }

  private static void checkKey(String key) {
    if (key.isEmpty() || key.contains(" ") || key.contains("(") || key.contains(")")) {
      throw ApiError.badRequest("unable to parse requirement: invalid label key \"" + key + "\"");
    }
  }

  private static String label(ObjectNode o, String key) {
    JsonNode v = KubeJson.at(o, "metadata", "labels", key);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static List<String> splitTopLevel(String s) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        out.add(s.substring(start, i));
        start = i + 1;
      }
    }
    out.add(s.substring(start));
    return out;
  }

  /** A predicate for {@code fieldSelector} on objects of {@code type}; true when blank. */
  static Predicate<ObjectNode> fields(String selector, ResourceType type) {
    if (selector == null || selector.isBlank()) {
      return o -> true;
    }
    List<Predicate<ObjectNode>> reqs = new ArrayList<>();
    for (String part : selector.split(",")) {
      String r = part.strip();
      boolean negate = r.contains("!=");
      String[] kv = negate ? r.split("!=", 2) : r.contains("==") ? r.split("==", 2)
          : r.split("=", 2);
      if (kv.length != 2) {
        throw ApiError.badRequest("invalid field selector: " + r);
      }
      String field = kv[0].strip();
      String value = kv[1].strip();
      boolean allowed = field.equals("metadata.name") || field.equals("metadata.namespace")
          || (!type.custom() && FIELDS.getOrDefault("/" + type.plural(), Set.of())
              .contains(field) && type.group().isEmpty());
      if (!allowed) {
        throw ApiError.badRequest("field label not supported: " + field);
      }
      String[] path = field.equals("source") ? new String[] {"source", "component"}
          : field.split("\\.");
      reqs.add(o -> {
        String actual = KubeJson.text(o, path);
        return negate != actual.equals(value);
      });
    }
    return o -> reqs.stream().allMatch(r -> r.test(o));
  }
}
