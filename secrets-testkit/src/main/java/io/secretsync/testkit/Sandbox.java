package io.secretsync.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * A fake Vault and a fake Kubernetes API server sharing one CA, as the walkthrough's Vault and
 * cluster: Vault starts as {@code vault server -dev} does (unsealed, KV v2 at {@code secret/}),
 * Kubernetes as a fresh cluster with the ESO CRDs installed; nothing else is configured. Vault's
 * Kubernetes auth reaches the API server exactly as a real Vault reaches a real cluster, once
 * {@code auth/kubernetes/config} points it there. Thread-safe; close it to stop both servers.
 */
public final class Sandbox implements AutoCloseable {
  private final TestPki pki;
  private final Optional<FakeVault> vault;
  private final Optional<FakeKubernetes> kubernetes;

  private Sandbox(TestPki pki, Optional<FakeVault> vault, Optional<FakeKubernetes> kubernetes) {
    this.pki = pki;
    this.vault = vault;
    this.kubernetes = kubernetes;
  }

  /** Both servers on free ports with a new CA. */
  public static Sandbox start() {
    return start(TestPki.create(), 0, 0, true, true);
  }

  /** The servers asked for, on the given ports (0: any free port), with {@code pki}'s CA. */
  public static Sandbox start(TestPki pki, int vaultPort, int kubePort, boolean withVault, boolean withKube) {
    FakeKubernetes kube = withKube ? FakeKubernetes.builder().pki(pki).port(kubePort).withEsoCrds().start() : null;
    FakeVault vault;
    try {
      vault = withVault ? FakeVault.builder().pki(pki).port(vaultPort).start() : null;
    } catch (RuntimeException e) {
      if (kube != null) {
        kube.close();
      }
      throw e;
    }
    return new Sandbox(pki, Optional.ofNullable(vault), Optional.ofNullable(kube));
  }

  public TestPki pki() {
    return pki;
  }

  public FakeVault vault() {
    return vault.orElseThrow(() -> new IllegalStateException("this sandbox runs without Vault"));
  }

  public FakeKubernetes kubernetes() {
    return kubernetes.orElseThrow(() -> new IllegalStateException("this sandbox runs without Kubernetes"));
  }

  public boolean hasVault() {
    return vault.isPresent();
  }

  public boolean hasKubernetes() {
    return kubernetes.isPresent();
  }

  /**
   * Writes {@code ca.crt}, {@code kubeconfig} (context {@code sandbox}), {@code vault-token} and,
   * last, {@code env} (export lines for VAULT_ADDR, VAULT_TOKEN, VAULT_CACERT, KUBECONFIG) into
   * {@code dir}. Files with credentials are readable by the owner only.
   */
  public void writeFiles(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path ca = dir.resolve("ca.crt");
    Files.writeString(ca, pki.caCertificatePem());
    StringBuilder env = new StringBuilder();
    if (kubernetes.isPresent()) {
      Path kubeconfig = kubernetes.get().writeKubeconfig(dir.resolve("kubeconfig"), "sandbox");
      env.append("export KUBECONFIG=").append(quote(kubeconfig.toAbsolutePath().toString())).append('\n');
    }
    if (vault.isPresent()) {
      Path token = dir.resolve("vault-token");
      Files.writeString(token, vault.get().rootToken() + "\n");
      ownerOnly(token);
      env.append("export VAULT_ADDR=").append(quote(vault.get().address())).append('\n');
      env.append("export VAULT_TOKEN=").append(quote(vault.get().rootToken())).append('\n');
      env.append("export VAULT_CACERT=").append(quote(ca.toAbsolutePath().toString())).append('\n');
    }
    Path tmp = dir.resolve("env.tmp");
    Files.writeString(tmp, env.toString());
    ownerOnly(tmp);
    Files.move(tmp, dir.resolve("env"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static String quote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }

  private static void ownerOnly(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system
    }
  }

  @Override
  public void close() {
    vault.ifPresent(FakeVault::close);
    kubernetes.ifPresent(FakeKubernetes::close);
  }
}
