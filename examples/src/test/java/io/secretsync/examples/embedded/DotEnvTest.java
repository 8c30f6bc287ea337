package io.secretsync.examples.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DotEnvTest {

  @Test
  void readsNamesAndValuesSkippingCommentsAndBlankLines() {
    var env = DotEnv.parse("""
        # example-api
        PORT=8080

        export DATABASE_URL=postgres://api@db:5432/api
        GREETING = hello world  # trailing comment
        """);
    assertEquals(Map.of("PORT", "8080", "DATABASE_URL", "postgres://api@db:5432/api", "GREETING", "hello world"), env);
    assertEquals(List.of("PORT", "DATABASE_URL", "GREETING"), List.copyOf(env.keySet()));
  }

  @Test
  void quotedValuesKeepSpacesHashesAndEscapes() {
    var env = DotEnv.parse("A=\"two\\nlines # not a comment\"\nB='literal \\n $X'\nC=\"say \\\"hi\\\"\"\r\nD=");
    assertEquals("two\nlines # not a comment", env.get("A"));
    assertEquals("literal \\n $X", env.get("B"));
    assertEquals("say \"hi\"", env.get("C"));
    assertEquals("", env.get("D"));
  }

  @Test
  void aLaterLineForTheSameNameWins() {
    assertEquals(Map.of("A", "2"), DotEnv.parse("A=1\nA=2\n"));
  }

  @Test
  void errorsNameTheLineButNeverTheValue() {
    IllegalArgumentException noEquals = assertThrows(IllegalArgumentException.class,
        () -> DotEnv.parse("A=1\nsuper-secret-value\n"));
    assertEquals("line 2 of the .env is not NAME=value", noEquals.getMessage());
    IllegalArgumentException unterminated = assertThrows(IllegalArgumentException.class,
        () -> DotEnv.parse("TOKEN=\"s3cr3t\n"));
    assertEquals("line 1 of the .env: the quoted value of TOKEN has no closing quote", unterminated.getMessage());
    assertFalse(unterminated.getMessage().contains("s3cr3t"));
  }
}
