package io.secretsync.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code secrets-sync} command line: the entry point of the executable jar. */
@Command(
    name = "secrets-sync",
    mixinStandardHelpOptions = true,
    versionProvider = SecretsSyncCommand.Version.class,
    description = "Syncs secrets from HashiCorp Vault into Kubernetes Secrets, reading External Secrets Operator manifests.",
    subcommands = {DemoCommand.class, SandboxCommand.class, SyncCommand.class, DiagnoseCommand.class,
        CommandLine.HelpCommand.class})
public final class SecretsSyncCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.exit(newCommandLine().execute(args));
  }

  /** Builds the command line with every subcommand; tests run it in-process. */
  public static CommandLine newCommandLine() {
    return new CommandLine(new SecretsSyncCommand());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = SecretsSyncCommand.class.getPackage().getImplementationVersion();
      return new String[] {"secrets-sync " + (version == null ? "development build" : version)};
    }
  }
}
