package io.secretsync.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real kubectl binary, found as the testkit's kubectl tests find it: the newest
 * {@code /usr/lib/google-cloud-sdk/bin/kubectl.1.N}, else {@code kubectl} on PATH. Runs shell scripts
 * in a work directory whose {@code bin/kubectl} is that binary, with HOME inside it.
 */
final class Kubectl {
  static final Path SDK_BIN = Path.of("/usr/lib/google-cloud-sdk/bin");
  private static final Pattern VERSIONED = Pattern.compile("kubectl\\.1\\.(\\d+)");

  record Result(int exitCode, String out, String err) {}

  private final Path workDir;

  private Kubectl(Path binary, Path workDir) throws IOException {
    this.workDir = workDir;
    Path bin = Files.createDirectories(workDir.resolve("bin"));
    Files.createDirectories(workDir.resolve("home"));
    Path link = bin.resolve("kubectl");
    Files.deleteIfExists(link);
    Files.createSymbolicLink(link, binary);
  }

  /** kubectl in {@code workDir}, or empty when this machine has none. */
  static Optional<Kubectl> in(Path workDir) throws IOException {
    Optional<Path> binary = find();
    return binary.isEmpty() ? Optional.empty() : Optional.of(new Kubectl(binary.get(), workDir));
  }

  static Optional<Path> find() {
    if (Files.isDirectory(SDK_BIN)) {
      try (Stream<Path> files = Files.list(SDK_BIN)) {
        Optional<Path> newest = files.filter(p -> VERSIONED.matcher(p.getFileName().toString()).matches())
            .filter(Files::isExecutable).max(Comparator.comparingInt(Kubectl::minor));
        if (newest.isPresent()) {
          return newest;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, "kubectl");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static int minor(Path p) {
    Matcher m = VERSIONED.matcher(p.getFileName().toString());
    return m.matches() ? Integer.parseInt(m.group(1)) : 0;
  }

  /** Runs {@code script} with {@code sh -c} in the work directory, with {@code env} added. */
  Result sh(String script, java.util.Map<String, String> env) {
    ProcessBuilder pb = new ProcessBuilder(List.of("sh", "-c", script)).directory(workDir.toFile());
    pb.environment().put("PATH", workDir.resolve("bin") + java.io.File.pathSeparator
        + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
    pb.environment().put("HOME", workDir.resolve("home").toString());
    pb.environment().putAll(env);
    try {
      Process p = pb.start();
      CompletableFuture<String> out = read(p.getInputStream());
      CompletableFuture<String> err = read(p.getErrorStream());
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("did not finish within 120 s: " + script);
      }
      return new Result(p.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static CompletableFuture<String> read(InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try (InputStream s = in) {
        return new String(s.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  static List<String> lines(String text) {
    return new ArrayList<>(text.lines().toList());
  }
}
