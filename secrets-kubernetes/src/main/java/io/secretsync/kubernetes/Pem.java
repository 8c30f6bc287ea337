package io.secretsync.kubernetes;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Certificates and private keys from PEM text, through BouncyCastle: certificate bundles in order;
 * private keys as PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1
 * ({@code EC PRIVATE KEY}). Encrypted keys are refused. Failures are {@link IllegalArgumentException}s
 * that describe the shape of the problem and never quote the input.
 */
final class Pem {
  private Pem() {}

  /** Every certificate in {@code pem}; fails when there is none or a block is not a certificate. */
  static ImmutableList<X509Certificate> certificates(byte[] pem) {
    ImmutableList.Builder<X509Certificate> out = ImmutableList.builder();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    int block = 0;
    try (PEMParser parser = parser(pem)) {
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        block++;
        if (!(object instanceof X509CertificateHolder holder)) {
          throw new IllegalArgumentException("PEM block " + block + " is not a certificate");
        }
        out.add(converter.getCertificate(holder));
      }
    } catch (IOException | CertificateException | RuntimeException e) {
      if (e instanceof IllegalArgumentException iae) {
        throw iae;
      }
      throw new IllegalArgumentException("PEM block " + (block + 1) + " is not a readable certificate");
    }
    ImmutableList<X509Certificate> certificates = out.build();
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("no PEM certificate found (expected -----BEGIN CERTIFICATE-----)");
    }
    return certificates;
  }

  /** The first private key in {@code pem}. */
  static PrivateKey privateKey(byte[] pem) {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try (PEMParser parser = parser(pem)) {
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        if (object instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (object instanceof PEMKeyPair pair) {
          return converter.getPrivateKey(pair.getPrivateKeyInfo());
        }
        if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
          throw new IllegalArgumentException("the private key is encrypted; give it unencrypted (PKCS#8, PKCS#1 or SEC1)");
        }
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException iae) {
        throw iae;
      }
      throw new IllegalArgumentException("the private key PEM is not readable");
    }
    throw new IllegalArgumentException("no PEM private key found (expected -----BEGIN PRIVATE KEY-----, "
        + "-----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)");
  }

  private static PEMParser parser(byte[] pem) {
    return new PEMParser(new StringReader(new String(pem, StandardCharsets.UTF_8)));
  }
}
