package io.secretsync.testkit.vault;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.secretsync.testkit.server.ServerResponse;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Vault's answers: the nine-key envelope, {@code {"errors":[...]}} error bodies with the status rules
 * of {@code RespondErrorCommon}, 204 without body, and raw bodies. Every answer carries
 * {@code Content-Type: application/json} and {@code Cache-Control: no-store}.
 */
final class Reply {
  static final String PERMISSION_DENIED = "permission denied";
  static final String DENIED_BY_POLICY = Policy.multiError(List.of(PERMISSION_DENIED));
  static final String INVALID_TOKEN = Policy.multiError(List.of(PERMISSION_DENIED, "invalid token"));
  static final String UNSUPPORTED_OPERATION = Policy.multiError(List.of("unsupported operation"));

  private Reply() {}

  /** The envelope keys in Vault's order. */
  static Map<String, Object> envelope(Object data, Object auth, List<String> warnings,
      String mountType) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("request_id", UUID.randomUUID().toString());
    m.put("lease_id", "");
    m.put("renewable", false);
    m.put("lease_duration", 0);
    m.put("data", data);
    m.put("wrap_info", null);
    m.put("warnings", warnings == null || warnings.isEmpty() ? null : warnings);
    m.put("auth", auth);
    m.put("mount_type", mountType);
    return m;
  }

  /** 200 with {@code data} in the envelope. */
  static ServerResponse ok(Object data, String mountType) {
    return json(200, envelope(data, null, null, mountType));
  }

  /** 200 with data and warnings. */
  static ServerResponse ok(Object data, List<String> warnings, String mountType) {
    return json(200, envelope(data, null, warnings, mountType));
  }

  /** 200 with only warnings (an endpoint that would be 204 otherwise). */
  static ServerResponse warnings(List<String> warnings, String mountType) {
    return json(200, envelope(null, null, warnings, mountType));
  }

  /** 200 with an {@code auth} block. */
  static ServerResponse auth(Map<String, Object> auth, List<String> warnings, String mountType) {
    return json(200, envelope(null, auth, warnings, mountType));
  }

  /** 204, no body. */
  static ServerResponse noContent() {
    return headers(ServerResponse.status(204));
  }

  /** {@code {"errors":[messages...]}} with {@code status}. */
  static ServerResponse error(int status, String... messages) {
    return json(status, Map.of("errors", Arrays.asList(messages)));
  }

  /** 404 {@code {"errors":[]}}. */
  static ServerResponse notFound() {
    return error(404);
  }

  /** 400 with a backend's error message. */
  static ServerResponse badRequest(String message) {
    return error(400, message);
  }

  /** 403 for a valid token whose policies do not allow the request. */
  static ServerResponse deniedByPolicy() {
    return error(403, DENIED_BY_POLICY);
  }

  /** 403 for a request without a token. */
  static ServerResponse missingToken() {
    return error(403, PERMISSION_DENIED);
  }

  /** 403 for an unknown, expired or revoked token. */
  static ServerResponse invalidToken() {
    return error(403, INVALID_TOKEN);
  }

  /** 405 for an operation the path does not support. */
  static ServerResponse unsupportedOperation() {
    return error(405, UNSUPPORTED_OPERATION);
  }

  /** A raw answer: the body verbatim (JSON), or an empty body when {@code body} is null. */
  static ServerResponse raw(int status, Object body) {
    if (body == null) {
      return headers(ServerResponse.bytes(status, "application/json", new byte[0]));
    }
    return json(status, body);
  }

  static ServerResponse json(int status, Object body) {
    try {
      byte[] bytes = VaultJson.MAPPER.writeValueAsBytes(body);
      return headers(ServerResponse.bytes(status, "application/json", bytes));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render Vault response", e);
    }
  }

  static ServerResponse headers(ServerResponse r) {
    ServerResponse out = r.withHeader("Cache-Control", "no-store");
    if (r.header("Content-Type").isEmpty()) {
      out = out.withHeader("Content-Type", "application/json");
    }
    return out;
  }
}
