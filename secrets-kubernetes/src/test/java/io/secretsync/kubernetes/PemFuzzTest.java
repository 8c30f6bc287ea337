package io.secretsync.kubernetes;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * {@link Pem} reads any bytes (as a kubeconfig's certificate-authority, client-certificate and
 * client-key, or an in-cluster ca.crt hold them) into certificates and keys or fails with
 * {@link IllegalArgumentException}, its documented contract, whose message never quotes the input.
 *
 * <p>Regression mode (the default) replays {@code PemFuzzTestInputs/}; fuzz with
 * {@code JAZZER_FUZZ=1 mvn -pl secrets-kubernetes test -Dtest=PemFuzzTest}.
 */
class PemFuzzTest {

  @FuzzTest(maxDuration = "5m")
  void anyBytesAreCertificatesKeysOrIllegalArgument(byte[] input) {
    try {
      Pem.certificates(input);
    } catch (IllegalArgumentException expected) {
      assertNotQuoted(expected, input);
    }
    try {
      Pem.privateKey(input);
    } catch (IllegalArgumentException expected) {
      assertNotQuoted(expected, input);
    }
  }

  private static void assertNotQuoted(IllegalArgumentException e, byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8).strip();
    // The messages name the PEM headers they expected; anything else from the input must not appear.
    String message = e.getMessage().replaceAll("-----[A-Z0-9 ]+-----", "");
    if (text.length() >= 16) {
      assertFalse(message.contains(text), "the message quotes the input");
    }
  }
}
