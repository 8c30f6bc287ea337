package io.secretsync.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.InvalidConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** ESO's admission rules on ExternalSecrets built in code, without any manifest. */
class ExternalSecretValidatorTest {

  private static ExternalSecret.Builder walkthrough() {
    return ExternalSecret.builder("example-api", "example-api-env-file")
        .store(StoreRef.clusterSecretStore("vault-example-api"))
        .refreshInterval(Duration.ofMinutes(2))
        .target(Target.defaults().withName("example-api-env-file"))
        .data(".env", RemoteRef.of("example-api/env-file", "dotenv"));
  }

  private static List<String> problems(ExternalSecret es) {
    return ExternalSecretValidator.validate(es).stream().map(ExternalSecretValidator.Problem::toString)
        .collect(Collectors.toList());
  }

  private static TargetTemplate template(String type, String engineVersion, ImmutableMap<String, String> annotations,
      ImmutableList<TemplateFrom> templateFrom) {
    return new TargetTemplate(type, engineVersion, TemplateMergePolicy.REPLACE, ImmutableMap.of(), annotations,
        ImmutableMap.of(), templateFrom);
  }

  @Test
  void theWalkthroughsExternalSecretIsValid() {
    assertEquals(List.of(), problems(walkthrough().build()));
  }

  @ParameterizedTest
  @EnumSource(CreationPolicy.class)
  void everyPolicyPairEsoAllowsIsValidAndTheOthersAreRejected(CreationPolicy creation) {
    for (DeletionPolicy deletion : DeletionPolicy.values()) {
      ExternalSecret es = walkthrough().target(Target.defaults().withPolicies(creation, deletion)).build();
      boolean rejectedByEso = (deletion == DeletionPolicy.DELETE && creation != CreationPolicy.OWNER
          && creation != CreationPolicy.ORPHAN) || (deletion == DeletionPolicy.MERGE && creation == CreationPolicy.NONE);
      List<String> problems = problems(es);
      assertEquals(rejectedByEso ? 1 : 0, problems.size(), creation + " x " + deletion + ": " + problems);
    }
  }

  @Test
  void rejectedPolicyPairsSayWhy() {
    assertEquals(List.of("spec.target.deletionPolicy: deletionPolicy=Delete must not be used when the controller doesn't"
        + " own the secret. Please set creationPolicy=Owner; use creationPolicy Owner with deletionPolicy Delete, or keep"
        + " creationPolicy CreateOrMerge with deletionPolicy Retain or Merge"),
        problems(walkthrough().target(Target.defaults().withPolicies(CreationPolicy.CREATE_OR_MERGE,
            DeletionPolicy.DELETE)).build()));
    assertEquals(List.of("spec.target.deletionPolicy: deletionPolicy=Merge must not be used with creationPolicy=None."
        + " There is no Secret to merge with; use deletionPolicy Retain with creationPolicy None"),
        problems(walkthrough().target(Target.defaults().withPolicies(CreationPolicy.NONE, DeletionPolicy.MERGE))
            .build()));
  }

  @Test
  void dataOrDataFromIsRequired() {
    assertEquals(List.of("spec: either data or dataFrom should be specified; add data[] entries (one value each) or"
        + " dataFrom[] entries (many values)"),
        problems(ExternalSecret.builder("apps", "empty").store(StoreRef.secretStore("vault")).build()));
    assertEquals(List.of(), problems(ExternalSecret.builder("apps", "from").store(StoreRef.secretStore("vault"))
        .dataFrom(DataFromSource.extract(RemoteRef.of("app"), List.of())).build()));
  }

  @Test
  void duplicateSecretKeysAreRejectedOnlyWithRetainAsEsoDoes() {
    ExternalSecret.Builder twice = walkthrough().data(".env", RemoteRef.of("other"));

    assertEquals(List.of("spec.data[1].secretKey: duplicate secretKey found: .env; give each data[] entry its own"
        + " secretKey"), problems(twice.build()));
    assertEquals(List.of(), problems(twice.target(Target.defaults().withPolicies(CreationPolicy.OWNER,
        DeletionPolicy.DELETE)).build()));
    assertEquals(List.of(), problems(twice.target(Target.defaults().withPolicies(CreationPolicy.OWNER,
        DeletionPolicy.MERGE)).build()));
  }

  @Test
  void aStoreIsRequiredUnlessEveryEntryNamesItsOwn() {
    StoreRef own = StoreRef.secretStore("own");
    ExternalSecret.Builder perEntry = ExternalSecret.builder("apps", "per-entry")
        .data(new ExternalSecretData("a", RemoteRef.of("k"), Optional.of(own)))
        .dataFrom(DataFromSource.extract(RemoteRef.of("k"), List.of()).withSourceStoreRef(own));
    assertEquals(List.of(), problems(perEntry.build()));

    perEntry.data("b", RemoteRef.of("k")).dataFrom(DataFromSource.find(FindRef.byName(Optional.empty(), "^x"),
        List.of()));
    assertEquals(List.of("spec.secretStoreRef: required: spec.data[1], spec.dataFrom[1] name no sourceRef.storeRef; set"
        + " spec.secretStoreRef (name and kind), or a sourceRef.storeRef on every entry"), problems(perEntry.build()));
  }

