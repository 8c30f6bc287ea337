package io.secretsync.testkit.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.testkit.server.ServerResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The KV version 1 engine ({@code passthrough}): flat data, {@code lease_duration} from the mount
 * default (768h) or a {@code ttl}/{@code lease} key, write 204, list, delete. Thread-safe.
 */
final class KvV1Backend implements Backend {
  private final TreeMap<String, ObjectNode> entries = new TreeMap<>();

  @Override
  public String mountType() {
    return "kv";
  }

  @Override
  public synchronized Boolean exists(String path) {
    return entries.containsKey(path);
  }

  @Override
  public synchronized ServerResponse handle(Call call) {
    String key = call.path();
    switch (call.op()) {
      case READ: {
        ObjectNode data = entries.get(key);
        if (data == null) {
          return Reply.notFound();
        }
        long lease = Token.SYSTEM_TTL.getSeconds();
        JsonNode ttl = data.has("ttl") ? data.get("ttl") : data.get("lease");
        if (ttl != null) {
          try {
            Duration d = GoDuration.parse(ttl);
            if (!d.isZero()) {
              lease = d.getSeconds();
            }
          } catch (GoDuration.InvalidDurationException e) {
            return Reply.badRequest("failed to parse ttl for entry: " + e.getMessage());
          }
        }
        Map<String, Object> envelope = Reply.envelope(VaultJson.sorted(data), null, null,
            mountType());
        envelope.put("lease_duration", lease);
        return Reply.json(200, envelope);
      }
      case LIST: {
        TreeSet<String> out = new TreeSet<>();
        for (String k : entries.tailMap(key, true).keySet()) {
          if (!k.startsWith(key)) {
            break;
          }
          String rest = k.substring(key.length());
          int slash = rest.indexOf('/');
          out.add(slash >= 0 ? rest.substring(0, slash + 1) : rest);
        }
        out.remove("");
        if (out.isEmpty()) {
          return Reply.notFound();
        }
        return Reply.ok(Map.of("keys", new ArrayList<>(out)), mountType());
      }
      case CREATE:
      case UPDATE: {
        if (call.data().isEmpty()) {
          return Reply.badRequest("missing data fields");
        }
        entries.put(key, call.data().deepCopy());
        return Reply.noContent();
      }
      case DELETE:
        entries.remove(key);
        return Reply.noContent();
      default:
        return Reply.unsupportedOperation();
    }
  }

  synchronized void put(String key, ObjectNode data) {
    entries.put(key, data.deepCopy());
  }

  synchronized Optional<JsonNode> get(String key) {
    ObjectNode data = entries.get(key);
    return data == null ? Optional.empty() : Optional.of(data.deepCopy());
  }

  synchronized void delete(String key) {
    entries.remove(key);
  }
}
