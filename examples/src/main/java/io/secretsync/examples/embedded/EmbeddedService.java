package io.secretsync.examples.embedded;

import io.secretsync.core.SecretStore;
import io.secretsync.core.SecretSyncException;
import io.secretsync.core.controller.Scheduler;
import io.secretsync.core.model.GoDuration;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.vault.KubernetesAuthOptions;
import io.secretsync.vault.VaultAuth;
import io.secretsync.vault.VaultClient;
import io.secretsync.vault.VaultKv;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A service that loads its {@code .env} from Vault at start-up and keeps it fresh, with no Kubernetes
 * Secret in between: the walkthrough's {@code example-api}, reading
 * {@code secret/example-api/env-file} (property {@code dotenv}) itself.
 *
 * <p>It is configured the way the {@code vault} CLI is:
 * <ul>
 *   <li>{@code VAULT_ADDR}: the server, {@code https://...} (required);
 *   <li>{@code VAULT_CACERT}: a PEM file with the CA that signed Vault's certificate (optional;
 *       otherwise the system roots);
 *   <li>{@code VAULT_TOKEN}: a token whose policy may read the secret; or, in a pod,
 *       {@code VAULT_K8S_ROLE}: a Vault Kubernetes auth role bound to the pod's service account, whose
 *       projected token is read at every login ({@code VAULT_K8S_MOUNT}, default {@code kubernetes};
 *       {@code VAULT_K8S_TOKEN_FILE}, default the pod's {@code /var/run/secrets/kubernetes.io/serviceaccount/token});
 *   <li>{@code APP_VAULT_KEY} and {@code APP_VAULT_PROPERTY}: where the {@code .env} is (default
 *       {@code example-api/env-file} and {@code dotenv} in the {@code VAULT_KV_MOUNT} mount, default
 *       {@code secret});
 *   <li>{@code APP_REFRESH_INTERVAL}: how often to read it again, as a Go duration (default {@code 2m},
 *       the walkthrough's refreshInterval);
 *   <li>{@code APP_ENV_FILE}: if set, the {@code .env} is also written there, readable by the owner
 *       only, and rewritten atomically on every change (for a child process that reads a file).
 * </ul>
 *
 * <p>It prints variable names only, never values. Run it with
 * {@code java -cp examples.jar io.secretsync.examples.embedded.EmbeddedService}; stop it with Ctrl-C.
 */
public final class EmbeddedService implements AutoCloseable {

  private final SecretStore vault;
  private final VaultDotEnv env;

  private EmbeddedService(SecretStore vault, VaultDotEnv env) {
    this.vault = vault;
    this.env = env;
  }

  public static void main(String[] args) throws InterruptedException {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "dotenv-refresh");
      thread.setDaemon(true);
      return thread;
    });
    EmbeddedService service;
    try {
      service = start(System.getenv(), scheduler(timer), System.out);
    } catch (SecretSyncException | IllegalArgumentException | UncheckedIOException e) {
      System.err.println("cannot start: " + e.getMessage());
      if (e instanceof SecretSyncException s) {
        s.hints().forEach(hint -> System.err.println("  hint: " + hint));
      }
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      service.close();
      timer.shutdownNow();
      stopped.countDown();
    }));
    // The service's own work starts here, reading service.env() whenever it needs a setting.
    stopped.await();
  }

  /**
   * Connects to Vault as {@code environment} says, loads the {@code .env}, and schedules its refresh
   * on {@code scheduler}; progress goes to {@code out}.
   *
   * @throws SecretSyncException when Vault cannot be read, naming the path and what to fix
   * @throws IllegalArgumentException when a setting is missing or invalid, naming it
   */
  public static EmbeddedService start(Map<String, String> environment, Scheduler scheduler, PrintStream out) {
    String address = required(environment, "VAULT_ADDR");
    VaultClient.Builder client = VaultClient.builder(address);
    setting(environment, "VAULT_CACERT").ifPresent(file -> client.caCertificatesPem(readFile(file)));
    VaultAuth login = login(environment);
    RemoteRef where = RemoteRef.of(
        setting(environment, "APP_VAULT_KEY").orElse("example-api/env-file"),
        setting(environment, "APP_VAULT_PROPERTY").orElse("dotenv"));
    Duration every = GoDuration.parse(setting(environment, "APP_REFRESH_INTERVAL").orElse("2m"));
    Optional<Path> envFile = setting(environment, "APP_ENV_FILE").map(Path::of);

    SecretStore vault = VaultKv.builder(client.build(), login)
        .mount(setting(environment, "VAULT_KV_MOUNT").orElse("secret"))
        .build();
    VaultDotEnv env;
    try {
      env = VaultDotEnv.load(vault, where, every, scheduler);
    } catch (RuntimeException e) {
      vault.close();
      throw e;
    }
    out.println("loaded .env from " + address + " " + where.key() + " (" + where.property() + "): "
        + env.variables().size() + " variables: " + String.join(", ", env.variables().keySet()));
    envFile.ifPresent(file -> writeOwnerOnly(file, env.text()));
    env.addListener(new VaultDotEnv.Listener() {
      @Override
      public void changed(VaultDotEnv.Change change) {
        envFile.ifPresent(file -> writeOwnerOnly(file, env.text()));
        out.println("refreshed .env: added " + change.added() + ", changed " + change.changed()
            + ", removed " + change.removed());
      }

      @Override
      public void refreshFailed(RuntimeException error) {
        out.println("refresh failed, keeping the last good .env: " + error.getMessage());
      }
    });
    return new EmbeddedService(vault, env);
  }

  /** The service's settings, kept fresh. */
  public VaultDotEnv env() {
    return env;
  }

  /** Stops the refresh and revokes the Vault token the service logged in for. */
  @Override
  public void close() {
    env.close();
    vault.close();
  }

  private static VaultAuth login(Map<String, String> environment) {
    Optional<String> token = setting(environment, "VAULT_TOKEN");
    if (token.isPresent()) {
      String value = token.get();
      return VaultAuth.token(() -> value, "VAULT_TOKEN");
    }
    Optional<String> role = setting(environment, "VAULT_K8S_ROLE");
    if (role.isPresent()) {
      return VaultAuth.kubernetes(KubernetesAuthOptions.builder()
          .mountPath(setting(environment, "VAULT_K8S_MOUNT").orElse(KubernetesAuthOptions.DEFAULT_MOUNT_PATH))
          .role(role.get())
          .tokenFile(setting(environment, "VAULT_K8S_TOKEN_FILE").map(Path::of)
              .orElse(KubernetesAuthOptions.DEFAULT_TOKEN_FILE))
          .build());
    }
    throw new IllegalArgumentException("set VAULT_TOKEN, or VAULT_K8S_ROLE when running in a pod");
  }

  /** Writes {@code text} to {@code file} atomically, readable and writable by the owner only. */
  static void writeOwnerOnly(Path file, String text) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Path temporary = Files.createTempFile(dir, ".env", ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try {
        Files.writeString(temporary, text, StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(temporary);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the .env to " + file + ": " + e.getMessage(), e);
    }
  }

  /** Runs the refresh on {@code executor}. */
  static Scheduler scheduler(ScheduledExecutorService executor) {
    return (delay, task) -> {
      ScheduledFuture<?> future = executor.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
      return () -> future.cancel(false);
    };
  }

  private static Optional<String> setting(Map<String, String> environment, String name) {
    return Optional.ofNullable(environment.get(name)).map(String::strip).filter(v -> !v.isEmpty());
  }

  private static String required(Map<String, String> environment, String name) {
    return setting(environment, name).orElseThrow(() -> new IllegalArgumentException(name + " is not set"));
  }

  private static String readFile(String file) {
    try {
      return Files.readString(Path.of(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read VAULT_CACERT " + file + ": " + e.getMessage(), e);
    }
  }
}
