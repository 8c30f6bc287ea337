package io.secretsync.core.model;

/** What to do with a value that contains a NUL byte; unset behaves as {@link #IGNORE}. */
public enum NullBytePolicy implements WireEnum {
  IGNORE("Ignore"),
  FAIL("Fail");

  private final String wireName;

  NullBytePolicy(String wireName) {
    this.wireName = wireName;
  }

  @Override
  public String wireName() {
    return wireName;
  }
}
