package io.secretsync.core.template;

import io.secretsync.core.SecretSyncException;
import java.util.List;

/**
 * A template failed to parse or to render. Names the template, the line and column (1-based) in
 * its source, and what went wrong; never a value the template was given or produced.
 */
public final class TemplateException extends SecretSyncException {
  private static final long serialVersionUID = 1L;

  private final String templateName;
  private final int line;
  private final int column;
  private final String reason;

  TemplateException(String templateName, int line, int column, String reason) {
    super("template " + GoStrings.quote(templateName) + " line " + line + ", column " + column + ": " + reason,
        List.of("fix the template at line " + line + ", column " + column), null);
    this.templateName = templateName;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }

  static TemplateException at(String templateName, String source, int offset, String reason) {
    int line = 1;
    int lineStart = 0;
    int end = Math.max(0, Math.min(offset, source.length()));
    for (int i = 0; i < end; i++) {
      if (source.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return new TemplateException(templateName, line, source.codePointCount(lineStart, end) + 1, reason);
  }

  public String templateName() {
    return templateName;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }

  /** What went wrong, without the position. */
  public String reason() {
    return reason;
  }
}
