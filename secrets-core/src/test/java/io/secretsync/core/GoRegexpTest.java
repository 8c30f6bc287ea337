package io.secretsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Go's {@code regexp.ReplaceAllString} semantics; expected outputs are what Go produces. */
class GoRegexpTest {

  private static String replace(String pattern, String input, String template) {
    return GoRegexp.compile(pattern).replaceAll(input, template);
  }

  @Test
  void numberedGroupsWithAndWithoutBraces() {
    assertEquals("db_user", replace("^(.*)$", "user", "db_$1"));
    assertEquals("user_db", replace("^(.*)$", "user", "${1}_db"));
  }

  @Test
  void dollarNameTakesTheLongestRunOfWordCharacters() {
    // Go reads "$1_db" as the group named "1_db", which does not exist: it expands to nothing.
    assertEquals("", replace("^(.*)$", "user", "$1_db"));
    assertEquals("userx", replace("^(.*)$", "user", "${1}x"));
  }

  @Test
  void namedGroupsIncludingUnderscoresWhichJavaNamesCannotHold() {
    assertEquals("app-prod", replace("^(?P<first_part>[a-z]+)_(?P<env>[a-z]+)$", "app_prod", "${first_part}-$env"));
    assertEquals("prod", replace("^(?<name>[a-z]+)_(?<env_name>[a-z]+)$", "app_prod", "${env_name}"));
  }

  @Test
  void doubleDollarIsALiteralDollar() {
    assertEquals("$user", replace("^(.*)$", "user", "$$$1"));
  }

  @Test
  void malformedReferenceIsKeptAsText() {
    assertEquals("${x", replace("^(.*)$", "user", "${x"));
    assertEquals("a$", replace("^(.*)$", "user", "a$"));
    assertEquals("$-", replace("^(.*)$", "user", "$-"));
  }

  @Test
  void unknownGroupExpandsToNothing() {
    assertEquals("[]", replace("^(.*)$", "user", "[$2]"));
    assertEquals("[]", replace("^(.*)$", "user", "[${nope}]"));
  }

  @Test
  void replacesEveryMatch() {
    assertEquals("a_b_c", replace("/", "a/b/c", "_"));
    assertEquals("db-password", replace("^pass", "password", "db-pass"));
  }

  @Test
  void emptyMatchRightAfterAMatchIsNotReplaced() {
    // Go: regexp.MustCompile("a*").ReplaceAllString("baaac", "X") == "XbXcX"
    assertEquals("XbXcX", replace("a*", "baaac", "X"));
  }

  @Test
  void dollarMeansEndOfTextNotBeforeAFinalNewline() {
    assertEquals("key\n", replace("y$", "key\n", "Z"));
    assertEquals("keZ", replace("y$", "key", "Z"));
  }

  @Test
  void posixClassesAndLiteralBracketInAClass() {
    assertEquals("___1", replace("[[:alpha:]]", "abc1", "_"));
    assertEquals("abc_", replace("[[:^alpha:]]", "abc1", "_"));
    assertEquals("a_b", replace("[[]", "a[b", "_"));
  }

  @Test
  void escapedParenthesesDoNotCountAsGroups() {
    assertEquals("x", replace("^\\((.)\\)$", "(x)", "$1"));
  }

  @Test
  void invalidPatternSaysWhatIsWrong() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GoRegexp.compile("(unclosed"));
    assertTrue(e.getMessage().startsWith("invalid regular expression"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> GoRegexp.compile("(?P<a>x)(?P<a>y)"));
    assertThrows(IllegalArgumentException.class, () -> GoRegexp.compile("(?P<bad name>x)"));
  }

  @Test
  void findIsUnanchored() {
    assertTrue(GoRegexp.compile("dev").find("team-dev-1"));
    assertEquals("dev", GoRegexp.compile("d.v").findFirst("team-dev-1"));
    assertEquals("", GoRegexp.compile("prod").findFirst("team-dev-1"));
  }

  @Test
  void literalReplacementIgnoresGroupReferences() {
    assertEquals("$1-$1", GoRegexp.compile("(a)").replaceAllLiteral("a-a", "$1"));
  }

  @Test
  void aBacktrackingBlowUpFailsInsteadOfRunningForEver() {
    GoRegexp pattern = GoRegexp.compile("(.*a){12}b");
    String input = "a".repeat(30);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pattern.find(input));
    assertEquals("regular expression matching took too many steps", e.getMessage());
  }
}
