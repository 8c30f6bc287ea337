package io.secretsync.core.template;

/** An error at an offset of the source; the caller turns it into a {@link TemplateException}. */
final class PositionedError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final int pos;

  PositionedError(int pos, String message) {
    super(message, null, false, false);
    this.pos = pos;
  }
}
