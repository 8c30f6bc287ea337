package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Signs and verifies service account JWTs as the API server's token signer does: ES256 (the API
 * server accepts RSA and ECDSA signing keys; EC keys are quick to generate) with a key generated at
 * start, {@code kid} = base64url(SHA-256 of the public key), projected claims
 * ({@code iss}, {@code sub}, {@code aud}, {@code exp}, {@code iat}, {@code nbf}, {@code jti},
 * {@code kubernetes.io}) for TokenRequest tokens and the legacy claims for service-account-token
 * Secrets. Verification checks signature, issuer and time (one minute of leeway, as go-jose);
 * whether the service account (and bound object) still exists is the caller's check. Thread-safe.
 */
final class ServiceAccountTokens {
  static final String LEGACY_ISSUER = "kubernetes/serviceaccount";
  private static final Duration LEEWAY = Duration.ofMinutes(1);
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final KeyPair keyPair;
  private final String keyId;
  private final String issuer;

  ServiceAccountTokens(String issuer) {
    this.issuer = issuer;
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      this.keyPair = g.generateKeyPair();
      this.keyId = B64.encodeToString(MessageDigest.getInstance("SHA-256")
          .digest(keyPair.getPublic().getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot create the service account signing key", e);
    }
  }

  String issuer() {
    return issuer;
  }

  /** The claims of a verified token. */
  record Claims(JsonNode json, boolean legacy) {
    String namespace() {
      return legacy ? json.path("kubernetes.io/serviceaccount/namespace").asText("")
          : json.path("kubernetes.io").path("namespace").asText("");
    }

    String name() {
      return legacy ? json.path("kubernetes.io/serviceaccount/service-account.name").asText("")
          : json.path("kubernetes.io").path("serviceaccount").path("name").asText("");
    }

    String uid() {
      return legacy ? json.path("kubernetes.io/serviceaccount/service-account.uid").asText("")
          : json.path("kubernetes.io").path("serviceaccount").path("uid").asText("");
    }

    String secretName() {
      return legacy ? json.path("kubernetes.io/serviceaccount/secret.name").asText("")
          : json.path("kubernetes.io").path("secret").path("name").asText("");
    }

    List<String> audiences() {
      return KubeJson.strings(json.get("aud"));
    }

    String jti() {
      return json.path("jti").asText("");
    }

    Optional<JsonNode> bound(String kind) {
      JsonNode n = json.path("kubernetes.io").get(kind);
      return n == null || !n.isObject() ? Optional.empty() : Optional.of(n);
    }

    Instant expiry() {
      return Instant.ofEpochSecond(json.path("exp").asLong(0));
    }
  }

  /** A bound object reference (Pod or Secret) to put in a token. */
  record BoundObject(String kind, String name, String uid) {}

  /** A TokenRequest token. */
  String issue(String namespace, String name, String uid, List<String> audiences, Instant now,
      Duration lifetime, BoundObject bound) {
    ObjectNode c = KubeJson.object();
    ArrayNode aud = c.putArray("aud");
    audiences.forEach(aud::add);
    c.put("exp", now.plus(lifetime).getEpochSecond());
    c.put("iat", now.getEpochSecond());
    c.put("iss", issuer);
    c.put("jti", UUID.randomUUID().toString());
    ObjectNode k = c.putObject("kubernetes.io");
    k.put("namespace", namespace);
    if (bound != null) {
      k.putObject(bound.kind().toLowerCase(java.util.Locale.ROOT)).put("name", bound.name())
          .put("uid", bound.uid());
    }
    k.putObject("serviceaccount").put("name", name).put("uid", uid);
    c.put("nbf", now.getEpochSecond());
    c.put("sub", "system:serviceaccount:" + namespace + ":" + name);
    return sign(c);
  }

  /** A legacy token for a service-account-token Secret (no audience, no expiry). */
  String issueLegacy(String namespace, String name, String uid, String secretName) {
    ObjectNode c = KubeJson.object();
    c.put("iss", LEGACY_ISSUER);
    c.put("kubernetes.io/serviceaccount/namespace", namespace);
    c.put("kubernetes.io/serviceaccount/secret.name", secretName);
    c.put("kubernetes.io/serviceaccount/service-account.name", name);
    c.put("kubernetes.io/serviceaccount/service-account.uid", uid);
    c.put("sub", "system:serviceaccount:" + namespace + ":" + name);
    return sign(c);
  }

  private String sign(ObjectNode claims) {
    ObjectNode header = KubeJson.object();
    header.put("alg", "ES256");
    header.put("kid", keyId);
    String input = B64.encodeToString(KubeJson.write(header).getBytes(StandardCharsets.UTF_8))
        + "." + B64.encodeToString(KubeJson.write(claims).getBytes(StandardCharsets.UTF_8));
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(keyPair.getPrivate());
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + B64.encodeToString(derToJose(s.sign()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a service account token", e);
    }
  }

  /** Why a token was not accepted; the message is safe to show (no token content). */
  static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;

    Rejected(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Verifies signature, issuer and time; returns the claims of a token this signer issued.
   *
   * @throws Rejected when the token is not a JWT, not ours, expired or not yet valid
   */
  Claims verify(String token, Instant now) throws Rejected {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      throw new Rejected("not a service account token");
    }
    JsonNode header;
    JsonNode claims;
    try {
      Base64.Decoder d = Base64.getUrlDecoder();
      header = KubeJson.MAPPER.readTree(d.decode(parts[0]));
      claims = KubeJson.MAPPER.readTree(d.decode(parts[1]));
      if (!"ES256".equals(header.path("alg").asText())) {
        throw new Rejected("go-jose/go-jose: error in cryptographic primitive");
      }
      byte[] signature = d.decode(parts[2]);
      if (signature.length != 64) {
        throw new Rejected("go-jose/go-jose: error in cryptographic primitive");
      }
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initVerify(keyPair.getPublic());
      s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!s.verify(joseToDer(signature))) {
        throw new Rejected("go-jose/go-jose: error in cryptographic primitive");
      }
    } catch (IOException | IllegalArgumentException | GeneralSecurityException e) {
      throw new Rejected("not a service account token");
    }
    if (claims == null || !claims.isObject()) {
      throw new Rejected("not a service account token");
    }
    String iss = claims.path("iss").asText("");
    if (iss.equals(LEGACY_ISSUER)) {
      return new Claims(claims, true);
    }
    if (!iss.equals(issuer)) {
      throw new Rejected("token issuer " + KubeJson.quote(iss) + " is not trusted");
    }
    if (claims.has("exp") && now.minus(LEEWAY).isAfter(
        Instant.ofEpochSecond(claims.path("exp").asLong()))) {
      throw new Rejected("service account token has expired");
    }
    if (claims.has("nbf") && now.plus(LEEWAY).isBefore(
        Instant.ofEpochSecond(claims.path("nbf").asLong()))) {
      throw new Rejected("service account token is not valid yet");
    }
    if (claims.has("iat") && now.plus(LEEWAY).isBefore(
        Instant.ofEpochSecond(claims.path("iat").asLong()))) {
      throw new Rejected("service account token is issued in the future");
    }
    return new Claims(claims, false);
  }

  /** The public key as PEM ({@code -----BEGIN PUBLIC KEY-----}), e.g. for Vault's pem_keys. */
  String publicKeyPem() {
    String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(keyPair.getPublic().getEncoded());
    return "-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n";
  }

  /** The JWKS document served at {@code /openid/v1/jwks}. */
  ObjectNode jwks() {
    ECPublicKey pub = (ECPublicKey) keyPair.getPublic();
    ObjectNode doc = KubeJson.object();
    ObjectNode k = doc.putArray("keys").addObject();
    k.put("use", "sig");
    k.put("kty", "EC");
    k.put("kid", keyId);
    k.put("crv", "P-256");
    k.put("alg", "ES256");
    k.put("x", B64.encodeToString(fixed(pub.getW().getAffineX(), 32)));
    k.put("y", B64.encodeToString(fixed(pub.getW().getAffineY(), 32)));
    return doc;
  }

  /** An unsigned big-endian integer in exactly {@code length} bytes. */
  private static byte[] fixed(BigInteger i, int length) {
    byte[] b = i.toByteArray();
    byte[] out = new byte[length];
    int copy = Math.min(b.length, length);
    System.arraycopy(b, b.length - copy, out, length - copy, copy);
    return out;
  }

  /** A DER ECDSA signature (SEQUENCE of two INTEGERs) as JOSE's 64-byte R||S. */
  static byte[] derToJose(byte[] der) {
    int offset = der[1] == (byte) 0x81 ? 3 : 2;
    int rLength = der[offset + 1];
    BigInteger r = new BigInteger(1, java.util.Arrays.copyOfRange(der, offset + 2,
        offset + 2 + rLength));
    int sOffset = offset + 2 + rLength;
    int sLength = der[sOffset + 1];
    BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(der, sOffset + 2,
        sOffset + 2 + sLength));
    byte[] out = new byte[64];
    System.arraycopy(fixed(r, 32), 0, out, 0, 32);
    System.arraycopy(fixed(s, 32), 0, out, 32, 32);
    return out;
  }

  /** JOSE's R||S as a DER ECDSA signature. */
  static byte[] joseToDer(byte[] jose) {
    byte[] r = new BigInteger(1, java.util.Arrays.copyOfRange(jose, 0, 32)).toByteArray();
    byte[] s = new BigInteger(1, java.util.Arrays.copyOfRange(jose, 32, 64)).toByteArray();
    int length = 2 + r.length + 2 + s.length;
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(0x30);
    if (length > 127) {
      out.write(0x81);
    }
    out.write(length);
    out.write(0x02);
    out.write(r.length);
    out.write(r, 0, r.length);
    out.write(0x02);
    out.write(s.length);
    out.write(s, 0, s.length);
    return out.toByteArray();
  }

  /** The audiences of {@code requested} that {@code tokenAudiences} contains, in request order. */
  static List<String> intersect(List<String> tokenAudiences, List<String> requested) {
    List<String> out = new ArrayList<>();
    for (String a : requested) {
      if (tokenAudiences.contains(a) && !out.contains(a)) {
        out.add(a);
      }
    }
    return out;
  }
}
