package io.secretsync.testkit.server;

import java.io.IOException;

/**
 * Answers one request. Called concurrently from many threads; implementations must be thread-safe.
 * An exception becomes a 500 answer rendered by the server's {@link ErrorRenderer}.
 */
@FunctionalInterface
public interface Handler {
  /** Returns the response to send; never null. */
  ServerResponse handle(ServerRequest request) throws IOException;
}
