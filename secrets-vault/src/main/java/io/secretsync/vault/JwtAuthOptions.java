package io.secretsync.vault;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Settings of Vault's JWT/OIDC auth method: the mount path (default {@value #DEFAULT_PATH}), an
 * optional role (Vault then uses the mount's {@code default_role}) and the JWT, fetched on every
 * login. Immutable and thread-safe.
 */
public final class JwtAuthOptions {

  public static final String DEFAULT_PATH = "jwt";

  private final String path;
  private final Optional<String> role;
  private final Supplier<String> jwt;
  private final String jwtSource;

  private JwtAuthOptions(Builder builder) {
    this.path = builder.path;
    this.role = builder.role;
    this.jwt = builder.jwt;
    this.jwtSource = builder.jwtSource;
  }

  public static Builder builder() {
    return new Builder();
  }

  public String path() {
    return path;
  }

  public Optional<String> role() {
    return role;
  }

  public String jwtSource() {
    return jwtSource;
  }

  Supplier<String> jwt() {
    return jwt;
  }

  @Override
  public String toString() {
    return "JwtAuthOptions{auth/" + path + role.map(r -> ", role=" + r).orElse("") + ", jwt from " + jwtSource + "}";
  }

  /** Not thread-safe. The JWT source is required. */
  public static final class Builder {
    private String path = DEFAULT_PATH;
    private Optional<String> role = Optional.empty();
    private Supplier<String> jwt;
    private String jwtSource;

    private Builder() {}

    public Builder path(String value) {
      String p = KubernetesAuthOptions.trimSlashes(checkNotNull(value, "path"));
      checkArgument(!p.isEmpty(), "path must not be empty");
      this.path = p.startsWith("auth/") ? p.substring("auth/".length()) : p;
      return this;
    }

    public Builder role(String value) {
      this.role = Optional.of(checkNotNull(value, "role")).filter(r -> !r.isBlank());
      return this;
    }

    /** The JWT, fetched on every login; {@code description} says where from (never the JWT). */
    public Builder jwt(Supplier<String> supplier, String description) {
      this.jwt = checkNotNull(supplier, "supplier");
      this.jwtSource = checkNotNull(description, "description");
      return this;
    }

    public JwtAuthOptions build() {
      checkState(jwt != null, "a JWT source is required");
      return new JwtAuthOptions(this);
    }
  }
}
