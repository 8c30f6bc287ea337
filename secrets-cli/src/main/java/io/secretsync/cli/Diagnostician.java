package io.secretsync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import io.secretsync.core.CommonIssue;
import io.secretsync.core.Diagnosis;
import io.secretsync.core.SecretStore;
import io.secretsync.core.SecretStoreException.AuthenticationException;
import io.secretsync.core.SecretStoreException.TlsException;
import io.secretsync.core.SecretStoreException.UnreachableException;
import io.secretsync.core.SecretSyncException;
import io.secretsync.core.StoreContext;
import io.secretsync.core.StoreRegistry;
import io.secretsync.core.model.DataFromSource;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ExternalSecretData;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import io.secretsync.core.model.StoreRef;
import io.secretsync.kubernetes.KubernetesApiException;
import io.secretsync.kubernetes.KubernetesClient;
import io.secretsync.kubernetes.KubernetesClient.ResourceType;
import io.secretsync.kubernetes.KubernetesConfig;
import io.secretsync.vault.KubernetesAuthCheck;
import io.secretsync.vault.PolicyPathCheck;
import io.secretsync.vault.VaultClient;
import io.secretsync.vault.VaultStoreProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks stores end to end (config, reach, TLS, login, token) and each ExternalSecret's references
 * (readable, property present), reading and never writing, and names the walkthrough's common issue
 * of each failure. A Kubernetes login refused with the bare 403 of a failed TokenReview is examined
 * further with an operator token ({@code VAULT_TOKEN}, {@code VAULT_ADDR}, {@code VAULT_CACERT}) and
 * the cluster's own address, CA and reviewer token. Values read are used for their sizes only and
 * never kept. Not thread-safe; one instance per run.
 */
final class Diagnostician {
  private static final ResourceType CLUSTER_ROLE_BINDINGS =
      new ResourceType("rbac.authorization.k8s.io", "v1", "clusterrolebindings", false);
  private static final ResourceType TOKEN_REVIEWS =
      new ResourceType("authentication.k8s.io", "v1", "tokenreviews", false);

  private final StoreContext context;
  private final StoreRegistry.NamespaceLabels namespaceLabels;
  private final Optional<KubernetesClient> cluster;
  private final Map<String, String> env;

  /**
   * @param cluster the cluster the stores' references resolve in, used for its address, CA and
   *     reviewer token; empty when there is none
   * @param env where {@code VAULT_TOKEN}, {@code VAULT_ADDR}, {@code VAULT_CACERT},
   *     {@code VAULT_NAMESPACE} and {@code TOKEN_REVIEWER_JWT} are read from
   */
  Diagnostician(StoreContext context, StoreRegistry.NamespaceLabels namespaceLabels,
      Optional<KubernetesClient> cluster, Map<String, String> env) {
    this.context = context;
    this.namespaceLabels = namespaceLabels;
    this.cluster = cluster;
    this.env = env;
  }

  /** One thing checked and what each check found. */
  record Section(String subject, ImmutableList<Diagnosis> checks) {
    boolean failed() {
      return checks.stream().anyMatch(Diagnosis::failed);
    }
  }

  /** Every store's section, then every ExternalSecret's. */
  record Report(ImmutableList<Section> stores, ImmutableList<Section> externalSecrets) {
    boolean ok() {
      return stores.stream().noneMatch(Section::failed) && externalSecrets.stream().noneMatch(Section::failed);
    }
  }

  Report run(List<SecretStoreResource> stores, List<ExternalSecret> externalSecrets) {
    try (StoreRegistry registry = StoreRegistry.builder().provider(new VaultStoreProvider()).context(context)
        .namespaceLabels(namespaceLabels).build()) {
      Map<String, Boolean> storeOk = new HashMap<>();
      ImmutableList.Builder<Section> storeSections = ImmutableList.builder();
      for (SecretStoreResource store : stores) {
        Section section = checkStore(store, registry);
        storeOk.put(key(store.kind(), store.metadata().namespace(), store.metadata().name()), !section.failed());
        storeSections.add(section);
      }
      ImmutableList.Builder<Section> esSections = ImmutableList.builder();
      for (ExternalSecret es : externalSecrets) {
        esSections.add(checkExternalSecret(es, registry, storeOk));
      }
      return new Report(storeSections.build(), esSections.build());
    }
  }

