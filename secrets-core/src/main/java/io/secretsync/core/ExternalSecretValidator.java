package io.secretsync.core;

import io.secretsync.core.model.CreationPolicy;
import io.secretsync.core.model.DataFromSource;
import io.secretsync.core.model.DeletionPolicy;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ExternalSecretData;
import io.secretsync.core.model.ExternalSecretSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * ESO's admission rules for an ExternalSecret (its validating webhook): applied by the manifest
 * loader, and again by the sync engine (as ESO's controller does) so they hold for objects built
 * in code or read from a cluster without the webhook. Stateless and thread-safe.
 */
public final class ExternalSecretValidator {

  private ExternalSecretValidator() {}

  /**
   * Checks {@code es}.
   *
   * @throws InvalidConfigException naming the first field that breaks a rule
   */
  public static void check(ExternalSecret es) {
    ExternalSecretSpec spec = es.spec();
    if (spec.data().isEmpty() && spec.dataFrom().isEmpty()) {
      throw new InvalidConfigException("spec", "either data or dataFrom should be specified");
    }
    CreationPolicy creation = spec.target().creationPolicy();
    DeletionPolicy deletion = spec.target().deletionPolicy();
    if (deletion == DeletionPolicy.DELETE
        && (creation == CreationPolicy.MERGE || creation == CreationPolicy.NONE
            || creation == CreationPolicy.CREATE_OR_MERGE)) {
      throw new InvalidConfigException("spec.target.deletionPolicy",
          "deletionPolicy=Delete must not be used when the controller doesn't own the secret. Please set creationPolicy=Owner",
          List.of("use creationPolicy Owner with deletionPolicy Delete, or deletionPolicy Retain or Merge"));
    }
    if (deletion == DeletionPolicy.MERGE && creation == CreationPolicy.NONE) {
      throw new InvalidConfigException("spec.target.deletionPolicy",
          "deletionPolicy=Merge must not be used with creationPolicy=None. There is no Secret to merge with",
          List.of("use deletionPolicy Retain with creationPolicy None"));
    }
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < spec.data().size(); i++) {
      ExternalSecretData entry = spec.data().get(i);
      int idx = i;
      if (es.storeFor(entry.sourceStoreRef()).isEmpty()) {
        throw new InvalidConfigException("spec.data[" + i + "]",
            "no store: set spec.secretStoreRef or this entry's sourceRef.storeRef");
      }
      KeyNames.problem(entry.secretKey()).ifPresent(problem -> {
        throw new InvalidConfigException("spec.data[" + idx + "].secretKey",
            "\"" + entry.secretKey() + "\" is not a valid Secret key: " + problem);
      });
      if (!keys.add(entry.secretKey()) && deletion == DeletionPolicy.RETAIN) {
        throw new InvalidConfigException("spec.data[" + i + "].secretKey",
            "duplicate secretKey \"" + entry.secretKey() + "\"");
      }
    }
    for (int i = 0; i < spec.dataFrom().size(); i++) {
      DataFromSource source = spec.dataFrom().get(i);
      if (es.storeFor(source.sourceStoreRef()).isEmpty()) {
        throw new InvalidConfigException("spec.dataFrom[" + i + "]",
            "no store: set spec.secretStoreRef or this entry's sourceRef.storeRef");
      }
    }
    spec.target().template().ifPresent(template -> {
      if (!template.engineVersion().isEmpty() && !template.engineVersion().equals("v2")) {
        throw new InvalidConfigException("spec.target.template.engineVersion",
            "\"" + template.engineVersion() + "\" is not supported; only v2 templates are");
      }
      if (template.type().equals("bootstrap.kubernetes.io/token")) {
        throw new InvalidConfigException("spec.target.template.type", "type bootstrap.kubernetes.io/token is not allowed");
      }
      if (template.type().equals("kubernetes.io/service-account-token")
          && template.annotations().containsKey("kubernetes.io/service-account.name")) {
        throw new InvalidConfigException("spec.target.template.metadata.annotations",
            "a kubernetes.io/service-account-token Secret with the service-account.name annotation is not allowed");
      }
    });
  }
}
