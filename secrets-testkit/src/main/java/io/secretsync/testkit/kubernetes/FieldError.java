package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One validation error as apimachinery's {@code field.Error} renders it: {@code <field>: <body>} where
 * the body is {@code Invalid value: "x": detail}, {@code Required value: detail},
 * {@code Forbidden: detail}, {@code Too long: detail} and so on.
 */
record FieldError(Type type, String field, Object value, String detail) {

  /** The error types with their display text and Status cause reason. */
  enum Type {
    INVALID("Invalid value", "FieldValueInvalid", true),
    REQUIRED("Required value", "FieldValueRequired", false),
    FORBIDDEN("Forbidden", "FieldValueForbidden", false),
    TOO_LONG("Too long", "FieldValueTooLong", false),
    NOT_SUPPORTED("Unsupported value", "FieldValueNotSupported", true),
    DUPLICATE("Duplicate value", "FieldValueDuplicate", true),
    NOT_FOUND("Not found", "FieldValueNotFound", true);

    final String text;
    final String reason;
    final boolean showsValue;

    Type(String text, String reason, boolean showsValue) {
      this.text = text;
      this.reason = reason;
      this.showsValue = showsValue;
    }
  }

  FieldError {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(field, "field");
    detail = detail == null ? "" : detail;
  }

  static FieldError invalid(String field, Object value, String detail) {
    return new FieldError(Type.INVALID, field, value, detail);
  }

  static FieldError required(String field, String detail) {
    return new FieldError(Type.REQUIRED, field, null, detail);
  }

  static FieldError forbidden(String field, String detail) {
    return new FieldError(Type.FORBIDDEN, field, null, detail);
  }

  static FieldError tooLong(String field, String detail) {
    return new FieldError(Type.TOO_LONG, field, null, detail);
  }

  static FieldError notSupported(String field, Object value, java.util.List<String> valid) {
    StringBuilder d = new StringBuilder("supported values: ");
    for (int i = 0; i < valid.size(); i++) {
      d.append(i == 0 ? "" : ", ").append(KubeJson.quote(valid.get(i)));
    }
    return new FieldError(Type.NOT_SUPPORTED, field, value, d.toString());
  }

  static FieldError duplicate(String field, Object value) {
    return new FieldError(Type.DUPLICATE, field, value, "");
  }

  /** The body without the field: {@code Invalid value: "x": detail}. */
  String body() {
    String s = type.text;
    if (type.showsValue) {
      s += ": " + render(value);
    }
    if (!detail.isEmpty()) {
      s += ": " + detail;
    }
    return s;
  }

  /** The whole message: {@code <field>: <body>}. */
  String message() {
    return field + ": " + body();
  }

  private static String render(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String s) {
      return KubeJson.quote(s);
    }
    if (value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    if (value instanceof JsonNode n) {
      return n.isTextual() ? KubeJson.quote(n.asText()) : KubeJson.write(n);
    }
    return KubeJson.MAPPER.valueToTree(value).toString();
  }
}