  @Test
  void templateRules() {
    assertEquals(List.of("spec.target.template.engineVersion: \"v1\" is not supported: only v2 templates are; set"
        + " engineVersion v2 (the default) and write the templates in v2 syntax"),
        problems(walkthrough().target(Target.defaults().withTemplate(template("", "v1", ImmutableMap.of(),
            ImmutableList.of()))).build()));
    assertEquals(List.of("spec.target.template.type: template.type=\"bootstrap.kubernetes.io/token\" is not allowed; use"
        + " another Secret type"), problems(walkthrough().target(Target.defaults().withTemplate(
            template("bootstrap.kubernetes.io/token", "v2", ImmutableMap.of(), ImmutableList.of()))).build()));
    TemplateFrom toAnnotations = new TemplateFrom(Optional.empty(), Optional.empty(), Optional.of("a: b"),
        TemplateScope.ANNOTATIONS);
    assertEquals(List.of(
        "spec.target.template.metadata.annotations: template.type=\"kubernetes.io/service-account-token\" with annotation"
            + " \"kubernetes.io/service-account.name\" is not allowed; remove the annotation or use another Secret type",
        "spec.target.template.templateFrom[0].target: template.type=\"kubernetes.io/service-account-token\" with"
            + " templateFrom target=\"Annotations\" is not allowed; render to Data or Labels, or use another Secret type"),
        problems(walkthrough().target(Target.defaults().withTemplate(template("kubernetes.io/service-account-token", "v2",
            ImmutableMap.of("kubernetes.io/service-account.name", "default"), ImmutableList.of(toAnnotations))))
            .build()));
    assertEquals(List.of(), problems(walkthrough().target(Target.defaults().withTemplate(template(
        "kubernetes.io/service-account-token", "v2", ImmutableMap.of("other", "x"), ImmutableList.of()))).build()));
  }

  @Test
  void namesAndKeysFollowKubernetesRules() {
    ExternalSecret es = ExternalSecret.builder("Apps", "Bad_Name")
        .store(StoreRef.secretStore("Vault"))
        .refreshInterval(Duration.ofSeconds(-1))
        .target(Target.defaults().withName("not/a/name"))
        .data("a b", RemoteRef.of("k"))
        .data(".", RemoteRef.of("k"))
        .data("x".repeat(254), RemoteRef.of("k"))
        .data(new ExternalSecretData("ok", RemoteRef.of("k"), Optional.of(StoreRef.secretStore("-dash"))))
        .build();

    assertEquals(List.of(
        "metadata.name: \"Bad_Name\" is not a valid name; use at most 253 lower-case letters, digits, '-' and '.',"
            + " starting and ending with a letter or digit",
        "metadata.namespace: \"Apps\" is not a valid namespace; use at most 63 lower-case letters, digits and '-',"
            + " starting and ending with a letter or digit",
        "spec.refreshInterval: must not be negative; use 0 to sync once, or a positive duration",
        "spec.secretStoreRef.name: \"Vault\" is not a valid store name; use at most 253 lower-case letters, digits, '-'"
            + " and '.', starting and ending with a letter or digit",
        "spec.target.name: \"not/a/name\" is not a valid Secret name; use at most 253 lower-case letters, digits, '-' and"
            + " '.', starting and ending with a letter or digit",
        "spec.data[0].secretKey: \"a b\" is not a valid Secret key; use only letters, digits, '-', '_' and '.' (and not"
            + " just \".\" or \"..\")",
        "spec.data[1].secretKey: \".\" is not a valid Secret key; use only letters, digits, '-', '_' and '.' (and not just"
            + " \".\" or \"..\")",
        "spec.data[2].secretKey: is longer than 253 characters; use a shorter key",
        "spec.data[3].sourceRef.storeRef.name: \"-dash\" is not a valid store name; use at most 253 lower-case letters,"
            + " digits, '-' and '.', starting and ending with a letter or digit"),
        problems(es));
  }

  @Test
  void checkThrowsTheFirstProblemAsInvalidConfigAndListsTheRest() {
    ExternalSecret es = ExternalSecret.builder("apps", "es").build();

    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ExternalSecretValidator.check(es));

    assertEquals("spec", e.field());
    assertEquals("spec: either data or dataFrom should be specified", e.getMessage());
    assertEquals(List.of("add data[] entries (one value each) or dataFrom[] entries (many values)"), e.hints());
    ExternalSecretValidator.check(walkthrough().build());
  }

  @Test
  void checkListsEveryFurtherProblemInItsHints() {
    ExternalSecret es = ExternalSecret.builder("apps", "es").target(Target.defaults().withPolicies(CreationPolicy.NONE,
        DeletionPolicy.MERGE)).data("a", RemoteRef.of("k")).build();

    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ExternalSecretValidator.check(es));

    assertEquals("spec.secretStoreRef", e.field());
    assertEquals(List.of("set spec.secretStoreRef (name and kind), or a sourceRef.storeRef on every entry",
        "also spec.target.deletionPolicy: deletionPolicy=Merge must not be used with creationPolicy=None. There is no"
            + " Secret to merge with; use deletionPolicy Retain with creationPolicy None"), e.hints());
  }
}
