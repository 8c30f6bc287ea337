package io.secretsync.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs a real kubectl binary against a kubeconfig, from a work directory whose {@code bin/kubectl}
 * is that binary, so shell pipelines like {@code kubectl ... | kubectl apply -f -} run verbatim.
 * HOME points into the work directory, keeping kubectl's discovery cache per test.
 */
final class Kubectl {
  static final Path SDK_BIN = Path.of("/usr/lib/google-cloud-sdk/bin");
  static final String SKIP_MESSAGE = "no kubectl binary at " + SDK_BIN + "/kubectl.1.* or on "
      + "PATH: the kubectl-driven tests are skipped";
  private static final Pattern VERSIONED = Pattern.compile("kubectl\\.1\\.(\\d+)");

  /** One kubectl binary with a display name such as {@code kubectl.1.27}. */
  record Binary(String name, Path path) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** The result of one command: exit status and both outputs. */
  record Result(int exitCode, String out, String err) {
    String all() {
      return out + err;
    }
  }

  private final Binary binary;
  private final Path workDir;
  private final Path kubeconfig;

  Kubectl(Binary binary, Path workDir, Path kubeconfig) throws IOException {
    this.binary = binary;
    this.workDir = workDir;
    this.kubeconfig = kubeconfig;
    Path bin = Files.createDirectories(workDir.resolve("bin"));
    Files.createDirectories(workDir.resolve("home"));
    Path link = bin.resolve("kubectl");
    Files.deleteIfExists(link);
    Files.createSymbolicLink(link, binary.path());
  }

  /**
   * The oldest and the newest kubectl of {@code /usr/lib/google-cloud-sdk/bin/kubectl.1.N}, or
   * {@code kubectl} from PATH when there are none; empty when there is no kubectl at all.
   */
  static List<Binary> oldestAndNewest() {
    List<Binary> versioned = new ArrayList<>();
    if (Files.isDirectory(SDK_BIN)) {
      try (Stream<Path> files = Files.list(SDK_BIN)) {
        files.filter(p -> VERSIONED.matcher(p.getFileName().toString()).matches())
            .filter(Files::isExecutable)
            .forEach(p -> versioned.add(new Binary(p.getFileName().toString(), p)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    versioned.sort(Comparator.comparingInt(b -> minor(b.name())));
    if (!versioned.isEmpty()) {
      Binary oldest = versioned.get(0);
      Binary newest = versioned.get(versioned.size() - 1);
      return oldest.equals(newest) ? List.of(oldest) : List.of(oldest, newest);
    }
    return onPath().map(List::of).orElse(List.of());
  }

  private static int minor(String name) {
    Matcher m = VERSIONED.matcher(name);
    return m.matches() ? Integer.parseInt(m.group(1)) : 0;
  }

  private static Optional<Binary> onPath() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, "kubectl");
      if (Files.isExecutable(candidate)) {
        return Optional.of(new Binary("kubectl", candidate));
      }
    }
    return Optional.empty();
  }

  Path workDir() {
    return workDir;
  }

  /** Runs {@code script} with {@code sh -c} in the work directory. */
  Result sh(String script) {
    return exec(List.of("sh", "-c", script));
  }

  /** Runs kubectl with {@code args}. */
  Result run(String... args) {
    List<String> command = new ArrayList<>();
    command.add(workDir.resolve("bin/kubectl").toString());
    command.addAll(List.of(args));
    return exec(command);
  }

  private Result exec(List<String> command) {
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
    Map<String, String> env = pb.environment();
    env.put("PATH", workDir.resolve("bin") + java.io.File.pathSeparator
        + env.getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("HOME", workDir.resolve("home").toString());
    env.put("KUBECONFIG", kubeconfig.toString());
    try {
      Process p = pb.start();
      CompletableFuture<String> out = read(p.getInputStream());
      CompletableFuture<String> err = read(p.getErrorStream());
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(binary + " did not finish within 60 s: " + command);
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

  @Override
  public String toString() {
    return binary.toString();
  }
}
