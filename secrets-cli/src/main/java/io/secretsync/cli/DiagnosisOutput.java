package io.secretsync.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.core.CommonIssue;
import io.secretsync.core.Diagnosis;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The text and JSON forms of a diagnosis report. Neither ever holds a value or a token: diagnoses do not. */
final class DiagnosisOutput {
  private DiagnosisOutput() {}

  /**
   * One block per store and ExternalSecret, a line per check ({@code ok}, {@code FAILED},
   * {@code skipped}), below a failure the common issue it is (or its candidates) and the fixes; last a
   * summary line.
   */
  static String text(Diagnostician.Report report) {
    StringBuilder out = new StringBuilder();
    for (Diagnostician.Section section : sections(report)) {
      out.append(section.subject()).append('\n');
      for (Diagnosis d : section.checks()) {
        String status = switch (d.status()) {
          case OK -> "ok";
          case FAILED -> "FAILED";
          case SKIPPED -> "skipped";
        };
        out.append(String.format(Locale.ROOT, "  %-8s%s: %s%n", status, d.check(), d.message()));
        if (d.issues().size() == 1) {
          out.append("          => ").append(d.issues().get(0)).append('\n');
        } else if (d.issues().size() > 1) {
          out.append("          => one of the walkthrough's common issues:\n");
          for (CommonIssue issue : d.issues()) {
            out.append("               ").append(issue).append('\n');
          }
        } else if (d.failed()) {
          out.append("          => not one of the walkthrough's six common issues\n");
        }
        for (String fix : d.fixes()) {
          out.append("          fix: ").append(fix).append('\n');
        }
      }
    }
    out.append(summary(report)).append('\n');
    return out.toString();
  }

  /** {@code all good: ...}, or the issues found, the decided ones first. */
  static String summary(Diagnostician.Report report) {
    int stores = report.stores().size();
    int es = report.externalSecrets().size();
    if (report.ok()) {
      return "all good: " + stores + " store(s) and " + es + " ExternalSecret(s) checked";
    }
    Set<String> found = new LinkedHashSet<>();
    long failed = 0;
    for (Diagnostician.Section section : sections(report)) {
      if (section.failed()) {
        failed++;
      }
      for (Diagnosis d : section.checks()) {
        if (d.failed() && d.issues().size() == 1) {
          found.add(d.issues().get(0).toString());
        }
      }
    }
    return failed + " of " + (stores + es) + " checked failed" + (found.isEmpty() ? ""
        : "; found " + String.join("; ", found));
  }

  static String json(Diagnostician.Report report) {
    ObjectNode root = VaultHttp.JSON.createObjectNode();
    root.put("ok", report.ok());
    section(root.putArray("stores"), report.stores());
    section(root.putArray("externalSecrets"), report.externalSecrets());
    try {
      return VaultHttp.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void section(ArrayNode out, List<Diagnostician.Section> sections) {
    for (Diagnostician.Section s : sections) {
      ObjectNode node = out.addObject().put("subject", s.subject()).put("ok", !s.failed());
      ArrayNode checks = node.putArray("checks");
      for (Diagnosis d : s.checks()) {
        ObjectNode c = checks.addObject().put("check", d.check()).put("status", d.status().name())
            .put("message", d.message());
        ArrayNode issues = c.putArray("issues");
        for (CommonIssue issue : d.issues()) {
          issues.addObject().put("number", issue.number()).put("name", issue.name()).put("title", issue.title());
        }
        ArrayNode fixes = c.putArray("fixes");
        d.fixes().forEach(fixes::add);
      }
    }
  }

  private static List<Diagnostician.Section> sections(Diagnostician.Report report) {
    return java.util.stream.Stream.concat(report.stores().stream(), report.externalSecrets().stream()).toList();
  }
}
