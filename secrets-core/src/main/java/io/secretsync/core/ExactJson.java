package io.secretsync.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * JSON as secret stores hold it, with two guarantees Go's {@code encoding/json} with
 * {@code UseNumber} gives and Jackson's defaults do not: a number keeps its original text
 * ({@code 1.0}, {@code 1e5}, {@code 12345678901234567890}), and output is compact with object keys
 * sorted. Unlike Go's {@code json.Marshal} (and ESO, issue #2534), {@code <}, {@code >} and
 * {@code &} are written as they are, not as {@code \u003c} escapes. Thread-safe.
 */
public final class ExactJson {

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build())
      .build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ExactJson() {}

  /** Parses one JSON value; numbers become raw-text nodes (see {@link #numberText(JsonNode)}). */
  public static JsonNode parse(byte[] json) throws IOException {
    try (JsonParser parser = FACTORY.createParser(json)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new com.fasterxml.jackson.core.JsonParseException(parser, "no content");
      }
      JsonNode value = read(parser, first);
      if (parser.nextToken() != null) {
        throw new com.fasterxml.jackson.core.JsonParseException(parser, "trailing content after the JSON value");
      }
      return value;
    }
  }

  private static JsonNode read(JsonParser parser, JsonToken token) throws IOException {
    switch (token) {
      case START_OBJECT -> {
        ObjectNode object = NODES.objectNode();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
          String name = parser.currentName();
          object.set(name, read(parser, parser.nextToken()));
        }
        return object;
      }
      case START_ARRAY -> {
        ArrayNode array = NODES.arrayNode();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
          array.add(read(parser, t));
        }
        return array;
      }
      case VALUE_STRING -> {
        return NODES.textNode(parser.getText());
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        return NODES.rawValueNode(new RawValue(parser.getText()));
      }
      case VALUE_TRUE -> {
        return NODES.booleanNode(true);
      }
      case VALUE_FALSE -> {
        return NODES.booleanNode(false);
      }
      case VALUE_NULL -> {
        return NODES.nullNode();
      }
      default -> throw new com.fasterxml.jackson.core.JsonParseException(parser, "unexpected token " + token);
    }
  }

  /** The original text of a number node, whether parsed here or built by Jackson. */
  public static Optional<String> numberText(JsonNode node) {
    if (node instanceof POJONode pojo && pojo.getPojo() instanceof RawValue raw) {
      return Optional.of(String.valueOf(raw.rawValue()));
    }
    if (node.isNumber()) {
      return Optional.of(node.isBigDecimal() ? node.decimalValue().toString() : node.asText());
    }
    return Optional.empty();
  }

  /** Compact JSON with sorted object keys, no HTML escaping, numbers as their original text. */
  public static byte[] write(JsonNode node) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      write(generator, node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** {@link #write(JsonNode)} as a string. */
  public static String writeString(JsonNode node) {
    return new String(write(node), StandardCharsets.UTF_8);
  }

  private static void write(JsonGenerator out, JsonNode node) throws IOException {
    Optional<String> number = numberText(node);
    if (number.isPresent()) {
      out.writeNumber(number.get());
    } else if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      Collections.sort(names);
      out.writeStartObject();
      for (String name : names) {
        out.writeFieldName(name);
        write(out, node.get(name));
      }
      out.writeEndObject();
    } else if (node.isArray()) {
      out.writeStartArray();
      for (JsonNode item : node) {
        write(out, item);
      }
      out.writeEndArray();
    } else if (node.isTextual()) {
      out.writeString(node.textValue());
    } else if (node.isBoolean()) {
      out.writeBoolean(node.booleanValue());
    } else if (node.isNull() || node.isMissingNode()) {
      out.writeNull();
    } else if (node instanceof POJONode pojo) {
      out.writeString(String.valueOf(pojo.getPojo()));
    } else {
      out.writeString(node.asText());
    }
  }

  /** Converts a map of plain Java values (strings, numbers, booleans, lists, maps) to a tree. */
  static JsonNode fromJava(Object value) {
    if (value == null) {
      return NODES.nullNode();
    }
    if (value instanceof JsonNode node) {
      return node;
    }
    if (value instanceof String s) {
      return NODES.textNode(s);
    }
    if (value instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (value instanceof Number n) {
      return NODES.rawValueNode(new RawValue(n.toString()));
    }
    if (value instanceof Map<?, ?> map) {
      ObjectNode object = NODES.objectNode();
      map.forEach((k, v) -> object.set(String.valueOf(k), fromJava(v)));
      return object;
    }
    if (value instanceof Iterable<?> list) {
      ArrayNode array = NODES.arrayNode();
      list.forEach(item -> array.add(fromJava(item)));
      return array;
    }
    throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
  }
}
