package io.secretsync.testkit.kubernetes;

import com.google.common.collect.ImmutableList;

/**
 * One kind of object the fake API server serves at one group version: its names, scope, verbs and
 * whether it has a status subresource (custom resources whose CRD asks for it, generation bumped
 * on spec changes only).
 */
record ResourceType(
    String group,
    String version,
    String kind,
    String plural,
    String singular,
    boolean namespaced,
    ImmutableList<String> shortNames,
    ImmutableList<String> verbs,
    boolean statusSubresource,
    boolean custom,
    ImmutableList<String[]> printerColumns) {

  static final ImmutableList<String> ALL_VERBS =
      ImmutableList.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  static ResourceType builtIn(String group, String version, String kind, String plural, boolean namespaced,
      String... shortNames) {
    return new ResourceType(group, version, kind, plural, kind.toLowerCase(java.util.Locale.ROOT), namespaced,
        ImmutableList.copyOf(shortNames), ALL_VERBS, false, false, ImmutableList.of());
  }

  String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** The URL prefix of this group version: {@code /api/v1} or {@code /apis/<group>/<version>}. */
  String groupVersionPath() {
    return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
  }

  /** Objects are stored once per group and plural, whatever version they are read at. */
  String storageKey() {
    return group + "/" + plural;
  }
}
