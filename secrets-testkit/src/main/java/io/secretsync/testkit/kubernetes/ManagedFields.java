package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Field ownership as server-side apply keeps it in {@code metadata.managedFields} (FieldsV1), and
 * the apply merge itself. Simplified against structured-merge-diff: maps merge field by field, every
 * list is atomic (owned and replaced as a whole), and a field's owners are the managers that last set
 * it. Update operations (create, update, merge and strategic patches) give their manager the fields
 * they changed; apply operations own exactly the fields of the applied configuration, may conflict
 * with other owners, and remove fields they no longer apply and no one else owns.
 */
final class ManagedFields {
  /** A field path: the field names from the object root. */
  record Path(List<String> fields) {
    Path {
      fields = List.copyOf(fields);
    }

    boolean overlaps(Path other) {
      int n = Math.min(fields.size(), other.fields.size());
      return fields.subList(0, n).equals(other.fields.subList(0, n));
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder();
      for (String f : fields) {
        b.append('.').append(f);
      }
      return b.toString();
    }
  }

  /** One managedFields entry. */
  static final class Entry {
    final String manager;
    final String operation;
    String apiVersion;
    String time;
    final String subresource;
    Set<Path> paths;

    Entry(String manager, String operation, String apiVersion, String time, String subresource,
        Set<Path> paths) {
      this.manager = manager;
      this.operation = operation;
      this.apiVersion = apiVersion;
      this.time = time;
      this.subresource = subresource;
      this.paths = paths;
    }

    boolean same(String manager, String operation, String subresource) {
      return this.manager.equals(manager) && this.operation.equals(operation)
          && this.subresource.equals(subresource);
    }

    String describe() {
      String s = KubeJson.quote(manager);
      if (operation.equals("Update")) {
        s += " using " + apiVersion;
        if (time != null && !time.isEmpty()) {
          s += " at " + time;
        }
      }
      if (!subresource.isEmpty()) {
        s += " with subresource " + KubeJson.quote(subresource);
      }
      return s;
    }
  }

  /** A conflict of an apply with another manager's field. */
  record Conflict(Entry owner, Path path) {}

  private static final Set<String> SERVER_METADATA = Set.of("name", "namespace", "uid",
      "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
      "deletionGracePeriodSeconds", "managedFields", "selfLink", "generateName");

  private ManagedFields() {}

  /** The entries recorded on {@code obj}. */
  static List<Entry> read(JsonNode obj) {
    List<Entry> out = new ArrayList<>();
    JsonNode mf = KubeJson.at(obj, "metadata", "managedFields");
    if (mf == null || !mf.isArray()) {
      return out;
    }
    for (JsonNode e : mf) {
      Set<Path> paths = new LinkedHashSet<>();
      collect(e.path("fieldsV1"), new ArrayList<>(), paths);
      out.add(new Entry(e.path("manager").asText(""), e.path("operation").asText("Update"),
          e.path("apiVersion").asText(""), e.path("time").asText(""),
          e.path("subresource").asText(""), paths));
    }
    return out;
  }

