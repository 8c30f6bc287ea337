package io.secretsync.testkit.controller;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests: it rejects what a
 * Prometheus server would reject (bad names, bad label syntax or escapes, unparsable values, a
 * sample before its family's TYPE, a family split into pieces, a TYPE given twice) and checks
 * histograms (cumulative buckets, {@code +Inf} bucket equal to {@code _count}).
 */
final class PrometheusText {
  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

  record Sample(String name, Map<String, String> labels, double value) {}

  private final Map<String, String> types = new HashMap<>();
  private final List<Sample> samples = new ArrayList<>();

  private PrometheusText() {}

  static PrometheusText parse(String text) {
    PrometheusText parsed = new PrometheusText();
    Set<String> finished = new HashSet<>();
    String current = null;
    int lineNumber = 0;
    for (String line : text.split("\n", -1)) {
      lineNumber++;
      if (line.isEmpty()) {
        continue;
      }
      String where = "line " + lineNumber + " \"" + line + "\": ";
      if (line.startsWith("# ")) {
        String[] parts = line.split(" ", 4);
        if (parts.length >= 3 && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
          require(METRIC_NAME.matcher(parts[2]).matches(), where + "bad metric name");
          if (parts[1].equals("TYPE")) {
            require(parts.length == 4 && TYPES.contains(parts[3]), where + "bad type");
            require(!parsed.types.containsKey(parts[2]), where + "TYPE given twice");
            parsed.types.put(parts[2], parts[3]);
          }
        }
        continue;
      }
      Sample sample = parseSample(line, where);
      String family = parsed.familyOf(sample.name());
      require(family != null, where + "sample before its TYPE");
      if (!family.equals(current)) {
        require(!finished.contains(family), where + "family " + family + " is split");
        if (current != null) {
          finished.add(current);
        }
        current = family;
      }
      parsed.samples.add(sample);
    }
    require(text.isEmpty() || text.endsWith("\n"), "the text must end with a newline");
    parsed.checkHistograms();
    return parsed;
  }

  private String familyOf(String sampleName) {
    if (types.containsKey(sampleName)) {
      return sampleName;
    }
    for (String suffix : List.of("_bucket", "_sum", "_count")) {
      if (sampleName.endsWith(suffix)) {
        String base = sampleName.substring(0, sampleName.length() - suffix.length());
        if ("histogram".equals(types.get(base))) {
          return base;
        }
      }
    }
    return null;
  }

  private static Sample parseSample(String line, String where) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    require(METRIC_NAME.matcher(name).matches(), where + "bad metric name");
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        require(eq > 0, where + "label without =");
        String label = line.substring(i, eq);
        require(LABEL_NAME.matcher(label).matches(), where + "bad label name " + label);
        require(line.charAt(eq + 1) == '"', where + "label value not quoted");
        StringBuilder value = new StringBuilder();
        int j = eq + 2;
        while (line.charAt(j) != '"') {
          char c = line.charAt(j);
          if (c == '\\') {
            char next = line.charAt(j + 1);
            require(next == '\\' || next == '"' || next == 'n', where + "bad escape \\" + next);
            value.append(next == 'n' ? '\n' : next);
            j += 2;
          } else {
            value.append(c);
            j++;
          }
        }
        require(labels.put(label, value.toString()) == null, where + "label " + label + " twice");
        i = j + 1;
        if (line.charAt(i) == ',') {
          i++;
        }
      }
      i++;
    }
    require(i < line.length() && line.charAt(i) == ' ', where + "no space before the value");
    String[] rest = line.substring(i + 1).split(" ");
    require(rest.length == 1 || rest.length == 2, where + "bad value");
    double value = switch (rest[0]) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(rest[0]);
    };
    return new Sample(name, labels, value);
  }

  private void checkHistograms() {
    types.forEach((family, type) -> {
      if (!type.equals("histogram")) {
        return;
      }
      Map<Map<String, String>, List<Sample>> buckets = new HashMap<>();
      for (Sample s : samples) {
        if (s.name().equals(family + "_bucket")) {
          Map<String, String> series = new HashMap<>(s.labels());
          require(series.remove("le") != null, family + ": bucket without le");
          buckets.computeIfAbsent(series, k -> new ArrayList<>()).add(s);
        }
      }
      buckets.forEach((series, list) -> {
        double previousLe = Double.NEGATIVE_INFINITY;
        double previousCount = 0;
        for (Sample bucket : list) {
          String le = bucket.labels().get("le");
          double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
          require(bound > previousLe, family + series + ": buckets out of order");
          require(bucket.value() >= previousCount, family + series + ": buckets not cumulative");
          previousLe = bound;
          previousCount = bucket.value();
        }
        require(previousLe == Double.POSITIVE_INFINITY, family + series + ": no +Inf bucket");
        require(value(family + "_count", series) == previousCount, family + series + ": +Inf bucket != _count");
        require(find(family + "_sum", series).isPresent(), family + series + ": no _sum");
      });
    });
  }

  String type(String family) {
    return types.get(family);
  }

  List<Sample> samples() {
    return samples;
  }

  /** The value of the sample with exactly these labels. */
  double value(String name, Map<String, String> labels) {
    return find(name, labels).orElseThrow(() -> new AssertionError("no sample " + name + labels));
  }

  Optional<Double> find(String name, Map<String, String> labels) {
    return samples.stream()
        .filter(s -> s.name().equals(name) && s.labels().equals(labels))
        .map(Sample::value)
        .findFirst();
  }

  /** Whether any sample of {@code name} has labels including {@code subset}. */
  boolean has(String name, Map<String, String> subset) {
    return samples.stream().anyMatch(s -> s.name().equals(name) && s.labels().entrySet().containsAll(subset.entrySet()));
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new AssertionError("invalid exposition text: " + message);
    }
  }
}
