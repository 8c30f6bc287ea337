package io.secretsync.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import java.util.List;
import java.util.Optional;

/**
 * One {@code spec.dataFrom[]} entry: exactly one of {@code extract} (all properties of one secret)
 * or {@code find} (many secrets), then its {@code rewrite} steps.
 */
public record DataFromSource(
    Optional<RemoteRef> extract,
    Optional<FindRef> find,
    ImmutableList<Rewrite> rewrite,
    Optional<StoreRef> sourceStoreRef) {

  public DataFromSource {
    requireNonNull(extract, "extract");
    requireNonNull(find, "find");
    checkArgument(extract.isPresent() != find.isPresent(), "a dataFrom entry sets exactly one of extract and find");
    rewrite = ImmutableList.copyOf(rewrite);
    requireNonNull(sourceStoreRef, "sourceStoreRef");
  }

  public static DataFromSource extract(RemoteRef ref, List<Rewrite> rewrite) {
    return new DataFromSource(Optional.of(ref), Optional.empty(), ImmutableList.copyOf(rewrite), Optional.empty());
  }

  public static DataFromSource find(FindRef ref, List<Rewrite> rewrite) {
    return new DataFromSource(Optional.empty(), Optional.of(ref), ImmutableList.copyOf(rewrite), Optional.empty());
  }

  public DataFromSource withSourceStoreRef(StoreRef storeRef) {
    return new DataFromSource(extract, find, rewrite, Optional.of(storeRef));
  }
}
