package io.secretsync.testkit.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Faults a fake server injects while answering: a fixed status (optionally with
 * {@code Retry-After}), a delay, a dropped connection, "sealed", a body that is not JSON, or the
 * real answer cut short (a truncated fixed-length body, or a streamed body whose connection drops
 * midway), for a number of requests or until cleared, optionally only for paths under a prefix and
 * only for every n-th matching request. Several faults may be active; the oldest matching one
 * applies and uses up one of its count. Thread-safe.
 */
public final class FaultInjector {

  /** What a fault does. */
  public enum Mode {
    /** Answer with a fixed status (body in the server's error dialect). */
    STATUS,
    /** Wait, then answer normally. */
    DELAY,
    /** Drop the connection without an answer. */
    RESET,
    /** Answer as a sealed or unavailable server would (Vault: 503 "Vault is sealed"). */
    SEALED,
    /** Answer 200 with a JSON content type and a body that is not valid JSON. */
    MALFORMED,
    /**
     * Answer normally, but send only the first half of the body announced by its
     * {@code Content-Length}, then close the connection.
     */
    TRUNCATED,
    /**
     * Answer normally with a chunked (streamed) body, then drop the connection after the first half
     * of the body, without the final chunk.
     */
    CUT;

    /** The JSON spelling: lower case. */
    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One fault. {@code count} is how many requests it affects, -1 = until cleared.
   * {@code pathPrefix} empty = all paths; see {@link #matches(String)}. {@code retryAfterSeconds}
   * (-1 = none) adds a {@code Retry-After} header to a STATUS or SEALED answer. {@code every}
   * = n makes the fault apply to every n-th matching request only (the others are answered
   * normally; 2 = half of them), 1 = every one. {@code method} (empty = any) limits the fault to
   * requests with that HTTP method.
   */
  public record Fault(Mode mode, int status, long delayMillis, String pathPrefix, int count,
      int retryAfterSeconds, int every, String method) {
    /** A fault on every matching request of any method, without {@code Retry-After}. */
    public Fault(Mode mode, int status, long delayMillis, String pathPrefix, int count) {
      this(mode, status, delayMillis, pathPrefix, count, -1, 1, "");
    }

    public Fault {
      if (retryAfterSeconds < -1) {
        throw new IllegalArgumentException("fault \"retryAfterSeconds\" must be >= 0, or -1 for none, got "
            + retryAfterSeconds);
      }
      Objects.requireNonNull(method, "method");
      if (every < 1) {
        throw new IllegalArgumentException("fault \"every\" must be >= 1, got " + every);
      }
      Objects.requireNonNull(mode, "mode");
      Objects.requireNonNull(pathPrefix, "pathPrefix");
      if (mode == Mode.STATUS && (status < 100 || status > 999)) {
        throw new IllegalArgumentException("fault \"status\" must be an HTTP status 100..999, got "
            + status);
      }
      if (delayMillis < 0) {
        throw new IllegalArgumentException("fault \"delayMillis\" must be >= 0, got " + delayMillis);
      }
      if (count == 0 || count < -1) {
        throw new IllegalArgumentException(
            "fault \"count\" must be a positive number of requests, or -1 for until cleared, got "
                + count);
      }
    }

    /** Answer every request with {@code status} until cleared. */
    public static Fault status(int status) {
      return new Fault(Mode.STATUS, status, 0, "", -1);
    }

    /** Delay every request by {@code delay} until cleared. */
    public static Fault delay(Duration delay) {
      return new Fault(Mode.DELAY, 0, delay.toMillis(), "", -1);
    }

    /** Drop every connection until cleared. */
    public static Fault reset() {
      return new Fault(Mode.RESET, 0, 0, "", -1);
    }

    /** Answer as sealed until cleared. */
    public static Fault sealed() {
      return new Fault(Mode.SEALED, 503, 0, "", -1);
    }

    /** Answer 200 with a body that is not JSON until cleared. */
    public static Fault malformedJson() {
      return new Fault(Mode.MALFORMED, 200, 0, "", -1);
    }

    /** Send half of each announced body, then close, until cleared. */
    public static Fault truncatedBody() {
      return new Fault(Mode.TRUNCATED, 0, 0, "", -1);
    }

    /** Stream each body and drop the connection halfway through it, until cleared. */
    public static Fault cutMidBody() {
      return new Fault(Mode.CUT, 0, 0, "", -1);
    }

    /** A copy that affects only the next {@code count} requests (-1 = until cleared). */
    public Fault times(int count) {
      return new Fault(mode, status, delayMillis, pathPrefix, count, retryAfterSeconds, every, method);
    }

    /** A copy that affects only paths under {@code prefix}. */
    public Fault onPathPrefix(String prefix) {
      return new Fault(mode, status, delayMillis, prefix, count, retryAfterSeconds, every, method);
    }

    /** A copy that affects only requests with HTTP method {@code httpMethod} (e.g. PUT). */
    public Fault onMethod(String httpMethod) {
      return new Fault(mode, status, delayMillis, pathPrefix, count, retryAfterSeconds, every,
          httpMethod.toUpperCase(Locale.ROOT));
    }

    /** A copy whose answers carry {@code Retry-After: seconds} (STATUS and SEALED only). */
    public Fault withRetryAfter(int seconds) {
      if (seconds < 0) {
        throw new IllegalArgumentException("Retry-After must be >= 0 seconds, got " + seconds);
      }
      return new Fault(mode, status, delayMillis, pathPrefix, count, seconds, every, method);
    }

    /** A copy that applies to every {@code n}-th matching request only (2 = half of them). */
    public Fault everyNth(int n) {
      return new Fault(mode, status, delayMillis, pathPrefix, count, retryAfterSeconds, n, method);
    }

    /**
     * Whether this fault applies to a request path. A prefix starting with {@code /} is matched
     * against the HTTP path as sent; one without is matched against the path without its leading
     * {@code /} and, for Vault, also without {@code /v1/} (so {@code secret/data/} works).
     */
    public boolean matches(String path) {
      if (pathPrefix.isEmpty() || path.startsWith(pathPrefix)) {
        return true;
      }
      if (pathPrefix.startsWith("/")) {
        return false;
      }
      String bare = path.startsWith("/") ? path.substring(1) : path;
      return bare.startsWith(pathPrefix)
          || (bare.startsWith("v1/") && bare.substring(3).startsWith(pathPrefix));
    }

    /**
     * Parses the JSON used at {@code PUT /_testkit/faults}:
     * {@code {"mode":"status|delay|reset|sealed|malformed|truncated|cut","status":503,"delayMillis":0,
     * "pathPrefix":"","count":-1,"retryAfterSeconds":-1,"every":1,"method":""}}.
     * Only {@code mode} is required; {@code count} defaults to -1, {@code every} to 1.
     *
     * @throws IllegalArgumentException naming the field that is wrong
     */
    public static Fault fromJson(JsonNode json) {
      if (json == null || !json.isObject()) {
        throw new IllegalArgumentException("fault must be a JSON object with a \"mode\" field");
      }
      JsonNode modeNode = json.get("mode");
      if (modeNode == null || !modeNode.isTextual()) {
        throw new IllegalArgumentException(
            "fault \"mode\" is required: one of " + MODES);
      }
      Mode mode;
      try {
        mode = Mode.valueOf(modeNode.asText().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("fault \"mode\" must be one of " + MODES + ", got \""
            + modeNode.asText() + "\"");
      }
      int status = intField(json, "status", mode == Mode.SEALED ? 503 : mode == Mode.MALFORMED ? 200 : 0);
      if (mode == Mode.STATUS && !json.has("status")) {
        throw new IllegalArgumentException("fault \"status\" is required for mode status");
      }
      long delay = intField(json, "delayMillis", 0);
      if (mode == Mode.DELAY && !json.has("delayMillis")) {
        throw new IllegalArgumentException("fault \"delayMillis\" is required for mode delay");
      }
      JsonNode prefix = json.get("pathPrefix");
      if (prefix != null && !prefix.isNull() && !prefix.isTextual()) {
        throw new IllegalArgumentException("fault \"pathPrefix\" must be a string");
      }
      String pathPrefix = prefix == null || prefix.isNull() ? "" : prefix.asText();
      int count = intField(json, "count", -1);
      int retryAfter = intField(json, "retryAfterSeconds", -1);
      int every = intField(json, "every", 1);
      JsonNode methodNode = json.get("method");
      if (methodNode != null && !methodNode.isNull() && !methodNode.isTextual()) {
        throw new IllegalArgumentException("fault \"method\" must be a string");
      }
      String method = methodNode == null || methodNode.isNull() ? ""
          : methodNode.asText().toUpperCase(Locale.ROOT);
      return new Fault(mode, status, delay, pathPrefix, count, retryAfter, every, method);
    }

    private static int intField(JsonNode json, String name, int dflt) {
      JsonNode node = json.get(name);
      if (node == null || node.isNull()) {
        return dflt;
      }
      if (!node.canConvertToInt() || !node.isIntegralNumber()) {
        throw new IllegalArgumentException("fault \"" + name + "\" must be an integer");
      }
      return node.asInt();
    }

    /** This fault as the JSON object {@link #fromJson} reads. */
    public Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("mode", mode.jsonName());
      m.put("status", status);
      m.put("delayMillis", delayMillis);
      m.put("pathPrefix", pathPrefix);
      m.put("count", count);
      m.put("retryAfterSeconds", retryAfterSeconds);
      m.put("every", every);
      m.put("method", method);
      return m;
    }
  }

  private static final String MODES = "status, delay, reset, sealed, malformed, truncated, cut";

  private final List<ActiveFault> active = new ArrayList<>();

  /** Activates a fault after those already active. */
  public synchronized void add(Fault fault) {
    active.add(new ActiveFault(Objects.requireNonNull(fault, "fault")));
  }

  /** Clears all faults. */
  public synchronized void clear() {
    active.clear();
  }

  /** The active faults with their remaining counts. */
  public synchronized List<Fault> active() {
    return active.stream().map(a -> a.fault.times(a.remaining)).toList();
  }

  /**
   * The fault to apply to a request on {@code path}, using up one of its count; empty when none
   * applies.
   */
  public synchronized Optional<Fault> next(String path) {
    return next("", path);
  }

  /**
   * The fault to apply to a {@code method} request on {@code path}, using up one of its count;
   * empty when none applies. A fault limited to a method never applies when {@code method} is empty.
   */
  public synchronized Optional<Fault> next(String method, String path) {
    Iterator<ActiveFault> it = active.iterator();
    while (it.hasNext()) {
      ActiveFault a = it.next();
      if (a.fault.matches(path) && (a.fault.method().isEmpty() || a.fault.method().equals(method))) {
        if (++a.seen % a.fault.every() != 0) {
          return Optional.empty();
        }
        if (a.remaining > 0 && --a.remaining == 0) {
          it.remove();
        }
        return Optional.of(a.fault);
      }
    }
    return Optional.empty();
  }

  @Override
  public synchronized String toString() {
    return "FaultInjector{active=" + active.size() + "}";
  }

  private static final class ActiveFault {
    final Fault fault;
    int remaining;
    long seen;

    ActiveFault(Fault fault) {
      this.fault = fault;
      this.remaining = fault.count();
    }
  }
}
