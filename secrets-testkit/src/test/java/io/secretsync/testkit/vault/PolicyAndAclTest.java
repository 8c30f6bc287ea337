package io.secretsync.testkit.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The HCL policy parser (positioned errors) and Vault's ACL path matching and priority. */
class PolicyAndAclTest {

  private static Policy policy(String name, String hcl) throws Policy.InvalidPolicyException {
    return Policy.parse(name, hcl, "");
  }

  private static String error(String hcl) {
    return assertThrows(Policy.InvalidPolicyException.class, () -> policy("p", hcl))
        .getMessage();
  }

  private static Acl acl(String... hcl) throws Policy.InvalidPolicyException {
    List<Policy> policies = new java.util.ArrayList<>();
    for (int i = 0; i < hcl.length; i++) {
      policies.add(policy("p" + i, hcl[i]));
    }
    return Acl.of(policies);
  }

  @Test
  void parsesBlocksCommentsHeredocsAndLegacyPolicies() throws Exception {
    Policy p = policy("p", """
        # comment
        // another
        /* block
           comment */
        name = "ignored"
        path "/secret/data/app/*" {
          capabilities = ["read", "list",]
          comment = <<EOT
        multi
        line
        EOT
        }
        path "secret/metadata/app" { policy = "write" }
        path "secret/data/locked" { capabilities = ["read", "deny"] }
        """);
    assertEquals(List.of(
        new Policy.Rule("secret/data/app/", true, false, Policy.READ | Policy.LIST),
        new Policy.Rule("secret/metadata/app", false, false,
            Policy.CREATE | Policy.READ | Policy.UPDATE | Policy.DELETE | Policy.LIST),
        new Policy.Rule("secret/data/locked", false, false, Policy.DENY)), p.rules());
  }

  @Test
  void jsonPoliciesAreAccepted() throws Exception {
    Policy p = policy("p", "{\"path\":{\"secret/+/x\":{\"capabilities\":[\"read\"]}}}");
    assertEquals(List.of(new Policy.Rule("secret/+/x", false, true, Policy.READ)), p.rules());
  }

  @Test
  void syntaxErrorsArePositionedAsHclReportsThem() {
    assertEquals("failed to parse policy: At 1:6: literal not terminated",
        error("path \"secret/*\n{}"));
    assertEquals("failed to parse policy: At 1:17: key '\"path\" \"secret/*\"' expected start of "
        + "object ('{') or assignment ('=')", error("path \"secret/*\" [\"read\"]"));
    assertEquals("failed to parse policy: At 3:1: object expected closing RBRACE got: EOF",
        error("path \"a\" {\n  capabilities = [\"read\"]\n"));
    assertEquals("failed to parse policy: At 1:35: error parsing list, expected comma or list "
        + "end, got: STRING", error("path \"a\" { capabilities = [\"read\" \"list\"] }"));
    assertEquals("failed to parse policy: At 2:3: illegal char", error("path \"a\" {\n  ; }"));
  }

  @Test
  void semanticErrorsUseVaultsTexts() {
    assertEquals("failed to parse policy: 1 error occurred:\n\t* invalid key \"paths\" on line 2\n\n",
        error("\npaths \"a\" { capabilities = [\"read\"] }"));
    assertEquals("failed to parse policy: 1 error occurred:\n\t* path \"a\": invalid key "
        + "\"capability\" on line 1\n\n", error("path \"a\" { capability = [\"read\"] }"));
    assertEquals("failed to parse policy: path \"a\": invalid capability \"reed\"",
        error("path \"a\" { capabilities = [\"reed\"] }"));
    assertEquals("failed to parse policy: path \"a/+*\": invalid use of wildcards ('+*' is "
        + "forbidden)", error("path \"a/+*\" { capabilities = [\"read\"] }"));
    assertEquals("failed to parse policy: path \"a\": invalid policy \"admin\"",
        error("path \"a\" { policy = \"admin\" }"));
  }

