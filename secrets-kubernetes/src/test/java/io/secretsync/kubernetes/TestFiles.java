package io.secretsync.kubernetes;

import io.secretsync.testkit.FakeKubernetes;
import io.secretsync.testkit.IssuedCertificate;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.util.Base64;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** Helpers shared by the tests: admin clients for a fake cluster, PEM in each private-key form. */
final class TestFiles {
  private TestFiles() {}

  /** A client with the fake's admin token and CA. */
  static KubernetesClient adminClient(FakeKubernetes kube) {
    return KubernetesClient.create(adminConfig(kube).build());
  }

  static KubernetesConfig.Builder adminConfig(FakeKubernetes kube) {
    return KubernetesConfig.builder(kube.baseUrl()).caCertificatesPem(kube.caCertificatePem())
        .bearerToken(kube.adminToken());
  }

  static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The key as OpenSSL's traditional PEM: PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1
   * ({@code EC PRIVATE KEY}, with the curve in it, as {@code openssl ec} writes it).
   */
  static String traditionalPem(PrivateKey key) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      if (key.getAlgorithm().equals("EC")) {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
        ECPrivateKey sec1 = inner.getPublicKey() == null
            ? new ECPrivateKey(256, inner.getKey(), info.getPrivateKeyAlgorithm().getParameters())
            : new ECPrivateKey(256, inner.getKey(), inner.getPublicKey(), info.getPrivateKeyAlgorithm().getParameters());
        writer.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
      } else {
        writer.writeObject(key);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** The key as PKCS#8 PEM ({@code PRIVATE KEY}). */
  static String pkcs8Pem(PrivateKey key) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new JcaPKCS8Generator(key, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  static String certificatePem(IssuedCertificate certificate) {
    return certificate.certificatePem();
  }
}
