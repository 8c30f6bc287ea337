package io.secretsync.core.model;

/** How key names from {@code dataFrom} are converted when no rewrite is given. */
public enum ConversionStrategy implements WireEnum {
  DEFAULT("Default"),
  UNICODE("Unicode");

  private final String wireName;

  ConversionStrategy(String wireName) {
    this.wireName = wireName;
  }

  @Override
  public String wireName() {
    return wireName;
  }
}
