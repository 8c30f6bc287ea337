package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The resource types being served: the built-ins and one per established CRD. Answers the discovery
 * documents ({@code /api}, {@code /api/v1}, {@code /apis}, {@code /apis/<group>},
 * {@code /apis/<group>/<version>}). Thread-safe: CRD changes swap an immutable snapshot.
 */
final class ResourceRegistry {
  private static final Pattern KUBE_VERSION = Pattern.compile("v(\\d+)(?:(alpha|beta)(\\d+))?");

  /** Versions in the API server's priority order: GA, then beta, then alpha, higher first. */
  static final Comparator<String> VERSION_PRIORITY = (a, b) -> {
    Matcher ma = KUBE_VERSION.matcher(a);
    Matcher mb = KUBE_VERSION.matcher(b);
    boolean ka = ma.matches();
    boolean kb = mb.matches();
    if (ka != kb) {
      return ka ? -1 : 1;
    }
    if (!ka) {
      return a.compareTo(b);
    }
    int sa = stability(ma.group(2));
    int sb = stability(mb.group(2));
    if (sa != sb) {
      return Integer.compare(sb, sa);
    }
    int major = Integer.compare(Integer.parseInt(mb.group(1)), Integer.parseInt(ma.group(1)));
    if (major != 0 || ma.group(3) == null) {
      return major;
    }
    return Integer.compare(Integer.parseInt(mb.group(3)), Integer.parseInt(ma.group(3)));
  };

  private volatile List<ResourceType> types = BuiltInResources.ALL;

  private static int stability(String s) {
    return s == null ? 2 : s.equals("beta") ? 1 : 0;
  }

