package io.secretsync.core;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The data fetched or rendered for a target cannot be written as it is: a value does not decode,
 * holds a NUL byte under nullBytePolicy Fail, two names convert to one key, a key is not a valid
 * Secret key, or the Secret would exceed the API server's 1 MiB limit. Names where the data came
 * from ({@code spec.data[0].remoteRef}, {@code spec.dataFrom[1]}, {@code target}) and the key,
 * never a value. Nothing is written when it is thrown.
 */
public class InvalidSecretDataException extends SecretSyncException {
  private static final long serialVersionUID = 1L;

  private final String field;

  public InvalidSecretDataException(String field, String problem, List<String> hints) {
    super(requireNonNull(field) + ": " + requireNonNull(problem), hints, null);
    this.field = field;
  }

  /** Where the data came from, e.g. {@code spec.data[0].remoteRef} or {@code target}. */
  public String field() {
    return field;
  }
}
