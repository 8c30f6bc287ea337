package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.testkit.server.ServerResponse;
import java.util.List;

/**
 * The API server's error answers: a {@code meta.k8s.io/v1 Status} with code, reason, message and
 * details, in the wording of apimachinery's {@code errors} package.
 */
final class Status {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A failure to answer with; carries the Status object. */
  static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient ObjectNode status;

    Failure(ObjectNode status) {
      super(status.path("message").asText(), null, false, false);
      this.status = status;
    }

    int code() {
      return status.path("code").asInt();
    }

    ServerResponse response() {
      return ServerResponse.json(code(), status);
    }
  }

  private Status() {}

  static ObjectNode of(int code, String reason, String message, ResourceType type, String name) {
    ObjectNode status = JSON.createObjectNode();
    status.put("kind", "Status").put("apiVersion", "v1");
    status.set("metadata", JSON.createObjectNode());
    status.put("status", code < 400 ? "Success" : "Failure");
    status.put("message", message);
    if (reason != null) {
      status.put("reason", reason);
    }
    if (type != null || name != null) {
      ObjectNode details = status.putObject("details");
      if (name != null) {
        details.put("name", name);
      }
      if (type != null) {
        if (!type.group().isEmpty()) {
          details.put("group", type.group());
        }
        details.put("kind", type.plural());
      }
    }
    status.put("code", code);
    return status;
  }

  static Failure notFound(ResourceType type, String name) {
    return new Failure(of(404, "NotFound", qualified(type) + " \"" + name + "\" not found", type, name));
  }

  static Failure alreadyExists(ResourceType type, String name) {
    return new Failure(of(409, "AlreadyExists", qualified(type) + " \"" + name + "\" already exists", type, name));
  }

  static Failure conflict(ResourceType type, String name) {
    return new Failure(of(409, "Conflict", "Operation cannot be fulfilled on " + qualified(type) + " \"" + name
        + "\": the object has been modified; please apply your changes to the latest version and try again", type,
        name));
  }

  /** 422 Invalid with one cause per field: {@code Secret "x" is invalid: data[a b]: Invalid value: ...}. */
  static Failure invalid(ResourceType type, String name, List<String[]> causes) {
    StringBuilder message = new StringBuilder(type.kind() + " \"" + name + "\" is invalid: ");
    if (causes.size() > 1) {
      message.append('[');
    }
    for (int i = 0; i < causes.size(); i++) {
      if (i > 0) {
        message.append(", ");
      }
      message.append(causes.get(i)[1]).append(": ").append(causes.get(i)[2]);
    }
    if (causes.size() > 1) {
      message.append(']');
    }
    ObjectNode status = of(422, "Invalid", message.toString(), null, name);
    ObjectNode details = (ObjectNode) status.get("details");
    if (!type.group().isEmpty()) {
      details.put("group", type.group());
    }
    details.put("kind", type.kind());
    ArrayNode list = details.putArray("causes");
    for (String[] cause : causes) {
      list.addObject().put("reason", cause[0]).put("message", cause[2]).put("field", cause[1]);
    }
    return new Failure(status);
  }

  static Failure badRequest(String message) {
    return new Failure(of(400, "BadRequest", message, null, null));
  }

  static Failure methodNotAllowed(String message) {
    return new Failure(of(405, "MethodNotAllowed", message, null, null));
  }

  static Failure unauthorized() {
    return new Failure(of(401, "Unauthorized", "Unauthorized", null, null));
  }

  static Failure unsupportedMediaType(String type) {
    return new Failure(of(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
        + "accepted media types include: application/json-patch+json, application/merge-patch+json, "
        + "application/apply-patch+yaml, application/strategic-merge-patch+json", null, null));
  }

  static Failure gone(String message) {
    return new Failure(of(410, "Expired", message, null, null));
  }

  static String qualified(ResourceType type) {
    return type.group().isEmpty() ? type.plural() : type.plural() + "." + type.group();
  }
}
