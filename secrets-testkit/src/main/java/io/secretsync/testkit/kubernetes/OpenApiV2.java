package io.secretsync.testkit.kubernetes;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * The OpenAPI v2 document older kubectl (1.27, 1.28) downloads before {@code apply}, in the
 * protobuf form it asks for (gnostic's {@code openapi.v2.Document}): for each kind a PATCH
 * operation with its {@code x-kubernetes-group-version-kind} extension and the
 * {@code fieldValidation} query parameter, so kubectl leaves validation to the server. No schemas.
 */
final class OpenApiV2 {
  private OpenApiV2() {}

  static byte[] document(Collection<ResourceType> types) {
    Message paths = new Message();
    for (ResourceType t : types) {
      String path = t.groupVersionPath() + (t.namespaced() ? "/namespaces/{namespace}/" : "/") + t.plural() + "/{name}";
      Message patch = new Message().string(5, "patch" + t.kind());
      for (String name : new String[] {"dryRun", "fieldManager", "fieldValidation"}) {
        Message query = new Message().string(2, "query").string(4, name).string(6, "string");
        patch.message(8, new Message().message(1, new Message().message(2, new Message().message(3, query))));
      }
      patch.message(9, new Message().message(1, new Message().string(1, "200")
          .message(2, new Message().message(1, new Message().string(1, "OK")))));
      String gvk = "group: \"" + t.group() + "\"\nkind: " + t.kind() + "\nversion: " + t.version() + "\n";
      patch.message(13, new Message().string(1, "x-kubernetes-group-version-kind")
          .message(2, new Message().string(2, gvk)));
      paths.message(2, new Message().string(1, path).message(2, new Message().message(8, patch)));
    }
    return new Message().string(1, "2.0")
        .message(2, new Message().string(1, "Kubernetes").string(2, KubeApi.SERVER_VERSION))
        .message(8, paths).bytes();
  }

  /** A protobuf message under construction: length-delimited fields only. */
  private static final class Message {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Message string(int field, String value) {
      return field(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Message message(int field, Message value) {
      return field(field, value.bytes());
    }

    private Message field(int field, byte[] value) {
      varint((field << 3) | 2);
      varint(value.length);
      out.writeBytes(value);
      return this;
    }

    private void varint(long value) {
      while ((value & ~0x7fL) != 0) {
        out.write((int) ((value & 0x7f) | 0x80));
        value >>>= 7;
      }
      out.write((int) value);
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
