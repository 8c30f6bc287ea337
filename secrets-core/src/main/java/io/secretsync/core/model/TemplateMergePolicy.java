package io.secretsync.core.model;

/** Whether rendered template keys replace the provider's keys ({@link #REPLACE}) or are added next to them. */
public enum TemplateMergePolicy implements WireEnum {
  REPLACE("Replace"),
  MERGE("Merge");

  private final String wireName;

  TemplateMergePolicy(String wireName) {
    this.wireName = wireName;
  }

  @Override
  public String wireName() {
    return wireName;
  }
}
