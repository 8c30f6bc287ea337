package io.secretsync.vault;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.util.function.Supplier;

/**
 * Settings of Vault's AppRole auth method: the mount path (default {@value #DEFAULT_PATH}), the
 * role ID and the secret ID. Both are fetched on every login. Immutable and thread-safe.
 */
public final class AppRoleAuthOptions {

  public static final String DEFAULT_PATH = "approle";

  private final String path;
  private final Supplier<String> roleId;
  private final Supplier<String> secretId;
  private final String source;

  private AppRoleAuthOptions(Builder builder) {
    this.path = builder.path;
    this.roleId = builder.roleId;
    this.secretId = builder.secretId;
    this.source = builder.source;
  }

  public static Builder builder() {
    return new Builder();
  }

  public String path() {
    return path;
  }

  /** Where the role and secret IDs come from, for messages. */
  public String source() {
    return source;
  }

  Supplier<String> roleId() {
    return roleId;
  }

  Supplier<String> secretId() {
    return secretId;
  }

  @Override
  public String toString() {
    return "AppRoleAuthOptions{auth/" + path + ", from " + source + "}";
  }

  /** Not thread-safe. Role ID and secret ID are required. */
  public static final class Builder {
    private String path = DEFAULT_PATH;
    private Supplier<String> roleId;
    private Supplier<String> secretId;
    private String source = "configuration";

    private Builder() {}

    public Builder path(String value) {
      String p = KubernetesAuthOptions.trimSlashes(checkNotNull(value, "path"));
      checkArgument(!p.isEmpty(), "path must not be empty");
      this.path = p.startsWith("auth/") ? p.substring("auth/".length()) : p;
      return this;
    }

    public Builder roleId(Supplier<String> value) {
      this.roleId = checkNotNull(value, "roleId");
      return this;
    }

    public Builder secretId(Supplier<String> value) {
      this.secretId = checkNotNull(value, "secretId");
      return this;
    }

    /** Where the IDs come from, for messages (never the IDs). */
    public Builder source(String description) {
      this.source = checkNotNull(description, "description");
      return this;
    }

    public AppRoleAuthOptions build() {
      checkState(roleId != null, "roleId is required");
      checkState(secretId != null, "secretId is required");
      return new AppRoleAuthOptions(this);
    }
  }
}
