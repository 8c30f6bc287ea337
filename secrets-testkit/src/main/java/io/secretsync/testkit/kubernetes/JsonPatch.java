package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON patch (RFC 6902): add, remove, replace, move, copy, test. Errors are
 * {@link IllegalArgumentException}s with the texts the API server returns inside its 422 message.
 */
final class JsonPatch {
  private JsonPatch() {}

  static JsonNode apply(JsonNode target, JsonNode patch) {
    if (!patch.isArray()) {
      throw new IllegalArgumentException("json: cannot unmarshal object into Go value of type "
          + "jsonpatch.Patch");
    }
    JsonNode doc = target.deepCopy();
    for (JsonNode op : patch) {
      String kind = op.path("op").asText("");
      String path = op.path("path").asText(null);
      if (path == null) {
        throw new IllegalArgumentException("missing path in operation " + kind);
      }
      switch (kind) {
        case "add" -> doc = add(doc, path, value(op));
        case "remove" -> doc = remove(doc, path);
        case "replace" -> {
          get(doc, path);
          doc = add(remove(doc, path), path, value(op));
        }
        case "move" -> {
          String from = op.path("from").asText();
          JsonNode v = get(doc, from);
          doc = add(remove(doc, from), path, v);
        }
        case "copy" -> doc = add(doc, path, get(doc, op.path("from").asText()).deepCopy());
        case "test" -> {
          if (!get(doc, path).equals(value(op))) {
            throw new IllegalArgumentException("testing value " + path + " failed: test failed");
          }
        }
        default -> throw new IllegalArgumentException("Unexpected kind: " + kind);
      }
    }
    return doc;
  }

  private static JsonNode value(JsonNode op) {
    if (!op.has("value")) {
      throw new IllegalArgumentException("missing value");
    }
    return op.get("value").deepCopy();
  }

  private static List<String> tokens(String pointer) {
    List<String> out = new ArrayList<>();
    if (pointer.isEmpty()) {
      return out;
    }
    if (!pointer.startsWith("/")) {
      throw new IllegalArgumentException("invalid JSON pointer " + pointer);
    }
    for (String t : pointer.substring(1).split("/", -1)) {
      out.add(t.replace("~1", "/").replace("~0", "~"));
    }
    return out;
  }

  private static JsonNode get(JsonNode doc, String pointer) {
    JsonNode n = doc;
    for (String t : tokens(pointer)) {
      n = child(n, t);
      if (n == null) {
        throw new IllegalArgumentException("doc is missing path: \"" + pointer + "\"");
      }
    }
    return n;
  }

  private static JsonNode child(JsonNode n, String token) {
    if (n.isObject()) {
      return n.get(token);
    }
    if (n.isArray()) {
      try {
        int i = Integer.parseInt(token);
        return i >= 0 && i < n.size() ? n.get(i) : null;
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static JsonNode add(JsonNode doc, String pointer, JsonNode value) {
    List<String> t = tokens(pointer);
    if (t.isEmpty()) {
      return value;
    }
    JsonNode parent = get(doc, toPointer(t.subList(0, t.size() - 1)));
    String last = t.get(t.size() - 1);
    if (parent instanceof ObjectNode o) {
      o.set(last, value);
    } else if (parent instanceof ArrayNode a) {
      if (last.equals("-")) {
        a.add(value);
      } else {
        int i = index(last, a.size() + 1, pointer);
        a.insert(i, value);
      }
    } else {
      throw new IllegalArgumentException("doc is missing path: \"" + pointer + "\"");
    }
    return doc;
  }

  private static JsonNode remove(JsonNode doc, String pointer) {
    List<String> t = tokens(pointer);
    if (t.isEmpty()) {
      throw new IllegalArgumentException("cannot remove the whole document");
    }
    JsonNode parent = get(doc, toPointer(t.subList(0, t.size() - 1)));
    String last = t.get(t.size() - 1);
    if (parent instanceof ObjectNode o && o.has(last)) {
      o.remove(last);
    } else if (parent instanceof ArrayNode a) {
      a.remove(index(last, a.size(), pointer));
    } else {
      throw new IllegalArgumentException("Unable to remove nonexistent key: " + last
          + ": missing value");
    }
    return doc;
  }

  private static int index(String token, int bound, String pointer) {
    try {
      int i = Integer.parseInt(token);
      if (i < 0 || i >= bound) {
        throw new IllegalArgumentException("Unable to access invalid index: " + i
            + ": invalid index referenced");
      }
      return i;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid array index in " + pointer);
    }
  }

  private static String toPointer(List<String> tokens) {
    StringBuilder b = new StringBuilder();
    for (String t : tokens) {
      b.append('/').append(t.replace("~", "~0").replace("/", "~1"));
    }
    return b.toString();
  }
}
