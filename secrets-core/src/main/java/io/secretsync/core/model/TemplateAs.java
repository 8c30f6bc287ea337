package io.secretsync.core.model;

/** How a {@code templateFrom} item is used: its value as a template, or its keys and values. */
public enum TemplateAs implements WireEnum {
  VALUES("Values"),
  KEYS_AND_VALUES("KeysAndValues");

  private final String wireName;

  TemplateAs(String wireName) {
    this.wireName = wireName;
  }

  @Override
  public String wireName() {
    return wireName;
  }
}
