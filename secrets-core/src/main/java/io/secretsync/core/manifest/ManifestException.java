package io.secretsync.core.manifest;

import io.secretsync.core.SecretSyncException;
import java.util.List;

/**
 * A manifest could not be read: names the source (a file), the document in it (1-based, as
 * {@code ---} separated documents are counted) and the field path, and says what to fix. Never
 * quotes a value.
 */
public final class ManifestException extends SecretSyncException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final int document;

  public ManifestException(String source, int document, String problem, List<String> hints) {
    super(source + (document > 0 ? ": document " + document : "") + ": " + problem, hints, null);
    this.source = source;
    this.document = document;
  }

  /** The file (or other source) the manifest came from. */
  public String source() {
    return source;
  }

  /** The 1-based document number in the source, or 0 when the whole source is unreadable. */
  public int document() {
    return document;
  }
}
