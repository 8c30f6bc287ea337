package io.secretsync.core;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A setting is missing, unknown, malformed or contradicts another; names the field's path. */
public class InvalidConfigException extends SecretSyncException {
  private static final long serialVersionUID = 1L;

  private final String field;

  public InvalidConfigException(String field, String problem) {
    this(field, problem, List.of());
  }

  public InvalidConfigException(String field, String problem, List<String> hints) {
    super(requireNonNull(field) + ": " + requireNonNull(problem), hints, null);
    this.field = field;
  }

  /** The dotted path of the offending field, e.g. {@code spec.provider.vault.server}. */
  public String field() {
    return field;
  }
}
