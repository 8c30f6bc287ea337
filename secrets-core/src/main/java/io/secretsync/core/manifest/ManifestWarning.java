package io.secretsync.core.manifest;

import static java.util.Objects.requireNonNull;

/**
 * Something in a manifest that was loaded but is ignored, or a document that was skipped because
 * this library does not sync its kind. Nothing a warning names changes what is synced from the
 * rest of the manifest. {@code document} is 1-based (0 for an object not read from a file);
 * {@code object} and {@code field} may be empty.
 */
public record ManifestWarning(String source, int document, String object, String field, String message) {

  public ManifestWarning {
    requireNonNull(source, "source");
    requireNonNull(object, "object");
    requireNonNull(field, "field");
    requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(source);
    if (document > 0) {
      out.append(out.length() == 0 ? "" : ": ").append("document ").append(document);
    }
    for (String part : new String[] {object, field}) {
      if (!part.isEmpty()) {
        out.append(out.length() == 0 ? "" : ": ").append(part);
      }
    }
    return out.append(out.length() == 0 ? "" : ": ").append(message).toString();
  }
}
