package io.secretsync.kubernetes;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import io.secretsync.core.SecretSyncException;
import java.util.List;

/**
 * A Kubernetes API request failed: the API server answered with an error {@code Status}
 * ({@link #code()} is its HTTP status, {@link #reason()} its reason such as {@code NotFound},
 * {@code Conflict}, {@code AlreadyExists}, {@code Invalid}, {@code Expired}, {@link #causes()} its
 * field causes), or it could not be reached at all ({@link #code()} is 0). The message names the
 * request ({@code PUT /api/v1/namespaces/apps/secrets/db}) and the server's message; it never holds a
 * token or a Secret value.
 */
public class KubernetesApiException extends SecretSyncException {
  private static final long serialVersionUID = 1L;

  private final int code;
  private final String reason;
  private final String request;
  private final ImmutableList<Cause> causes;

  /** One {@code details.causes[]} entry of a {@code Status}: reason, message and field path. */
  public record Cause(String reason, String message, String field) {
    public Cause {
      requireNonNull(reason, "reason");
      requireNonNull(message, "message");
      requireNonNull(field, "field");
    }
  }

  KubernetesApiException(String request, int code, String reason, String message, List<Cause> causes,
      List<String> hints, Throwable cause) {
    super(request + ": " + message + (code > 0 ? " (" + code + (reason.isEmpty() ? "" : " " + reason) + ")" : ""),
        hints, cause);
    this.request = requireNonNull(request, "request");
    this.code = code;
    this.reason = requireNonNull(reason, "reason");
    this.causes = ImmutableList.copyOf(causes);
  }

  /**
   * The answer's body was JSON but not the object {@code what} names (an array where an object
   * belongs, {@code data} that is not base64): a proxy or a server that is not a Kubernetes API
   * server. {@code problem} names the field, never its value.
   */
  static KubernetesApiException malformedAnswer(String what, String problem) {
    return new KubernetesApiException(what, 0, "", "the answer is malformed: " + problem, List.of(),
        List.of("check that the server is a Kubernetes API server and that no proxy rewrites its answers"), null);
  }

  /** The HTTP status of the answer, 0 when the server gave none (unreachable, TLS failure, timeout). */
  public int code() {
    return code;
  }

  /** The {@code Status.reason}, e.g. {@code NotFound} or {@code Conflict}; empty when the answer had none. */
  public String reason() {
    return reason;
  }

  /** The request, as {@code METHOD /path} without the query. */
  public String request() {
    return request;
  }

  /** The field causes of a {@code Status} (422 Invalid, apply conflicts); may be empty. */
  public ImmutableList<Cause> causes() {
    return causes;
  }

  /** 404: the object (or its namespace) does not exist. */
  public boolean isNotFound() {
    return code == 404;
  }

  /** 409 with reason {@code Conflict}: the object changed since it was read (stale resourceVersion). */
  public boolean isConflict() {
    return code == 409 && !reason.equals("AlreadyExists");
  }

  /** 409 with reason {@code AlreadyExists}: a create found the name taken. */
  public boolean isAlreadyExists() {
    return code == 409 && reason.equals("AlreadyExists");
  }

  /** 410 {@code Expired}/{@code Gone}: a watch or list asked for a resourceVersion that is too old. */
  public boolean isGone() {
    return code == 410;
  }

  /** 422 {@code Invalid}: the API server's validation refused the object; see {@link #causes()}. */
  public boolean isInvalid() {
    return code == 422;
  }

  /** No answer from the server: connection refused, TLS handshake failure, timeout. */
  public boolean isTransportFailure() {
    return code == 0;
  }
}
