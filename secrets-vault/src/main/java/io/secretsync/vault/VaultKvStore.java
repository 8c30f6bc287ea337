package io.secretsync.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.SecretDocument;
import io.secretsync.core.SecretStore;
import io.secretsync.core.SecretStoreException;
import io.secretsync.core.SecretStoreException.InvalidStoreConfigException;
import io.secretsync.core.SecretStoreException.NoSecretException;
import io.secretsync.core.SecretStoreException.PermissionDeniedException;
import io.secretsync.core.SecretStoreException.TlsException;
import io.secretsync.core.model.FindRef;
import io.secretsync.core.model.MetadataPolicy;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.vault.KvPaths.SecretPath;
import io.secretsync.vault.VaultClient.Reply;
import io.secretsync.vault.VaultSettings.KvVersion;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A KV v2 or v1 mount read through one {@link VaultClient} and one {@link TokenManager}.
 *
 * <p>Reads follow ESO's semantics: KV v2 returns {@code .data.data}, a 404 or a deleted or
 * destroyed version is "not found" ({@link NoSecretException}); metadataPolicy Fetch returns the
 * key's {@code custom_metadata} plus {@code created_time}, {@code current_version} and
 * {@code delete_version_after} (custom entries win); KV v1 answers metadata requests with ESO's
 * error. Find LISTs the metadata tree recursively; folders the token may not list and secrets it
 * may not read are skipped and logged instead of failing the whole find (ESO fails, #3539), and
 * with both a name and tags a secret must match both (ESO ignores the tags then). The connection
 * (CA, client certificate, first login) is made on first use, and made again after a TLS failure,
 * so a CA or client certificate rotated in its ConfigMap or Secret is picked up. Thread-safe.
 */
final class VaultKvStore implements SecretStore {

  private static final Logger log = LoggerFactory.getLogger(VaultKvStore.class);

  static final String V1_METADATA = "cannot perform metadata fetch operations with kv version v1";
  static final String V1_FIND_TAGS = "cannot perform find operations with kv version v1";

  /** The deepest folder {@code find} descends into below its path. */
  static final int MAX_FIND_DEPTH = 64;

  /** The most folders one {@code find} lists (by default). */
  static final int MAX_FIND_FOLDERS = 10_000;

  private final String name;
  private final KvPaths paths;
  private final Supplier<VaultClient> clientFactory;
  private final java.util.function.Function<VaultClient, TokenManager> tokensFactory;
  private final Object connectLock = new Object();
  private volatile Connection connection;
  private volatile boolean closed;
  private final int maxFindFolders;

  private record Connection(VaultClient client, TokenManager tokens) {}

  VaultKvStore(String name, KvPaths paths, Supplier<VaultClient> clientFactory,
      java.util.function.Function<VaultClient, TokenManager> tokensFactory) {
    this(name, paths, clientFactory, tokensFactory, MAX_FIND_FOLDERS);
  }

  VaultKvStore(String name, KvPaths paths, Supplier<VaultClient> clientFactory,
      java.util.function.Function<VaultClient, TokenManager> tokensFactory, int maxFindFolders) {
    this.maxFindFolders = maxFindFolders;
    this.name = name;
    this.paths = paths;
    this.clientFactory = clientFactory;
    this.tokensFactory = tokensFactory;
  }

  @Override
  public SecretDocument read(RemoteRef.Location location) {
    SecretPath path = resolve(location.key(), "remoteRef.key");
    if (location.metadataPolicy() == MetadataPolicy.FETCH) {
      if (paths.version() == KvVersion.V1) {
        throw new SecretStoreException(V1_METADATA, List.of("metadataPolicy: Fetch needs a KV v2 mount; remove it or "
            + "set spec.provider.vault.version: v2"), null);
      }
      return readMetadata(path).orElseThrow(() -> notFound(paths.metadataPath(path), path, location.key()));
    }
    Map<String, String> query = versionQuery(location.version());
    return readData(path, query).orElseThrow(() -> notFound(paths.dataPath(path), path, location.key()));
  }

  @Override
  public ImmutableMap<String, SecretDocument> find(FindRef find) {
    if (paths.version() == KvVersion.V1 && !find.tags().isEmpty()) {
      throw new SecretStoreException(V1_FIND_TAGS, List.of("find by tags reads KV v2 custom_metadata; KV v1 has none"),
          null);
    }
    Optional<Pattern> name = find.nameRegexp().filter(r -> !r.isEmpty()).map(VaultKvStore::compile);
    SecretPath root;
    try {
      root = paths.resolveFolder(find.path());
    } catch (IllegalArgumentException e) {
      throw new InvalidStoreConfigException("dataFrom.find.path: " + e.getMessage(), List.of(), null);
    }
    List<String> skipped = new ArrayList<>();
    List<SecretPath> candidates = new ArrayList<>();
    list(root, candidates, skipped, 0, new int[1]);
    Map<String, SecretDocument> found = new TreeMap<>();
    for (SecretPath candidate : candidates) {
      String key = paths.resultKey(candidate);
      if (name.isPresent() && !name.get().matcher(key).find()) {
        continue;
      }
      try {
        if (!find.tags().isEmpty() && !hasTags(candidate, find.tags())) {
          continue;
        }
        readData(candidate, Map.of()).ifPresent(document -> found.put(key, document));
      } catch (NoSecretException e) {
        // a soft-deleted or destroyed current version: not a match, as in ESO
      } catch (PermissionDeniedException e) {
        skipped.add(candidate.full() + " (not readable)");
      }
    }
    if (!skipped.isEmpty()) {
      log.warn("find under {} skipped what the token may not access: {}", paths.listPath(root), skipped);
    }
    return ImmutableMap.copyOf(found);
  }

  @Override
  public void validate() {
    Connection current = connection();
    try {
      current.tokens().validate();
    } catch (TlsException e) {
      synchronized (connectLock) {
        if (connection == current) {
          connection = null;
        }
      }
      throw e;
    }
  }

  @Override
  public void close() {
    synchronized (connectLock) {
      closed = true;
      Connection current = connection;
      connection = null;
      if (current != null) {
        current.tokens().close();
        // Idle connections would otherwise stay open for OkHttp's keep-alive (5 minutes) after the
        // store is gone; connections in use by other stores are left alone.
        current.client().http().connectionPool().evictAll();
      }
    }
  }

  private Optional<SecretDocument> readData(SecretPath path, Map<String, String> query) {
    String dataPath = paths.dataPath(path);
    Reply reply = send(VaultRequest.read(dataPath, query, paths.readDeniedHints(path)));
    if (reply.status() == 404) {
      explainMissing(reply.body(), dataPath, query);
      return Optional.empty();
    }
    JsonNode data = reply.body().get("data");
    if (data == null || !data.isObject()) {
      throw new SecretStoreException("GET " + dataPath + ": failed to find data field", List.of(), null);
    }
    if (paths.version() == KvVersion.V2) {
      JsonNode inner = data.get("data");
      if (inner == null || inner.isNull()) {
        return Optional.empty();
      }
      if (!inner.isObject()) {
        throw new SecretStoreException("GET " + dataPath + ": data.data is not a JSON object", List.of(), null);
      }
      data = inner;
    }
    return Optional.of(SecretDocument.of(data));
  }

  private Optional<SecretDocument> readMetadata(SecretPath path) {
    String metadataPath = paths.metadataPath(path);
    Reply reply = send(VaultRequest.read(metadataPath, Map.of(), paths.metadataDeniedHints(path)));
    if (reply.status() == 404) {
      return Optional.empty();
    }
    JsonNode data = reply.body().path("data");
    ObjectNode result = VaultClient.JSON.createObjectNode();
    for (String system : List.of("created_time", "current_version", "delete_version_after")) {
      JsonNode value = data.get(system);
      if (value != null && !value.isNull()) {
        result.put(system, value.asText());
      }
    }
    JsonNode custom = data.path("custom_metadata");
    if (custom.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = custom.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        result.put(entry.getKey(), entry.getValue().asText());
      }
    }
    return Optional.of(SecretDocument.of(result));
  }

  private boolean hasTags(SecretPath path, Map<String, String> tags) {
    String metadataPath = paths.metadataPath(path);
    Reply reply = send(VaultRequest.read(metadataPath, Map.of(), paths.metadataDeniedHints(path)));
    if (reply.status() == 404) {
      return false;
    }
    JsonNode custom = reply.body().path("data").path("custom_metadata");
    for (Map.Entry<String, String> tag : tags.entrySet()) {
      JsonNode value = custom.get(tag.getKey());
      if (value == null || !value.isTextual() || !value.asText().equals(tag.getValue())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Lists {@code folder} and its sub-folders. Depth and the number of folders are bounded: a server
   * whose listing never ends (a folder that lists itself, say) is a failure that names the path, not
   * a stack overflow or an endless walk. {@code listed} counts the folders listed so far.
   */
  private void list(SecretPath folder, List<SecretPath> out, List<String> skipped, int depth, int[] listed) {
    boolean root = depth == 0;
    String listPath = paths.listPath(folder);
    if (depth > MAX_FIND_DEPTH || ++listed[0] > maxFindFolders) {
      throw new SecretStoreException("LIST " + listPath + ": dataFrom.find " + (depth > MAX_FIND_DEPTH
          ? "went " + MAX_FIND_DEPTH + " folders deep" : "listed " + maxFindFolders + " folders")
          + "; Vault's listing does not end", List.of("set dataFrom.find.path to a folder closer to the "
          + "secrets, or check the mount's listing with: vault kv list"), null);
    }
    Reply reply;
    try {
      reply = send(VaultRequest.list(listPath, paths.listDeniedHints(folder)));
    } catch (PermissionDeniedException e) {
      if (root) {
        throw e;
      }
      skipped.add(listPath + " (not listable)");
      return;
    }
    if (reply.status() == 404) {
      return;
    }
    for (JsonNode entry : reply.body().path("data").path("keys")) {
      String child = entry.asText();
      String prefix = folder.key().isEmpty() ? "" : folder.key() + "/";
      if (child.endsWith("/")) {
        list(new SecretPath(folder.mount(), prefix + child.substring(0, child.length() - 1)), out, skipped, depth + 1, listed);
      } else if (!child.isEmpty()) {
        out.add(new SecretPath(folder.mount(), prefix + child));
      }
    }
  }

  private Reply send(VaultRequest request) {
    Connection current = connection();
    try {
      return current.tokens().withToken(token -> current.client().send(request, Optional.of(token)));
    } catch (TlsException e) {
      // The CA or client certificate may have been rotated in its ConfigMap or Secret: connect afresh next time.
      synchronized (connectLock) {
        if (connection == current) {
          connection = null;
        }
      }
      throw e;
    }
  }

  private Connection connection() {
    Connection current = connection;
    if (current != null) {
      return current;
    }
    synchronized (connectLock) {
      if (closed) {
        throw new IllegalStateException("store " + name + " is closed");
      }
      if (connection == null) {
        VaultClient client = clientFactory.get();
        connection = new Connection(client, tokensFactory.apply(client));
      }
      return connection;
    }
  }

  private SecretPath resolve(String key, String field) {
    try {
      return paths.resolve(key);
    } catch (IllegalArgumentException e) {
      throw new InvalidStoreConfigException(field + ": " + e.getMessage(), List.of(), null);
    }
  }

  private Map<String, String> versionQuery(Optional<String> version) {
    if (version.isEmpty() || version.get().isBlank()) {
      return Map.of();
    }
    String v = version.get().trim();
    if (paths.version() == KvVersion.V1) {
      throw new SecretStoreException("remoteRef.version: kv version v1 has no versions", List.of("remove "
          + "remoteRef.version, or use a KV v2 mount"), null);
    }
    if (!v.matches("\\d{1,9}")) {
      throw new InvalidStoreConfigException("remoteRef.version: \"" + v + "\" is not a version number", List.of(),
          null);
    }
    return Map.of("version", v);
  }

  /** A 404 with metadata is a deleted or destroyed version; say which. */
  private void explainMissing(JsonNode body, String dataPath, Map<String, String> query) {
    JsonNode metadata = body.path("data").path("metadata");
    if (metadata.isObject()) {
      String version = metadata.path("version").asText("?");
      String why = metadata.path("destroyed").asBoolean(false) ? "destroyed"
          : "deleted at " + metadata.path("deletion_time").asText("");
      throw new NoSecretException("GET " + dataPath + (query.isEmpty() ? "" : "?version=" + query.get("version"))
          + ": version " + version + " is " + why, List.of("undelete it (vault kv undelete -versions=" + version
          + ") or write a new version; a destroyed version cannot come back"));
    }
    for (JsonNode warning : body.path("warnings")) {
      if (warning.asText().contains("Invalid path for a versioned K/V")) {
        throw new NoSecretException("GET " + dataPath + ": the mount is KV v2 but the store says version: v1",
            List.of("set spec.provider.vault.version: v2"));
      }
    }
  }

  private static NoSecretException notFound(String apiPath, SecretPath path, String key) {
    int slash = path.key().lastIndexOf('/');
    String folder = slash < 0 ? "" : " " + path.key().substring(0, slash);
    String mount = path.mount().isEmpty() ? "" : " -mount=" + path.mount();
    return new NoSecretException("GET " + apiPath + ": no secret at key \"" + key + "\"",
        List.of("check the key and spec.provider.vault.path; see what exists with: vault kv list" + mount + folder));
  }

  private static Pattern compile(String regexp) {
    try {
      return Pattern.compile(regexp);
    } catch (PatternSyntaxException e) {
      throw new InvalidStoreConfigException("dataFrom.find.name.regexp: invalid regular expression: "
          + e.getDescription(), List.of(), null);
    }
  }

  @Override
  public String toString() {
    return "VaultKvStore{" + name + ", " + paths + "}";
  }
}
