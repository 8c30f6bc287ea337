package io.secretsync.testkit.vault;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * A service account JWT as the Kubernetes auth method reads it: compact JWS with an allowed algorithm,
 * claims parsed (the signature is checked only against configured {@code pem_keys}), and the
 * service account's name, namespace, UID and secret name taken from the projected
 * {@code kubernetes.io} claims or the legacy {@code kubernetes.io/serviceaccount/*} claims. Validation
 * follows hashicorp/cap's {@code ValidateAllowMissingIatNbfExp} with its error texts.
 */
final class ServiceAccountJwt {
  private static final Set<String> ALGORITHMS = Set.of("RS256", "RS384", "RS512", "ES256", "ES384",
      "ES512", "PS256", "PS384", "PS512");
  private static final Duration CLOCK_SKEW = Duration.ofMinutes(1);
  private static final long DEFAULT_LEEWAY_SECONDS = 150;

  final String algorithm;
  final JsonNode claims;
  private final String signingInput;
  private final byte[] signature;

  private ServiceAccountJwt(String algorithm, JsonNode claims, String signingInput,
      byte[] signature) {
    this.algorithm = algorithm;
    this.claims = claims;
    this.signingInput = signingInput;
    this.signature = signature;
  }

  /** Thrown when the JWT cannot be parsed or verified; the message says why (never the token). */
  static final class JwtException extends Exception {
    private static final long serialVersionUID = 1L;

    JwtException(String message) {
      super(message);
    }
  }

  static ServiceAccountJwt parse(String jwt) throws JwtException {
    String[] parts = jwt.trim().split("\\.", -1);
    if (parts.length != 3) {
      throw new JwtException("error verifying token signature: go-jose/go-jose: compact JWS format "
          + "must have three parts");
    }
    try {
      Base64.Decoder d = Base64.getUrlDecoder();
      JsonNode header = VaultJson.MAPPER.readTree(new String(d.decode(parts[0]),
          StandardCharsets.UTF_8));
      String alg = header == null ? "" : header.path("alg").asText("");
      if (!ALGORITHMS.contains(alg)) {
        throw new JwtException("error verifying token signature: go-jose/go-jose: unexpected "
            + "signature algorithm \"" + alg + "\"");
      }
      JsonNode claims = VaultJson.MAPPER.readTree(new String(d.decode(parts[1]),
          StandardCharsets.UTF_8));
      if (claims == null || !claims.isObject()) {
        throw new JwtException("error verifying token signature: claims are not a JSON object");
      }
      return new ServiceAccountJwt(alg, claims, parts[0] + "." + parts[1], d.decode(parts[2]));
    } catch (IOException | IllegalArgumentException e) {
      throw new JwtException("error verifying token signature: malformed token");
    }
  }

  /** Verifies the signature against any of {@code keys}. */
  void verify(List<PublicKey> keys) throws JwtException {
    for (PublicKey key : keys) {
      try {
        if (verifyWith(key)) {
          return;
        }
      } catch (GeneralSecurityException | IOException e) {
        // try the next key
      }
    }
    throw new JwtException("error verifying token signature: no known key successfully validated "
        + "the token signature");
  }

  private boolean verifyWith(PublicKey key) throws GeneralSecurityException, IOException {
    String bits = algorithm.substring(2);
    byte[] input = signingInput.getBytes(StandardCharsets.US_ASCII);
    Signature s;
    byte[] sig = signature;
    switch (algorithm.charAt(0)) {
      case 'R' -> {
        if (!key.getAlgorithm().equals("RSA")) {
          return false;
        }
        s = Signature.getInstance("SHA" + bits + "withRSA");
      }
      case 'P' -> {
        if (!key.getAlgorithm().equals("RSA")) {
          return false;
        }
        s = Signature.getInstance("RSASSA-PSS");
        String hash = "SHA-" + bits;
        s.setParameter(new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash),
            Integer.parseInt(bits) / 8, 1));
      }
      default -> {
        if (!key.getAlgorithm().equals("EC")) {
          return false;
        }
        s = Signature.getInstance("SHA" + bits + "withECDSA");
        int half = sig.length / 2;
        ASN1EncodableVector v = new ASN1EncodableVector();
        v.add(new ASN1Integer(new BigInteger(1, java.util.Arrays.copyOfRange(sig, 0, half))));
        v.add(new ASN1Integer(new BigInteger(1, java.util.Arrays.copyOfRange(sig, half,
            sig.length))));
        sig = new DERSequence(v).getEncoded();
      }
    }
    s.initVerify(key);
    s.update(input);
    return s.verify(sig);
  }

  /**
   * Checks issuer (when expected), audience (when expected) and the time claims with cap's leeways.
   *
   * @throws JwtException with cap's message
   */
  void validate(String expectedIssuer, String expectedAudience, Instant now) throws JwtException {
    if (!expectedIssuer.isEmpty() && !expectedIssuer.equals(claims.path("iss").asText(""))) {
      throw new JwtException("invalid issuer (iss) claim");
    }
    if (!expectedAudience.isEmpty() && !audiences().contains(expectedAudience)) {
      throw new JwtException("invalid audience (aud) claim: audience claim does not match any "
          + "expected audience");
    }
    long iat = claims.path("iat").asLong(0);
    long exp = claims.path("exp").asLong(0);
    long nbf = claims.path("nbf").asLong(0);
    if (iat == 0 && exp == 0 && nbf == 0) {
      return;
    }
    if (exp == 0) {
      exp = Math.max(iat, nbf) + DEFAULT_LEEWAY_SECONDS;
    }
    if (nbf == 0) {
      nbf = iat != 0 ? iat : exp - DEFAULT_LEEWAY_SECONDS;
    }
    if (now.plus(CLOCK_SKEW).isBefore(Instant.ofEpochSecond(nbf))) {
      throw new JwtException("invalid not before (nbf) claim: token not yet valid");
    }
    if (now.minus(CLOCK_SKEW).isAfter(Instant.ofEpochSecond(exp))) {
      throw new JwtException("invalid expiration time (exp) claim: token is expired");
    }
    if (iat != 0 && now.plus(CLOCK_SKEW).isBefore(Instant.ofEpochSecond(iat))) {
      throw new JwtException("invalid issued at (iat) claim: token issued in the future");
    }
  }

  /** The {@code aud} claim as a list (a single string counts as one audience). */
  List<String> audiences() {
    JsonNode aud = claims.get("aud");
    List<String> out = new ArrayList<>();
    if (aud == null || aud.isNull()) {
      return out;
    }
    if (aud.isArray()) {
      aud.forEach(a -> out.add(a.asText()));
    } else {
      out.add(aud.asText());
    }
    return out;
  }

  private JsonNode projected() {
    JsonNode k = claims.get("kubernetes.io");
    return k != null && k.isObject() ? k : null;
  }

  String name() {
    JsonNode k = projected();
    if (k != null && k.path("serviceaccount").isObject()) {
      return k.path("serviceaccount").path("name").asText("");
    }
    return claims.path("kubernetes.io/serviceaccount/service-account.name").asText("");
  }

  String namespace() {
    JsonNode k = projected();
    if (k != null) {
      return k.path("namespace").asText("");
    }
    return claims.path("kubernetes.io/serviceaccount/namespace").asText("");
  }

  String uid() {
    JsonNode k = projected();
    if (k != null && k.path("serviceaccount").isObject()) {
      return k.path("serviceaccount").path("uid").asText("");
    }
    return claims.path("kubernetes.io/serviceaccount/service-account.uid").asText("");
  }

  String secretName() {
    return claims.path("kubernetes.io/serviceaccount/secret.name").asText("");
  }

  /**
   * Parses {@code pem_keys} entries: PKIX public keys or certificates.
   *
   * @throws IllegalArgumentException with Vault's message when an entry holds no RSA or ECDSA key
   */
  static List<PublicKey> parsePublicKeys(List<String> pems) {
    List<PublicKey> keys = new ArrayList<>();
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    for (String pem : pems) {
      PublicKey key = null;
      try (PEMParser parser = new PEMParser(new StringReader(pem))) {
        Object o = parser.readObject();
        if (o instanceof SubjectPublicKeyInfo info) {
          key = converter.getPublicKey(info);
        } else if (o instanceof X509CertificateHolder cert) {
          key = converter.getPublicKey(cert.getSubjectPublicKeyInfo());
        }
      } catch (IOException | RuntimeException e) {
        key = null;
      }
      if (key == null || !(key.getAlgorithm().equals("RSA") || key.getAlgorithm().equals("EC"))) {
        throw new IllegalArgumentException(
            "data does not contain any valid RSA or ECDSA public keys");
      }
      keys.add(key);
    }
    return keys;
  }
}
