package io.secretsync.cli;

import io.secretsync.core.SyncEngine;
import io.secretsync.core.SyncResult;
import io.secretsync.core.TargetSecret;

/** The CLI's text output: one line per ExternalSecret, hints indented below; never a value. */
final class Format {
  private Format() {}

  /**
   * {@code <ns>/<name>: synced -> Secret <ns>/<target> (created)}, or
   * {@code <ns>/<name>: failed: <reason>: <ESO message>: <error>} with the error's hints below.
   */
  static String line(SyncResult result) {
    String es = result.namespace() + "/" + result.name();
    if (result.failed()) {
      StringBuilder line = new StringBuilder(es + ": failed: " + result.reason() + ": " + result.message());
      result.error().ifPresent(e -> {
        line.append(": ").append(e.getMessage());
        e.hints().forEach(h -> line.append("\n  hint: ").append(h));
      });
      return line.toString();
    }
    String what = switch (result.outcome()) {
      case CREATED -> "created";
      case UPDATED -> "updated";
      case UNCHANGED -> "unchanged";
      case DELETED -> "deleted";
      default -> "skipped: " + result.message();
    };
    return es + ": synced -> Secret " + result.namespace() + "/" + result.targetName() + " (" + what + ")";
  }

  /** The Secret's namespace/name, type, the first 12 characters of its data hash, and each key with its size. */
  static String secretSummary(TargetSecret secret) {
    String hash = secret.annotations().getOrDefault(SyncEngine.ANNOTATION_DATA_HASH, "");
    StringBuilder out = new StringBuilder("  secret " + secret.namespace() + "/" + secret.name() + " type="
        + secret.type() + " data-hash=" + hash.substring(0, Math.min(12, hash.length())));
    for (String key : secret.data().keys()) {
      out.append("\n    ").append(key).append(": ").append(secret.data().sizeOf(key)).append(" bytes");
    }
    return out.toString();
  }
}
