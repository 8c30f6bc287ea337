package io.secretsync.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.secretsync.core.SyncResult;
import java.io.PrintWriter;
import java.util.Collection;
import java.util.List;

/**
 * Prints the results of one pass of {@code sync} in the chosen format: text lines ({@link Format}),
 * a dry run's key changes, the Secret objects of {@code --dry-run -o yaml|json}, or each result as a
 * JSON or YAML object. Only the Secret objects of a dry run hold values. Not thread-safe.
 */
final class SyncOutput {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .build());

  private final SyncCommand.Output format;
  private final boolean dryRun;
  private final PrintWriter out;
  private final PrintWriter err;
  private int documents;

  SyncOutput(SyncCommand.Output format, boolean dryRun, PrintWriter out, PrintWriter err) {
    this.format = format;
    this.dryRun = dryRun;
    this.out = out;
    this.err = err;
  }

  /** Prints one pass. With {@code --dry-run -o yaml|json}, failures go to standard error. */
  void print(List<SyncResult> results) {
    switch (format) {
      case text -> results.forEach(r -> out.println(dryRun ? dryRunLine(r) : Format.line(r)));
      case json, yaml -> {
        if (dryRun) {
          results.stream().filter(SyncResult::failed).forEach(r -> err.println(Format.line(r)));
          String text = format == SyncCommand.Output.json ? SecretObjects.json(SyncCommand.desired(results))
              : SecretObjects.yaml(SyncCommand.desired(results));
          out.print(text);
        } else {
          ArrayNode array = JsonNodeFactory.instance.arrayNode();
          results.forEach(r -> array.add(toObject(r)));
          if (format == SyncCommand.Output.json) {
            out.println(write(JSON, array));
          } else {
            out.print((documents > 0 ? "---\n" : "") + write(YAML, array));
          }
          documents++;
        }
      }
    }
    out.flush();
    err.flush();
  }

  /** A line saying what a sync would do, for text output. */
  static String dryRunLine(SyncResult r) {
    if (r.failed()) {
      return Format.line(r);
    }
    String es = r.namespace() + "/" + r.name();
    String secret = "Secret " + r.namespace() + "/" + r.targetName();
    return switch (r.outcome()) {
      case CREATED -> es + ": would create " + secret + ": " + changes(r.changes());
      case UPDATED -> es + ": would update " + secret + ": "
          + (r.changes().isEmpty() ? "labels, annotations or owner only, no key changes" : changes(r.changes()));
      case DELETED -> es + ": would delete " + secret + " (" + r.message() + ")";
      case UNCHANGED -> es + ": " + secret + " is up to date, nothing would be written";
      default -> es + ": nothing would be written: " + r.message();
    };
  }

  private static String changes(SyncResult.KeyChanges c) {
    StringBuilder out = new StringBuilder();
    append(out, "add", c.added());
    append(out, "change", c.changed());
    append(out, "remove", c.removed());
    return out.length() == 0 ? "no keys" : out.toString();
  }

  private static void append(StringBuilder out, String verb, Collection<String> keys) {
    if (!keys.isEmpty()) {
      out.append(out.length() == 0 ? "" : "; ").append(verb).append(' ').append(String.join(", ", keys));
    }
  }

  /** A result as an object: names, outcome, condition, key names and sizes, changes, error and hints; no values. */
  static ObjectNode toObject(SyncResult r) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("namespace", r.namespace());
    o.put("name", r.name());
    o.put("target", r.targetName());
    o.put("outcome", r.outcome().name().toLowerCase(java.util.Locale.ROOT));
    ObjectNode condition = o.putObject("condition");
    condition.put("type", SyncResult.CONDITION_READY);
    condition.put("status", r.ready() ? "True" : "False");
    condition.put("reason", r.reason());
    condition.put("message", r.message());
    ObjectNode keys = o.putObject("keys");
    r.keySizes().forEach(keys::put);
    if (!r.changes().isEmpty()) {
      ObjectNode changes = o.putObject("changes");
      r.changes().added().forEach(changes.putArray("added")::add);
      r.changes().changed().forEach(changes.putArray("changed")::add);
      r.changes().removed().forEach(changes.putArray("removed")::add);
    }
    r.error().ifPresent(e -> {
      o.put("error", e.getMessage());
      ArrayNode hints = o.putArray("hints");
      e.hints().forEach(hints::add);
    });
    if (!r.missingEntries().isEmpty()) {
      r.missingEntries().forEach(o.putArray("missingEntries")::add);
    }
    return o;
  }

  private static String write(ObjectMapper mapper, Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot print the results", e);
    }
  }
}
