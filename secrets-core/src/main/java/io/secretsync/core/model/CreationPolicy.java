package io.secretsync.core.model;

/** How the target Secret is created and owned; ESO's default is {@link #OWNER}. */
public enum CreationPolicy implements WireEnum {
  OWNER("Owner"),
  ORPHAN("Orphan"),
  MERGE("Merge"),
  NONE("None"),
  CREATE_OR_MERGE("CreateOrMerge");

  private final String wireName;

  CreationPolicy(String wireName) {
    this.wireName = wireName;
  }

  @Override
  public String wireName() {
    return wireName;
  }
}
