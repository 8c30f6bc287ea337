package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One kind of object the fake serves: its group, served versions (the storage version first), plural
 * and singular names, kind, scope, short names, categories, verbs, subresources and table columns.
 * Built-in types are fixed; custom resource types are derived from installed CRDs. Immutable.
 */
record ResourceType(String group, List<String> versions, String plural, String singular,
    String kind, boolean namespaced, List<String> shortNames, List<String> categories,
    List<String> verbs, boolean statusSubresource, boolean custom, boolean generation,
    List<Column> columns, RowRenderer rows, List<List<Column>> versionColumns) {

  static final List<String> ALL_VERBS = List.of("create", "delete", "deletecollection", "get",
      "list", "patch", "update", "watch");

  /** Computes the cells of a table row (after the name) for one object. */
  @FunctionalInterface
  interface RowRenderer {
    List<Object> cells(ObjectNode object, Instant now);
  }

  /** A table column: name, type, format, description, priority, and for CRDs a JSON path. */
  record Column(String name, String type, String format, String description, int priority,
      String jsonPath) {
    static Column of(String name, String type, String description) {
      return new Column(name, type, "", description, 0, "");
    }

    static Column wide(String name, String type, String description) {
      return new Column(name, type, "", description, 1, "");
    }
  }

  ResourceType {
    Objects.requireNonNull(group, "group");
    versions = List.copyOf(versions);
    shortNames = List.copyOf(shortNames);
    categories = List.copyOf(categories);
    verbs = List.copyOf(verbs);
    columns = List.copyOf(columns);
    versionColumns = versionColumns == null ? List.of() : List.copyOf(versionColumns);
  }

  /** The storage version. */
  String storageVersion() {
    return versions.get(0);
  }

  String apiVersion(String version) {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** {@code secrets} or {@code leases.coordination.k8s.io}, as error messages name it. */
  String groupResource() {
    return group.isEmpty() ? plural : plural + "." + group;
  }

  /** {@code Secret} or {@code Lease.coordination.k8s.io}. */
  String groupKind() {
    return group.isEmpty() ? kind : kind + "." + group;
  }

  String listKind() {
    return kind + "List";
  }

  /** The key of this type in the store: {@code group/plural}. */
  String key() {
    return group + "/" + plural;
  }

  boolean serves(String version) {
    return versions.contains(version);
  }

  /** The table columns for {@code version} (custom resources may differ per version). */
  List<Column> columnsFor(String version) {
    if (custom && !versionColumns.isEmpty()) {
      int i = versions.indexOf(version);
      if (i >= 0 && i < versionColumns.size()) {
        return versionColumns.get(i);
      }
    }
    return columns;
  }

  static Builder builder(String group, String version, String plural, String kind) {
    return new Builder(group, version, plural, kind);
  }

  /** Builds a {@link ResourceType}. */
  static final class Builder {
    private final String group;
    private final List<String> versions = new ArrayList<>();
    private final String plural;
    private final String kind;
    private String singular;
    private boolean namespaced = true;
    private List<String> shortNames = List.of();
    private List<String> categories = List.of();
    private List<String> verbs = ALL_VERBS;
    private boolean status;
    private boolean custom;
    private boolean generation;
    private List<Column> columns = List.of();
    private RowRenderer rows = (o, now) -> List.of();
    private List<List<Column>> versionColumns = List.of();

    private Builder(String group, String version, String plural, String kind) {
      this.group = group;
      this.versions.add(version);
      this.plural = plural;
      this.kind = kind;
      this.singular = kind.toLowerCase(java.util.Locale.ROOT);
    }

    Builder versions(List<String> versions) {
      this.versions.clear();
      this.versions.addAll(versions);
      return this;
    }

    Builder singular(String singular) {
      this.singular = singular;
      return this;
    }

    Builder clusterScoped() {
      this.namespaced = false;
      return this;
    }

    Builder namespaced(boolean namespaced) {
      this.namespaced = namespaced;
      return this;
    }

    Builder shortNames(String... names) {
      this.shortNames = List.of(names);
      return this;
    }

    Builder shortNames(List<String> names) {
      this.shortNames = List.copyOf(names);
      return this;
    }

    Builder categories(List<String> categories) {
      this.categories = List.copyOf(categories);
      return this;
    }

    Builder verbs(String... verbs) {
      this.verbs = List.of(verbs);
      return this;
    }

    Builder statusSubresource() {
      this.status = true;
      return this;
    }

    Builder custom() {
      this.custom = true;
      this.generation = true;
      return this;
    }

    Builder generation() {
      this.generation = true;
      return this;
    }

    Builder table(RowRenderer rows, Column... columns) {
      this.rows = rows;
      this.columns = List.of(columns);
      return this;
    }

    Builder versionColumns(List<List<Column>> columns) {
      this.versionColumns = columns;
      return this;
    }

    ResourceType build() {
      return new ResourceType(group, versions, plural, singular, kind, namespaced, shortNames,
          categories, verbs, status, custom, generation, columns, rows, versionColumns);
    }
  }
}