  @Test
  void exactRuleBeatsGlobAndLongestPrefixWins() throws Exception {
    Acl acl = acl("""
        path "secret/data/*" { capabilities = ["read"] }
        path "secret/data/app/*" { capabilities = ["update"] }
        path "secret/data/app/exact" { capabilities = ["delete"] }
        """);
    assertTrue(acl.allows("secret/data/other", Policy.READ, false));
    assertFalse(acl.allows("secret/data/app/x", Policy.READ, false), "longer prefix wins alone");
    assertTrue(acl.allows("secret/data/app/x", Policy.UPDATE, false));
    assertEquals(Policy.DELETE, acl.capabilities("secret/data/app/exact", false));
    assertEquals(0, acl.capabilities("secret/metadata/app/x", false));
    assertTrue(acl.allows("secret/data/app", Policy.READ, false), "glob is a plain prefix");
  }

  @Test
  void kvV1StylePathsGrantNothingOnTheKvV2Api() throws Exception {
    Acl acl = acl("path \"secret/example-api/*\" { capabilities = [\"read\"] }");
    assertFalse(acl.allows("secret/data/example-api/env-file", Policy.READ, false));
    assertTrue(acl.allows("secret/example-api/env-file", Policy.READ, false));
  }

  @Test
  void segmentWildcardsMatchOneSegmentAndFollowVaultsPriority() throws Exception {
    Acl acl = acl("""
        path "secret/*" { capabilities = ["read"] }
        path "secret/+/teamb" { capabilities = ["update"] }
        path "secret/+/teamb/*" { capabilities = ["delete"] }
        path "secret/+/+/c" { capabilities = ["list"] }
        path "secret/a/+/c" { capabilities = ["create"] }
        """);
    assertEquals(Policy.UPDATE, acl.capabilities("secret/x/teamb", false),
        "not ending in * beats the * glob at the same position");
    assertEquals(Policy.READ, acl.capabilities("secret/x/teamb/more/deep", false),
        "both end in *, wildcard at the same place: fewer + segments wins");
    assertTrue(Acl.segmentMatches("secret/+/teamb/*", "secret/x/teamb/more/deep"));
    assertEquals(Policy.READ, acl.capabilities("secret/x/y/teamb", false));
    assertEquals(Policy.CREATE, acl.capabilities("secret/a/b/c", false),
        "first wildcard later wins");
    assertEquals(Policy.LIST, acl.capabilities("secret/z/b/c", false));
    assertTrue(Acl.segmentMatches("+/x", "a/x"));
    assertFalse(Acl.segmentMatches("+/x", "a/b/x"));
  }

  @Test
  void denyOnTheSamePathInAnyPolicyWins() throws Exception {
    Acl acl = acl("path \"secret/data/a\" { capabilities = [\"read\"] }",
        "path \"secret/data/a\" { capabilities = [\"deny\"] }",
        "path \"secret/data/b\" { capabilities = [\"read\"] }",
        "path \"secret/data/b\" { capabilities = [\"update\"] }");
    assertEquals(Policy.DENY, acl.capabilities("secret/data/a", false));
    assertFalse(acl.allows("secret/data/a", Policy.READ, false));
    assertEquals(Policy.READ | Policy.UPDATE, acl.capabilities("secret/data/b", false));
  }

  @Test
  void listRequestsAlsoMatchThePathWithoutItsTrailingSlash() throws Exception {
    Acl acl = acl("path \"secret/metadata/app\" { capabilities = [\"list\"] }");
    assertTrue(acl.allows("secret/metadata/app/", Policy.LIST, true));
    assertFalse(acl.allows("secret/metadata/app/", Policy.LIST, false));
  }

  @Test
  void namespacePoliciesArePrefixedWithTheNamespacePath() throws Exception {
    Policy p = Policy.parse("p", "path \"secret/*\" { capabilities = [\"read\"] }", "team-a/");
    assertEquals("team-a/secret/", p.rules().get(0).path());
  }

  @Test
  void goDurationsParseAndFormatAsGoDoes() throws Exception {
    assertEquals("1h0m0s", GoDuration.format(GoDuration.parse("60m")));
    assertEquals("768h0m0s", GoDuration.format(GoDuration.parse("32d")));
    assertEquals("1m30s", GoDuration.format(GoDuration.parse("90")));
    assertEquals("0s", GoDuration.format(GoDuration.parse("")));
    assertEquals("1.5s", GoDuration.format(GoDuration.parse("1500ms")));
    assertThrows(GoDuration.InvalidDurationException.class, () -> GoDuration.parse("1x"));
  }
}
