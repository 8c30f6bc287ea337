package io.secretsync.core.template;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableMap;
import io.secretsync.core.template.Node.ListNode;
import java.util.Map;

/**
 * A parsed Go text/template with ESO's function set (Sprig and ESO's PEM, PKCS#12 and JWK
 * functions). Parse once, render many times:
 *
 * <pre>{@code
 * Template t = Template.parse("config.json", "{\"user\": {{ .user | toJson }}}");
 * String json = t.render(Map.of("user", "admin"));
 * }</pre>
 *
 * <p>Rendering has no file or network access; output and nesting are bounded by
 * {@link TemplateOptions}. Data is Go-typed on entry: a {@code Map} whose values are all strings
 * or byte arrays is a {@code map[string]string} (ESO's shape), other maps are
 * {@code map[string]interface{}}, byte arrays are strings byte for byte. Immutable and
 * thread-safe; each render is independent.
 */
public final class Template {

  private final String name;
  private final String source;
  private final TemplateOptions options;
  private final ImmutableMap<String, ListNode> trees;

  private Template(String name, String source, TemplateOptions options, Map<String, ListNode> trees) {
    this.name = name;
    this.source = source;
    this.options = options;
    this.trees = ImmutableMap.copyOf(trees);
  }

  /** Parses {@code text} with the default options. */
  public static Template parse(String name, String text) {
    return parse(name, text, TemplateOptions.defaults());
  }

  /**
   * Parses {@code text}.
   *
   * @throws TemplateException naming the line and column of the first syntax error
   */
  public static Template parse(String name, String text, TemplateOptions options) {
    requireNonNull(name, "name");
    requireNonNull(text, "text");
    requireNonNull(options, "options");
    try {
      Map<String, ListNode> trees = Parser.parse(name, text, options.leftDelimiter(), options.rightDelimiter(),
          Functions.ALL::containsKey, options.maxDepth());
      return new Template(name, text, options, trees);
    } catch (PositionedError e) {
      throw TemplateException.at(name, text, e.pos, e.getMessage());
    } catch (StackOverflowError e) {
      throw new TemplateException(name, 1, 1, "template nesting is too deep");
    }
  }

  public String name() {
    return name;
  }

  /**
   * Renders with {@code data} as dot.
   *
   * @throws TemplateException naming the line and column of the action that failed
   */
  public String render(Object data) {
    Object dot = GoValues.fromJava(data);
    try {
      return new Exec(trees, Functions.ALL, options).run(name, dot);
    } catch (PositionedError e) {
      throw TemplateException.at(name, source, e.pos, e.getMessage());
    } catch (StackOverflowError e) {
      throw new TemplateException(name, 1, 1, "template recursion is too deep");
    }
  }

  /** Renders and returns Go's bytes: UTF-8, with bytes that came in as binary restored exactly. */
  public byte[] renderBytes(Object data) {
    return GoStrings.toBytes(render(data));
  }

  @Override
  public String toString() {
    return "Template{" + name + ", " + trees.size() + " tree(s)}";
  }
}
