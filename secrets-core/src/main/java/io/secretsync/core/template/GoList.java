package io.secretsync.core.template;

import java.util.ArrayList;
import java.util.List;

/**
 * A Go slice: {@code []string} when {@link #stringElements}, else {@code []interface{}}. A
 * {@code nil} slice is a list with {@link #isNil} set (it prints as {@code []} and marshals to
 * JSON {@code null}). Not thread-safe; lives for one render.
 */
final class GoList {

  final boolean stringElements;
  final List<Object> items;
  final boolean isNil;

  GoList(boolean stringElements, List<?> items) {
    this(stringElements, items, false);
  }

  private GoList(boolean stringElements, List<?> items, boolean isNil) {
    this.stringElements = stringElements;
    this.items = new ArrayList<>(items);
    this.isNil = isNil;
  }

  static GoList nilList(boolean stringElements) {
    return new GoList(stringElements, List.of(), true);
  }

  String typeName() {
    return stringElements ? "[]string" : "[]interface {}";
  }
}
