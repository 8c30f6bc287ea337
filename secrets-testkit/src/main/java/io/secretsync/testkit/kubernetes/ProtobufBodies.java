package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Decodes request bodies sent as {@code application/vnd.kubernetes.protobuf} (newer typed clients,
 * e.g. kubectl 1.33's {@code create namespace|serviceaccount|clusterrolebinding|token}) into the JSON
 * the rest of the fake works on: the {@code k8s\0} magic, the {@code runtime.Unknown} envelope, and the
 * generated.proto field numbers of the kinds a client creates here. Answers stay JSON, which such
 * clients accept too. Other kinds answer 415. Go's encoder writes empty strings and zero times of
 * non-pointer fields; those are dropped, as the JSON encoding omits them.
 */
final class ProtobufBodies {
  private static final byte[] MAGIC = {'k', '8', 's', 0};

  private enum T { STRING, BYTES, BOOL, INT, TIME, MICRO_TIME, MESSAGE, STRING_MAP, BYTES_MAP }

  private record Field(String json, T type, boolean repeated, String message) {}

  private static final Map<String, Map<Integer, Field>> MESSAGES = new HashMap<>();

  static {
    msg("ObjectMeta", 1, s("name"), 2, s("generateName"), 3, s("namespace"), 4, s("selfLink"),
        5, s("uid"), 6, s("resourceVersion"), 7, i("generation"),
        8, new Field("creationTimestamp", T.TIME, false, null),
        9, new Field("deletionTimestamp", T.TIME, false, null),
        10, i("deletionGracePeriodSeconds"), 11, new Field("labels", T.STRING_MAP, false, null),
        12, new Field("annotations", T.STRING_MAP, false, null),
        13, list("ownerReferences", "OwnerReference"), 14, strings("finalizers"));
    msg("OwnerReference", 5, s("apiVersion"), 1, s("kind"), 3, s("name"), 4, s("uid"),
        6, b("controller"), 7, b("blockOwnerDeletion"));
    msg("Namespace", 1, m("metadata", "ObjectMeta"), 2, m("spec", "NamespaceSpec"));
    msg("NamespaceSpec", 1, strings("finalizers"));
    msg("ServiceAccount", 1, m("metadata", "ObjectMeta"), 2, list("secrets", "ObjectReference"),
        3, list("imagePullSecrets", "LocalObjectReference"), 4, b("automountServiceAccountToken"));
    msg("ObjectReference", 1, s("kind"), 2, s("namespace"), 3, s("name"), 4, s("uid"),
        5, s("apiVersion"), 6, s("resourceVersion"), 7, s("fieldPath"));
    msg("LocalObjectReference", 1, s("name"));
    msg("Secret", 1, m("metadata", "ObjectMeta"), 5, b("immutable"),
        2, new Field("data", T.BYTES_MAP, false, null),
        4, new Field("stringData", T.STRING_MAP, false, null), 3, s("type"));
    msg("ConfigMap", 1, m("metadata", "ObjectMeta"), 4, b("immutable"),
        2, new Field("data", T.STRING_MAP, false, null),
        3, new Field("binaryData", T.BYTES_MAP, false, null));
    msg("ClusterRoleBinding", 1, m("metadata", "ObjectMeta"), 2, list("subjects", "Subject"),
        3, m("roleRef", "RoleRef"));
    msg("RoleBinding", 1, m("metadata", "ObjectMeta"), 2, list("subjects", "Subject"),
        3, m("roleRef", "RoleRef"));
    msg("Subject", 1, s("kind"), 2, s("apiGroup"), 3, s("name"), 4, s("namespace"));
    msg("RoleRef", 1, s("apiGroup"), 2, s("kind"), 3, s("name"));
    msg("ClusterRole", 1, m("metadata", "ObjectMeta"), 2, list("rules", "PolicyRule"));
    msg("Role", 1, m("metadata", "ObjectMeta"), 2, list("rules", "PolicyRule"));
    msg("PolicyRule", 1, strings("verbs"), 2, strings("apiGroups"), 3, strings("resources"),
        4, strings("resourceNames"), 5, strings("nonResourceURLs"));
    msg("TokenRequest", 1, m("metadata", "ObjectMeta"), 2, m("spec", "TokenRequestSpec"));
    msg("TokenRequestSpec", 1, strings("audiences"), 4, i("expirationSeconds"),
        3, m("boundObjectRef", "BoundObjectReference"));
    msg("BoundObjectReference", 1, s("kind"), 2, s("apiVersion"), 3, s("name"), 4, s("uid"));
    msg("TokenReview", 1, m("metadata", "ObjectMeta"), 2, m("spec", "TokenReviewSpec"));
    msg("TokenReviewSpec", 1, s("token"), 2, strings("audiences"));
    msg("SelfSubjectReview", 1, m("metadata", "ObjectMeta"));
    msg("Lease", 1, m("metadata", "ObjectMeta"), 2, m("spec", "LeaseSpec"));
    msg("LeaseSpec", 1, s("holderIdentity"), 2, i("leaseDurationSeconds"),
        3, new Field("acquireTime", T.MICRO_TIME, false, null),
        4, new Field("renewTime", T.MICRO_TIME, false, null), 5, i("leaseTransitions"),
        6, s("strategy"), 7, s("preferredHolder"));
    msg("DeleteOptions", 1, i("gracePeriodSeconds"), 2, m("preconditions", "Preconditions"),
        3, b("orphanDependents"), 4, s("propagationPolicy"), 5, strings("dryRun"));
    msg("Preconditions", 1, s("uid"), 2, s("resourceVersion"));
  }

  private ProtobufBodies() {}

  private static Field s(String json) {
    return new Field(json, T.STRING, false, null);
  }

  private static Field strings(String json) {
    return new Field(json, T.STRING, true, null);
  }

  private static Field i(String json) {
    return new Field(json, T.INT, false, null);
  }

  private static Field b(String json) {
    return new Field(json, T.BOOL, false, null);
  }

  private static Field m(String json, String message) {
    return new Field(json, T.MESSAGE, false, message);
  }

  private static Field list(String json, String message) {
    return new Field(json, T.MESSAGE, true, message);
  }

  private static void msg(String name, Object... numberedFields) {
    Map<Integer, Field> fields = new HashMap<>();
    for (int k = 0; k < numberedFields.length; k += 2) {
      fields.put((Integer) numberedFields[k], (Field) numberedFields[k + 1]);
    }
    MESSAGES.put(name, fields);
  }

  /**
   * The JSON object a protobuf body encodes.
   *
   * @throws ApiError 415 for a kind this decoder does not know, 400 for a malformed body
   */
  static ObjectNode decode(byte[] body) {
    if (body.length < 4 || !Arrays.equals(Arrays.copyOf(body, 4), MAGIC)) {
      throw ApiError.badRequest("the protobuf body does not start with the Kubernetes magic "
          + "prefix");
    }
    try {
      Reader envelope = new Reader(Arrays.copyOfRange(body, 4, body.length));
      String apiVersion = "";
      String kind = "";
      byte[] raw = new byte[0];
      while (envelope.more()) {
        int tag = (int) envelope.varint();
        if (tag >>> 3 == 1 && (tag & 7) == 2) {
          Reader typeMeta = new Reader(envelope.bytes());
          while (typeMeta.more()) {
            int t = (int) typeMeta.varint();
            if ((t & 7) != 2) {
              typeMeta.skip(t & 7);
            } else if (t >>> 3 == 1) {
              apiVersion = typeMeta.string();
            } else if (t >>> 3 == 2) {
              kind = typeMeta.string();
            } else {
              typeMeta.bytes();
            }
          }
        } else if (tag >>> 3 == 2 && (tag & 7) == 2) {
          raw = envelope.bytes();
        } else {
          envelope.skip(tag & 7);
        }
      }
      if (!MESSAGES.containsKey(kind) || kind.endsWith("Spec") || kind.equals("ObjectMeta")) {
        throw ApiError.unsupportedMediaType("the body of the request was in an unknown format - "
            + "accepted media types include: application/json, application/yaml");
      }
      ObjectNode obj = KubeJson.object();
      if (!apiVersion.isEmpty()) {
        obj.put("apiVersion", apiVersion);
      }
      obj.put("kind", kind);
      message(new Reader(raw), kind, obj);
      return obj;
    } catch (ArrayIndexOutOfBoundsException | IllegalStateException e) {
      throw ApiError.badRequest("the protobuf body is malformed");
    }
  }

  private static void message(Reader r, String name, ObjectNode out) {
    Map<Integer, Field> fields = MESSAGES.get(name);
    while (r.more()) {
      int tag = (int) r.varint();
      int wire = tag & 7;
      Field f = fields.get(tag >>> 3);
      if (f == null) {
        r.skip(wire);
        continue;
      }
      switch (f.type()) {
        case STRING -> {
          String v = r.string();
          if (f.repeated() || !v.isEmpty()) {
            add(out, f, KubeJson.NODES.textNode(v));
          }
        }
        case BYTES -> add(out, f, KubeJson.NODES.textNode(Base64.getEncoder()
            .encodeToString(r.bytes())));
        case BOOL -> add(out, f, KubeJson.NODES.booleanNode(r.varint() != 0));
        case INT -> {
          long v = r.varint();
          if (v != 0 || !f.json().equals("generation")) {
            add(out, f, KubeJson.NODES.numberNode(v));
          }
        }
        case TIME, MICRO_TIME -> {
          Reader t = new Reader(r.bytes());
          long seconds = 0;
          int nanos = 0;
          while (t.more()) {
            int tt = (int) t.varint();
            if (tt >>> 3 == 1) {
              seconds = t.varint();
            } else if (tt >>> 3 == 2) {
              nanos = (int) t.varint();
            } else {
              t.skip(tt & 7);
            }
          }
          if (seconds == 0 && nanos == 0) {
            break;
          }
          Instant at = Instant.ofEpochSecond(seconds, nanos);
          add(out, f, KubeJson.NODES.textNode(f.type() == T.TIME ? KubeJson.time(at)
              : KubeJson.microTime(at)));
        }
        case MESSAGE -> {
          ObjectNode child = KubeJson.object();
          message(new Reader(r.bytes()), f.message(), child);
          add(out, f, child);
        }
        case STRING_MAP, BYTES_MAP -> {
          Reader e = new Reader(r.bytes());
          String key = "";
          JsonNode value = KubeJson.NODES.textNode("");
          while (e.more()) {
            int et = (int) e.varint();
            if (et >>> 3 == 1) {
              key = e.string();
            } else if (et >>> 3 == 2) {
              byte[] v = e.bytes();
              value = KubeJson.NODES.textNode(f.type() == T.BYTES_MAP
                  ? Base64.getEncoder().encodeToString(v)
                  : new String(v, StandardCharsets.UTF_8));
            } else {
              e.skip(et & 7);
            }
          }
          KubeJson.objectField(out, f.json()).set(key, value);
        }
        default -> r.skip(wire);
      }
    }
  }

  private static void add(ObjectNode out, Field f, JsonNode value) {
    if (f.repeated()) {
      JsonNode existing = out.get(f.json());
      ArrayNode arr = existing instanceof ArrayNode a ? a : out.putArray(f.json());
      arr.add(value);
    } else {
      out.set(f.json(), value);
    }
  }

  /** A cursor over protobuf wire data. */
  private static final class Reader {
    private final byte[] data;
    private int pos;

    Reader(byte[] data) {
      this.data = data;
    }

    boolean more() {
      return pos < data.length;
    }

    long varint() {
      long result = 0;
      int shift = 0;
      while (true) {
        byte b = data[pos++];
        result |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return result;
        }
        shift += 7;
        if (shift > 63) {
          throw new IllegalStateException("varint too long");
        }
      }
    }

    byte[] bytes() {
      int len = (int) varint();
      if (len < 0 || pos + len > data.length) {
        throw new IllegalStateException("length out of range");
      }
      byte[] out = Arrays.copyOfRange(data, pos, pos + len);
      pos += len;
      return out;
    }

    String string() {
      return new String(bytes(), StandardCharsets.UTF_8);
    }

    void skip(int wire) {
      switch (wire) {
        case 0 -> varint();
        case 1 -> pos += 8;
        case 2 -> bytes();
        case 5 -> pos += 4;
        default -> throw new IllegalStateException("unsupported wire type " + wire);
      }
    }
  }
}
