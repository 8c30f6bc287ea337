package io.secretsync.testkit.vault;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.secretsync.testkit.vault.Policy.InvalidPolicyException;
import java.nio.charset.StandardCharsets;

/**
 * The fake Vault's policy parser takes any text (HCL, or JSON when it starts with a brace) to a
 * policy or to {@link InvalidPolicyException} with Vault's message; the HCL parser on its own fails
 * only with {@link Hcl.ParseException}.
 *
 * <p>Regression mode (the default) replays {@code PolicyHclFuzzTestInputs/}; fuzz with
 * {@code JAZZER_FUZZ=1 mvn -pl secrets-testkit test -Dtest=PolicyHclFuzzTest}.
 */
class PolicyHclFuzzTest {

  @FuzzTest(maxDuration = "5m")
  void anyPolicyTextParsesOrFailsWithInvalidPolicy(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    try {
      Hcl.parse(text);
    } catch (Hcl.ParseException expected) {
      expected.getMessage();
    }
    for (String namespace : new String[] {"", "team-a/"}) {
      try {
        Policy.parse("fuzz", text, namespace).toString();
      } catch (InvalidPolicyException expected) {
        expected.getMessage();
      }
    }
  }
}
