package io.secretsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The sandbox command's refusals, run in-process. */
class SandboxCommandTest {
  @TempDir Path dir;

  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    CommandLine cli = SecretsSyncCommand.newCommandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void leavingOutBothServersIsAUsageError() {
    Run r = run("sandbox", "--dir", dir.toString(), "--no-vault", "--no-kube");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().startsWith("--no-vault and --no-kube together leave nothing to run; drop "
        + "one of them"), r.err());
  }

  @Test
  void theDirectoryIsRequired() {
    Run r = run("sandbox");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("Missing required option: '--dir=DIR'"), r.err());
  }

  @Test
  void aCaKeyWithoutItsCertificateIsRefusedWithoutAStackTrace() throws Exception {
    Files.writeString(dir.resolve("ca.key"), "-----BEGIN PRIVATE KEY-----\n");
    Run r = run("sandbox", "--dir", dir.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().startsWith("sandbox: cannot use the CA in " + dir.toAbsolutePath() + ": "
        + dir.toAbsolutePath().resolve("ca.key") + " exists without "), r.err());
    assertTrue(!r.err().contains("\tat "), r.err());
  }

  @Test
  void anUnreadableCaIsRefusedNamingTheFile() throws Exception {
    Files.writeString(dir.resolve("ca.crt"), "not a certificate\n");
    Files.writeString(dir.resolve("ca.key"), "not a key\n");
    Run r = run("sandbox", "--dir", dir.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("ca.crt: no PEM CERTIFICATE block found"), r.err());
  }

  @Test
  void helpDescribesTheFiles() {
    Run r = run("sandbox", "--help");
    assertEquals(0, r.exitCode());
    assertTrue(r.out().contains("--kube-port=N"), r.out());
    assertTrue(r.out().contains("vault-token"), r.out());
  }
}
