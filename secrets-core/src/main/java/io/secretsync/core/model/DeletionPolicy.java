package io.secretsync.core.model;

/** What happens to the target when the provider no longer has the secret; ESO's default is {@link #RETAIN}. */
public enum DeletionPolicy implements WireEnum {
  RETAIN("Retain"),
  DELETE("Delete"),
  MERGE("Merge");

  private final String wireName;

  DeletionPolicy(String wireName) {
    this.wireName = wireName;
  }

  @Override
  public String wireName() {
    return wireName;
  }
}
