package io.secretsync.testkit.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The API server's validation of the objects the fake stores, with its field paths and messages
 * (k8s.io/apimachinery validation and pkg/apis/core/validation, as quoted in the wire-format notes).
 */
final class Validation {
  private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern CONFIG_KEY = Pattern.compile("[-._a-zA-Z0-9]+");
  static final int MAX_SECRET_BYTES = 1024 * 1024;

  private Validation() {}

  /** Checks a new or replaced object; throws 422 Invalid with every cause found. */
  static void check(ResourceType type, ObjectNode object, ObjectNode previous) {
    List<String[]> causes = new ArrayList<>();
    String name = object.path("metadata").path("name").asText("");
    if (name.isEmpty()) {
      causes.add(new String[] {"FieldValueRequired", "metadata.name", "Required value: name or generateName is required"});
    } else if (type.kind().equals("Namespace")) {
      if (!LABEL.matcher(name).matches() || name.length() > 63) {
        causes.add(new String[] {"FieldValueInvalid", "metadata.name", "Invalid value: \"" + name + "\": a lowercase RFC 1123 "
            + "label must consist of lower case alphanumeric characters or '-', and must start and end with an "
            + "alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
            + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"});
      }
    } else if (!SUBDOMAIN.matcher(name).matches() || name.length() > 253) {
      causes.add(new String[] {"FieldValueInvalid", "metadata.name", "Invalid value: \"" + name + "\": a lowercase RFC 1123 "
          + "subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with "
          + "an alphanumeric character (e.g. 'example.com', regex used for validation is "
          + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"});
    }
    if (type.kind().equals("Secret") || type.kind().equals("ConfigMap")) {
      checkData(type, object, causes);
    }
    if (type.kind().equals("Secret") && previous != null) {
      if (!previous.path("type").asText("Opaque").equals(object.path("type").asText("Opaque"))) {
        causes.add(new String[] {"FieldValueInvalid", "type", "Invalid value: \"" + object.path("type").asText()
            + "\": field is immutable"});
      }
      if (previous.path("immutable").asBoolean(false)) {
        if (!object.path("immutable").asBoolean(false)) {
          causes.add(new String[] {"FieldValueForbidden", "immutable",
              "Forbidden: field is immutable when `immutable` is set"});
        }
        if (!previous.path("data").equals(object.path("data"))) {
          causes.add(new String[] {"FieldValueForbidden", "data", "Forbidden: field is immutable when `immutable` is set"});
        }
      }
    }
    if (type.kind().equals("Secret") && "kubernetes.io/service-account-token".equals(object.path("type").asText())
        && object.path("metadata").path("annotations").path("kubernetes.io/service-account.name").asText("").isEmpty()) {
      causes.add(new String[] {"FieldValueRequired", "metadata.annotations[kubernetes.io/service-account.name]",
          "Required value"});
    }
    if (!causes.isEmpty()) {
      throw Status.invalid(type, name, causes);
    }
  }

  private static void checkData(ResourceType type, ObjectNode object, List<String[]> causes) {
    long total = 0;
    for (String field : List.of("data", "binaryData")) {
      for (Iterator<Map.Entry<String, JsonNode>> it = object.path(field).fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String key = e.getKey();
        if (!CONFIG_KEY.matcher(key).matches() || key.equals(".") || key.equals("..") || key.startsWith("..")
            || key.length() > 253) {
          causes.add(new String[] {"FieldValueInvalid", field + "[" + key + "]", "Invalid value: \"" + key
              + "\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  "
              + "or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"});
        }
        if (type.kind().equals("Secret") || field.equals("binaryData")) {
          try {
            total += Base64.getDecoder().decode(e.getValue().asText()).length;
          } catch (IllegalArgumentException bad) {
            throw Status.badRequest(type.kind() + " in version \"" + type.version() + "\" cannot be handled as a "
                + type.kind() + ": illegal base64 data in " + field + "[" + key + "]");
          }
        } else {
          total += e.getValue().asText().length();
        }
      }
    }
    if (total > MAX_SECRET_BYTES) {
      causes.add(new String[] {"FieldValueTooLong", "data", "Too long: may not be more than 1048576 bytes"});
    }
  }
}
