package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Server-side printing ({@code meta.k8s.io/v1 Table}) as kubectl asks for it: the columns the API
 * server prints for the built-in kinds used here, and a CRD's additionalPrinterColumns.
 */
final class Tables {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern CONDITION = Pattern.compile("^\\.status\\.conditions\\[\\?\\(@\\.type==\"(\\w+)\"\\)]\\.(\\w+)$");

  private Tables() {}

  static ObjectNode table(ResourceType type, List<ObjectNode> items, long revision, Clock clock) {
    List<String[]> columns = new ArrayList<>();
    columns.add(new String[] {"Name", "string", ".metadata.name"});
    switch (type.kind()) {
      case "Secret" -> {
        columns.add(new String[] {"Type", "string", ".type"});
        columns.add(new String[] {"Data", "integer", "#data"});
      }
      case "ConfigMap" -> columns.add(new String[] {"Data", "integer", "#data"});
      case "Namespace" -> columns.add(new String[] {"Status", "string", ".status.phase"});
      case "CustomResourceDefinition" -> columns.add(new String[] {"Created At", "date", ".metadata.creationTimestamp"});
      default -> { }
    }
    if (type.custom()) {
      columns.addAll(type.printerColumns());
    }
    boolean hasAge = columns.stream().anyMatch(c -> c[0].equals("Age") || c[0].equals("Created At"));
    if (!hasAge) {
      columns.add(new String[] {"Age", "date", ".metadata.creationTimestamp"});
    }
    ObjectNode table = NODES.objectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
    table.putObject("metadata").put("resourceVersion", Long.toString(revision));
    ArrayNode definitions = table.putArray("columnDefinitions");
    for (String[] c : columns) {
      ObjectNode d = definitions.addObject().put("name", c[0]).put("type", c[1].equals("date") ? "string" : c[1])
          .put("format", c[0].equals("Name") ? "name" : "").put("description", "").put("priority", 0);
      if (c[1].equals("date")) {
        d.put("format", "date");
      }
    }
    ArrayNode rows = table.putArray("rows");
    for (ObjectNode item : items) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      for (String[] c : columns) {
        cells.add(cell(item, c, clock));
      }
      ObjectNode partial = row.putObject("object").put("kind", "PartialObjectMetadata")
          .put("apiVersion", "meta.k8s.io/v1");
      partial.set("metadata", item.path("metadata"));
    }
    return table;
  }

  private static JsonNode cell(ObjectNode item, String[] column, Clock clock) {
    String path = column[2];
    if (path.equals("#data")) {
      return NODES.numberNode(item.path("data").size() + item.path("binaryData").size());
    }
    JsonNode value = select(item, path);
    if (column[1].equals("date") && value.isTextual()) {
      try {
        return NODES.textNode(age(Duration.between(Instant.parse(value.asText()), clock.instant())));
      } catch (RuntimeException e) {
        return value;
      }
    }
    return value.isMissingNode() ? NODES.textNode("") : value;
  }

  private static JsonNode select(JsonNode item, String path) {
    Matcher condition = CONDITION.matcher(path);
    if (condition.matches()) {
      for (JsonNode c : item.path("status").path("conditions")) {
        if (c.path("type").asText().equals(condition.group(1))) {
          return c.path(condition.group(2));
        }
      }
      return NODES.missingNode();
    }
    JsonNode node = item;
    for (String part : path.substring(1).split("\\.")) {
      node = node.path(part);
    }
    return node;
  }

  static String age(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 120) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m";
    }
    if (s < 48 * 3600) {
      return (s / 3600) + "h";
    }
    return (s / 86400) + "d";
  }
}
