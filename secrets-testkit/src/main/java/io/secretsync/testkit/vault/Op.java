package io.secretsync.testkit.vault;

/** Vault's logical operations and the ACL capability each needs. */
enum Op {
  READ("read", Policy.READ),
  LIST("list", Policy.LIST),
  CREATE("create", Policy.CREATE),
  UPDATE("update", Policy.UPDATE),
  PATCH("patch", Policy.PATCH),
  DELETE("delete", Policy.DELETE);

  final String goName;
  final int capability;

  Op(String goName, int capability) {
    this.goName = goName;
    this.capability = capability;
  }

  boolean isWrite() {
    return this == CREATE || this == UPDATE;
  }
}
