package io.secretsync.testkit.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link Handler} answers: a status with headers and a body, a long-lived streamed body (sent
 * chunked, e.g. a Kubernetes watch), or a dropped connection. Carries audit annotations (namespace,
 * a note on the real cause) that go to the {@link AuditLog} and never to the client. Immutable.
 */
public final class ServerResponse {
  private static final byte[] EMPTY = new byte[0];

  private final int status;
  private final Map<String, List<String>> headers;
  private final byte[] body;
  private final StreamingBody stream;
  private final boolean dropConnection;
  private final String auditNamespace;
  private final String auditNote;

  private ServerResponse(int status, Map<String, List<String>> headers, byte[] body,
      StreamingBody stream, boolean dropConnection, String auditNamespace, String auditNote) {
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.stream = stream;
    this.dropConnection = dropConnection;
    this.auditNamespace = auditNamespace;
    this.auditNote = auditNote;
  }

  /** An answer with {@code status} and no body. */
  public static ServerResponse status(int status) {
    return new ServerResponse(checkStatus(status), Map.of(), EMPTY, null, false, null, null);
  }

  /** An answer with a JSON body rendered by Jackson (maps keep their order, nulls are written). */
  public static ServerResponse json(int status, Object value) {
    try {
      return bytes(status, "application/json", Json.MAPPER.writeValueAsBytes(value));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot render response as JSON", e);
    }
  }

  /** An answer whose body is the given JSON text, verbatim. */
  public static ServerResponse jsonText(int status, String json) {
    return bytes(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  /** An answer with a UTF-8 {@code text/plain} body. */
  public static ServerResponse text(int status, String text) {
    return bytes(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
  }

  /** An answer with the given content type and body bytes. */
  public static ServerResponse bytes(int status, String contentType, byte[] body) {
    return new ServerResponse(checkStatus(status), Map.of("Content-Type", List.of(contentType)),
        body.clone(), null, false, null, null);
  }

  /**
   * A streamed answer: headers are sent at once, then {@code body} writes chunks until it returns, the
   * client goes away, or the server closes.
   */
  public static ServerResponse streaming(int status, String contentType, StreamingBody body) {
    return new ServerResponse(checkStatus(status), Map.of("Content-Type", List.of(contentType)),
        EMPTY, Objects.requireNonNull(body, "body"), false, null, null);
  }

  /** No answer at all: the server closes the connection, the client sees an I/O error. */
  public static ServerResponse dropConnection() {
    return new ServerResponse(0, Map.of(), EMPTY, null, true, null, null);
  }

  /** A copy with a header value added. */
  public ServerResponse withHeader(String name, String value) {
    Map<String, List<String>> h = new LinkedHashMap<>(headers);
    List<String> values = new ArrayList<>(h.getOrDefault(name, List.of()));
    values.add(value);
    h.put(name, List.copyOf(values));
    return new ServerResponse(status, Collections.unmodifiableMap(h), body, stream, dropConnection,
        auditNamespace, auditNote);
  }

  /** A copy whose audit entry names {@code namespace}. */
  public ServerResponse withAuditNamespace(String namespace) {
    return new ServerResponse(status, headers, body, stream, dropConnection, namespace, auditNote);
  }

  /**
   * A copy whose audit entry carries {@code note}, e.g. the real cause behind a terse error. The note
   * must not contain secret values or tokens.
   */
  public ServerResponse withAuditNote(String note) {
    return new ServerResponse(status, headers, body, stream, dropConnection, auditNamespace, note);
  }

  /** The status code; 0 for a dropped connection. */
  public int status() {
    return status;
  }

  /** Response headers. */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** The first value of a header, exact name. */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** The body bytes (a copy); empty for streamed answers. */
  public byte[] body() {
    return body.clone();
  }

  /** The body decoded as UTF-8. */
  public String bodyUtf8() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** The streamed body, if this is a streamed answer. */
  public Optional<StreamingBody> stream() {
    return Optional.ofNullable(stream);
  }

  /** True when the server should drop the connection instead of answering. */
  public boolean isDropConnection() {
    return dropConnection;
  }

  /** The namespace recorded in the audit log, if any. */
  public Optional<String> auditNamespace() {
    return Optional.ofNullable(auditNamespace);
  }

  /** The note recorded in the audit log, if any. */
  public Optional<String> auditNote() {
    return Optional.ofNullable(auditNote);
  }

  @Override
  public String toString() {
    return dropConnection ? "ServerResponse{drop connection}"
        : "ServerResponse{status=" + status + (stream != null ? ", streaming" : ", bytes="
            + body.length) + "}";
  }

  private static int checkStatus(int status) {
    if (status < 100 || status > 999) {
      throw new IllegalArgumentException("HTTP status out of range: " + status);
    }
    return status;
  }

  /** Writes a streamed body. Runs on the exchange's own thread and may block for a long time. */
  @FunctionalInterface
  public interface StreamingBody {
    /**
     * Writes chunks to {@code sink} until done. Should return soon after {@link StreamSink#isOpen()}
     * turns false; an {@link IOException} from the sink means the client went away.
     */
    void writeTo(StreamSink sink) throws IOException;
  }

  /** Where a {@link StreamingBody} writes. Not thread-safe: only the writing thread may use it. */
  public interface StreamSink {
    /** Writes bytes and flushes them to the client as one chunk. */
    void writeChunk(byte[] bytes) throws IOException;

    /** False once the server is closing; streams should then return. */
    boolean isOpen();
  }
}
