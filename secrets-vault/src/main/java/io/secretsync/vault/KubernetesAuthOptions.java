package io.secretsync.vault;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Settings of Vault's Kubernetes auth method: the mount path (default {@value #DEFAULT_MOUNT_PATH}),
 * the Vault role, and where the service account JWT comes from. The JWT supplier is called on
 * every login, so short-lived tokens (TokenRequest, projected token files) are always fresh. By
 * default the JWT is the pod's projected token file, read at login time (so building these options
 * outside a pod works). Immutable and thread-safe.
 */
public final class KubernetesAuthOptions {

  public static final String DEFAULT_MOUNT_PATH = "kubernetes";
  public static final Path DEFAULT_TOKEN_FILE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

  private final String mountPath;
  private final String role;
  private final Supplier<String> jwt;
  private final String jwtSource;
  private final ImmutableList<String> requestedAudiences;

  private KubernetesAuthOptions(Builder builder) {
    this.mountPath = builder.mountPath;
    this.role = builder.role;
    this.jwt = builder.jwt;
    this.jwtSource = builder.jwtSource;
    this.requestedAudiences = ImmutableList.copyOf(builder.requestedAudiences);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The auth mount, without {@code auth/}: {@code kubernetes}. */
  public String mountPath() {
    return mountPath;
  }

  public String role() {
    return role;
  }

  /** Where the JWT comes from, for messages: {@code service account ns/name (TokenRequest)}. */
  public String jwtSource() {
    return jwtSource;
  }

  /** The audiences asked for when the JWT is requested (TokenRequest); empty when not known or the default. */
  public ImmutableList<String> requestedAudiences() {
    return requestedAudiences;
  }

  Supplier<String> jwt() {
    return jwt;
  }

  @Override
  public String toString() {
    return "KubernetesAuthOptions{auth/" + mountPath + ", role=" + role + ", jwt from " + jwtSource + "}";
  }

  /** Not thread-safe. {@code role} is required. */
  public static final class Builder {
    private String mountPath = DEFAULT_MOUNT_PATH;
    private String role;
    private Supplier<String> jwt = readFile(DEFAULT_TOKEN_FILE);
    private String jwtSource = "projected service account token " + DEFAULT_TOKEN_FILE;
    private List<String> requestedAudiences = List.of();

    private Builder() {}

    public Builder mountPath(String value) {
      String path = trimSlashes(checkNotNull(value, "mountPath"));
      checkArgument(!path.isEmpty(), "mountPath must not be empty");
      this.mountPath = path.startsWith("auth/") ? path.substring("auth/".length()) : path;
      return this;
    }

    public Builder role(String value) {
      checkArgument(value != null && !value.isBlank(), "role must not be empty");
      this.role = value;
      return this;
    }

    /**
     * The JWT, fetched on every login.
     *
     * @param description where it comes from, for messages (never the JWT)
     */
    public Builder jwt(Supplier<String> supplier, String description) {
      this.jwt = checkNotNull(supplier, "supplier");
      this.jwtSource = checkNotNull(description, "description");
      return this;
    }

    /** The JWT read from {@code file} on every login (a projected service account token). */
    public Builder tokenFile(Path file) {
      return jwt(readFile(checkNotNull(file, "file")), "service account token file " + file);
    }

    /** The audiences the JWT source asks for (TokenRequest); used only to explain an audience mismatch. */
    public Builder requestedAudiences(List<String> audiences) {
      this.requestedAudiences = List.copyOf(audiences);
      return this;
    }

    public KubernetesAuthOptions build() {
      checkState(role != null, "role is required");
      return new KubernetesAuthOptions(this);
    }

    private static Supplier<String> readFile(Path file) {
      return () -> {
        try {
          return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + file, e);
        }
      };
    }
  }

  static String trimSlashes(String path) {
    String p = path.trim();
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }
}
