package io.secretsync.testkit.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.testkit.server.ServerRequest;
import java.time.Instant;
import java.util.Optional;

/**
 * One logical request as a backend sees it: the operation, the path inside the backend's mount, the
 * request path relative to the namespace, the request data (JSON body, plus query parameters), the
 * caller's token (null on unauthenticated paths), and the time it is handled.
 */
record Call(Op op, String path, String requestPath, VaultNamespace namespace, ObjectNode data,
    ServerRequest http, Token token, Instant now) {

  /** A data field: from the body, else from the query string. */
  Optional<JsonNode> field(String name) {
    JsonNode v = data.get(name);
    if (v != null && !v.isNull()) {
      return Optional.of(v);
    }
    return http.queryParameter(name).map(VaultJson.MAPPER.getNodeFactory()::textNode);
  }

  /** A text field, empty when absent. */
  String text(String name) {
    return field(name).map(JsonNode::asText).orElse("");
  }

  /** Whether the field was given at all. */
  boolean has(String name) {
    return data.has(name) || http.queryParameter(name).isPresent();
  }

  Call withPath(String newPath) {
    return new Call(op, newPath, requestPath, namespace, data, http, token, now);
  }

  Call withOp(Op newOp) {
    return new Call(newOp, path, requestPath, namespace, data, http, token, now);
  }
}
