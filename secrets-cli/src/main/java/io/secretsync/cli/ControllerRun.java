package io.secretsync.cli;

import picocli.CommandLine;

/** {@code sync} without {@code -f}: the ExternalSecrets and stores of the cluster. */
final class ControllerRun {
  private final SyncCommand command;

  ControllerRun(SyncCommand command) {
    this.command = command;
  }

  int run() {
    throw new CommandLine.ParameterException(command.spec.commandLine(),
        "controller mode (sync without -f) is not available in this build yet; give the manifests with -f");
  }
}
