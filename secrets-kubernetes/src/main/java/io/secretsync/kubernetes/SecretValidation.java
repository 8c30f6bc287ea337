package io.secretsync.kubernetes;

import io.secretsync.core.InvalidSecretDataException;
import io.secretsync.core.TargetSecret;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The API server's validation of a Secret (ValidateSecret and ObjectMeta), checked before a write
 * is sent so that a Secret the server would refuse is never sent: name (DNS-1123 subdomain, at most
 * 253 characters), namespace (DNS-1123 label), data keys ({@code [-._a-zA-Z0-9]+}, at most 253, not
 * {@code .}, {@code ..} or starting with {@code ..}), at most 1 MiB of values, label and annotation
 * keys (qualified names), label values, at most 256 KiB of annotations, and the keys the built-in
 * Secret types require. Failures are {@link InvalidSecretDataException}s naming the field and the
 * Secret, with the API server's wording; never a value.
 */
final class SecretValidation {
  static final int MAX_SECRET_BYTES = 1024 * 1024;
  static final int MAX_ANNOTATION_BYTES = 256 * 1024;

  private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern CONFIG_KEY = Pattern.compile("[-._a-zA-Z0-9]+");
  private static final Pattern QUALIFIED_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");

  private SecretValidation() {}

  static void check(TargetSecret secret) {
    String where = "Secret " + secret.namespace() + "/" + secret.name();
    if (secret.name().isEmpty()) {
      throw invalid("metadata.name", where, "Required value: name is required");
    }
    if (secret.name().length() > 253 || !SUBDOMAIN.matcher(secret.name()).matches()) {
      throw invalid("metadata.name", where, "Invalid value: \"" + secret.name() + "\": a lowercase RFC 1123 subdomain "
          + "must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an "
          + "alphanumeric character (at most 253 characters)");
    }
    if (secret.namespace().isEmpty() || secret.namespace().length() > 63
        || !LABEL.matcher(secret.namespace()).matches()) {
      throw invalid("metadata.namespace", where, "Invalid value: \"" + secret.namespace() + "\": a lowercase RFC 1123 "
          + "label must consist of lower case alphanumeric characters or '-', and must start and end with an "
          + "alphanumeric character (at most 63 characters)");
    }
    for (String key : secret.data().keys()) {
      if (key.length() > 253 || !CONFIG_KEY.matcher(key).matches() || key.equals(".") || key.equals("..")
          || key.startsWith("..")) {
        throw invalid("data[" + key + "]", where, "Invalid value: \"" + key + "\": a valid config key must consist "
            + "of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name', or 'KEY_NAME', or 'key-name'), must "
            + "not be '.' or '..' nor start with '..', and must be at most 253 characters");
      }
    }
    long size = 0;
    for (String key : secret.data().keys()) {
      size += secret.data().sizeOf(key);
    }
    if (size > MAX_SECRET_BYTES) {
      throw invalid("data", where, "Too long: may not be more than " + MAX_SECRET_BYTES + " bytes (the values add up to "
          + size + " bytes)");
    }
    checkKeys(secret.labels(), "metadata.labels", where);
    secret.labels().forEach((key, value) -> {
      if (value.length() > 63 || !LABEL_VALUE.matcher(value).matches()) {
        throw invalid("metadata.labels", where, "Invalid value: \"" + value + "\" for label \"" + key + "\": a valid "
            + "label value must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
            + "start and end with an alphanumeric character (at most 63 characters)");
      }
    });
    checkKeys(secret.annotations(), "metadata.annotations", where);
    long annotationBytes = 0;
    for (Map.Entry<String, String> e : secret.annotations().entrySet()) {
      annotationBytes += e.getKey().getBytes(StandardCharsets.UTF_8).length
          + e.getValue().getBytes(StandardCharsets.UTF_8).length;
    }
    if (annotationBytes > MAX_ANNOTATION_BYTES) {
      throw invalid("metadata.annotations", where, "Too long: must have at most " + MAX_ANNOTATION_BYTES + " bytes");
    }
    checkType(secret, where);
  }

  private static void checkKeys(Map<String, String> map, String field, String where) {
    for (String key : map.keySet()) {
      String name = key;
      int slash = key.indexOf('/');
      if (slash >= 0) {
        String prefix = key.substring(0, slash);
        name = key.substring(slash + 1);
        if (prefix.isEmpty() || prefix.length() > 253 || !SUBDOMAIN.matcher(prefix).matches()) {
          throw invalid(field, where, "Invalid value: \"" + key + "\": a key's prefix must be a DNS subdomain");
        }
      }
      if (name.isEmpty() || name.length() > 63 || !QUALIFIED_NAME.matcher(name).matches()) {
        throw invalid(field, where, "Invalid value: \"" + key + "\": name part must consist of alphanumeric characters, "
            + "'-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)");
      }
    }
  }

  private static void checkType(TargetSecret secret, String where) {
    var data = secret.data();
    switch (secret.type()) {
      case "kubernetes.io/service-account-token" -> {
        if (secret.annotations().getOrDefault("kubernetes.io/service-account.name", "").isEmpty()) {
          throw invalid("metadata.annotations[kubernetes.io/service-account.name]", where, "Required value");
        }
      }
      case "kubernetes.io/dockercfg" -> requireKey(data.containsKey(".dockercfg"), "data[.dockercfg]", where);
      case "kubernetes.io/dockerconfigjson" ->
          requireKey(data.containsKey(".dockerconfigjson"), "data[.dockerconfigjson]", where);
      case "kubernetes.io/basic-auth" -> {
        if (!data.containsKey("username") && !data.containsKey("password")) {
          throw invalid("data[username]", where, "Required value: must specify either `username` or `password`");
        }
      }
      case "kubernetes.io/ssh-auth" -> requireKey(data.sizeOf("ssh-privatekey") > 0, "data[ssh-privatekey]", where);
      case "kubernetes.io/tls" -> {
        requireKey(data.containsKey("tls.crt"), "data[tls.crt]", where);
        requireKey(data.containsKey("tls.key"), "data[tls.key]", where);
      }
      default -> { }
    }
  }

  private static void requireKey(boolean present, String field, String where) {
    if (!present) {
      throw invalid(field, where, "Required value");
    }
  }

  private static InvalidSecretDataException invalid(String field, String where, String problem) {
    return new InvalidSecretDataException(field, where + " is invalid: " + problem,
        List.of("nothing was sent: the API server would refuse this Secret; fix the ExternalSecret's keys, template or "
            + "target name"));
  }
}
