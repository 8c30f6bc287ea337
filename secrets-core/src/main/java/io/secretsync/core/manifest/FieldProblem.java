package io.secretsync.core.manifest;

import static java.util.Objects.requireNonNull;

/**
 * One field of a manifest is wrong: its dotted path, what is wrong and what to do. Thrown while a
 * document is read and turned into a {@link ManifestException} that also names the file and the
 * document. Never carries a field's value unless the value is an enum spelling.
 */
final class FieldProblem extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final String field;
  final String problem;
  final String fix;

  FieldProblem(String field, String problem, String fix) {
    super(field + ": " + problem, null, false, false);
    this.field = requireNonNull(field);
    this.problem = requireNonNull(problem);
    this.fix = requireNonNull(fix);
  }
}
