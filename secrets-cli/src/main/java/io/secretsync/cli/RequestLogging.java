package io.secretsync.cli;

/**
 * {@code --verbose}: turns on the request logs of the Vault and Kubernetes clients (loggers
 * {@value #VAULT} and {@value #KUBERNETES}), which name each request's method, path, status and time,
 * never a body, header or token. slf4j-simple reads a logger's level when the logger is created, so
 * this must run before the first request; the command line calls it before it connects.
 */
final class RequestLogging {
  static final String VAULT = "io.secretsync.vault.requests";
  static final String KUBERNETES = "io.secretsync.kubernetes.requests";

  private RequestLogging() {}

  static void enable() {
    System.setProperty("org.slf4j.simpleLogger.log." + VAULT, "debug");
    System.setProperty("org.slf4j.simpleLogger.log." + KUBERNETES, "debug");
  }
}
