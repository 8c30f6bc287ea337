package io.secretsync.core.model;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import io.secretsync.core.InvalidConfigException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * ESO's admission rules for an ExternalSecret (its validating webhook, {@code
 * externalsecret_validator.go}), plus the rules of ESO's CRD schema that a value built in code can
 * break: names and Secret keys. The manifest loader applies it to every ExternalSecret it reads;
 * the sync engine applies it again, as ESO's controller does, so the rules hold for objects built
 * in code or read from a cluster without the webhook.
 *
 * <p>Rules, each reported with its field path:
 * <ul>
 *   <li>{@code data} or {@code dataFrom} is set;
 *   <li>deletionPolicy Delete only with creationPolicy Owner or Orphan; deletionPolicy Merge not
 *       with creationPolicy None;
 *   <li>with deletionPolicy Retain, no two {@code data[]} entries share a secretKey;
 *   <li>a template of type {@code kubernetes.io/service-account-token} carries no
 *       {@code kubernetes.io/service-account.name} annotation and no templateFrom rendering to
 *       Annotations; no template of type {@code bootstrap.kubernetes.io/token}; engineVersion v2;
 *   <li>{@code spec.secretStoreRef} is set unless every entry names its own
 *       {@code sourceRef.storeRef};
 *   <li>Secret keys match {@code ^[-._a-zA-Z0-9]+$} (at most 253 characters); the ExternalSecret,
 *       target and store names are DNS subdomain names; refreshInterval is not negative.
 * </ul>
 * That a {@code dataFrom} entry sets exactly one of extract and find is guaranteed by
 * {@link DataFromSource} itself. Stateless and thread-safe.
 */
public final class ExternalSecretValidator {

  private static final Pattern SECRET_KEY = Pattern.compile("^[-._a-zA-Z0-9]+$");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  private static final int MAX_NAME = 253;
  private static final String NAME_RULE =
      "use at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit";
  private static final String SA_TOKEN_TYPE = "kubernetes.io/service-account-token";
  private static final String SA_NAME_ANNOTATION = "kubernetes.io/service-account.name";
  private static final String BOOTSTRAP_TOKEN_TYPE = "bootstrap.kubernetes.io/token";

  private ExternalSecretValidator() {}

  /** One broken rule: the field's dotted path, what is wrong, and what to do. */
  public record Problem(String field, String problem, String fix) {
    public Problem {
      requireNonNull(field, "field");
      requireNonNull(problem, "problem");
      requireNonNull(fix, "fix");
    }

    @Override
    public String toString() {
      return field + ": " + problem + (fix.isEmpty() ? "" : "; " + fix);
    }
  }

