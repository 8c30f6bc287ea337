package io.secretsync.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** {@code secrets-sync} run as a separate JVM on the test class path. */
final class CliProcess implements AutoCloseable {
  final Process process;
  final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  record Result(int exitCode, String out, String err) {}

  private CliProcess(Process process) {
    this.process = process;
  }

  private static List<String> command(String... args) {
    return command(List.of(), args);
  }

  private static List<String> command(List<String> jvmOptions, String... args) {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(List.of(java.toString()));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classpath, "io.secretsync.cli.SecretsSyncCommand"));
    command.addAll(List.of(args));
    return command;
  }

  /** Starts {@code secrets-sync sandbox --dir dir} and waits (up to a minute) for its {@code ready} line. */
  static CliProcess sandbox(Path dir) throws IOException, InterruptedException {
    CliProcess p = new CliProcess(new ProcessBuilder(command("sandbox", "--dir", dir.toString()))
        .redirectErrorStream(true).start());
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          p.lines.add(line);
        }
      } catch (IOException e) {
        p.lines.add("<output closed: " + e.getMessage() + ">");
      }
    });
    reader.setDaemon(true);
    reader.start();
    String ready = p.lines.poll(60, TimeUnit.SECONDS);
    if (ready == null || !ready.startsWith("ready ")) {
      p.close();
      throw new AssertionError("the sandbox did not get ready: " + ready);
    }
    if (!Files.exists(dir.resolve("env"))) {
      p.close();
      throw new AssertionError("the sandbox printed ready without writing env");
    }
    return p;
  }

  /** Runs {@code secrets-sync args...} to completion (at most two minutes). */
  static Result run(String... args) throws IOException, InterruptedException {
    return runWithJvmOptions(List.of(), args);
  }

  /** Runs {@code secrets-sync args...} in a JVM started with {@code jvmOptions} (e.g. {@code -Dname=value}). */
  static Result runWithJvmOptions(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command(jvmOptions, args)).start();
    p.getOutputStream().close();
    CompletableFuture<String> out = read(p, true);
    CompletableFuture<String> err = read(p, false);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("secrets-sync " + String.join(" ", args) + " did not finish within 120 s");
    }
    return new Result(p.exitValue(), out.join(), err.join());
  }

  private static CompletableFuture<String> read(Process p, boolean stdout) {
    return CompletableFuture.supplyAsync(() -> {
      try (var in = stdout ? p.getInputStream() : p.getErrorStream()) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  /** The variables of the sandbox's {@code env} file ({@code export NAME='value'} lines). */
  static Map<String, String> readEnv(Path env) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(env)) {
      String[] kv = line.substring("export ".length()).split("=", 2);
      out.put(kv[0], kv[1].substring(1, kv[1].length() - 1));
    }
    return out;
  }

  @Override
  public void close() {
    process.toHandle().destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
