package io.secretsync.core;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.SecretStoreException.NoSecretException;
import io.secretsync.core.model.ConversionStrategy;
import io.secretsync.core.model.DataFromSource;
import io.secretsync.core.model.DecodingStrategy;
import io.secretsync.core.model.DeletionPolicy;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ExternalSecretData;
import io.secretsync.core.model.FindRef;
import io.secretsync.core.model.NullBytePolicy;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.Rewrite;
import io.secretsync.core.model.StoreRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches and assembles the provider data of one ExternalSecret, as ESO's
 * {@code getProviderSecretData} does: {@code dataFrom} entries in order (a later one overwrites an
 * earlier one's keys), then {@code data[]} (overwrites {@code dataFrom}). For each {@code dataFrom}
 * entry: the rewrite steps in order, or with none the conversion strategy; then the decoding
 * strategy; keys that come out empty are dropped, as ESO drops them; every other key must be a
 * valid Secret key. Values with NUL bytes fail under nullBytePolicy Fail.
 *
 * <p>A secret the store reports missing ({@link NoSecretException}) is an error with deletionPolicy
 * Retain; with Delete or Merge that entry is skipped and named in {@link Assembled#missing()}.
 * Not thread-safe: one instance per sync.
 */
final class DataAssembler {
  private static final Logger log = LoggerFactory.getLogger(DataAssembler.class);

  private final ExternalSecret es;
  private final CoalescingReader reader;
  private final TemplateRenderer templates;

  DataAssembler(ExternalSecret es, StoreRegistry stores, TemplateRenderer templates) {
    this.es = es;
    this.reader = new CoalescingReader(stores, es.metadata().namespace());
    this.templates = templates;
  }

  /** What the providers gave, and the entries skipped because their secret does not exist. */
  record Assembled(SecretData data, ImmutableList<String> missing) {}

  /**
   * Assembles the data.
   *
   * @throws CoalescingReader.StoreFailure when a store fails (including, with Retain, a missing secret)
   * @throws SecretSyncException when a property is missing, a value does not decode, a rewrite is
   *     invalid, or a key is not valid
   */
  Assembled assemble() {
    boolean retain = es.spec().target().deletionPolicy() == DeletionPolicy.RETAIN;
    List<String> missing = new ArrayList<>();
    SecretData.Builder data = SecretData.builder();

    for (int i = 0; i < es.spec().dataFrom().size(); i++) {
      DataFromSource source = es.spec().dataFrom().get(i);
      String where = "spec.dataFrom[" + i + "]";
      StoreRef store = es.storeFor(source.sourceStoreRef()).orElseThrow();
      Map<String, byte[]> entries;
      try {
        entries = source.extract().isPresent()
            ? extract(store, source.extract().get(), where + ".extract")
            : find(store, source.find().orElseThrow(), where + ".find");
      } catch (NoSecretException e) {
        if (retain) {
          throw new CoalescingReader.StoreFailure(store, e);
        }
        skipMissing(missing, where, e);
        continue;
      }
      finish(source, entries, where).forEach(data::put);
    }

    for (int i = 0; i < es.spec().data().size(); i++) {
      ExternalSecretData entry = es.spec().data().get(i);
      String where = "spec.data[" + i + "]";
      StoreRef store = es.storeFor(entry.sourceStoreRef()).orElseThrow();
      RemoteRef ref = entry.remoteRef();
      SecretDocument document;
      try {
        document = reader.read(store, ref.location());
      } catch (NoSecretException e) {
        if (retain) {
          throw new CoalescingReader.StoreFailure(store, e);
        }
        skipMissing(missing, where + " (key=" + ref.key() + ")", e);
        continue;
      }
      byte[] value;
      try {
        value = PropertyLookup.value(document, ref.property());
      } catch (SecretStoreException.PropertyNotFoundException e) {
        throw new CoalescingReader.StoreFailure(store, new SecretStoreException.PropertyNotFoundException(
            where + ".remoteRef (key=" + ref.key() + "): " + e.getMessage(), e.hints()));
      }
      value = Decoding.decode(value, ref.decodingStrategy(), where + ".remoteRef", entry.secretKey());
      checkNul(value, ref.nullBytePolicy(), where + ".remoteRef", entry.secretKey());
      data.put(entry.secretKey(), value);
    }
    return new Assembled(data.build(), ImmutableList.copyOf(missing));
  }

  private void skipMissing(List<String> missing, String entry, NoSecretException e) {
    missing.add(entry);
    log.debug("{}: secret does not exist at provider using {}; skipped (deletionPolicy={}): {}", es, entry,
        es.spec().target().deletionPolicy().wireName(), e.getMessage());
  }

  private Map<String, byte[]> extract(StoreRef store, RemoteRef ref, String where) {
    SecretDocument document = reader.read(store, ref.location());
    SecretData properties;
    try {
      properties = PropertyLookup.map(document, ref.property());
    } catch (SecretStoreException.PropertyNotFoundException e) {
      throw new CoalescingReader.StoreFailure(store, new SecretStoreException.PropertyNotFoundException(
          where + " (key=" + ref.key() + "): " + e.getMessage(), e.hints()));
    }
    return properties.toMap();
  }

  private Map<String, byte[]> find(StoreRef store, FindRef find, String where) {
    ImmutableMap<String, SecretDocument> found = reader.find(store, find);
    Map<String, byte[]> out = new LinkedHashMap<>();
    found.forEach((path, document) -> out.put(path, document.toCompactJson()));
    return out;
  }

  /** Rewrite or convert the names, decode the values, drop empty names, check the rest. */
  private Map<String, byte[]> finish(DataFromSource source, Map<String, byte[]> entries, String where) {
    ConversionStrategy conversion = source.extract().map(RemoteRef::conversionStrategy)
        .orElseGet(() -> source.find().orElseThrow().conversionStrategy());
    DecodingStrategy decoding = source.extract().map(RemoteRef::decodingStrategy)
        .orElseGet(() -> source.find().orElseThrow().decodingStrategy());
    NullBytePolicy nulPolicy = source.extract().map(RemoteRef::nullBytePolicy)
        .orElseGet(() -> source.find().orElseThrow().nullBytePolicy());

    Map<String, byte[]> named = source.rewrite().isEmpty()
        ? KeyNames.convertAll(entries, conversion, where)
        : rewrite(source.rewrite(), entries, where);
    Map<String, byte[]> out = new LinkedHashMap<>();
    named.forEach((key, value) -> {
      if (key.isEmpty()) {
        log.debug("{}: {} produced an empty key name; dropped, as ESO drops it", es, where);
        return;
      }
      KeyNames.problem(key).ifPresent(problem -> {
        throw new InvalidSecretDataException(where, "key \"" + key + "\" cannot be a Secret key: " + problem,
            List.of("convert the names with a rewrite (regexp or transform) or conversionStrategy Default"));
      });
      byte[] decoded = Decoding.decode(value, decoding, where, key);
      checkNul(decoded, nulPolicy, where, key);
      out.put(key, decoded);
    });
    return out;
  }

  private Map<String, byte[]> rewrite(List<Rewrite> steps, Map<String, byte[]> entries, String where) {
    Map<String, byte[]> current = entries;
    for (int r = 0; r < steps.size(); r++) {
      Rewrite step = steps.get(r);
      String field = where + ".rewrite[" + r + "]";
      Map<String, byte[]> next = new LinkedHashMap<>();
      if (step instanceof Rewrite.Regexp regexp) {
        try {
          GoRegexp pattern = GoRegexp.compile(regexp.source());
          current.forEach((key, value) -> next.put(pattern.replaceAll(key, regexp.target()), value));
        } catch (IllegalArgumentException e) {
          throw new InvalidConfigException(field + ".regexp.source", e.getMessage());
        }
      } else if (step instanceof Rewrite.Transform transform) {
        current.forEach((key, value) -> next.put(templates.transformKey(transform.template(), key), value));
      }
      current = next;
    }
    return current;
  }

  /** ESO's nullBytePolicy Fail, with ESO's message. */
  private static void checkNul(byte[] value, NullBytePolicy policy, String where, String key) {
    if (policy != NullBytePolicy.FAIL) {
      return;
    }
    for (byte b : value) {
      if (b == 0) {
        throw new InvalidSecretDataException(where, "fetched secret value for key \"" + key + "\" contains null bytes",
            List.of("fix the value at the provider, decode it with a decodingStrategy, or set nullBytePolicy to Ignore"));
      }
    }
  }
}
