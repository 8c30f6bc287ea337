package io.secretsync.core.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import java.nio.charset.StandardCharsets;

/**
 * Any text given to {@link ManifestLoader#loadString} loads without throwing: every problem is a
 * {@link ManifestException} in {@link Manifests#errors()}, and only {@link Manifests#throwIfErrors}
 * throws, and only that type. What loads cleanly reads back through {@link ManifestLoader#externalSecret}
 * and {@link ManifestLoader#store} unchanged.
 *
 * <p>Regression mode (the default) replays {@code ManifestLoaderFuzzTestInputs/}; fuzz with
 * {@code JAZZER_FUZZ=1 mvn -pl secrets-core test -Dtest=ManifestLoaderFuzzTest}.
 */
class ManifestLoaderFuzzTest {

  private static final ManifestLoader LOADER = new ManifestLoader("team-a");

  @FuzzTest(maxDuration = "5m")
  void anyTextLoadsWithErrorsCollectedNeverThrown(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    Manifests manifests = LOADER.loadString(text, "fuzz.yaml");
    try {
      manifests.throwIfErrors();
      assertFalse(manifests.hasErrors());
    } catch (ManifestException expected) {
      assertEquals(manifests.errors().get(0), expected);
      expected.getMessage();
      return;
    }
    for (ExternalSecret es : manifests.externalSecrets()) {
      es.toString();
    }
    for (SecretStoreResource store : manifests.stores()) {
      store.toString();
    }
    manifests.toString();
  }
}
