package io.secretsync.core.model;

/** Where a {@code templateFrom} entry renders to. */
public enum TemplateScope implements WireEnum {
  DATA("Data"),
  ANNOTATIONS("Annotations"),
  LABELS("Labels");

  private final String wireName;

  TemplateScope(String wireName) {
    this.wireName = wireName;
  }

  @Override
  public String wireName() {
    return wireName;
  }
}
