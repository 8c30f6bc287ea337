package io.secretsync.testkit.server;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The one Jackson mapper of the plumbing: default settings, nulls written, map order kept. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}
}
