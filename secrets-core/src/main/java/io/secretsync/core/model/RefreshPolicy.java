package io.secretsync.core.model;

/** When an ExternalSecret is refreshed; unset behaves as {@link #PERIODIC}. */
public enum RefreshPolicy implements WireEnum {
  PERIODIC("Periodic"),
  ON_CHANGE("OnChange"),
  CREATED_ONCE("CreatedOnce");

  private final String wireName;

  RefreshPolicy(String wireName) {
    this.wireName = wireName;
  }

  @Override
  public String wireName() {
    return wireName;
  }
}
