package io.secretsync.core.manifest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a YAML (or JSON) text into its documents, each as a JSON tree. Duplicate keys are errors
 * (as for kubectl), and so are aliases ({@code *name}), which would otherwise be read as the
 * anchor's name instead of its value. Stateless and thread-safe: one shared mapper.
 */
final class YamlDocuments {

  private static final YAMLMapper YAML = YAMLMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private YamlDocuments() {}

  /** The text is not valid YAML; {@code document}, {@code line} and {@code column} are 1-based. */
  static final class SyntaxError extends Exception {
    private static final long serialVersionUID = 1L;

    final int document;
    final int line;
    final int column;
    final String problem;
    final String fix;

    SyntaxError(int document, int line, int column, String problem) {
      this(document, line, column, problem, "fix the syntax at that position");
    }

    SyntaxError(int document, int line, int column, String problem, String fix) {
      super(problem, null, false, false);
      this.document = document;
      this.line = line;
      this.column = column;
      this.problem = problem;
      this.fix = fix;
    }
  }

  /**
   * The documents of {@code text} in order; an empty document ({@code ---} followed by nothing)
   * is a {@code null} entry, so indexes match the numbers users count.
   */
  static List<JsonNode> parse(String text) throws SyntaxError {
    String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
    List<JsonNode> documents = new ArrayList<>();
    try (JsonParser parser = YAML.createParser(body)) {
      JsonToken token;
      while ((token = nextToken(parser, documents.size() + 1)) != null) {
        JsonNode root = value(parser, token, documents.size() + 1);
        boolean empty = root.isNull() || (root.isTextual() && root.textValue().isEmpty());
        documents.add(empty ? null : root);
      }
    } catch (IOException e) {
      throw syntaxError(e, documents.size() + 1);
    }
    return documents;
  }

  private static JsonToken nextToken(JsonParser parser, int document) throws IOException, SyntaxError {
    try {
      return parser.nextToken();
    } catch (JsonProcessingException e) {
      throw syntaxError(e, document);
    }
  }

  private static JsonNode value(JsonParser p, JsonToken token, int document) throws IOException, SyntaxError {
    switch (token) {
      case START_OBJECT: {
        ObjectNode object = NODES.objectNode();
        while (nextToken(p, document) == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          object.set(name, value(p, nextToken(p, document), document));
        }
        return object;
      }
      case START_ARRAY: {
        ArrayNode array = NODES.arrayNode();
        JsonToken next;
        while ((next = nextToken(p, document)) != JsonToken.END_ARRAY && next != null) {
          array.add(value(p, next, document));
        }
        return array;
      }
      case VALUE_STRING:
        if (p instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
          JsonLocation at = p.currentTokenLocation();
          throw new SyntaxError(document, at.getLineNr(), at.getColumnNr(),
              "aliases (*" + p.getText() + ") are not supported", "write the value out in full");
        }
        return NODES.textNode(p.getText());
      case VALUE_NUMBER_INT:
        return NODES.numberNode(p.getBigIntegerValue());
      case VALUE_NUMBER_FLOAT:
        try {
          return NODES.numberNode(p.getDecimalValue());
        } catch (NumberFormatException | JsonProcessingException e) {
          return NODES.numberNode(p.getDoubleValue());
        }
      case VALUE_TRUE:
        return NODES.booleanNode(true);
      case VALUE_FALSE:
        return NODES.booleanNode(false);
      case VALUE_NULL:
        return NODES.nullNode();
      case VALUE_EMBEDDED_OBJECT:
        Object embedded = p.getEmbeddedObject();
        return embedded instanceof byte[] bytes ? NODES.binaryNode(bytes) : NODES.pojoNode(embedded);
      default:
        JsonLocation at = p.currentTokenLocation();
        throw new SyntaxError(document, at.getLineNr(), at.getColumnNr(), "unexpected " + token);
    }
  }

  @SuppressWarnings("deprecation") // Jackson 2's only view of SnakeYAML's problem mark without depending on SnakeYAML
  private static SyntaxError syntaxError(IOException e, int document) {
    if (e instanceof com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException marked
        && marked.getProblemMark() != null) {
      String context = marked.getContext() == null ? "" : marked.getContext() + ": ";
      return new SyntaxError(document, marked.getProblemMark().getLine() + 1, marked.getProblemMark().getColumn() + 1,
          oneLine(context + marked.getProblem()));
    }
    if (e instanceof JsonProcessingException jpe) {
      JsonLocation at = jpe.getLocation();
      return new SyntaxError(document, at == null ? 0 : at.getLineNr(), at == null ? 0 : at.getColumnNr(),
          oneLine(jpe.getOriginalMessage()));
    }
    return new SyntaxError(document, 0, 0, "unreadable: " + e.getClass().getSimpleName());
  }

  private static String oneLine(String text) {
    return text == null ? "unreadable" : text.replaceAll("\\s+", " ").trim();
  }
}
