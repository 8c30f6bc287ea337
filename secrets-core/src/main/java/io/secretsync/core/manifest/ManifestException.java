package io.secretsync.core.manifest;

import static java.util.Objects.requireNonNull;

import io.secretsync.core.SecretSyncException;
import java.util.List;

/**
 * A manifest could not be used. The message names where (the file, the document in it counted
 * from 1 as {@code ---} separated documents are, the object and the field path, or the line and
 * column of a YAML syntax error), what is wrong and what to do, for example:
 *
 * <pre>
 * apps/es.yaml: document 2: ExternalSecret apps/db: spec.target.creationPolicy: "owner" is not one of
 * Owner, Orphan, Merge, None, CreateOrMerge; use one of these values, spelled exactly
 * </pre>
 *
 * <p>The parts are also available one by one; absent parts are empty strings or 0. {@link #hints()}
 * holds the fix. Never quotes a field's value, except an enum spelling. Immutable.
 */
public final class ManifestException extends SecretSyncException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final int document;
  private final int line;
  private final int column;
  private final String object;
  private final String field;
  private final String problem;

  ManifestException(String source, int document, int line, int column, String object, String field, String problem,
      String fix) {
    super(message(source, document, line, column, object, field, problem, fix),
        fix.isEmpty() ? List.of() : List.of(fix), null);
    this.source = requireNonNull(source);
    this.document = document;
    this.line = line;
    this.column = column;
    this.object = requireNonNull(object);
    this.field = requireNonNull(field);
    this.problem = requireNonNull(problem);
  }

  /** A problem with one field of one object. */
  static ManifestException field(String source, int document, String object, FieldProblem p) {
    return new ManifestException(source, document, 0, 0, object, p.field, p.problem, p.fix);
  }

  /** A problem with a whole file, or with a document as a whole. */
  static ManifestException of(String source, int document, String problem, String fix) {
    return new ManifestException(source, document, 0, 0, "", "", problem, fix);
  }

  /** The file the manifest came from (as the caller named it), or the source name given; may be empty. */
  public String source() {
    return source;
  }

  /** The 1-based number of the document in the file, or 0 when the problem is with the whole file. */
  public int document() {
    return document;
  }

  /** The 1-based line of a YAML syntax error, or 0. */
  public int line() {
    return line;
  }

  /** The 1-based column of a YAML syntax error, or 0. */
  public int column() {
    return column;
  }

  /** The object the problem is in, e.g. {@code ExternalSecret apps/db}, or empty. */
  public String object() {
    return object;
  }

  /** The dotted path of the offending field, e.g. {@code spec.data[0].remoteRef.key}, or empty. */
  public String field() {
    return field;
  }

  /** What is wrong, without the location and the fix, e.g. {@code required}. */
  public String problem() {
    return problem;
  }

  private static String message(String source, int document, int line, int column, String object, String field,
      String problem, String fix) {
    StringBuilder where = new StringBuilder(source);
    if (document > 0) {
      where.append(where.length() == 0 ? "" : ": ").append("document ").append(document);
    }
    if (line > 0) {
      where.append(where.length() == 0 ? "" : ", ").append("line ").append(line).append(", column ").append(column);
    }
    StringBuilder out = new StringBuilder();
    for (String part : new String[] {where.toString(), object, field}) {
      if (!part.isEmpty()) {
        out.append(part).append(": ");
      }
    }
    out.append(problem);
    if (!fix.isEmpty()) {
      out.append("; ").append(fix);
    }
    return out.toString();
  }
}
