package io.secretsync.core.controller;

import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ExternalSecretSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * What makes a sync of an ExternalSecret necessary when it changes: its generation, labels,
 * annotations and spec. {@link #resourceVersion()} is ESO's {@code syncedResourceVersion}:
 * {@code <generation>-<SHA3-224 hex of Go's %+v of {annotations, labels}>}. The spec is compared
 * as well because ExternalSecrets built in code or read from files keep generation 0.
 */
record Revision(long generation, String metadataHash, ExternalSecretSpec spec) {

  static Revision of(ExternalSecret es) {
    return new Revision(es.metadata().generation(),
        metadataHash(es.metadata().labels(), es.metadata().annotations()), es.spec());
  }

  String resourceVersion() {
    return generation + "-" + metadataHash;
  }

  /** Go's {@code %+v} of {@code struct{annotations, labels map[string]string}}: keys sorted. */
  static String metadataHash(Map<String, String> labels, Map<String, String> annotations) {
    String text = "{annotations:" + goMap(annotations) + " labels:" + goMap(labels) + "}";
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA3-224");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA3-224 is part of every Java 17 runtime", e);
    }
  }

  private static String goMap(Map<String, String> map) {
    StringBuilder out = new StringBuilder("map[");
    boolean first = true;
    for (Map.Entry<String, String> entry : new TreeMap<>(map).entrySet()) {
      if (!first) {
        out.append(' ');
      }
      first = false;
      out.append(entry.getKey()).append(':').append(entry.getValue());
    }
    return out.append(']').toString();
  }
}
