package io.secretsync.cli;

import io.secretsync.testkit.Sandbox;
import io.secretsync.testkit.TestPki;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code secrets-sync sandbox}: starts a fake Vault and a fake Kubernetes API server on 127.0.0.1
 * over HTTPS with one CA and runs until SIGINT or SIGTERM. Writes {@code ca.crt} (and {@code ca.key}
 * when it creates the CA), {@code kubeconfig}, {@code vault-token} and, last, once both servers accept
 * connections, {@code env}; then prints one line starting with {@code ready}. {@code env} is removed
 * again on stop, so its presence means "running".
 */
@Command(
    name = "sandbox",
    mixinStandardHelpOptions = true,
    description = {
        "Runs a local Vault (as `vault server -dev`: unsealed, KV v2 at secret/) and a local "
            + "Kubernetes API server (a fresh cluster with the External Secrets Operator CRDs), "
            + "both on 127.0.0.1 over HTTPS with one CA, until interrupted.",
        "Writes into DIR: ca.crt and ca.key (reused when both exist), kubeconfig (context "
            + "sandbox), vault-token, and last env (source it for VAULT_ADDR, VAULT_TOKEN, "
            + "VAULT_CACERT, KUBECONFIG)."})
final class SandboxCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--dir", required = true, paramLabel = "DIR",
      description = "Directory for ca.crt, ca.key, kubeconfig, vault-token and env.")
  Path dir;

  @Option(names = "--vault-port", paramLabel = "N", defaultValue = "0",
      description = "Vault's port (default: a free port).")
  int vaultPort;

  @Option(names = "--kube-port", paramLabel = "N", defaultValue = "0",
      description = "The Kubernetes API server's port (default: a free port).")
  int kubePort;

  @Option(names = "--no-vault", description = "Do not start Vault.")
  boolean noVault;

  @Option(names = "--no-kube", description = "Do not start Kubernetes.")
  boolean noKube;

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    if (noVault && noKube) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--no-vault and --no-kube together leave nothing to run; drop one of them");
    }
    for (int port : new int[] {vaultPort, kubePort}) {
      if (port < 0 || port > 65535) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "ports must be 0..65535 (0 = a free port), got " + port);
      }
    }
    Path d = dir.toAbsolutePath();
    Files.createDirectories(d);
    Path env = d.resolve("env");
    Files.deleteIfExists(env);
    TestPki pki;
    try {
      pki = loadOrCreateCa(d);
    } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
      spec.commandLine().getErr().println("sandbox: cannot use the CA in " + d + ": "
          + e.getMessage());
      return 1;
    }
    Sandbox sandbox;
    try {
      sandbox = Sandbox.builder().pki(pki).vault(!noVault).kubernetes(!noKube)
          .vaultPort(vaultPort).kubePort(kubePort).start();
    } catch (UncheckedIOException e) {
      spec.commandLine().getErr().println("sandbox: " + e.getMessage()
          + " (is another process using the port? choose another with --vault-port/--kube-port,"
          + " or 0 for a free one)");
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        Files.deleteIfExists(env);
      } catch (IOException e) {
        // nothing more to do while stopping
      }
      sandbox.close();
      out.println("stopped");
      out.flush();
      stopped.countDown();
    }, "sandbox-shutdown"));
    sandbox.writeFiles(d);
    StringBuilder ready = new StringBuilder("ready");
    sandbox.vault().ifPresent(v -> ready.append(" vault=").append(v.address()));
    sandbox.kubernetes().ifPresent(k -> ready.append(" kubernetes=").append(k.baseUrl()));
    ready.append(" env=").append(env);
    out.println(ready);
    out.flush();
    stopped.await();
    return 0;
  }

  private static TestPki loadOrCreateCa(Path d) throws IOException {
    Path cert = d.resolve("ca.crt");
    Path key = d.resolve("ca.key");
    boolean hasCert = Files.exists(cert);
    boolean hasKey = Files.exists(key);
    if (hasCert && hasKey) {
      return TestPki.load(cert, key);
    }
    if (hasKey) {
      throw new IllegalStateException(key + " exists without " + cert + "; remove " + key
          + " to create a new CA, or restore " + cert);
    }
    TestPki pki = TestPki.create("Secret Sync Sandbox CA", TestPki.KeyType.EC_P256);
    Files.writeString(key, pki.caPrivateKeyPem());
    try {
      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system
    }
    Files.writeString(cert, pki.caCertificatePem());
    return pki;
  }
}
