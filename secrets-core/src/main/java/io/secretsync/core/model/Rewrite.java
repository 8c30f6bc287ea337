package io.secretsync.core.model;

import static java.util.Objects.requireNonNull;

/** One {@code dataFrom[].rewrite[]} step, applied in order to the key names of that entry. */
public sealed interface Rewrite {

  /** Go {@code regexp.ReplaceAllString(key, target)}: {@code $1} and {@code ${name}} refer to groups. */
  record Regexp(String source, String target) implements Rewrite {
    public Regexp {
      requireNonNull(source, "source");
      requireNonNull(target, "target");
    }
  }

  /** A template rendered with {@code .value} bound to the key name; its output is the new key. */
  record Transform(String template) implements Rewrite {
    public Transform {
      requireNonNull(template, "template");
    }
  }
}
