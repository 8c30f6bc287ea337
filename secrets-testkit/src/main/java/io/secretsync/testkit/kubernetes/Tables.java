package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Server-side printing: turns objects into a {@code meta.k8s.io} {@code Table} with the columns the
 * API server's printers (built-in kinds) or a CRD's {@code additionalPrinterColumns} define, so that
 * {@code kubectl get} prints what it prints against a real cluster.
 */
final class Tables {
  static final ResourceType.Column NAME = new ResourceType.Column("Name", "string", "name",
      "Name must be unique within a namespace.", 0, "");
  static final ResourceType.Column AGE = ResourceType.Column.of("Age", "string",
      "CreationTimestamp is a timestamp representing the server time when this object was "
          + "created.");
  static final ResourceType.Column CREATED_AT = new ResourceType.Column("Created At", "date", "",
      "CreationTimestamp is a timestamp representing the server time when this object was "
          + "created.", 0, "");

  private Tables() {}

  /** Whether an Accept header asks for a Table, and which meta.k8s.io version. */
  static String requestedTableVersion(String accept) {
    if (accept == null) {
      return null;
    }
    for (String part : accept.split(",")) {
      String p = part.replace(" ", "");
      if (p.contains("as=Table") && p.contains("g=meta.k8s.io")
          && p.startsWith("application/json")) {
        return p.contains("v=v1beta1") ? "v1beta1" : "v1";
      }
    }
    return null;
  }

  /**
   * A Table of {@code objects} (each with kind and apiVersion) as {@code version} of
   * {@code meta.k8s.io}. {@code includeObject} is None, Metadata (default) or Object.
   */
  static ObjectNode table(ResourceType type, String resourceVersion, List<ObjectNode> objects,
      String tableVersion, String includeObject, String apiVersion, Instant now) {
    String version = apiVersion.contains("/") ? apiVersion.substring(apiVersion.indexOf('/') + 1)
        : apiVersion;
    List<ResourceType.Column> columns = type.columnsFor(version);
    ObjectNode table = KubeJson.object();
    table.put("kind", "Table");
    table.put("apiVersion", "meta.k8s.io/" + tableVersion);
    ObjectNode meta = table.putObject("metadata");
    if (resourceVersion != null) {
      meta.put("resourceVersion", resourceVersion);
    }
    ArrayNode defs = table.putArray("columnDefinitions");
    for (ResourceType.Column c : columns) {
      ObjectNode d = defs.addObject();
      d.put("name", c.name());
      d.put("type", c.type());
      d.put("format", c.format());
      d.put("description", c.description());
      d.put("priority", c.priority());
    }
    ArrayNode rows = table.putArray("rows");
    for (ObjectNode obj : objects) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      for (Object cell : cells(type, columns, obj, now)) {
        cells.add(KubeJson.MAPPER.valueToTree(cell));
      }
      if (!"None".equals(includeObject)) {
        if ("Object".equals(includeObject)) {
          row.set("object", obj);
        } else {
          ObjectNode partial = row.putObject("object");
          partial.put("kind", "PartialObjectMetadata");
          partial.put("apiVersion", "meta.k8s.io/" + tableVersion);
          ObjectNode m = ((ObjectNode) obj.path("metadata")).deepCopy();
          partial.set("metadata", m);
        }
      }
    }
    return table;
  }

  private static List<Object> cells(ResourceType type, List<ResourceType.Column> columns,
      ObjectNode obj, Instant now) {
    if (!type.custom()) {
      return type.rows().cells(obj, now);
    }
    List<Object> cells = new ArrayList<>();
    for (ResourceType.Column c : columns) {
      if (c == NAME) {
        cells.add(KubeJson.text(obj, "metadata", "name"));
        continue;
      }
      List<JsonNode> results;
      try {
        results = SimpleJsonPath.parse(c.jsonPath()).evaluate(obj);
      } catch (IllegalArgumentException e) {
        results = List.of();
      }
      if (results.isEmpty() || results.get(0).isNull()) {
        cells.add(null);
        continue;
      }
      JsonNode v = results.get(0);
      cells.add(switch (c.type()) {
        case "date" -> v.isTextual() ? age(v.asText(), now) : null;
        case "integer" -> v.isNumber() ? v.asLong() : null;
        case "number" -> v.isNumber() ? v.asDouble() : null;
        case "boolean" -> v.isBoolean() ? v.asBoolean() : null;
        default -> v.isValueNode() ? v.asText() : KubeJson.write(v);
      });
    }
    return cells;
  }

  /** The age of an RFC 3339 timestamp as {@link #humanDuration}; {@code <unknown>} when absent. */
  static String age(String timestamp, Instant now) {
    if (timestamp == null || timestamp.isEmpty()) {
      return "<unknown>";
    }
    try {
      return humanDuration(Duration.between(KubeJson.parseTime(timestamp), now));
    } catch (DateTimeParseException e) {
      return "<invalid>";
    }
  }

  /** apimachinery's {@code duration.HumanDuration}: two or three significant figures. */
  static String humanDuration(Duration d) {
    long seconds = d.getSeconds();
    if (seconds < -1) {
      return "<invalid>";
    } else if (seconds < 0) {
      return "0s";
    } else if (seconds < 120) {
      return seconds + "s";
    }
    long minutes = seconds / 60;
    if (minutes < 10) {
      long s = seconds % 60;
      return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
    } else if (minutes < 180) {
      return minutes + "m";
    }
    long hours = seconds / 3600;
    if (hours < 8) {
      long m = minutes % 60;
      return m == 0 ? hours + "h" : hours + "h" + m + "m";
    } else if (hours < 48) {
      return hours + "h";
    } else if (hours < 24 * 8) {
      long h = hours % 24;
      return h == 0 ? (hours / 24) + "d" : (hours / 24) + "d" + h + "h";
    } else if (hours < 24 * 365 * 2) {
      return (hours / 24) + "d";
    } else if (hours < 24 * 365 * 8) {
      long dy = (hours / 24) % 365;
      return dy == 0 ? (hours / 24 / 365) + "y" : (hours / 24 / 365) + "y" + dy + "d";
    }
    return (hours / 24 / 365) + "y";
  }
}
