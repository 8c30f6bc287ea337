package io.secretsync.core;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * An immutable map of key names to byte values: the data of a target Secret, or what a store
 * returned. Equality and {@link #hashCode()} are by content. {@link #toString()} shows key names
 * and sizes only, never values. Keys are kept sorted. Thread-safe.
 */
public final class SecretData {

  private static final SecretData EMPTY = new SecretData(ImmutableSortedMap.of());

  private final ImmutableSortedMap<String, byte[]> values;

  private SecretData(ImmutableSortedMap<String, byte[]> values) {
    this.values = values;
  }

  public static SecretData empty() {
    return EMPTY;
  }

  /** Copies {@code values}; the arrays are copied too. */
  public static SecretData of(Map<String, byte[]> values) {
    Builder builder = builder();
    values.forEach(builder::put);
    return builder.build();
  }

  /** UTF-8 bytes of each string value. */
  public static SecretData ofStrings(Map<String, String> values) {
    Builder builder = builder();
    values.forEach(builder::putString);
    return builder.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder builder = new Builder();
    values.forEach((k, v) -> builder.values.put(k, v));
    return builder;
  }

  public ImmutableSortedSet<String> keys() {
    return values.keySet();
  }

  public boolean containsKey(String key) {
    return values.containsKey(key);
  }

  /** A copy of the value of {@code key}. */
  public Optional<byte[]> get(String key) {
    byte[] value = values.get(key);
    return value == null ? Optional.empty() : Optional.of(value.clone());
  }

  /** The value of {@code key} decoded as UTF-8. */
  public Optional<String> getString(String key) {
    byte[] value = values.get(key);
    return value == null ? Optional.empty() : Optional.of(new String(value, StandardCharsets.UTF_8));
  }

  /** The size in bytes of the value of {@code key}, or -1 when absent. */
  public int sizeOf(String key) {
    byte[] value = values.get(key);
    return value == null ? -1 : value.length;
  }

  public int size() {
    return values.size();
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  /**
   * The sum of the value lengths: the size the Kubernetes API server checks against its 1 MiB
   * limit for a Secret (keys do not count).
   */
  public long totalBytes() {
    long total = 0;
    for (byte[] value : values.values()) {
      total += value.length;
    }
    return total;
  }

  /** Calls {@code action} with each key and a copy of its value, in key order. */
  public void forEach(BiConsumer<String, byte[]> action) {
    values.forEach((k, v) -> action.accept(k, v.clone()));
  }

  /** A mutable copy of the content, for code that hands the values on (a JSON writer, a template). */
  public Map<String, byte[]> toMap() {
    Map<String, byte[]> copy = new TreeMap<>();
    values.forEach((k, v) -> copy.put(k, v.clone()));
    return copy;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof SecretData other) || !values.keySet().equals(other.values.keySet())) {
      return false;
    }
    for (Map.Entry<String, byte[]> e : values.entrySet()) {
      if (!Arrays.equals(e.getValue(), other.values.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int hash = 0;
    for (Map.Entry<String, byte[]> e : values.entrySet()) {
      hash += e.getKey().hashCode() ^ Arrays.hashCode(e.getValue());
    }
    return hash;
  }

  /** Key names and value sizes, e.g. {@code SecretData{.env=42B, token=16B}}; never values. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("SecretData{");
    boolean first = true;
    for (Map.Entry<String, byte[]> e : values.entrySet()) {
      if (!first) {
        out.append(", ");
      }
      out.append(e.getKey()).append('=').append(e.getValue().length).append('B');
      first = false;
    }
    return out.append('}').toString();
  }

  /** Collects values; later puts of a key replace earlier ones. Not thread-safe. */
  public static final class Builder {
    private final TreeMap<String, byte[]> values = new TreeMap<>();

    private Builder() {}

    public Builder put(String key, byte[] value) {
      values.put(checkNotNull(key, "key"), checkNotNull(value, "value for %s", key).clone());
      return this;
    }

    public Builder putString(String key, String value) {
      return put(key, checkNotNull(value, "value for %s", key).getBytes(StandardCharsets.UTF_8));
    }

    public Builder putAll(SecretData data) {
      values.putAll(data.values);
      return this;
    }

    public Builder remove(String key) {
      values.remove(key);
      return this;
    }

    public boolean containsKey(String key) {
      return values.containsKey(key);
    }

    public SecretData build() {
      return values.isEmpty() ? EMPTY : new SecretData(ImmutableSortedMap.copyOf(values));
    }
  }
}