  /** Every rule {@code es} breaks, in the order of the fields; empty when it is valid. */
  public static ImmutableList<Problem> validate(ExternalSecret es) {
    requireNonNull(es, "es");
    List<Problem> problems = new ArrayList<>();
    metadata(es.metadata(), problems);
    ExternalSecretSpec spec = es.spec();
    if (spec.data().isEmpty() && spec.dataFrom().isEmpty()) {
      problems.add(new Problem("spec", "either data or dataFrom should be specified",
          "add data[] entries (one value each) or dataFrom[] entries (many values)"));
    }
    if (spec.refreshInterval().isNegative()) {
      problems.add(new Problem("spec.refreshInterval", "must not be negative",
          "use 0 to sync once, or a positive duration"));
    }
    spec.secretStoreRef().ifPresent(ref -> storeName("spec.secretStoreRef", ref, problems));
    storeRequired(spec, problems);
    target(spec.target(), problems);
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < spec.data().size(); i++) {
      ExternalSecretData entry = spec.data().get(i);
      String path = "spec.data[" + i + "]";
      secretKey(path + ".secretKey", entry.secretKey(), problems);
      if (!keys.add(entry.secretKey()) && spec.target().deletionPolicy() == DeletionPolicy.RETAIN) {
        problems.add(new Problem(path + ".secretKey", "duplicate secretKey found: " + entry.secretKey(),
            "give each data[] entry its own secretKey"));
      }
      entry.sourceStoreRef().ifPresent(ref -> storeName(path + ".sourceRef.storeRef", ref, problems));
    }
    for (int i = 0; i < spec.dataFrom().size(); i++) {
      String path = "spec.dataFrom[" + i + "]";
      spec.dataFrom().get(i).sourceStoreRef().ifPresent(ref -> storeName(path + ".sourceRef.storeRef", ref, problems));
    }
    return ImmutableList.copyOf(problems);
  }

  /**
   * Checks {@code es}.
   *
   * @throws InvalidConfigException naming the first broken rule's field; its hints hold the fix
   *     and the other problems
   */
  public static void check(ExternalSecret es) {
    ImmutableList<Problem> problems = validate(es);
    if (problems.isEmpty()) {
      return;
    }
    Problem first = problems.get(0);
    List<String> hints = new ArrayList<>();
    if (!first.fix().isEmpty()) {
      hints.add(first.fix());
    }
    problems.subList(1, problems.size()).forEach(p -> hints.add("also " + p));
    throw new InvalidConfigException(first.field(), first.problem(), hints);
  }

  private static void metadata(ObjectMeta metadata, List<Problem> problems) {
    if (!isDnsSubdomain(metadata.name())) {
      problems.add(new Problem("metadata.name", "\"" + metadata.name() + "\" is not a valid name", NAME_RULE));
    }
    if (!metadata.namespace().isEmpty()
        && (metadata.namespace().length() > 63 || !DNS_LABEL.matcher(metadata.namespace()).matches())) {
      problems.add(new Problem("metadata.namespace", "\"" + metadata.namespace() + "\" is not a valid namespace",
          "use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit"));
    }
  }

  private static void storeRequired(ExternalSecretSpec spec, List<Problem> problems) {
    if (spec.secretStoreRef().isPresent()) {
      return;
    }
    List<String> without = new ArrayList<>();
    for (int i = 0; i < spec.data().size(); i++) {
      if (spec.data().get(i).sourceStoreRef().isEmpty()) {
        without.add("spec.data[" + i + "]");
      }
    }
    for (int i = 0; i < spec.dataFrom().size(); i++) {
      if (spec.dataFrom().get(i).sourceStoreRef().isEmpty()) {
        without.add("spec.dataFrom[" + i + "]");
      }
    }
    if (!without.isEmpty()) {
      problems.add(new Problem("spec.secretStoreRef", "required: " + String.join(", ", without)
          + (without.size() == 1 ? " names" : " name") + " no sourceRef.storeRef",
          "set spec.secretStoreRef (name and kind), or a sourceRef.storeRef on every entry"));
    }
  }

  private static void target(Target target, List<Problem> problems) {
    if (!target.name().isEmpty() && !isDnsSubdomain(target.name())) {
      problems.add(new Problem("spec.target.name", "\"" + target.name() + "\" is not a valid Secret name", NAME_RULE));
    }
    CreationPolicy creation = target.creationPolicy();
    DeletionPolicy deletion = target.deletionPolicy();
    if (deletion == DeletionPolicy.DELETE && (creation == CreationPolicy.MERGE || creation == CreationPolicy.NONE
        || creation == CreationPolicy.CREATE_OR_MERGE)) {
      problems.add(new Problem("spec.target.deletionPolicy",
          "deletionPolicy=Delete must not be used when the controller doesn't own the secret."
              + " Please set creationPolicy=Owner",
          "use creationPolicy Owner with deletionPolicy Delete, or keep creationPolicy " + creation.wireName()
              + " with deletionPolicy Retain or Merge"));
    }
    if (deletion == DeletionPolicy.MERGE && creation == CreationPolicy.NONE) {
      problems.add(new Problem("spec.target.deletionPolicy",
          "deletionPolicy=Merge must not be used with creationPolicy=None. There is no Secret to merge with",
          "use deletionPolicy Retain with creationPolicy None"));
    }
    target.template().ifPresent(template -> template(template, problems));
  }

  private static void template(TargetTemplate template, List<Problem> problems) {
    if (!template.engineVersion().equals(TargetTemplate.ENGINE_V2)) {
      problems.add(new Problem("spec.target.template.engineVersion",
          "\"" + template.engineVersion() + "\" is not supported: only v2 templates are",
          "set engineVersion v2 (the default) and write the templates in v2 syntax"));
    }
    if (template.type().equals(SA_TOKEN_TYPE)) {
      if (template.annotations().containsKey(SA_NAME_ANNOTATION)) {
        problems.add(new Problem("spec.target.template.metadata.annotations",
            "template.type=\"" + SA_TOKEN_TYPE + "\" with annotation \"" + SA_NAME_ANNOTATION + "\" is not allowed",
            "remove the annotation or use another Secret type"));
      }
      for (int i = 0; i < template.templateFrom().size(); i++) {
        if (template.templateFrom().get(i).target() == TemplateScope.ANNOTATIONS) {
          problems.add(new Problem("spec.target.template.templateFrom[" + i + "].target",
              "template.type=\"" + SA_TOKEN_TYPE + "\" with templateFrom target=\"Annotations\" is not allowed",
              "render to Data or Labels, or use another Secret type"));
        }
      }
    }
    if (template.type().equals(BOOTSTRAP_TOKEN_TYPE)) {
      problems.add(new Problem("spec.target.template.type",
          "template.type=\"" + BOOTSTRAP_TOKEN_TYPE + "\" is not allowed", "use another Secret type"));
    }
  }

  private static void secretKey(String field, String key, List<Problem> problems) {
    if (key.length() > MAX_NAME) {
      problems.add(new Problem(field, "is longer than 253 characters", "use a shorter key"));
    } else if (!SECRET_KEY.matcher(key).matches() || key.equals(".") || key.equals("..")) {
      problems.add(new Problem(field, "\"" + key + "\" is not a valid Secret key",
          "use only letters, digits, '-', '_' and '.' (and not just \".\" or \"..\")"));
    }
  }

  private static void storeName(String field, StoreRef ref, List<Problem> problems) {
    if (!isDnsSubdomain(ref.name())) {
      problems.add(new Problem(field + ".name", "\"" + ref.name() + "\" is not a valid store name", NAME_RULE));
    }
  }

  private static boolean isDnsSubdomain(String name) {
    return name.length() <= MAX_NAME && DNS_SUBDOMAIN.matcher(name).matches();
  }
}
