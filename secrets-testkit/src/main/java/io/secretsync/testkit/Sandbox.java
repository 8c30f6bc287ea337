package io.secretsync.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A FakeVault and a FakeKubernetes on 127.0.0.1 sharing one CA, configured like the walkthrough's
 * starting point and nothing more: Vault as {@code vault server -dev} starts (unsealed, KV v2 at
 * {@code secret/}, a root token), Kubernetes as a fresh cluster with the External Secrets Operator
 * CRDs installed. The user (or a test) runs the walkthrough's steps; once Vault's Kubernetes auth is
 * configured with {@link #kubernetesUrl()}, the CA and a reviewer JWT, its logins call the fake API
 * server's TokenReview over HTTPS, as a real Vault calls a real cluster.
 *
 * <pre>{@code
 * try (Sandbox sandbox = Sandbox.start()) {
 *   Path kubeconfig = sandbox.writeFiles(dir).kubeconfig().orElseThrow(); // context "sandbox"
 *   String vaultAddr = sandbox.vaultAddress();
 *   String rootToken = sandbox.vaultRootToken();
 *   String caPem = sandbox.caCertificatePem();
 * }
 * }</pre>
 *
 * Either server can be left out ({@link Builder#vault(boolean)}, {@link Builder#kubernetes(boolean)}).
 * Thread-safe; {@link #close()} stops both servers.
 */
public final class Sandbox implements AutoCloseable {
  /** The kubeconfig context (and cluster and user prefix) the sandbox hands out. */
  public static final String CONTEXT = "sandbox";

  private final TestPki pki;
  private final FakeVault vault;
  private final FakeKubernetes kubernetes;

  private Sandbox(Builder b) {
    this.pki = b.pki != null ? b.pki : TestPki.create("Secret Sync Sandbox CA",
        TestPki.KeyType.EC_P256);
    FakeVault v = null;
    FakeKubernetes k = null;
    try {
      if (b.vault) {
        v = FakeVault.builder().pki(pki).port(b.vaultPort).clock(b.clock).start();
      }
      if (b.kubernetes) {
        k = FakeKubernetes.builder().pki(pki).port(b.kubePort).clock(b.clock).withEsoCrds().start();
      }
    } catch (RuntimeException e) {
      if (v != null) {
        v.close();
      }
      throw e;
    }
    this.vault = v;
    this.kubernetes = k;
  }

  /** Starts both servers on free ports with a fresh CA. */
  public static Sandbox start() {
    return builder().start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The shared CA. */
  public TestPki pki() {
    return pki;
  }

  /** The CA certificate (PEM) both servers' certificates chain to. */
  public String caCertificatePem() {
    return pki.caCertificatePem();
  }

  /** The fake Vault, unless left out. */
  public Optional<FakeVault> vault() {
    return Optional.ofNullable(vault);
  }

  /** The fake Kubernetes API server, unless left out. */
  public Optional<FakeKubernetes> kubernetes() {
    return Optional.ofNullable(kubernetes);
  }

  /** {@code VAULT_ADDR}. @throws IllegalStateException when Vault was left out */
  public String vaultAddress() {
    return requireVault().address();
  }

  /** {@code VAULT_TOKEN}: the root token. @throws IllegalStateException when Vault was left out */
  public String vaultRootToken() {
    return requireVault().rootToken();
  }

  /** The API server URL. @throws IllegalStateException when Kubernetes was left out */
  public String kubernetesUrl() {
    return requireKubernetes().baseUrl();
  }

  /** The admin bearer token of the API server. */
  public String kubernetesAdminToken() {
    return requireKubernetes().adminToken();
  }

  /** A kubeconfig with context {@value #CONTEXT}: server, certificate-authority-data, admin token. */
  public String kubeconfig() {
    return requireKubernetes().kubeconfig(CONTEXT);
  }

  private FakeVault requireVault() {
    if (vault == null) {
      throw new IllegalStateException("this sandbox was started without Vault");
    }
    return vault;
  }

  private FakeKubernetes requireKubernetes() {
    if (kubernetes == null) {
      throw new IllegalStateException("this sandbox was started without Kubernetes");
    }
    return kubernetes;
  }

  /** The files {@link #writeFiles(Path)} wrote; absent for a server that was left out. */
  public record WrittenFiles(Path caCertificate, Optional<Path> kubeconfig,
      Optional<Path> vaultToken, Path env) {}

  /**
   * Writes into {@code dir}: {@code ca.crt}, {@code kubeconfig}, {@code vault-token} and last
   * {@code env} (shell {@code export} lines for VAULT_ADDR, VAULT_TOKEN, VAULT_CACERT, KUBECONFIG),
   * each atomically, secrets readable by the owner only. Paths in {@code env} are absolute.
   */
  public WrittenFiles writeFiles(Path dir) throws IOException {
    Path d = dir.toAbsolutePath();
    Files.createDirectories(d);
    Path ca = d.resolve("ca.crt");
    write(ca, caCertificatePem(), false);
    List<String> env = new ArrayList<>();
    Path kubeconfig = null;
    Path vaultToken = null;
    if (vault != null) {
      vaultToken = d.resolve("vault-token");
      write(vaultToken, vault.rootToken() + "\n", true);
      env.add("export VAULT_ADDR=" + shellQuote(vault.address()));
      env.add("export VAULT_TOKEN=" + shellQuote(vault.rootToken()));
      env.add("export VAULT_CACERT=" + shellQuote(ca.toString()));
    }
    if (kubernetes != null) {
      kubeconfig = d.resolve("kubeconfig");
      write(kubeconfig, kubeconfig(), true);
      env.add("export KUBECONFIG=" + shellQuote(kubeconfig.toString()));
    }
    Path envFile = d.resolve("env");
    write(envFile, String.join("\n", env) + "\n", true);
    return new WrittenFiles(ca, Optional.ofNullable(kubeconfig), Optional.ofNullable(vaultToken),
        envFile);
  }

  private static String shellQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private static void write(Path file, String content, boolean ownerOnly) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    if (ownerOnly) {
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(
            "rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system
      }
    }
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Stops both servers. Idempotent. */
  @Override
  public void close() {
    if (kubernetes != null) {
      kubernetes.close();
    }
    if (vault != null) {
      vault.close();
    }
  }

  @Override
  public String toString() {
    return "Sandbox{vault=" + (vault == null ? "off" : vault.address()) + ", kubernetes="
        + (kubernetes == null ? "off" : kubernetes.baseUrl()) + "}";
  }

  /** Configures and starts a {@link Sandbox}. Not thread-safe. */
  public static final class Builder {
    private TestPki pki;
    private int vaultPort;
    private int kubePort;
    private boolean vault = true;
    private boolean kubernetes = true;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The shared CA (e.g. loaded from {@code ca.crt} and {@code ca.key}); default a fresh one. */
    public Builder pki(TestPki pki) {
      this.pki = Objects.requireNonNull(pki, "pki");
      return this;
    }

    /** Vault's port; default 0 = a free port. */
    public Builder vaultPort(int port) {
      this.vaultPort = checkPort(port);
      return this;
    }

    /** The API server's port; default 0 = a free port. */
    public Builder kubePort(int port) {
      this.kubePort = checkPort(port);
      return this;
    }

    /** Whether to start Vault (default true). */
    public Builder vault(boolean start) {
      this.vault = start;
      return this;
    }

    /** Whether to start Kubernetes (default true). */
    public Builder kubernetes(boolean start) {
      this.kubernetes = start;
      return this;
    }

    /** The clock of both servers. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    private static int checkPort(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, got " + port);
      }
      return port;
    }

    /**
     * Starts the servers.
     *
     * @throws IllegalStateException when both servers were left out
     * @throws java.io.UncheckedIOException when a port cannot be bound
     */
    public Sandbox start() {
      if (!vault && !kubernetes) {
        throw new IllegalStateException("nothing to start: both Vault and Kubernetes were left "
            + "out");
      }
      return new Sandbox(this);
    }
  }
}
