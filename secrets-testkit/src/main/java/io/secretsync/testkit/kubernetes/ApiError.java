package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An API error answered as a {@code metav1.Status} with the reason, code, message and details that
 * apimachinery's {@code errors} package builds. Thrown inside request handling and turned into the
 * response in one place.
 */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int code;
  private final transient ObjectNode status;

  private ApiError(int code, ObjectNode status) {
    super(status.path("message").asText(""), null, false, false);
    this.code = code;
    this.status = status;
  }

  int code() {
    return code;
  }

  /** A copy of the Status object. */
  ObjectNode status() {
    return status.deepCopy();
  }

  String reason() {
    return status.path("reason").asText("");
  }

  static ObjectNode statusObject(String status, String message, String reason, ObjectNode details,
      int code) {
    ObjectNode s = KubeJson.object();
    s.put("kind", "Status");
    s.put("apiVersion", "v1");
    s.putObject("metadata");
    s.put("status", status);
    if (message != null && !message.isEmpty()) {
      s.put("message", message);
    }
    if (reason != null && !reason.isEmpty()) {
      s.put("reason", reason);
    }
    if (details != null && !details.isEmpty()) {
      s.set("details", details);
    }
    if (code != 0) {
      s.put("code", code);
    }
    return s;
  }

  static ApiError of(int code, String reason, String message, ObjectNode details) {
    return new ApiError(code, statusObject("Failure", message, reason, details, code));
  }

  private static ObjectNode details(String name, String group, String kind) {
    ObjectNode d = KubeJson.object();
    if (name != null && !name.isEmpty()) {
      d.put("name", name);
    }
    if (group != null && !group.isEmpty()) {
      d.put("group", group);
    }
    if (kind != null && !kind.isEmpty()) {
      d.put("kind", kind);
    }
    return d;
  }

  /** {@code <resource>[.<group>] "<name>" not found}, 404 NotFound. */
  static ApiError notFound(String group, String resource, String name) {
    return of(404, "NotFound", qualified(resource, group) + " " + KubeJson.quote(name)
        + " not found", details(name, group, resource));
  }

  static ApiError alreadyExists(String group, String resource, String name) {
    return of(409, "AlreadyExists", qualified(resource, group) + " " + KubeJson.quote(name)
        + " already exists", details(name, group, resource));
  }

  static ApiError conflict(String group, String resource, String name, String why) {
    return of(409, "Conflict", "Operation cannot be fulfilled on " + qualified(resource, group)
        + " " + KubeJson.quote(name) + ": " + why, details(name, group, resource));
  }

  /** The optimistic-lock conflict: the object has been modified. */
  static ApiError modified(String group, String resource, String name) {
    return conflict(group, resource, name, "the object has been modified; please apply your "
        + "changes to the latest version and try again");
  }

  /** {@code <Kind>[.<group>] "<name>" is invalid: <errors>}, 422 Invalid with causes. */
  static ApiError invalid(String group, String kind, String name, List<FieldError> errors) {
    ObjectNode d = details(name, group, kind);
    ArrayNode causes = d.putArray("causes");
    Set<String> messages = new LinkedHashSet<>();
    for (FieldError e : errors) {
      ObjectNode c = causes.addObject();
      c.put("reason", e.type().reason);
      c.put("message", e.body());
      c.put("field", e.field());
      messages.add(e.message());
    }
    String aggregate = messages.size() == 1 ? messages.iterator().next()
        : "[" + String.join(", ", messages) + "]";
    return of(422, "Invalid", qualified(kind, group) + " " + KubeJson.quote(name) + " is invalid: "
        + aggregate, d);
  }

  static ApiError badRequest(String message) {
    return of(400, "BadRequest", message, null);
  }

  static ApiError unauthorized() {
    return of(401, "Unauthorized", "Unauthorized", null);
  }

  static ApiError forbidden(String message) {
    return of(403, "Forbidden", message, null);
  }

  static ApiError methodNotAllowed(String message) {
    return of(405, "MethodNotAllowed", message, null);
  }

  static ApiError expired(String message) {
    return of(410, "Expired", message, null);
  }

  static ApiError tooLarge(String message) {
    return of(413, "RequestEntityTooLarge", message, null);
  }

  static ApiError unsupportedMediaType(String message) {
    return of(415, "UnsupportedMediaType", message, null);
  }

  static ApiError notAcceptable(String message) {
    return of(406, "NotAcceptable", message, null);
  }

  static ApiError internal(String message) {
    return of(500, "InternalError", "Internal error occurred: " + message, null);
  }

  /** 404 for a path that names no resource: the API server's bare "the server could not find". */
  static ApiError noRoute() {
    return of(404, "NotFound", "the server could not find the requested resource", null);
  }

  private static String qualified(String name, String group) {
    return group == null || group.isEmpty() ? name : name + "." + group;
  }
}
