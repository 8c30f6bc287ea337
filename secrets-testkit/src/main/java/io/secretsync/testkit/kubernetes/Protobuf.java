package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Decodes the Kubernetes protobuf encoding ({@code application/vnd.kubernetes.protobuf}: the
 * {@code k8s\0} magic and a {@code runtime.Unknown} envelope) of the built-in objects kubectl's
 * imperative commands send ({@code create namespace | serviceaccount | secret | configmap |
 * clusterrolebinding | rolebinding | token}) into their JSON form. Only the fields of those
 * objects are known (from k8s.io/api's generated.proto); others are skipped. Answers are JSON.
 */
final class Protobuf {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final byte[] MAGIC = {0x6b, 0x38, 0x73, 0x00};

  private enum Kind { STRING, BYTES, INT, BOOL, MESSAGE, STRING_MAP, BYTES_MAP }

  private record Field(String name, Kind kind, boolean repeated, Map<Integer, Field> message) {
    static Field of(String name, Kind kind) {
      return new Field(name, kind, false, null);
    }

    static Field list(String name, Kind kind) {
      return new Field(name, kind, true, null);
    }

    static Field message(String name, Map<Integer, Field> schema) {
      return new Field(name, Kind.MESSAGE, false, schema);
    }

    static Field messages(String name, Map<Integer, Field> schema) {
      return new Field(name, Kind.MESSAGE, true, schema);
    }
  }

  private static final Map<Integer, Field> OBJECT_META = Map.of(
      1, Field.of("name", Kind.STRING), 2, Field.of("generateName", Kind.STRING), 3, Field.of("namespace", Kind.STRING),
      11, Field.of("labels", Kind.STRING_MAP), 12, Field.of("annotations", Kind.STRING_MAP));
  private static final Field METADATA = Field.message("metadata", OBJECT_META);
  private static final Map<Integer, Field> SUBJECT = Map.of(1, Field.of("kind", Kind.STRING),
      2, Field.of("apiGroup", Kind.STRING), 3, Field.of("name", Kind.STRING), 4, Field.of("namespace", Kind.STRING));
  private static final Map<Integer, Field> ROLE_REF = Map.of(1, Field.of("apiGroup", Kind.STRING),
      2, Field.of("kind", Kind.STRING), 3, Field.of("name", Kind.STRING));
  private static final Map<Integer, Field> BINDING = Map.of(1, METADATA, 2, Field.messages("subjects", SUBJECT),
      3, Field.message("roleRef", ROLE_REF));
  private static final Map<String, Map<Integer, Field>> KINDS = Map.of(
      "Namespace", Map.of(1, METADATA),
      "ServiceAccount", Map.of(1, METADATA),
      "Secret", Map.of(1, METADATA, 2, Field.of("data", Kind.BYTES_MAP), 3, Field.of("type", Kind.STRING),
          4, Field.of("stringData", Kind.STRING_MAP), 5, Field.of("immutable", Kind.BOOL)),
      "ConfigMap", Map.of(1, METADATA, 2, Field.of("data", Kind.STRING_MAP), 3, Field.of("binaryData", Kind.BYTES_MAP),
          4, Field.of("immutable", Kind.BOOL)),
      "ClusterRoleBinding", BINDING,
      "RoleBinding", BINDING,
      "TokenRequest", Map.of(1, METADATA, 2, Field.message("spec", Map.of(1, Field.list("audiences", Kind.STRING),
          4, Field.of("expirationSeconds", Kind.INT)))));

  private Protobuf() {}

  /** The JSON form of an encoded object; fails with a 415 Status for kinds it does not know. */
  static ObjectNode decode(byte[] body) {
    if (body.length < 4 || body[0] != MAGIC[0] || body[1] != MAGIC[1] || body[2] != MAGIC[2] || body[3] != MAGIC[3]) {
      throw Status.badRequest("the body of the request is not a Kubernetes protobuf message");
    }
    Reader envelope = new Reader(body, 4, body.length);
    String apiVersion = "";
    String kind = "";
    byte[] raw = new byte[0];
    while (envelope.more()) {
      int tag = (int) envelope.varint();
      if (tag >>> 3 == 1 && (tag & 7) == 2) {
        Reader typeMeta = envelope.nested();
        while (typeMeta.more()) {
          int t = (int) typeMeta.varint();
          if ((t & 7) != 2) {
            typeMeta.skip(t & 7);
            continue;
          }
          String value = typeMeta.string();
          if (t >>> 3 == 1) {
            apiVersion = value;
          } else if (t >>> 3 == 2) {
            kind = value;
          }
        }
      } else if (tag >>> 3 == 2 && (tag & 7) == 2) {
        raw = envelope.bytes();
      } else {
        envelope.skip(tag & 7);
      }
    }
    Map<Integer, Field> schema = KINDS.get(kind);
    if (schema == null) {
      throw Status.unsupportedMediaType("application/vnd.kubernetes.protobuf");
    }
    ObjectNode object = message(new Reader(raw, 0, raw.length), schema);
    object.put("apiVersion", apiVersion).put("kind", kind);
    return object;
  }

  private static ObjectNode message(Reader in, Map<Integer, Field> schema) {
    ObjectNode out = NODES.objectNode();
    while (in.more()) {
      int tag = (int) in.varint();
      Field field = schema.get(tag >>> 3);
      if (field == null) {
        in.skip(tag & 7);
        continue;
      }
      switch (field.kind()) {
        case STRING -> {
          if (field.repeated()) {
            (out.has(field.name()) ? (ArrayNode) out.get(field.name()) : out.putArray(field.name())).add(in.string());
          } else {
            out.put(field.name(), in.string());
          }
        }
        case BYTES -> out.put(field.name(), Base64.getEncoder().encodeToString(in.bytes()));
        case INT -> out.put(field.name(), in.varint());
        case BOOL -> out.put(field.name(), in.varint() != 0);
        case MESSAGE -> {
          ObjectNode value = message(in.nested(), field.message());
          if (field.repeated()) {
            (out.has(field.name()) ? (ArrayNode) out.get(field.name()) : out.putArray(field.name())).add(value);
          } else {
            out.set(field.name(), value);
          }
        }
        case STRING_MAP, BYTES_MAP -> {
          Reader entry = in.nested();
          String key = "";
          String value = "";
          while (entry.more()) {
            int t = (int) entry.varint();
            if (t >>> 3 == 1) {
              key = entry.string();
            } else if (t >>> 3 == 2) {
              value = field.kind() == Kind.BYTES_MAP ? Base64.getEncoder().encodeToString(entry.bytes()) : entry.string();
            } else {
              entry.skip(t & 7);
            }
          }
          (out.has(field.name()) ? (ObjectNode) out.get(field.name()) : out.putObject(field.name())).put(key, value);
        }
      }
    }
    return out;
  }

  /** Protobuf wire-format reading over a slice of bytes. */
  private static final class Reader {
    private final byte[] data;
    private int at;
    private final int end;

    Reader(byte[] data, int from, int end) {
      this.data = data;
      this.at = from;
      this.end = end;
    }

    boolean more() {
      return at < end;
    }

    long varint() {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (at >= end) {
          throw Status.badRequest("truncated protobuf message");
        }
        byte b = data[at++];
        value |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      throw Status.badRequest("malformed protobuf varint");
    }

    byte[] bytes() {
      int length = (int) varint();
      if (length < 0 || at + length > end) {
        throw Status.badRequest("truncated protobuf message");
      }
      byte[] out = java.util.Arrays.copyOfRange(data, at, at + length);
      at += length;
      return out;
    }

    String string() {
      return new String(bytes(), StandardCharsets.UTF_8);
    }

    Reader nested() {
      int length = (int) varint();
      if (length < 0 || at + length > end) {
        throw Status.badRequest("truncated protobuf message");
      }
      Reader nested = new Reader(data, at, at + length);
      at += length;
      return nested;
    }

    void skip(int wireType) {
      switch (wireType) {
        case 0 -> varint();
        case 1 -> at += 8;
        case 2 -> bytes();
        case 5 -> at += 4;
        default -> throw Status.badRequest("unsupported protobuf wire type " + wireType);
      }
    }
  }
}
