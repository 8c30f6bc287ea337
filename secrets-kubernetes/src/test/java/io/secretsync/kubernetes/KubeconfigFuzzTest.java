package io.secretsync.kubernetes;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.secretsync.core.InvalidConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any kubeconfig file, with or without a context given, becomes a {@link KubernetesConfig} or fails
 * with {@link InvalidConfigException} naming the file and field.
 *
 * <p>Regression mode (the default) replays {@code KubeconfigFuzzTestInputs/}; fuzz with
 * {@code JAZZER_FUZZ=1 mvn -pl secrets-kubernetes test -Dtest=KubeconfigFuzzTest}.
 */
class KubeconfigFuzzTest {

  private static Path dir;
  private static Path file;

  @BeforeAll
  static void createFolder() throws IOException {
    dir = Files.createTempDirectory("kubeconfig-fuzz");
    file = dir.resolve("config");
    Files.writeString(dir.resolve("ca.crt"), "not a certificate\n");
    Files.writeString(dir.resolve("token"), "file-token\n");
  }

  @AfterAll
  static void deleteFolder() throws IOException {
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) {
        Files.deleteIfExists(p);
      }
    }
    Files.deleteIfExists(dir);
  }

  @FuzzTest(maxDuration = "5m")
  void anyKubeconfigLoadsOrFailsWithInvalidConfig(byte[] input) {
    try {
      Files.write(file, input);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String context : List.of("", "other")) {
      try {
        Kubeconfig.load(List.of(file), context).toString();
      } catch (InvalidConfigException expected) {
        expected.getMessage();
      }
    }
  }
}
