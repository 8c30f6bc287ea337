package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Issues and checks service account JWTs (ES256) the way the API server's token issuer does:
 * {@code iss}, {@code sub = system:serviceaccount:<ns>:<name>}, {@code aud}, {@code exp},
 * {@code iat}, {@code nbf} and the {@code kubernetes.io} claim with namespace, service account name
 * and uid (and the Secret for legacy token Secrets). Thread-safe.
 */
final class ServiceAccountTokens {
  static final String ISSUER = "https://kubernetes.default.svc.cluster.local";
  static final String DEFAULT_AUDIENCE = "https://kubernetes.default.svc.cluster.local";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final KeyPair keys;
  private final Clock clock;
  private final String keyId = UUID.randomUUID().toString();

  ServiceAccountTokens(Clock clock) {
    this.clock = clock;
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      this.keys = generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 is part of every Java runtime", e);
    }
  }

  /** A signed token; {@code secretName} is set for legacy service-account-token Secrets (no expiry). */
  String issue(String namespace, String name, String uid, List<String> audiences, Optional<Duration> lifetime,
      Optional<String> secretName) {
    Instant now = clock.instant();
    ObjectNode claims = JSON.createObjectNode();
    ObjectNode sa = JSON.createObjectNode().put("name", name).put("uid", uid);
    ObjectNode k8s = JSON.createObjectNode().put("namespace", namespace);
    k8s.set("serviceaccount", sa);
    secretName.ifPresent(s -> k8s.set("secret", JSON.createObjectNode().put("name", s)));
    claims.set("aud", JSON.valueToTree(audiences));
    lifetime.ifPresent(l -> claims.put("exp", now.plus(l).getEpochSecond()));
    claims.put("iat", now.getEpochSecond());
    claims.put("iss", ISSUER);
    claims.put("jti", UUID.randomUUID().toString());
    claims.set("kubernetes.io", k8s);
    claims.put("nbf", now.getEpochSecond());
    claims.put("sub", "system:serviceaccount:" + namespace + ":" + name);
    ObjectNode header = JSON.createObjectNode().put("alg", "ES256").put("kid", keyId);
    try {
      String input = B64.encodeToString(JSON.writeValueAsBytes(header)) + "."
          + B64.encodeToString(JSON.writeValueAsBytes(claims));
      Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
      signer.initSign(keys.getPrivate());
      signer.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + B64.encodeToString(signer.sign());
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("signing a service account token failed", e);
    }
  }

  /** The verified claims of {@code token}, or why it is not valid (never quoting it). */
  Verified verify(String token, List<String> wantedAudiences) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return Verified.invalid("invalid bearer token");
    }
    JsonNode claims;
    try {
      Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
      verifier.initVerify(keys.getPublic());
      verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!verifier.verify(Base64.getUrlDecoder().decode(parts[2]))) {
        return Verified.invalid("invalid bearer token, square/go-jose: error in cryptographic primitive");
      }
      claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
    } catch (IllegalArgumentException | IOException | GeneralSecurityException e) {
      return Verified.invalid("invalid bearer token");
    }
    long now = clock.instant().getEpochSecond();
    if (claims.has("exp") && claims.path("exp").asLong() < now) {
      return Verified.invalid("invalid bearer token, service account token has expired");
    }
    if (claims.has("nbf") && claims.path("nbf").asLong() > now + 60) {
      return Verified.invalid("invalid bearer token, service account token is not valid yet");
    }
    List<String> audiences = new java.util.ArrayList<>();
    claims.path("aud").forEach(a -> audiences.add(a.asText()));
    List<String> wanted = wantedAudiences.isEmpty() ? List.of(DEFAULT_AUDIENCE) : wantedAudiences;
    List<String> matched = audiences.stream().filter(wanted::contains).toList();
    if (matched.isEmpty()) {
      return Verified.invalid("invalid bearer token, token audiences " + JSON.valueToTree(audiences)
          + " is invalid for the target audiences " + JSON.valueToTree(wanted));
    }
    JsonNode k8s = claims.path("kubernetes.io");
    return new Verified(true, "", k8s.path("namespace").asText(), k8s.path("serviceaccount").path("name").asText(),
        k8s.path("serviceaccount").path("uid").asText(), matched, claims.path("exp").asLong(0));
  }

  record Verified(boolean valid, String error, String namespace, String name, String uid, List<String> audiences,
      long expiresAt) {
    static Verified invalid(String error) {
      return new Verified(false, error, "", "", "", List.of(), 0);
    }
  }
}