  private static String key(StoreKind kind, String namespace, String name) {
    return kind.wireName() + "/" + (kind == StoreKind.CLUSTER_SECRET_STORE ? "" : namespace) + "/" + name;
  }

  static String subject(SecretStoreResource store) {
    return store.kind().wireName() + " " + store.metadata().qualifiedName();
  }

  private Section checkStore(SecretStoreResource store, StoreRegistry registry) {
    String subject = subject(store);
    List<Diagnosis> checks = new ArrayList<>();
    String server = store.provider().settings().string("server").orElse("");
    if (!store.provider().name().equals(VaultStoreProvider.NAME)) {
      checks.add(Diagnosis.failed(subject, "config", "provider \"" + store.provider().name()
          + "\": diagnose checks Vault stores only", List.of(), List.of("use spec.provider.vault")));
      return new Section(subject, ImmutableList.copyOf(checks));
    }
    SecretStore live;
    try {
      registry.put(store);
      live = registry.store(store);
    } catch (SecretSyncException e) {
      checks.add(Diagnosis.failed(subject, "config", e));
      return new Section(subject, ImmutableList.copyOf(checks));
    }
    checks.add(Diagnosis.ok(subject, "config", "spec.provider.vault is valid; server " + server));
    try {
      live.validate();
      checks.add(Diagnosis.ok(subject, "reach", "Vault answers at " + server));
      checks.add(server.startsWith("https:") ? Diagnosis.ok(subject, "tls", "certificate trusted and valid for the host")
          : Diagnosis.skipped(subject, "tls", "plain http: no TLS"));
      checks.add(Diagnosis.ok(subject, "login", "Vault accepted the login"));
      checks.add(Diagnosis.ok(subject, "token", "the store holds a token Vault accepts"));
    } catch (UnreachableException e) {
      checks.add(Diagnosis.failed(subject, "reach", e));
    } catch (TlsException e) {
      checks.add(Diagnosis.ok(subject, "reach", "Vault answers at " + server));
      checks.add(Diagnosis.failed(subject, "tls", e));
    } catch (AuthenticationException e) {
      checks.add(Diagnosis.ok(subject, "reach", "Vault answers at " + server));
      checks.add(Diagnosis.ok(subject, "tls", "certificate trusted and valid for the host"));
      checks.add(Diagnosis.failed(subject, "login", e));
      if (CommonIssue.of(e).size() > 1) {
        checks.add(examineKubernetesAuth(subject, store));
      }
    } catch (SecretSyncException e) {
      checks.add(Diagnosis.failed(subject, "connect", e));
    }
    return new Section(subject, ImmutableList.copyOf(checks));
  }

  /** Tells issues 1, 2 and 3 apart with an operator token, or says what is needed to. */
  private Diagnosis examineKubernetesAuth(String subject, SecretStoreResource store) {
    String mount = KubernetesAuthCheck.kubernetesMountPath(store).orElse("kubernetes");
    String check = "auth/" + mount + "/config";
    String token = env.getOrDefault("VAULT_TOKEN", "").trim();
    if (token.isEmpty()) {
      return Diagnosis.skipped(subject, check, "VAULT_TOKEN is not set, so the candidates stay open: set VAULT_TOKEN "
          + "(and VAULT_ADDR, VAULT_CACERT as for the vault CLI) to a token allowed to read " + check
          + " to tell them apart");
    }
    if (cluster.isEmpty()) {
      return Diagnosis.skipped(subject, check, "no cluster to compare " + check + " with: give --kubeconfig");
    }
    KubernetesConfig config = cluster.get().config();
    VaultClient operator;
    try {
      operator = operatorClient(store);
    } catch (SecretSyncException | IOException | IllegalArgumentException e) {
      return Diagnosis.failed(subject, check, "cannot connect with VAULT_ADDR/VAULT_CACERT: " + e.getMessage(),
          List.of(), List.of("VAULT_ADDR is Vault's URL; VAULT_CACERT a PEM file with its CA"));
    }
    KubernetesAuthCheck.Cluster facts = new KubernetesAuthCheck.Cluster(config.server().toString(),
        config.caCertificates(), reviewerCheck(config));
    return KubernetesAuthCheck.check(subject, operator, token, mount, facts);
  }

