package io.secretsync.vault;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One request to Vault's HTTP API, before a token is attached: method, path below {@code /v1/},
 * query, JSON body, what it is for, and hints for the one answer whose meaning depends on the
 * caller (a policy denial: which path the policy must grant). Immutable.
 */
record VaultRequest(
    String method,
    String path,
    ImmutableMap<String, String> query,
    Optional<JsonNode> body,
    Purpose purpose,
    ImmutableList<String> deniedHints) {

  /** What a request is for; decides which namespace it is sent to and how failures read. */
  enum Purpose {
    LOGIN,
    TOKEN_SELF,
    READ,
    LIST;

    /** Whether a 404 answer is data for the caller (KV reads and lists) rather than a failure. */
    boolean answers404() {
      return this == READ || this == LIST;
    }

    boolean usesAuthNamespace() {
      return this == LOGIN || this == TOKEN_SELF;
    }
  }

  VaultRequest {
    requireNonNull(method, "method");
    requireNonNull(path, "path");
    query = ImmutableMap.copyOf(query);
    requireNonNull(body, "body");
    requireNonNull(purpose, "purpose");
    deniedHints = ImmutableList.copyOf(deniedHints);
  }

  static VaultRequest read(String path, Map<String, String> query, List<String> deniedHints) {
    return new VaultRequest("GET", path, ImmutableMap.copyOf(query), Optional.empty(), Purpose.READ,
        ImmutableList.copyOf(deniedHints));
  }

  /** A LIST, sent as {@code GET ...?list=true} so that proxies that only know standard methods pass it. */
  static VaultRequest list(String folder, List<String> deniedHints) {
    String path = folder.endsWith("/") ? folder : folder + "/";
    return new VaultRequest("GET", path, ImmutableMap.of("list", "true"), Optional.empty(), Purpose.LIST,
        ImmutableList.copyOf(deniedHints));
  }

  static VaultRequest login(String path, JsonNode body) {
    return new VaultRequest("POST", path, ImmutableMap.of(), Optional.of(body), Purpose.LOGIN, ImmutableList.of());
  }

  static VaultRequest tokenSelf(String method, String path, Optional<JsonNode> body) {
    return new VaultRequest(method, path, ImmutableMap.of(), body, Purpose.TOKEN_SELF, ImmutableList.of());
  }

  /** {@code GET secret/data/app}, {@code LIST secret/metadata/dev/}: for messages. */
  String describe() {
    String shownMethod = purpose == Purpose.LIST ? "LIST" : method;
    String version = query.containsKey("version") ? "?version=" + query.get("version") : "";
    return shownMethod + " " + path + version;
  }
}
