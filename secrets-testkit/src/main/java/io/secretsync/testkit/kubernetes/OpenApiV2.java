package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A minimal OpenAPI v2 document of the served API, as protobuf ({@code openapi_v2.Document} of
 * gnostic, what kubectl asks for) or JSON. It lists, per served kind and version, the PATCH
 * operation with its {@code x-kubernetes-group-version-kind} and the {@code fieldValidation},
 * {@code fieldManager}, {@code force} and {@code dryRun} parameters: enough for kubectl to see that the
 * server validates fields itself (so {@code kubectl apply/create} with the default
 * {@code --validate=strict} sends {@code fieldValidation=Strict} instead of failing), and no schema
 * definitions (so kubectl does no client-side schema checks and uses its built-in patch metadata).
 */
final class OpenApiV2 {
  static final String PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
  private static final List<String> QUERY_PARAMETERS = List.of("dryRun", "fieldManager",
      "fieldValidation", "force");

  private OpenApiV2() {}

  private static String itemPath(ResourceType t, String version) {
    String base = t.group().isEmpty() ? "/api/" + version : "/apis/" + t.group() + "/" + version;
    return base + (t.namespaced() ? "/namespaces/{namespace}/" : "/") + t.plural() + "/{name}";
  }

  private static String gvkYaml(ResourceType t, String version) {
    return "group: \"" + t.group() + "\"\nkind: " + t.kind() + "\nversion: " + version + "\n";
  }

  /** The document as gnostic protobuf bytes. */
  static byte[] protobuf(List<ResourceType> types, String gitVersion) {
    Proto doc = new Proto();
    doc.string(1, "2.0");
    doc.message(2, new Proto().string(1, "Kubernetes").string(2, gitVersion));
    Proto paths = new Proto();
    for (ResourceType t : types) {
      if (!t.verbs().contains("patch")) {
        continue;
      }
      for (String version : t.versions()) {
        Proto op = new Proto();
        op.string(5, "patch" + t.kind());
        op.string(7, Cluster.JSON_PATCH).string(7, Cluster.MERGE_PATCH);
        if (!t.custom()) {
          op.string(7, Cluster.STRATEGIC_PATCH);
        }
        op.string(7, Cluster.APPLY_PATCH);
        for (String name : QUERY_PARAMETERS) {
          Proto query = new Proto().string(2, "query").string(4, name)
              .string(6, name.equals("force") ? "boolean" : "string");
          op.message(8, new Proto().message(1, new Proto().message(2,
              new Proto().message(3, query))));
        }
        op.message(13, namedAny("x-kubernetes-action", "patch\n"));
        op.message(13, namedAny("x-kubernetes-group-version-kind", gvkYaml(t, version)));
        Proto item = new Proto().message(8, op);
        paths.message(2, new Proto().string(1, itemPath(t, version)).message(2, item));
      }
    }
    doc.message(8, paths);
    return doc.bytes();
  }

  private static Proto namedAny(String name, String yaml) {
    return new Proto().string(1, name).message(2, new Proto().string(2, yaml));
  }

  /** The same document as JSON. */
  static ObjectNode json(List<ResourceType> types, String gitVersion) {
    ObjectNode doc = KubeJson.object();
    doc.put("swagger", "2.0");
    doc.putObject("info").put("title", "Kubernetes").put("version", gitVersion);
    ObjectNode paths = doc.putObject("paths");
    for (ResourceType t : types) {
      if (!t.verbs().contains("patch")) {
        continue;
      }
      for (String version : t.versions()) {
        ObjectNode patch = paths.putObject(itemPath(t, version)).putObject("patch");
        patch.put("operationId", "patch" + t.kind());
        ArrayNode consumes = patch.putArray("consumes").add(Cluster.JSON_PATCH)
            .add(Cluster.MERGE_PATCH);
        if (!t.custom()) {
          consumes.add(Cluster.STRATEGIC_PATCH);
        }
        consumes.add(Cluster.APPLY_PATCH);
        ArrayNode params = patch.putArray("parameters");
        for (String name : QUERY_PARAMETERS) {
          params.addObject().put("in", "query").put("name", name)
              .put("type", name.equals("force") ? "boolean" : "string").put("uniqueItems", true);
        }
        patch.put("x-kubernetes-action", "patch");
        patch.putObject("x-kubernetes-group-version-kind").put("group", t.group())
            .put("kind", t.kind()).put("version", version);
      }
    }
    return doc;
  }

  /** A protobuf message writer for the few wire types the document needs. */
  private static final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Proto string(int field, String value) {
      return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Proto message(int field, Proto message) {
      return bytes(field, message.bytes());
    }

    private Proto bytes(int field, byte[] value) {
      varint((long) field << 3 | 2);
      varint(value.length);
      out.write(value, 0, value.length);
      return this;
    }

    private void varint(long v) {
      long x = v;
      while ((x & ~0x7FL) != 0) {
        out.write((int) ((x & 0x7F) | 0x80));
        x >>>= 7;
      }
      out.write((int) x);
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
