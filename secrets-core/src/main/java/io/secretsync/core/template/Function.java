package io.secretsync.core.template;

import java.util.List;

/**
 * A template function with Go's signature rules: each argument is checked against its parameter
 * type the way text/template checks a Go function's parameters, and the pipeline's value is passed
 * as the last argument.
 */
record Function(String name, List<Param> params, Param variadic, Body body) {

  /** A Go parameter type; {@link #goName} is how Go names it in errors. */
  enum Param {
    ANY("interface {}"),
    STRING("string"),
    INT("int"),
    FLOAT("float64"),
    BOOL("bool"),
    MAP("map[string]interface {}"),
    LIST("[]interface {}");

    final String goName;

    Param(String goName) {
      this.goName = goName;
    }

    boolean canBeNil() {
      return this == ANY || this == MAP || this == LIST;
    }
  }

  @FunctionalInterface
  interface Body {
    Object call(List<Object> args);
  }

  /** Thrown by a function body; the engine reports it as {@code error calling NAME: message}. */
  static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failure(String message) {
      super(message, null, false, false);
    }
  }

  static Function of(String name, Body body, Param... params) {
    return new Function(name, List.of(params), null, body);
  }

  static Function variadic(String name, Param variadic, Body body, Param... params) {
    return new Function(name, List.of(params), variadic, body);
  }
}
