package io.secretsync.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableList;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * The non-secret claims of a JWT that help explain a refused login: subject, audiences, expiry.
 * Read without verifying the signature (Vault and Kubernetes verify; this is only for messages).
 * The JWT itself is never kept.
 */
record JwtClaims(Optional<String> subject, ImmutableList<String> audiences, Optional<Instant> expiresAt) {

  /** The claims of {@code jwt}, or empty when it is not a JWT with a JSON payload. */
  static Optional<JwtClaims> of(String jwt) {
    String[] parts = jwt.trim().split("\\.");
    if (parts.length < 2) {
      return Optional.empty();
    }
    try {
      byte[] payload = Base64.getUrlDecoder().decode(parts[1].replace("=", ""));
      JsonNode claims = VaultClient.JSON.readTree(new String(payload, StandardCharsets.UTF_8));
      if (claims == null || !claims.isObject()) {
        return Optional.empty();
      }
      ImmutableList.Builder<String> audiences = ImmutableList.builder();
      JsonNode aud = claims.path("aud");
      if (aud.isTextual()) {
        audiences.add(aud.asText());
      } else if (aud.isArray()) {
        aud.forEach(a -> audiences.add(a.asText()));
      }
      Optional<String> subject = claims.path("sub").isTextual() ? Optional.of(claims.path("sub").asText())
          : Optional.empty();
      Optional<Instant> exp = claims.path("exp").isNumber() ? Optional.of(Instant.ofEpochSecond(claims.path("exp").asLong()))
          : Optional.empty();
      return Optional.of(new JwtClaims(subject, audiences.build(), exp));
    } catch (IllegalArgumentException | java.io.IOException e) {
      return Optional.empty();
    }
  }

  /** {@code ns/name} when the subject is a Kubernetes service account. */
  Optional<String> serviceAccount() {
    return subject.filter(s -> s.startsWith("system:serviceaccount:") && s.split(":").length == 4)
        .map(s -> s.split(":")[2] + "/" + s.split(":")[3]);
  }
}
