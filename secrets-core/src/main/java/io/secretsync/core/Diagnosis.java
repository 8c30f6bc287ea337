package io.secretsync.core;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of one check of a store or an ExternalSecret (reach, TLS, login, token, a reference):
 * whether it passed, what was found, which of the walkthrough's {@link CommonIssue}s a failure is
 * (one when decided, several candidates when the evidence cannot tell), and what to do. Never holds a
 * secret value, a token or a JWT. Immutable.
 *
 * @param subject what was checked, e.g. {@code ClusterSecretStore vault-example-api}
 * @param check the step, e.g. {@code login} or {@code .env <- example-api/env-file#dotenv}
 */
public record Diagnosis(String subject, String check, Status status, String message,
    ImmutableList<CommonIssue> issues, ImmutableList<String> fixes) {

  /** Whether a check passed, failed, or could not run because an earlier one failed. */
  public enum Status { OK, FAILED, SKIPPED }

  public Diagnosis {
    requireNonNull(subject, "subject");
    requireNonNull(check, "check");
    requireNonNull(status, "status");
    requireNonNull(message, "message");
    issues = ImmutableList.copyOf(issues);
    fixes = ImmutableList.copyOf(fixes);
  }

  public static Diagnosis ok(String subject, String check, String message) {
    return new Diagnosis(subject, check, Status.OK, message, ImmutableList.of(), ImmutableList.of());
  }

  public static Diagnosis skipped(String subject, String check, String why) {
    return new Diagnosis(subject, check, Status.SKIPPED, why, ImmutableList.of(), ImmutableList.of());
  }

  /** A failed check explained by {@code failure}: its message, its common issues, its hints as fixes. */
  public static Diagnosis failed(String subject, String check, SecretSyncException failure) {
    return new Diagnosis(subject, check, Status.FAILED, String.valueOf(failure.getMessage()),
        CommonIssue.of(failure), failure.hints());
  }

  public static Diagnosis failed(String subject, String check, String message, List<CommonIssue> issues,
      List<String> fixes) {
    return new Diagnosis(subject, check, Status.FAILED, message, ImmutableList.copyOf(issues),
        ImmutableList.copyOf(fixes));
  }

  public boolean failed() {
    return status == Status.FAILED;
  }

  /** The one issue the evidence decided, if it decided one. */
  public Optional<CommonIssue> issue() {
    return issues.size() == 1 ? Optional.of(issues.get(0)) : Optional.empty();
  }
}
