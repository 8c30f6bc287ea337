package io.secretsync.cli;

import io.secretsync.testkit.Sandbox;
import io.secretsync.testkit.TestPki;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code secrets-sync sandbox}: a fake Vault and a fake Kubernetes API server on 127.0.0.1 over
 * HTTPS with one CA, until SIGINT or SIGTERM. Writes {@code ca.crt}, {@code kubeconfig},
 * {@code vault-token} and, last, {@code env} into the folder, then prints a line starting with
 * {@code ready}.
 */
@Command(name = "sandbox", mixinStandardHelpOptions = true,
    description = {"Runs a fake Vault and a fake Kubernetes API server (HTTPS, one CA) until stopped.",
        "Writes ca.crt, kubeconfig, vault-token and env (source it) into --dir."})
final class SandboxCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--dir", required = true, description = "Folder for ca.crt, ca.key, kubeconfig, vault-token, env; "
      + "an existing ca.crt and ca.key are reused.")
  Path dir;

  @Option(names = "--vault-port", defaultValue = "0", description = "Vault's port (default: any free port).")
  int vaultPort;

  @Option(names = "--kube-port", defaultValue = "0", description = "The Kubernetes API server's port (default: any free port).")
  int kubePort;

  @Option(names = "--no-vault", description = "Do not start Vault.")
  boolean noVault;

  @Option(names = "--no-kube", description = "Do not start the Kubernetes API server.")
  boolean noKube;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Files.createDirectories(dir);
    Path caCrt = dir.resolve("ca.crt");
    Path caKey = dir.resolve("ca.key");
    TestPki pki;
    if (Files.exists(caCrt) && Files.exists(caKey)) {
      pki = TestPki.load(caCrt, caKey);
    } else {
      pki = TestPki.create();
      pki.writeCa(caCrt, caKey);
    }
    Sandbox sandbox = Sandbox.start(pki, vaultPort, kubePort, !noVault, !noKube);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      sandbox.close();
      stopped.countDown();
    }, "sandbox-shutdown"));
    sandbox.writeFiles(dir);
    StringBuilder ready = new StringBuilder("ready");
    if (sandbox.hasVault()) {
      ready.append(" vault=").append(sandbox.vault().address());
    }
    if (sandbox.hasKubernetes()) {
      ready.append(" kubernetes=").append(sandbox.kubernetes().baseUrl());
    }
    ready.append(" env=").append(dir.resolve("env").toAbsolutePath());
    out.println(ready);
    out.flush();
    stopped.await();
    return 0;
  }
}
