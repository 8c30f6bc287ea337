package io.secretsync.testkit.vault;

import io.secretsync.testkit.server.ServerResponse;

/** What a mount serves. Implementations are thread-safe. */
interface Backend {
  /** The {@code mount_type} written in envelopes. */
  String mountType();

  /**
   * The existence check for create vs update: true when the resource at {@code path} exists; null when
   * the path has no existence check (then POST/PUT are updates).
   */
  default Boolean exists(String path) {
    return null;
  }

  /** Whether the path needs {@code sudo} in addition to the operation's capability. */
  default boolean requiresSudo(String path, Op op) {
    return false;
  }

  /** Answers a call that passed the ACL. */
  ServerResponse handle(Call call);
}
