package io.secretsync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** FakeVault as a JUnit 5 extension: registered once per class, injectable into test methods. */
class FakeVaultExtensionTest {
  @RegisterExtension
  static final FakeVault VAULT = FakeVault.start();

  @Test
  void testMethodsReceiveTheRegisteredFake(FakeVault injected) throws IOException {
    assertSame(VAULT, injected);
    injected.kv("secret").put("ext/a", Map.of("k", "v"));
    assertEquals("v", new WireClient(injected).get("/v1/secret/data/ext/a", VAULT.rootToken())
        .expect(200).json().path("data").path("data").path("k").asText());
  }
}
