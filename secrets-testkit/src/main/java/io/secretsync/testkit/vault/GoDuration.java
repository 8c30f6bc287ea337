package io.secretsync.testkit.vault;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Vault reads and writes them: seconds as a number or numeric string, or Go duration
 * text ({@code 1h30m}, {@code 768h}, {@code 10s}, also {@code d} for days); written as Go's
 * {@code Duration.String()} ({@code 0s}, {@code 1h0m0s}, {@code 1m30s}).
 */
final class GoDuration {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h|d)");

  private GoDuration() {}

  /** Thrown for unparseable input; the message is Go's. */
  static final class InvalidDurationException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidDurationException(String message) {
      super(message);
    }
  }

  static Duration parse(JsonNode node) throws InvalidDurationException {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return Duration.ZERO;
    }
    if (node.isNumber()) {
      return Duration.ofSeconds(node.asLong());
    }
    return parse(node.asText());
  }

  static Duration parse(String text) throws InvalidDurationException {
    String s = text.trim();
    if (s.isEmpty()) {
      return Duration.ZERO;
    }
    if (s.matches("-?\\d+")) {
      return Duration.ofSeconds(Long.parseLong(s));
    }
    boolean negative = s.startsWith("-");
    String rest = negative || s.startsWith("+") ? s.substring(1) : s;
    Matcher m = PART.matcher(rest);
    int at = 0;
    BigDecimal nanos = BigDecimal.ZERO;
    while (at < rest.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new InvalidDurationException("time: invalid duration \"" + text + "\"");
      }
      BigDecimal value = new BigDecimal(m.group(1).startsWith(".") ? "0" + m.group(1)
          : m.group(1));
      long unit = switch (m.group(2)) {
        case "ns" -> 1L;
        case "us", "µs" -> 1_000L;
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        case "h" -> 3_600_000_000_000L;
        default -> 86_400_000_000_000L;
      };
      nanos = nanos.add(value.multiply(BigDecimal.valueOf(unit)));
      at = m.end();
    }
    if (at == 0) {
      throw new InvalidDurationException("time: invalid duration \"" + text + "\"");
    }
    Duration d = Duration.ofNanos(nanos.longValue());
    return negative ? d.negated() : d;
  }

  /** Go's {@code Duration.String()} for whole and fractional seconds. */
  static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder b = new StringBuilder();
    if (d.isNegative()) {
      b.append('-');
      d = d.negated();
    }
    if (d.compareTo(Duration.ofSeconds(1)) < 0) {
      long n = d.toNanos();
      if (n < 1_000) {
        return b.append(n).append("ns").toString();
      }
      if (n < 1_000_000) {
        return b.append(trim(BigDecimal.valueOf(n, 3))).append("µs").toString();
      }
      return b.append(trim(BigDecimal.valueOf(n, 6))).append("ms").toString();
    }
    long hours = d.toHours();
    long minutes = d.toMinutesPart();
    BigDecimal seconds = trim(BigDecimal.valueOf(d.toSecondsPart())
        .add(BigDecimal.valueOf(d.toNanosPart(), 9)));
    if (hours > 0) {
      b.append(hours).append('h').append(minutes).append('m');
    } else if (minutes > 0) {
      b.append(minutes).append('m');
    }
    return b.append(seconds.toPlainString()).append('s').toString();
  }

  private static BigDecimal trim(BigDecimal v) {
    BigDecimal t = v.stripTrailingZeros();
    return t.scale() < 0 ? t.setScale(0) : t;
  }
}
