package io.secretsync.kubernetes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;

/**
 * The bearer token of a configuration: a fixed token, or a token file read again whenever it
 * changes (modification time, size or file identity; the kubelet rotates projected tokens by
 * swapping a symbolic link) and after the server refused the token ({@link #invalidate()}).
 * Thread-safe. {@code toString} never shows the token.
 */
final class BearerToken {
  private final Optional<String> fixed;
  private final Optional<Path> file;
  private String cached; // guarded by this
  private Object cachedStamp; // guarded by this

  private BearerToken(Optional<String> fixed, Optional<Path> file) {
    this.fixed = fixed;
    this.file = file;
  }

  static BearerToken of(KubernetesConfig config) {
    return new BearerToken(config.bearerToken(), config.bearerTokenFile());
  }

  boolean fromFile() {
    return fixed.isEmpty() && file.isPresent();
  }

  /**
   * The current token, if any.
   *
   * @throws IOException when the token file cannot be read and no earlier read succeeded
   */
  synchronized Optional<String> current() throws IOException {
    if (fixed.isPresent()) {
      return fixed;
    }
    if (file.isEmpty()) {
      return Optional.empty();
    }
    Object stamp;
    try {
      BasicFileAttributes attributes = Files.readAttributes(file.get(), BasicFileAttributes.class);
      stamp = java.util.List.of(attributes.lastModifiedTime(), attributes.size(),
          Objects.requireNonNullElse(attributes.fileKey(), ""));
    } catch (IOException e) {
      if (cached != null) {
        return Optional.of(cached); // client-go keeps the last token read when a re-read fails
      }
      throw e;
    }
    if (cached == null || !stamp.equals(cachedStamp)) {
      String token = Files.readString(file.get(), StandardCharsets.UTF_8).trim();
      cached = token;
      cachedStamp = stamp;
    }
    return Optional.of(cached);
  }

  /** Forgets the cached token, so the next {@link #current()} reads the file again. */
  synchronized void invalidate() {
    cachedStamp = null;
  }

  @Override
  public String toString() {
    return fixed.isPresent() ? "BearerToken{fixed}" : file.map(f -> "BearerToken{file=" + f + "}").orElse("BearerToken{none}");
  }
}