  /** With an operator token, the policy line behind a denied read; empty without a token or evidence. */
  private Optional<Diagnosis> examinePolicies(String subject, SecretStoreResource store, String key) {
    String token = env.getOrDefault("VAULT_TOKEN", "").trim();
    if (token.isEmpty()) {
      return Optional.empty();
    }
    try {
      return PolicyPathCheck.check(subject, store, key, operatorClient(store), token);
    } catch (SecretSyncException | IOException | IllegalArgumentException e) {
      return Optional.of(Diagnosis.skipped(subject, "policies", "cannot connect with VAULT_ADDR/VAULT_CACERT: "
          + e.getMessage()));
    }
  }

  private VaultClient operatorClient(SecretStoreResource store) throws IOException {
    String address = env.getOrDefault("VAULT_ADDR", "").trim();
    if (address.isEmpty()) {
      return KubernetesAuthCheck.storeClient(store, context);
    }
    VaultClient.Builder builder = VaultClient.builder(address);
    String caFile = env.getOrDefault("VAULT_CACERT", "").trim();
    if (!caFile.isEmpty()) {
      builder.caCertificatesPem(Files.readString(Path.of(caFile)));
    }
    String namespace = env.getOrDefault("VAULT_NAMESPACE", "").trim();
    if (!namespace.isEmpty()) {
      builder.namespace(namespace);
    }
    return builder.build();
  }

  /**
   * A TokenReview sent with the reviewer token: {@code TOKEN_REVIEWER_JWT} (as the walkthrough exports
   * it), or else the service-account-token Secret of a service account bound to system:auth-delegator.
   */
  private Optional<KubernetesAuthCheck.ReviewerCheck> reviewerCheck(KubernetesConfig config) {
    String source = "TOKEN_REVIEWER_JWT";
    String jwt = env.getOrDefault("TOKEN_REVIEWER_JWT", "").trim();
    if (jwt.isEmpty()) {
      Optional<String[]> found = findReviewerToken();
      if (found.isEmpty()) {
        return Optional.empty();
      }
      source = found.get()[0];
      jwt = found.get()[1];
    }
    KubernetesConfig.Builder asReviewer = KubernetesConfig.builder(config.server().toString())
        .caCertificates(config.caCertificates()).insecureSkipTlsVerify(config.insecureSkipTlsVerify())
        .bearerToken(jwt);
    config.tlsServerName().ifPresent(asReviewer::tlsServerName);
    ObjectNode review = VaultHttp.JSON.createObjectNode().put("apiVersion", "authentication.k8s.io/v1")
        .put("kind", "TokenReview");
    review.putObject("metadata");
    review.putObject("spec").put("token", jwt);
    try (KubernetesClient reviewer = KubernetesClient.create(asReviewer.build())) {
      reviewer.create(TOKEN_REVIEWS, review, null);
      return Optional.of(new KubernetesAuthCheck.ReviewerCheck(source, 201));
    } catch (KubernetesApiException e) {
      return Optional.of(new KubernetesAuthCheck.ReviewerCheck(source, e.code()));
    }
  }

