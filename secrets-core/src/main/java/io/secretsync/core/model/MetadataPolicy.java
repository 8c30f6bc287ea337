package io.secretsync.core.model;

/** Whether a reference reads the secret's data ({@link #NONE}) or its metadata ({@link #FETCH}). */
public enum MetadataPolicy implements WireEnum {
  NONE("None"),
  FETCH("Fetch");

  private final String wireName;

  MetadataPolicy(String wireName) {
    this.wireName = wireName;
  }

  @Override
  public String wireName() {
    return wireName;
  }
}
