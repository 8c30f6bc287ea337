package io.secretsync.core.model;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go's {@code time.ParseDuration} syntax as Kubernetes manifests use it: {@code 1h0m0s}, {@code 2m}, {@code 1.5h}, {@code 0}. */
public final class GoDuration {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");

  private GoDuration() {}

  /** Parses {@code text}; fails with a message saying what is wrong (never negative durations). */
  public static Duration parse(String text) {
    String s = text.trim();
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.isEmpty()) {
      throw new IllegalArgumentException("invalid duration \"\": expected a Go duration such as 1h, 2m or 30s");
    }
    Matcher m = PART.matcher(s);
    long nanos = 0;
    int at = 0;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException(
            "invalid duration \"" + text + "\": expected a Go duration such as 1h, 2m or 30s");
      }
      double value = Double.parseDouble(m.group(1));
      long unit = switch (m.group(2)) {
        case "ns" -> 1L;
        case "us", "µs", "μs" -> 1_000L;
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        default -> 3_600_000_000_000L;
      };
      nanos += Math.round(value * unit);
      at = m.end();
    }
    return Duration.ofNanos(nanos);
  }

  /** Formats like Go's {@code Duration.String()} for whole seconds: {@code 1h0m0s}, {@code 2m0s}, {@code 0s}. */
  public static String format(Duration duration) {
    long seconds = duration.getSeconds();
    if (seconds == 0 && duration.getNano() == 0) {
      return "0s";
    }
    long h = seconds / 3600;
    long m = (seconds % 3600) / 60;
    long s = seconds % 60;
    StringBuilder out = new StringBuilder();
    if (h > 0) {
      out.append(h).append('h');
    }
    if (h > 0 || m > 0) {
      out.append(m).append('m');
    }
    out.append(s).append('s');
    return out.toString();
  }
}
