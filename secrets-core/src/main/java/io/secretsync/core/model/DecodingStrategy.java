package io.secretsync.core.model;

/** How a fetched value is decoded before it is written; {@link #AUTO} tries base64, then base64url, then keeps the raw bytes. */
public enum DecodingStrategy implements WireEnum {
  NONE("None"),
  BASE64("Base64"),
  BASE64URL("Base64URL"),
  AUTO("Auto");

  private final String wireName;

  DecodingStrategy(String wireName) {
    this.wireName = wireName;
  }

  @Override
  public String wireName() {
    return wireName;
  }
}
