package io.secretsync.vault;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads certificates and private keys from PEM text, given raw or base64-encoded (ESO's
 * {@code caBundle} is a byte field, so manifests often carry it base64-encoded). Every certificate
 * of a bundle is kept, in order. Private keys may be PKCS#8 ({@code PRIVATE KEY}) or PKCS#1/SEC1
 * ({@code RSA PRIVATE KEY}, {@code EC PRIVATE KEY}); encrypted keys are refused. Failures are
 * {@link IllegalArgumentException}s that say what was wrong with the shape, never quoting the input.
 */
final class Pem {
  private Pem() {}

  /** The certificates in {@code input}; fails when there is none or one does not parse. */
  static ImmutableList<X509Certificate> certificates(byte[] input) {
    String pem = pemText(input);
    ImmutableList.Builder<X509Certificate> certificates = ImmutableList.builder();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    int index = 0;
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        index++;
        if (object instanceof X509CertificateHolder holder) {
          certificates.add(converter.getCertificate(holder));
        } else {
          throw new IllegalArgumentException("PEM block " + index + " is not a certificate");
        }
      }
    } catch (IOException | CertificateException e) {
      throw new IllegalArgumentException("PEM block " + (index + 1) + " is not a readable certificate");
    }
    ImmutableList<X509Certificate> result = certificates.build();
    if (result.isEmpty()) {
      throw new IllegalArgumentException("no PEM certificate found (expected -----BEGIN CERTIFICATE-----)");
    }
    return result;
  }

  /** The one private key in {@code input}. */
  static PrivateKey privateKey(byte[] input) {
    String pem = pemText(input);
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        if (object instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (object instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
        if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
          throw new IllegalArgumentException("the private key is encrypted; give it unencrypted (PKCS#8 or PKCS#1)");
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("the private key PEM is not readable");
    }
    throw new IllegalArgumentException("no PEM private key found (expected -----BEGIN PRIVATE KEY----- "
        + "or -----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)");
  }

  /** {@code input} as PEM text: as given when it holds a PEM header, else base64-decoded first. */
  static String pemText(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    if (text.contains("-----BEGIN ")) {
      return text;
    }
    String compact = text.replaceAll("\\s+", "");
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(compact);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("neither PEM (no -----BEGIN line) nor base64-encoded PEM");
    }
    String decodedText = new String(decoded, StandardCharsets.UTF_8);
    if (!decodedText.contains("-----BEGIN ")) {
      throw new IllegalArgumentException("base64-decoded, but the result is not PEM (no -----BEGIN line)");
    }
    return decodedText;
  }
}
