package io.secretsync.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.core.controller.Condition;
import io.secretsync.core.controller.ExternalSecretStatus;
import io.secretsync.core.controller.StoreStatus;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * ESO's {@code status} of ExternalSecrets and stores as JSON, both ways. Times are RFC 3339 in whole
 * seconds ({@code metav1.Time}). An ExternalSecret's status is written as ESO writes it:
 * {@code binding} (an empty object before the first success), {@code conditions} (the Ready
 * condition), {@code refreshTime} ({@code null} before the first success) and
 * {@code syncedResourceVersion} (absent before the first success). A store's status has its
 * {@code conditions} and, for Vault, {@code capabilities: ReadWrite}.
 */
final class StatusJson {
  private StatusJson() {}

  /** The {@code status} object of an ExternalSecret; a merge patch body is {@code {"status": <this>}}. */
  static ObjectNode externalSecret(ExternalSecretStatus status) {
    ObjectNode out = ApiTransport.object();
    ObjectNode binding = out.putObject("binding");
    if (!status.bindingName().isEmpty()) {
      binding.put("name", status.bindingName());
    }
    ArrayNode conditions = out.putArray("conditions");
    status.ready().ifPresent(c -> conditions.add(condition(c)));
    if (status.refreshTime().isPresent()) {
      out.put("refreshTime", time(status.refreshTime().get()));
    } else {
      out.putNull("refreshTime");
    }
    if (status.syncedResourceVersion().isEmpty()) {
      out.putNull("syncedResourceVersion"); // removes the field in a merge patch
    } else {
      out.put("syncedResourceVersion", status.syncedResourceVersion());
    }
    return out;
  }

  /** The {@code status} object of a store; {@code capabilities} is written when known. */
  static ObjectNode store(StoreStatus status, Optional<String> capabilities) {
    ObjectNode out = ApiTransport.object();
    out.putArray("conditions").add(condition(status.ready()));
    capabilities.ifPresent(c -> out.put("capabilities", c));
    return out;
  }

  static ObjectNode condition(Condition condition) {
    ObjectNode out = ApiTransport.object();
    out.put("type", condition.type());
    out.put("status", condition.status().wireName());
    out.put("reason", condition.reason());
    out.put("message", condition.message());
    out.put("lastTransitionTime", time(condition.lastTransitionTime()));
    return out;
  }

  /**
   * The status an ExternalSecret object carries, as the controller's {@code lastKnown}; empty when it
   * carries none. Fields it cannot read are left out (a restart then syncs the object again).
   */
  static Optional<ExternalSecretStatus> readExternalSecret(JsonNode object) {
    JsonNode status = object.path("status");
    if (!status.isObject() || status.isEmpty()) {
      return Optional.empty();
    }
    Optional<Condition> ready = Optional.empty();
    for (JsonNode c : status.path("conditions")) {
      if (Condition.READY.equals(c.path("type").asText())) {
        ready = readCondition(c);
      }
    }
    Optional<Instant> refreshTime = parseTime(status.path("refreshTime").asText(""));
    return Optional.of(new ExternalSecretStatus(ready, refreshTime, status.path("syncedResourceVersion").asText(""),
        status.path("binding").path("name").asText("")));
  }

  /** The Ready condition a store object carries; empty when it carries none that can be read. */
  static Optional<Condition> readStoreReady(JsonNode object) {
    for (JsonNode c : object.path("status").path("conditions")) {
      if (Condition.READY.equals(c.path("type").asText())) {
        return readCondition(c);
      }
    }
    return Optional.empty();
  }

  private static Optional<Condition> readCondition(JsonNode c) {
    Condition.Status status = switch (c.path("status").asText("")) {
      case "True" -> Condition.Status.TRUE;
      case "False" -> Condition.Status.FALSE;
      case "Unknown" -> Condition.Status.UNKNOWN;
      default -> null;
    };
    Optional<Instant> since = parseTime(c.path("lastTransitionTime").asText(""));
    if (status == null || since.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Condition(Condition.READY, status, c.path("reason").asText(""), c.path("message").asText(""),
        since.get()));
  }

  static String time(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  static Optional<Instant> parseTime(String text) {
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
