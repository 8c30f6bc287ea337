package io.secretsync.vault;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * {@link Pem} reads any bytes (raw PEM or base64 of PEM, as a store's {@code caBundle} and client
 * certificate fields hold them) into certificates and keys or fails with
 * {@link IllegalArgumentException}, its documented contract, whose message is one of its fixed texts, so never quotes the input.
 *
 * <p>Regression mode (the default) replays {@code PemFuzzTestInputs/}; fuzz with
 * {@code JAZZER_FUZZ=1 mvn -pl secrets-vault test -Dtest=PemFuzzTest}.
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

  /** Every message Pem gives, with block numbers as N: a fixed text, so it can quote nothing of the input. */
  private static final java.util.regex.Pattern MESSAGES = java.util.regex.Pattern.compile(String.join("|",
      "PEM block N is not a (readable )?certificate",
      "no PEM certificate found \\(expected -----BEGIN CERTIFICATE-----\\)",
      "no PEM private key found \\(expected -----BEGIN PRIVATE KEY-----,? (or )?-----BEGIN RSA PRIVATE KEY----- or "
          + "-----BEGIN EC PRIVATE KEY-----\\)",
      "the private key PEM is not readable",
      "the private key is encrypted; give it unencrypted \\(PKCS#8(, PKCS#1 or SEC1| or PKCS#1)\\)",
      "neither PEM \\(no -----BEGIN line\\) nor base64-encoded PEM",
      "base64-decoded, but the result is not PEM \\(no -----BEGIN line\\)"));

  private static void assertNotQuoted(IllegalArgumentException e, byte[] input) {
    String message = e.getMessage().replaceAll("PEM block \\d+", "PEM block N");
    assertTrue(MESSAGES.matcher(message).matches(), "not one of the fixed messages: " + message);
  }

}
