package io.secretsync.core.manifest;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.List;

/** Warnings gathered while one object is read: fields that are accepted but ignored. Not thread-safe. */
final class Notes {

  /** One ignored field and why ignoring it is harmless. */
  record Note(String field, String message) {}

  private final List<Note> notes = new ArrayList<>();

  void add(String field, String message) {
    notes.add(new Note(field, message));
  }

  ImmutableList<Note> all() {
    return ImmutableList.copyOf(notes);
  }
}
