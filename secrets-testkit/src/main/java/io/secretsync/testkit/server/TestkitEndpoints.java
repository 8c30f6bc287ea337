package io.secretsync.testkit.server;

import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The control endpoints every fake serves under {@code /_testkit/}, for callers that drive a fake over
 * HTTP (the CLI, other processes):
 * <ul>
 *   <li>{@code GET /_testkit/requests}: the {@link AuditLog} as JSON ({@link AuditLog#toJson()});
 *   <li>{@code DELETE /_testkit/requests}: clears it (204);
 *   <li>{@code GET /_testkit/faults}: {@code {"faults":[...]}};
 *   <li>{@code PUT /_testkit/faults}: replaces the active faults with the one in the body (204);
 *       {@code POST} adds it after the active ones (204); a bad body is 400 naming the field;
 *   <li>{@code DELETE /_testkit/faults}: clears all faults (204).
 * </ul>
 * Every call must pass {@code authorized} (e.g. the fake's root token), otherwise 403. These requests
 * are neither audited nor subject to faults. Thread-safe.
 */
public final class TestkitEndpoints {
  /** The path prefix of the control endpoints. */
  public static final String PREFIX = "/_testkit/";

  private final AuditLog auditLog;
  private final FaultInjector faults;
  private final Predicate<ServerRequest> authorized;
  private final ErrorRenderer errors;

  public TestkitEndpoints(AuditLog auditLog, FaultInjector faults,
      Predicate<ServerRequest> authorized, ErrorRenderer errors) {
    this.auditLog = Objects.requireNonNull(auditLog, "auditLog");
    this.faults = Objects.requireNonNull(faults, "faults");
    this.authorized = Objects.requireNonNull(authorized, "authorized");
    this.errors = Objects.requireNonNull(errors, "errors");
  }

  /** Whether {@code request} is for a control endpoint. */
  public static boolean isControlPath(ServerRequest request) {
    return request.path().startsWith(PREFIX) || request.path().equals("/_testkit");
  }

  /** Answers a control request. */
  public ServerResponse handle(ServerRequest request) {
    if (!authorized.test(request)) {
      return errors.render(403, "permission denied");
    }
    String path = request.path();
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    switch (path) {
      case "/_testkit/requests":
        switch (request.method()) {
          case "GET":
            return ServerResponse.json(200, auditLog.toJson());
          case "DELETE":
            auditLog.clear();
            return ServerResponse.status(204);
          default:
            return errors.render(405, "");
        }
      case "/_testkit/faults":
        switch (request.method()) {
          case "GET":
            return ServerResponse.json(200,
                Map.of("faults", faults.active().stream().map(FaultInjector.Fault::toJson).toList()));
          case "PUT":
          case "POST":
            FaultInjector.Fault fault;
            try {
              fault = FaultInjector.Fault.fromJson(request.bodyJson());
            } catch (ServerRequest.MalformedJsonException | IllegalArgumentException e) {
              return errors.render(400, e.getMessage());
            }
            synchronized (faults) {
              if (request.method().equals("PUT")) {
                faults.clear();
              }
              faults.add(fault);
            }
            return ServerResponse.status(204);
          case "DELETE":
            faults.clear();
            return ServerResponse.status(204);
          default:
            return errors.render(405, "");
        }
      default:
        return errors.render(404, "");
    }
  }
}
