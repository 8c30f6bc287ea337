package io.secretsync.core.model;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** An enum whose constants have the exact spelling ESO's manifests use ({@code Owner}, {@code Base64URL}...). */
public interface WireEnum {

  /** The value as it is written in a manifest. */
  String wireName();

  /** The constant spelled {@code value}, if any; matching is exact, as the API server's enum validation is. */
  static <E extends Enum<E> & WireEnum> Optional<E> parse(Class<E> type, String value) {
    for (E constant : type.getEnumConstants()) {
      if (constant.wireName().equals(value)) {
        return Optional.of(constant);
      }
    }
    return Optional.empty();
  }

  /** The accepted spellings, for error messages: {@code Owner, Orphan, Merge}. */
  static <E extends Enum<E> & WireEnum> String allowed(Class<E> type) {
    return Arrays.stream(type.getEnumConstants()).map(WireEnum::wireName).collect(Collectors.joining(", "));
  }
}
