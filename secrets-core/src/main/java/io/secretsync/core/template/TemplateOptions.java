package io.secretsync.core.template;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

/**
 * How a {@link Template} is parsed and rendered. The defaults are ESO's: missing map keys are
 * errors ({@code missingkey=error}), delimiters {@code {{ }}}; output is bounded to 1 MiB (the
 * most a Kubernetes Secret can hold) and template nesting to depth 100. Immutable and thread-safe.
 */
public final class TemplateOptions {

  /** What {@code .key} does when a map has no such key. */
  public enum MissingKey {
    /** Fail with {@code map has no entry for key "k"}: ESO's {@code target.template}. */
    ERROR,
    /** Yield no value, printed as {@code <no value>}: Go's default, ESO's {@code rewrite.transform}. */
    NO_VALUE
  }

  private static final TemplateOptions DEFAULTS = builder().build();

  private final long maxOutputBytes;
  private final int maxDepth;
  private final MissingKey missingKey;
  private final String leftDelimiter;
  private final String rightDelimiter;

  private TemplateOptions(Builder b) {
    this.maxOutputBytes = b.maxOutputBytes;
    this.maxDepth = b.maxDepth;
    this.missingKey = b.missingKey;
    this.leftDelimiter = b.leftDelimiter;
    this.rightDelimiter = b.rightDelimiter;
  }

  public static TemplateOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The most bytes one render may produce; a render that would exceed it fails. */
  public long maxOutputBytes() {
    return maxOutputBytes;
  }

  /** The deepest nesting of control structures and parentheses, and of {@code template} calls. */
  public int maxDepth() {
    return maxDepth;
  }

  public MissingKey missingKey() {
    return missingKey;
  }

  public String leftDelimiter() {
    return leftDelimiter;
  }

  public String rightDelimiter() {
    return rightDelimiter;
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxOutputBytes = maxOutputBytes;
    b.maxDepth = maxDepth;
    b.missingKey = missingKey;
    b.leftDelimiter = leftDelimiter;
    b.rightDelimiter = rightDelimiter;
    return b;
  }

  @Override
  public String toString() {
    return "TemplateOptions{maxOutputBytes=" + maxOutputBytes + ", maxDepth=" + maxDepth + ", missingKey="
        + missingKey + ", delimiters=" + leftDelimiter + " " + rightDelimiter + "}";
  }

  /** Builds {@link TemplateOptions}; not thread-safe. */
  public static final class Builder {
    private long maxOutputBytes = 1024 * 1024;
    private int maxDepth = 100;
    private MissingKey missingKey = MissingKey.ERROR;
    private String leftDelimiter = "{{";
    private String rightDelimiter = "}}";

    private Builder() {}

    public Builder maxOutputBytes(long maxOutputBytes) {
      checkArgument(maxOutputBytes > 0 && maxOutputBytes <= Integer.MAX_VALUE / 2,
          "maxOutputBytes must be between 1 and %s", Integer.MAX_VALUE / 2);
      this.maxOutputBytes = maxOutputBytes;
      return this;
    }

    public Builder maxDepth(int maxDepth) {
      checkArgument(maxDepth > 0 && maxDepth <= 1000, "maxDepth must be between 1 and 1000");
      this.maxDepth = maxDepth;
      return this;
    }

    public Builder missingKey(MissingKey missingKey) {
      this.missingKey = requireNonNull(missingKey, "missingKey");
      return this;
    }

    /** ESO's {@code --template-left-delimiter} and {@code --template-right-delimiter}. */
    public Builder delimiters(String left, String right) {
      checkArgument(left != null && !left.isEmpty() && right != null && !right.isEmpty(),
          "delimiters must not be empty");
      this.leftDelimiter = left;
      this.rightDelimiter = right;
      return this;
    }

    public TemplateOptions build() {
      return new TemplateOptions(this);
    }
  }
}
