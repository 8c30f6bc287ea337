package io.secretsync.core.controller;

/**
 * Where ExternalSecrets and stores come from: files, code, or (in secrets-kubernetes) watches of
 * the custom resources and of the managed Secrets. {@link SyncController} starts its sources when
 * it starts and closes them when it closes.
 */
public interface ResourceSource extends AutoCloseable {

  /**
   * Starts reporting: first every current object, then each change, to {@code changes}, from any
   * thread. Returns promptly; a source that blocks runs on its own thread.
   */
  void start(ResourceChanges changes);

  /** Stops reporting. Idempotent. */
  @Override
  void close();
}
