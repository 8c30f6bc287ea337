package io.secretsync.core;

import com.google.common.collect.ImmutableMap;
import io.secretsync.core.model.FindRef;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.StoreRef;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The reads of one sync: each (store, location) is read once however many entries name it, and a
 * failure is remembered as well, so two entries on a failing key cost one request. Store errors
 * other than "no such secret" come out as {@link StoreFailure}s naming the store. Confined to the
 * thread running the sync.
 */
final class CoalescingReader {

  private final StoreRegistry stores;
  private final String namespace;
  private final Map<StoreRef, Object> resolved = new HashMap<>();
  private final Map<List<Object>, Object> reads = new HashMap<>();

  CoalescingReader(StoreRegistry stores, String namespace) {
    this.stores = stores;
    this.namespace = namespace;
  }

  /**
   * The document at {@code location} in {@code store}.
   *
   * @throws SecretStoreException.NoSecretException when the store has no such secret
   * @throws StoreFailure for every other store error
   */
  SecretDocument read(StoreRef store, RemoteRef.Location location) {
    Object cached = reads.computeIfAbsent(List.of(store, location), k -> {
      try {
        return resolve(store).read(location);
      } catch (SecretSyncException e) {
        return e;
      } catch (RuntimeException e) {
        return unexpected(store, e);
      }
    });
    return (SecretDocument) rethrow(store, cached);
  }

  /**
   * The secrets {@code find} selects in {@code store}, by path relative to the store.
   *
   * @throws SecretStoreException.NoSecretException when the store has nothing there
   * @throws StoreFailure for every other store error
   */
  ImmutableMap<String, SecretDocument> find(StoreRef store, FindRef find) {
    Object result;
    try {
      result = resolve(store).find(find);
    } catch (SecretSyncException e) {
      result = e;
    } catch (RuntimeException e) {
      result = unexpected(store, e);
    }
    @SuppressWarnings("unchecked")
    ImmutableMap<String, SecretDocument> found = (ImmutableMap<String, SecretDocument>) rethrow(store, result);
    return found;
  }

  private SecretStore resolve(StoreRef ref) {
    Object store = resolved.computeIfAbsent(ref, r -> {
      try {
        return stores.store(r, namespace);
      } catch (InvalidConfigException e) {
        return new SecretStoreException.InvalidStoreConfigException(r + ": " + e.getMessage(), e.hints(), e);
      } catch (SecretSyncException e) {
        return e;
      }
    });
    if (store instanceof SecretSyncException e) {
      throw e;
    }
    return (SecretStore) store;
  }

  private static Object rethrow(StoreRef store, Object result) {
    if (result instanceof SecretStoreException.NoSecretException e) {
      throw e;
    }
    if (result instanceof SecretSyncException e) {
      throw new StoreFailure(store, e);
    }
    return result;
  }

  /** A provider bug: named by type and place only, as its message may quote what it read. */
  private static SecretStoreException unexpected(StoreRef store, RuntimeException e) {
    StackTraceElement[] trace = e.getStackTrace();
    String where = trace.length == 0 ? "" : " at " + trace[0];
    return new SecretStoreException(store + " failed unexpectedly: " + e.getClass().getName() + where,
        List.of("this is a defect of the store's provider; report it with this message"), null);
  }

  /** A store error other than "no such secret", with the store it came from. */
  static final class StoreFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final transient StoreRef store;
    final transient SecretSyncException error;

    StoreFailure(StoreRef store, SecretSyncException error) {
      super(null, null, false, false);
      this.store = store;
      this.error = error;
    }
  }
}
