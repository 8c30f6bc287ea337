package io.secretsync.core.model;

/** The kind of a store reference: a namespaced {@code SecretStore} (ESO's default) or a {@code ClusterSecretStore}. */
public enum StoreKind implements WireEnum {
  SECRET_STORE("SecretStore"),
  CLUSTER_SECRET_STORE("ClusterSecretStore");

  private final String wireName;

  StoreKind(String wireName) {
    this.wireName = wireName;
  }

  @Override
  public String wireName() {
    return wireName;
  }
}