  /** {source, token} of the first service-account-token Secret whose account is bound to system:auth-delegator. */
  private Optional<String[]> findReviewerToken() {
    KubernetesClient client = cluster.orElseThrow();
    try {
      for (JsonNode binding : client.list(CLUSTER_ROLE_BINDINGS, "", null).items()) {
        if (!binding.path("roleRef").path("name").asText().equals("system:auth-delegator")) {
          continue;
        }
        for (JsonNode subject : binding.path("subjects")) {
          if (!subject.path("kind").asText().equals("ServiceAccount")) {
            continue;
          }
          String ns = subject.path("namespace").asText();
          String sa = subject.path("name").asText();
          for (JsonNode secret : client.list(ResourceType.SECRETS, ns, null).items()) {
            if (secret.path("type").asText().equals("kubernetes.io/service-account-token")
                && secret.path("metadata").path("annotations").path("kubernetes.io/service-account.name").asText()
                    .equals(sa)
                && !secret.path("data").path("token").asText().isEmpty()) {
              String token = new String(Base64.getDecoder().decode(secret.path("data").path("token").asText()),
                  StandardCharsets.UTF_8);
              return Optional.of(new String[] {"Secret " + ns + "/" + secret.path("metadata").path("name").asText(),
                  token});
            }
          }
        }
      }
    } catch (SecretSyncException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private Section checkExternalSecret(ExternalSecret es, StoreRegistry registry, Map<String, Boolean> storeOk) {
    String ns = es.metadata().namespace();
    String subject = "ExternalSecret " + ns + "/" + es.metadata().name();
    List<Diagnosis> checks = new ArrayList<>();
    Optional<StoreRef> defaultStore = es.spec().secretStoreRef();
    for (ExternalSecretData data : es.spec().data()) {
      RemoteRef ref = data.remoteRef();
      String check = data.secretKey() + " <- " + describe(ref);
      Optional<StoreRef> storeRef = data.sourceStoreRef().or(() -> defaultStore);
      Diagnosis result = read(subject, check, storeRef, ns, registry, storeOk, store -> {
        byte[] value = store.getSecret(ref);
        int size = value.length;
        Arrays.fill(value, (byte) 0);
        return "readable, property present (" + size + " bytes)";
      });
      checks.add(result);
      if (result.issue().filter(i -> i == CommonIssue.POLICY_PATH).isPresent()) {
        storeRef.flatMap(r -> registry.definition(r, ns))
            .flatMap(store -> examinePolicies(subject, store, ref.key()))
            .ifPresent(checks::add);
      }
    }
    for (DataFromSource from : es.spec().dataFrom()) {
      Optional<StoreRef> storeRef = from.sourceStoreRef().or(() -> defaultStore);
      if (from.extract().isPresent()) {
        RemoteRef ref = from.extract().get();
        checks.add(read(subject, "dataFrom.extract " + describe(ref), storeRef, ns, registry, storeOk,
            store -> "readable, " + store.getSecretMap(ref).size() + " properties"));
      } else if (from.find().isPresent()) {
        checks.add(read(subject, "dataFrom.find", storeRef, ns, registry, storeOk,
            store -> store.find(from.find().get()).size() + " secrets found"));
      }
    }
    if (checks.isEmpty()) {
      checks.add(Diagnosis.ok(subject, "references", "reads nothing from a store"));
    }
    return new Section(subject, ImmutableList.copyOf(checks));
  }

  private static String describe(RemoteRef ref) {
    return ref.key() + (ref.property().isEmpty() ? "" : " property " + ref.property());
  }

  private interface Read {
    String apply(SecretStore store);
  }

  private static Diagnosis read(String subject, String check, Optional<StoreRef> storeRef, String namespace,
      StoreRegistry registry, Map<String, Boolean> storeOk, Read read) {
    if (storeRef.isEmpty()) {
      return Diagnosis.failed(subject, check, "no store: spec.secretStoreRef is not set", List.of(),
          List.of("set spec.secretStoreRef (name and kind) or the entry's sourceRef.storeRef"));
    }
    StoreRef ref = storeRef.get();
    Boolean ok = storeOk.get(key(ref.kind(), namespace, ref.name()));
    if (ok != null && !ok) {
      return Diagnosis.skipped(subject, check, ref.kind().wireName() + " " + ref.name() + " failed its checks");
    }
    try {
      return Diagnosis.ok(subject, check, read.apply(registry.store(ref, namespace)));
    } catch (SecretSyncException e) {
      return Diagnosis.failed(subject, check, e);
    }
  }
}
