package io.secretsync.core.model;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableMap;
import java.util.Optional;

/**
 * {@code dataFrom[].find}: every secret under {@code path} whose name matches {@code nameRegexp}
 * (Go RE2 syntax) and whose tags (Vault: custom metadata) include all of {@code tags}.
 */
public record FindRef(
    Optional<String> path,
    Optional<String> nameRegexp,
    ImmutableMap<String, String> tags,
    ConversionStrategy conversionStrategy,
    DecodingStrategy decodingStrategy,
    NullBytePolicy nullBytePolicy) {

  public FindRef {
    requireNonNull(path, "path");
    requireNonNull(nameRegexp, "nameRegexp");
    tags = ImmutableMap.copyOf(tags);
    requireNonNull(conversionStrategy, "conversionStrategy");
    requireNonNull(decodingStrategy, "decodingStrategy");
    requireNonNull(nullBytePolicy, "nullBytePolicy");
  }

  public static FindRef byName(Optional<String> path, String nameRegexp) {
    return new FindRef(path, Optional.of(nameRegexp), ImmutableMap.of(), ConversionStrategy.DEFAULT,
        DecodingStrategy.NONE, NullBytePolicy.IGNORE);
  }

  public static FindRef byTags(Optional<String> path, ImmutableMap<String, String> tags) {
    return new FindRef(path, Optional.empty(), tags, ConversionStrategy.DEFAULT, DecodingStrategy.NONE,
        NullBytePolicy.IGNORE);
  }
}
