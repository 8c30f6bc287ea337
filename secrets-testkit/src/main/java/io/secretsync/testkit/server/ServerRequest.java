package io.secretsync.testkit.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One HTTP request as a handler sees it: method, path, query, headers, the whole body, the peer's
 * address and TLS client certificates. Immutable and thread-safe. {@link #toString()} shows method and
 * path only (never headers or body, which may carry tokens).
 */
public final class ServerRequest {
  private final String method;
  private final String rawPath;
  private final String path;
  private final String rawQuery;
  private final Map<String, List<String>> query;
  private final Map<String, List<String>> headers;
  private final byte[] body;
  private final InetSocketAddress remoteAddress;
  private final List<X509Certificate> peerCertificates;

  private ServerRequest(Builder b) {
    this.method = b.method;
    this.rawPath = b.rawPath;
    this.path = decode(b.rawPath);
    this.rawQuery = b.rawQuery == null ? "" : b.rawQuery;
    this.query = parseQuery(this.rawQuery);
    TreeMap<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    b.headers.forEach((k, v) -> h.put(k, List.copyOf(v)));
    this.headers = Collections.unmodifiableMap(h);
    this.body = b.body.clone();
    this.remoteAddress = b.remoteAddress;
    this.peerCertificates = List.copyOf(b.peerCertificates);
  }

  /** A builder, for servers and for testing handlers directly. */
  public static Builder builder(String method, String rawPath) {
    return new Builder(method, rawPath);
  }

  /** The method as sent, upper case ({@code GET}, {@code LIST}, {@code PATCH} ...). */
  public String method() {
    return method;
  }

  /** The percent-decoded path, e.g. {@code /v1/secret/data/app}. */
  public String path() {
    return path;
  }

  /** The path as sent, still percent-encoded. */
  public String rawPath() {
    return rawPath;
  }

  /** The raw query string without {@code ?}; empty when absent. */
  public String rawQuery() {
    return rawQuery;
  }

  /** Decoded query parameters in order of appearance. */
  public Map<String, List<String>> queryParameters() {
    return query;
  }

  /** The first value of a query parameter. */
  public Optional<String> queryParameter(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** The first value of a header (case-insensitive name). */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** All headers, names case-insensitive. */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** The body bytes (a copy); empty when there was none. */
  public byte[] body() {
    return body.clone();
  }

  /** The body decoded as UTF-8. */
  public String bodyUtf8() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** True when the body is empty or only whitespace. */
  public boolean bodyIsBlank() {
    return bodyUtf8().isBlank();
  }

  /**
   * The body parsed as JSON; {@link MissingNode} when blank.
   *
   * @throws MalformedJsonException when the body is not valid JSON
   */
  public JsonNode bodyJson() {
    if (bodyIsBlank()) {
      return MissingNode.getInstance();
    }
    try {
      return Json.MAPPER.readTree(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
      throw new MalformedJsonException(at == null ? "unreadable"
          : "syntax error at line " + at.getLineNr() + ", column " + at.getColumnNr());
    } catch (IOException e) {
      throw new MalformedJsonException("unreadable");
    }
  }

  /** The client's socket address. */
  public InetSocketAddress remoteAddress() {
    return remoteAddress;
  }

  /** The client certificate chain when the client authenticated with one; else empty. */
  public List<X509Certificate> peerCertificates() {
    return peerCertificates;
  }

  @Override
  public String toString() {
    return method + " " + path;
  }

  private static String decode(String raw) {
    try {
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return raw;
    }
  }

  private static Map<String, List<String>> parseQuery(String raw) {
    Map<String, List<String>> result = new LinkedHashMap<>();
    if (!raw.isEmpty()) {
      for (String pair : raw.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        result.computeIfAbsent(decodeQuery(name), k -> new ArrayList<>()).add(decodeQuery(value));
      }
    }
    Map<String, List<String>> copy = new LinkedHashMap<>();
    result.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    return Collections.unmodifiableMap(copy);
  }

  private static String decodeQuery(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  /** Thrown by {@link #bodyJson()} when the body is not JSON. The message holds no body content. */
  public static final class MalformedJsonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MalformedJsonException(String where) {
      super("request body is not valid JSON: " + where);
    }
  }

  /** Builds a {@link ServerRequest}. Not thread-safe. */
  public static final class Builder {
    private final String method;
    private final String rawPath;
    private String rawQuery = "";
    private final Map<String, List<String>> headers = new LinkedHashMap<>();
    private byte[] body = new byte[0];
    private InetSocketAddress remoteAddress = new InetSocketAddress("127.0.0.1", 0);
    private List<X509Certificate> peerCertificates = List.of();

    private Builder(String method, String rawPath) {
      this.method = Objects.requireNonNull(method, "method").toUpperCase(Locale.ROOT);
      String p = Objects.requireNonNull(rawPath, "rawPath");
      int q = p.indexOf('?');
      if (q >= 0) {
        this.rawQuery = p.substring(q + 1);
        p = p.substring(0, q);
      }
      this.rawPath = p;
    }

    /** The raw query string (without {@code ?}). */
    public Builder rawQuery(String rawQuery) {
      this.rawQuery = rawQuery == null ? "" : rawQuery;
      return this;
    }

    /** Adds a header value. */
    public Builder header(String name, String value) {
      headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      return this;
    }

    /** Sets the body bytes. */
    public Builder body(byte[] body) {
      this.body = body == null ? new byte[0] : body.clone();
      return this;
    }

    /** Sets the body as UTF-8 text. */
    public Builder body(String body) {
      return body(body.getBytes(StandardCharsets.UTF_8));
    }

    /** The client's address. */
    public Builder remoteAddress(InetSocketAddress address) {
      this.remoteAddress = Objects.requireNonNull(address, "address");
      return this;
    }

    /** The client's TLS certificate chain. */
    public Builder peerCertificates(List<X509Certificate> certificates) {
      this.peerCertificates = List.copyOf(certificates);
      return this;
    }

    public ServerRequest build() {
      return new ServerRequest(this);
    }
  }
}