  private static void collect(JsonNode fields, List<String> prefix, Set<Path> out) {
    if (!fields.isObject()) {
      return;
    }
    boolean hasChildren = false;
    Iterator<String> names = fields.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      if (n.startsWith("f:")) {
        hasChildren = true;
        List<String> p = new ArrayList<>(prefix);
        p.add(n.substring(2));
        collect(fields.get(n), p, out);
      }
    }
    if (!hasChildren && !prefix.isEmpty()) {
      out.add(new Path(prefix));
    }
  }

  /** Writes {@code entries} to {@code obj}'s {@code metadata.managedFields}; none = removed. */
  static void write(ObjectNode obj, List<Entry> entries) {
    ObjectNode meta = KubeJson.objectField(obj, "metadata");
    List<Entry> kept = entries.stream().filter(e -> !e.paths.isEmpty()).toList();
    if (kept.isEmpty()) {
      meta.remove("managedFields");
      return;
    }
    ArrayNode mf = meta.putArray("managedFields");
    for (Entry e : kept) {
      ObjectNode n = mf.addObject();
      n.put("manager", e.manager);
      n.put("operation", e.operation);
      n.put("apiVersion", e.apiVersion);
      n.put("time", e.time);
      n.put("fieldsType", "FieldsV1");
      n.set("fieldsV1", render(e.paths));
      if (!e.subresource.isEmpty()) {
        n.put("subresource", e.subresource);
      }
    }
  }

  private static ObjectNode render(Set<Path> paths) {
    TreeMap<String, Object> tree = new TreeMap<>();
    for (Path p : paths) {
      TreeMap<String, Object> level = tree;
      for (String f : p.fields()) {
        @SuppressWarnings("unchecked")
        TreeMap<String, Object> next = (TreeMap<String, Object>) level.computeIfAbsent(f,
            k -> new TreeMap<String, Object>());
        level = next;
      }
    }
    return renderLevel(tree, 0, "");
  }

  private static ObjectNode renderLevel(TreeMap<String, Object> level, int depth, String name) {
    ObjectNode n = KubeJson.object();
    if (depth > 1 || (depth == 1 && !name.equals("metadata") && !level.isEmpty())) {
      if (!level.isEmpty()) {
        n.putObject(".");
      }
    }
    for (Map.Entry<String, Object> e : level.entrySet()) {
      @SuppressWarnings("unchecked")
      TreeMap<String, Object> child = (TreeMap<String, Object>) e.getValue();
      n.set("f:" + e.getKey(), renderLevel(child, depth + 1, e.getKey()));
    }
    return n;
  }

  /**
   * The leaf paths of {@code obj} within a scope: the main resource (without {@code status} when
   * {@code excludeStatus}) or only {@code status}.
   */
  static Set<Path> leaves(JsonNode obj, boolean excludeStatus, boolean onlyStatus) {
    Set<Path> out = new LinkedHashSet<>();
    for (Map.Entry<String, JsonNode> e : obj.properties()) {
      String k = e.getKey();
      if (k.equals("apiVersion") || k.equals("kind")) {
        continue;
      }
      if (onlyStatus && !k.equals("status")) {
        continue;
      }
      if (!onlyStatus && excludeStatus && k.equals("status")) {
        continue;
      }
      if (k.equals("metadata")) {
        for (Map.Entry<String, JsonNode> me : e.getValue().properties()) {
          if (!SERVER_METADATA.contains(me.getKey())) {
            walk(me.getValue(), new ArrayList<>(List.of("metadata", me.getKey())), out);
          }
        }
        continue;
      }
      walk(e.getValue(), new ArrayList<>(List.of(k)), out);
    }
    return out;
  }

  private static void walk(JsonNode n, List<String> prefix, Set<Path> out) {
    if (n.isObject() && !n.isEmpty()) {
      for (Map.Entry<String, JsonNode> e : n.properties()) {
        List<String> p = new ArrayList<>(prefix);
        p.add(e.getKey());
        walk(e.getValue(), p, out);
      }
    } else {
      out.add(new Path(prefix));
    }
  }

  static JsonNode valueAt(JsonNode obj, Path p) {
    JsonNode n = obj;
    for (String f : p.fields()) {
      if (n == null || !n.isObject()) {
        return null;
      }
      n = n.get(f);
    }
    return n;
  }

  private static void setAt(ObjectNode obj, Path p, JsonNode value) {
    ObjectNode n = obj;
    List<String> f = p.fields();
    for (int i = 0; i < f.size() - 1; i++) {
      n = KubeJson.objectField(n, f.get(i));
    }
    n.set(f.get(f.size() - 1), value.deepCopy());
  }

  private static void removeAt(ObjectNode obj, Path p) {
    JsonNode n = obj;
    List<String> f = p.fields();
    List<ObjectNode> parents = new ArrayList<>();
    for (int i = 0; i < f.size() - 1; i++) {
      if (!(n instanceof ObjectNode o)) {
        return;
      }
      parents.add(o);
      n = o.get(f.get(i));
    }
    if (n instanceof ObjectNode o) {
      o.remove(f.get(f.size() - 1));
      // drop maps emptied by the removal, except top-level ones kept by the object
      for (int i = f.size() - 2; i >= 1; i--) {
        JsonNode child = parents.get(i).get(f.get(i));
        if (child != null && child.isObject() && child.isEmpty()) {
          parents.get(i).remove(f.get(i));
        } else {
          break;
        }
      }
    }
  }

  /**
   * Records an update operation: {@code manager} gains the fields that differ between {@code before}
   * (null on create) and {@code after}; other managers lose them; fields that are gone lose owners.
   */
  static void recordUpdate(ObjectNode after, JsonNode before, String manager, String apiVersion,
      String subresource, boolean statusScoped, boolean onlyStatus, Instant now) {
    List<Entry> entries = before == null ? new ArrayList<>() : read(before);
    Set<Path> afterLeaves = leaves(after, statusScoped, onlyStatus);
    Set<Path> changed = new LinkedHashSet<>();
    for (Path p : afterLeaves) {
      if (before == null || !Objects.equals(valueAt(before, p), valueAt(after, p))) {
        changed.add(p);
      }
    }
    for (Entry e : entries) {
      e.paths.removeIf(p -> changed.stream().anyMatch(c -> c.overlaps(p))
          || valueAt(after, p) == null);
    }
    if (!changed.isEmpty()) {
      Entry mine = null;
      for (Entry e : entries) {
        if (e.same(manager, "Update", subresource)) {
          mine = e;
        }
      }
      if (mine == null) {
        mine = new Entry(manager, "Update", apiVersion, "", subresource, new LinkedHashSet<>());
        entries.add(mine);
      }
      mine.paths.addAll(changed);
      mine.apiVersion = apiVersion;
      mine.time = KubeJson.time(now);
    }
    write(after, entries);
  }

  /** The outcome of an apply: the merged object, or the conflicts that stopped it. */
  record ApplyResult(ObjectNode object, List<Conflict> conflicts) {}

  /**
   * Server-side apply of {@code config} by {@code manager} onto {@code live} (null = create).
   * Without {@code force}, a field {@code config} sets to a value other than the live one while
   * another manager owns it is a conflict.
   */
  static ApplyResult apply(ObjectNode live, ObjectNode config, String manager, String apiVersion,
      String subresource, boolean force, boolean statusScoped, boolean onlyStatus, Instant now) {
    List<Entry> entries = live == null ? new ArrayList<>() : read(live);
    Set<Path> applied = leaves(config, statusScoped, onlyStatus);
    List<Conflict> conflicts = new ArrayList<>();
    for (Entry e : entries) {
      if (e.same(manager, "Apply", subresource)) {
        continue;
      }
      for (Path owned : e.paths) {
        for (Path p : applied) {
          if (p.overlaps(owned)) {
            Path longer = p.fields().size() >= owned.fields().size() ? p : owned;
            JsonNode liveValue = live == null ? null : valueAt(live, longer);
            if (!Objects.equals(liveValue, valueAt(config, longer))) {
              conflicts.add(new Conflict(e, longer));
            }
          }
        }
      }
    }
    if (!conflicts.isEmpty() && !force) {
      return new ApplyResult(null, conflicts);
    }
    if (force) {
      for (Entry e : entries) {
        if (!e.same(manager, "Apply", subresource)) {
          e.paths.removeIf(owned -> conflicts.stream().anyMatch(c -> c.owner() == e
              && c.path().overlaps(owned)));
        }
      }
    }
    ObjectNode result = live == null ? KubeJson.object() : live.deepCopy();
    Entry mine = null;
    for (Entry e : entries) {
      if (e.same(manager, "Apply", subresource)) {
        mine = e;
      }
    }
    if (mine != null) {
      for (Path old : mine.paths) {
        if (applied.contains(old)) {
          continue;
        }
        boolean ownedElsewhere = false;
        for (Entry e : entries) {
          if (e != mine && e.paths.stream().anyMatch(o -> o.overlaps(old))) {
            ownedElsewhere = true;
          }
        }
        if (!ownedElsewhere) {
          removeAt(result, old);
        }
      }
    } else {
      mine = new Entry(manager, "Apply", apiVersion, "", subresource, new LinkedHashSet<>());
      entries.add(mine);
    }
    for (Path p : applied) {
      setAt(result, p, valueAt(config, p));
    }
    mine.paths = new LinkedHashSet<>(applied);
    mine.apiVersion = apiVersion;
    mine.time = KubeJson.time(now);
    for (Entry e : entries) {
      e.paths.removeIf(p -> valueAt(result, p) == null);
    }
    write(result, entries);
    return new ApplyResult(result, List.of());
  }

  /** The 409 message for conflicts, as structured-merge-diff words it. */
  static String conflictMessage(List<Conflict> conflicts) {
    TreeMap<String, List<String>> byOwner = new TreeMap<>();
    for (Conflict c : conflicts) {
      byOwner.computeIfAbsent(c.owner().describe(), k -> new ArrayList<>())
          .add(c.path().toString());
    }
    if (conflicts.size() == 1) {
      Conflict c = conflicts.get(0);
      return "Apply failed with 1 conflict: conflict with " + c.owner().describe() + ": "
          + c.path();
    }
    StringBuilder b = new StringBuilder("Apply failed with " + conflicts.size() + " conflicts: ");
    boolean first = true;
    for (Map.Entry<String, List<String>> e : byOwner.entrySet()) {
      if (!first) {
        b.append("\n");
      }
      first = false;
      b.append("conflicts with ").append(e.getKey()).append(":");
      for (String p : e.getValue()) {
        b.append("\n- ").append(p);
      }
    }
    return b.toString();
  }
}