  /** The type serving {@code plural} in {@code group}/{@code version}. */
  Optional<ResourceType> find(String group, String version, String plural) {
    for (ResourceType t : types) {
      if (t.group().equals(group) && t.plural().equals(plural) && t.serves(version)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** The type of {@code plural} in {@code group}, whatever the version. */
  Optional<ResourceType> find(String group, String plural) {
    for (ResourceType t : types) {
      if (t.group().equals(group) && t.plural().equals(plural)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** The type whose kind is {@code kind} in the group of {@code apiVersion}. */
  Optional<ResourceType> findKind(String apiVersion, String kind) {
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    for (ResourceType t : types) {
      if (t.group().equals(group) && t.kind().equals(kind) && t.serves(version)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  List<ResourceType> all() {
    return types;
  }

  /** Replaces the custom types with those of the given established CRDs. */
  void setCustomResources(List<ResourceType> custom) {
    List<ResourceType> next = new ArrayList<>(BuiltInResources.ALL);
    next.addAll(custom);
    types = List.copyOf(next);
  }

  /** Whether {@code group}/{@code version} is served at all. */
  boolean servesGroupVersion(String group, String version) {
    return types.stream().anyMatch(t -> t.group().equals(group) && t.serves(version));
  }

  /** The versions of a group in priority order. */
  List<String> groupVersions(String group) {
    Set<String> versions = new LinkedHashSet<>();
    for (ResourceType t : types) {
      if (t.group().equals(group)) {
        versions.addAll(t.versions());
      }
    }
    List<String> sorted = new ArrayList<>(versions);
    sorted.sort(VERSION_PRIORITY);
    return sorted;
  }

  // ---------------------------------------------------------------- discovery documents

  ObjectNode apiVersions(String serverAddress) {
    ObjectNode doc = KubeJson.object();
    doc.put("kind", "APIVersions");
    doc.putArray("versions").add("v1");
    ObjectNode cidr = doc.putArray("serverAddressByClientCIDRs").addObject();
    cidr.put("clientCIDR", "0.0.0.0/0");
    cidr.put("serverAddress", serverAddress);
    return doc;
  }

  ObjectNode apiGroupList() {
    ObjectNode doc = KubeJson.object();
    doc.put("kind", "APIGroupList");
    doc.put("apiVersion", "v1");
    ArrayNode groups = doc.putArray("groups");
    Map<String, Boolean> seen = new LinkedHashMap<>();
    for (ResourceType t : types) {
      if (!t.group().isEmpty() && seen.putIfAbsent(t.group(), true) == null) {
        groups.add(apiGroup(t.group(), false));
      }
    }
    return doc;
  }

  /** The APIGroup document; {@code withKind} for {@code /apis/<group>}. */
  ObjectNode apiGroup(String group, boolean withKind) {
    ObjectNode g = KubeJson.object();
    if (withKind) {
      g.put("kind", "APIGroup");
      g.put("apiVersion", "v1");
    }
    g.put("name", group);
    ArrayNode versions = g.putArray("versions");
    List<String> vs = groupVersions(group);
    for (String v : vs) {
      versions.addObject().put("groupVersion", group + "/" + v).put("version", v);
    }
    g.putObject("preferredVersion").put("groupVersion", group + "/" + vs.get(0))
        .put("version", vs.get(0));
    return g;
  }

  boolean hasGroup(String group) {
    return !group.isEmpty() && types.stream().anyMatch(t -> t.group().equals(group));
  }

  /** The APIResourceList of {@code group}/{@code version}. */
  ObjectNode apiResourceList(String group, String version) {
    ObjectNode doc = KubeJson.object();
    doc.put("kind", "APIResourceList");
    doc.put("apiVersion", "v1");
    doc.put("groupVersion", group.isEmpty() ? version : group + "/" + version);
    ArrayNode resources = doc.putArray("resources");
    for (ResourceType t : types) {
      if (!t.group().equals(group) || !t.serves(version)) {
        continue;
      }
      ObjectNode r = resources.addObject();
      r.put("name", t.plural());
      r.put("singularName", t.singular());
      r.put("namespaced", t.namespaced());
      r.put("kind", t.kind());
      ArrayNode verbs = r.putArray("verbs");
      t.verbs().forEach(verbs::add);
      if (!t.shortNames().isEmpty()) {
        ArrayNode sn = r.putArray("shortNames");
        t.shortNames().forEach(sn::add);
      }
      if (!t.categories().isEmpty()) {
        ArrayNode cats = r.putArray("categories");
        t.categories().forEach(cats::add);
      }
      if (t.statusSubresource()) {
        ObjectNode s = resources.addObject();
        s.put("name", t.plural() + "/status");
        s.put("singularName", "");
        s.put("namespaced", t.namespaced());
        s.put("kind", t.kind());
        s.putArray("verbs").add("get").add("patch").add("update");
      }
      if (t == BuiltInResources.SERVICE_ACCOUNTS) {
        ObjectNode s = resources.addObject();
        s.put("name", "serviceaccounts/token");
        s.put("singularName", "");
        s.put("namespaced", true);
        s.put("group", BuiltInResources.AUTHENTICATION);
        s.put("version", "v1");
        s.put("kind", "TokenRequest");
        s.putArray("verbs").add("create");
      }
    }
    return doc;
  }

  // ---------------------------------------------------------------- CRDs

  /**
   * The resource type a CRD defines, from its {@code spec}.
   *
   * @throws IllegalArgumentException when the spec lacks names or versions
   */
  static ResourceType fromCrd(JsonNode crd) {
    JsonNode spec = crd.path("spec");
    JsonNode names = spec.path("names");
    String group = spec.path("group").asText();
    List<String> served = new ArrayList<>();
    String storage = null;
    Map<String, List<ResourceType.Column>> columns = new LinkedHashMap<>();
    for (JsonNode v : spec.path("versions")) {
      String name = v.path("name").asText();
      if (v.path("storage").asBoolean(false)) {
        storage = name;
      }
      if (v.path("served").asBoolean(true)) {
        served.add(name);
      }
      List<ResourceType.Column> cols = new ArrayList<>();
      cols.add(Tables.NAME);
      JsonNode printer = v.get("additionalPrinterColumns");
      if (printer == null || printer.isEmpty()) {
        cols.add(new ResourceType.Column("Age", "date", "",
            "CreationTimestamp is a timestamp representing the server time when this object was "
                + "created.", 0, ".metadata.creationTimestamp"));
      } else {
        for (JsonNode c : printer) {
          cols.add(new ResourceType.Column(c.path("name").asText(), c.path("type").asText(),
              c.path("format").asText(""), c.path("description").asText(""),
              c.path("priority").asInt(0), c.path("jsonPath").asText()));
        }
      }
      columns.put(name, cols);
    }
    if (group.isEmpty() || served.isEmpty() || storage == null) {
      throw new IllegalArgumentException("CRD spec needs a group and a served storage version");
    }
    List<String> versions = new ArrayList<>();
    versions.add(storage);
    served.stream().filter(v -> !v.equals(versions.get(0))).forEach(versions::add);
    boolean storageServed = served.contains(storage);
    if (!storageServed) {
      versions.remove(0);
      versions.add(0, storage);
    }
    List<List<ResourceType.Column>> perVersion = new ArrayList<>();
    for (String v : versions) {
      perVersion.add(columns.getOrDefault(v, List.of(Tables.NAME)));
    }
    boolean status = false;
    for (JsonNode v : spec.path("versions")) {
      if (v.path("subresources").has("status")) {
        status = true;
      }
    }
    ResourceType.Builder b = ResourceType.builder(group, storage, names.path("plural").asText(),
            names.path("kind").asText())
        .versions(versions)
        .singular(names.path("singular").asText(names.path("kind").asText()
            .toLowerCase(java.util.Locale.ROOT)))
        .namespaced(!"Cluster".equals(spec.path("scope").asText("Namespaced")))
        .shortNames(KubeJson.strings(names.get("shortNames")))
        .categories(KubeJson.strings(names.get("categories")))
        .custom()
        .table((o, now) -> List.of(), perVersion.get(0).toArray(ResourceType.Column[]::new))
        .versionColumns(perVersion);
    if (status) {
      b.statusSubresource();
    }
    return b.build();
  }
}
