package io.secretsync.examples.walkthrough;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.common.collect.ImmutableList;
import io.secretsync.core.SecretSyncException;
import io.secretsync.core.StoreContext;
import io.secretsync.core.StoreRegistry;
import io.secretsync.core.SyncEngine;
import io.secretsync.core.SyncResult;
import io.secretsync.core.TargetSecret;
import io.secretsync.core.manifest.ManifestLoader;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.kubernetes.KubernetesClient;
import io.secretsync.kubernetes.KubernetesClient.PatchType;
import io.secretsync.kubernetes.KubernetesClient.ResourceType;
import io.secretsync.kubernetes.KubernetesConfig;
import io.secretsync.kubernetes.KubernetesPlatformAccess;
import io.secretsync.kubernetes.KubernetesSecretWriter;
import io.secretsync.testkit.Sandbox;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The walkthrough "Use Vault and External Secrets in Kubernetes" in plain Java: every step of it, in
 * its order, against a Vault and a cluster, and then the sync External Secrets Operator would do,
 * done by this library.
 *
 * <ol>
 *   <li>Put the three apps' files into Vault KV v2 ({@code vault kv put}).
 *   <li>Configure Vault Kubernetes auth: the reviewer service account with {@code system:auth-delegator},
 *       its token Secret, then {@code auth/kubernetes/config} with the API server, the cluster CA and
 *       the reviewer JWT.
 *   <li>One policy ({@code secret/data/<app>/*}, read) and one role (bound to
 *       {@code external-secrets/external-secrets}) per app.
 *   <li>The {@code vault-ca} ConfigMap, then one ClusterSecretStore and one ExternalSecret per app, the
 *       walkthrough's manifests with only the Vault address changed.
 *   <li>Validate the stores (each logs in to Vault as the operator would) and sync each ExternalSecret
 *       into its Secret with {@link SyncEngine}; then read the three Secrets back.
 * </ol>
 *
 * <p>Kubernetes objects are applied with server-side apply, as {@code kubectl apply --server-side}
 * does, so running it twice changes nothing. Vault is called over its HTTP API, the calls the
 * {@code vault} CLI makes. It prints what it does and the Secrets' names, keys and sizes; never a
 * value, a token or a JWT.
 *
 * <p>{@link #main} runs it on an in-process {@link Sandbox} (a FakeVault and a FakeKubernetes on
 * 127.0.0.1 sharing a CA), or on the Vault and cluster the environment names;
 * {@link #Walkthrough(Target, PrintStream)} takes any. Against a real cluster, the API server
 * address in the kubeconfig becomes Vault's {@code kubernetes_host}, so Vault must reach it there.
 */
public final class Walkthrough {

  /**
   * Where the walkthrough runs: Vault's address, a token allowed to configure it (the walkthrough's
   * {@code vault login}), the CA that signed Vault's certificate, and the cluster.
   */
  public record Target(String vaultAddress, String vaultToken, String vaultCaPem, KubernetesConfig kubernetes) {

    /** The sandbox's Vault (root token) and cluster (admin token). */
    public static Target of(Sandbox sandbox) {
      return new Target(sandbox.vaultAddress(), sandbox.vaultRootToken(), sandbox.caCertificatePem(),
          KubernetesConfig.builder(sandbox.kubernetesUrl())
              .caCertificatesPem(sandbox.caCertificatePem())
              .bearerToken(sandbox.kubernetesAdminToken())
              .build());
    }

    /**
     * As the {@code vault} CLI and kubectl find them: {@code VAULT_ADDR}, {@code VAULT_TOKEN},
     * {@code VAULT_CACERT} (a PEM file) and the cluster from {@code KUBECONFIG} (or
     * {@code ~/.kube/config}, or in a pod its service account). What {@code . <dir>/env} sets after
     * {@code secrets-sync sandbox --dir <dir>}.
     *
     * @throws IllegalArgumentException naming a variable that is missing or a file that cannot be read
     */
    public static Target fromEnvironment(Map<String, String> environment) {
      String caFile = required(environment, "VAULT_CACERT");
      String caPem;
      try {
        caPem = Files.readString(Path.of(caFile));
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read VAULT_CACERT " + caFile + ": " + e.getMessage(), e);
      }
      return new Target(required(environment, "VAULT_ADDR"), required(environment, "VAULT_TOKEN"), caPem,
          KubernetesConfig.loader().environment(environment).load());
    }

    private static String required(Map<String, String> environment, String name) {
      String value = environment.getOrDefault(name, "").strip();
      if (value.isEmpty()) {
        throw new IllegalArgumentException(name + " is not set");
      }
      return value;
    }

    @Override
    public String toString() {
      return "Target{vault=" + vaultAddress + ", kubernetes=" + kubernetes.server() + "}";
    }
  }

  /**
   * One of the walkthrough's apps: where its file is in Vault ({@code secret/<vaultKey>}, property
   * {@code property}), the Secret and key it becomes, and the file's (example) content.
   */
  public record App(String name, String vaultKey, String property, String secretName, String secretKey, String file) {}

  /** The walkthrough's three apps. */
  public static final List<App> APPS = List.of(
      new App("example-api", "example-api/env-file", "dotenv", "example-api-env-file", ".env", """
          PORT=8080
          PUBLIC_URL=https://api.example.com
          DATABASE_URL=postgres://api:change-me@db.example-api:5432/api
          """),
      new App("example-worker", "example-worker/config-file", "config.json", "example-worker-config-file",
          "config.json", """
          {"queue": "jobs", "concurrency": 4, "ui": "https://worker.example.com", "apiKey": "change-me"}
          """),
      new App("example-admin", "example-admin/config-file", "config", "example-admin-config-file", "config.yml", """
          admin:
            users: [alice, bob]
            sessionSecret: change-me
          """));

  /** The audience the walkthrough's roles require of the operator's service account token. */
  public static final String AUDIENCE = "https://kubernetes.default.svc.cluster.local";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String FIELD_MANAGER = "walkthrough";
  private static final ResourceType CLUSTER_ROLE_BINDINGS =
      new ResourceType("rbac.authorization.k8s.io", "v1", "clusterrolebindings", false);

  private final Target target;
  private final PrintStream out;

  public Walkthrough(Target target, PrintStream out) {
    this.target = target;
    this.out = out;
  }

  /**
   * With {@code VAULT_ADDR} set, runs against the Vault and cluster the environment names
   * ({@link Target#fromEnvironment}); otherwise starts an in-process {@link Sandbox} and runs against
   * it. Exits with 0 when every ExternalSecret synced, 1 otherwise.
   */
  public static void main(String[] args) {
    boolean allSynced;
    try {
      if (System.getenv("VAULT_ADDR") != null) {
        allSynced = runOn(Target.fromEnvironment(System.getenv()));
      } else {
        try (Sandbox sandbox = Sandbox.start()) {
          allSynced = runOn(Target.of(sandbox));
        }
      }
    } catch (SecretSyncException e) {
      System.err.println("failed: " + e.getMessage());
      e.hints().forEach(hint -> System.err.println("  hint: " + hint));
      allSynced = false;
    } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
      System.err.println("failed: " + e.getMessage());
      allSynced = false;
    }
    System.exit(allSynced ? 0 : 1);
  }

  private static boolean runOn(Target target) {
    return new Walkthrough(target, System.out).run().stream().noneMatch(SyncResult::failed);
  }

  /** Runs every step and returns the sync of each ExternalSecret, ordered by namespace and name. */
  public List<SyncResult> run() {
    setUp();
    try (KubernetesClient kube = KubernetesClient.create(target.kubernetes())) {
      return syncAndValidate(kube);
    }
  }

  /**
   * Runs the steps up to and including creating the ClusterSecretStores and ExternalSecrets, and
   * syncs nothing: the cluster and Vault as External Secrets Operator (or a controller built on this
   * library) would find them.
   */
  public void setUp() {
    VaultHttp vault = new VaultHttp(target.vaultAddress(), target.vaultToken(), target.vaultCaPem());
    try (KubernetesClient kube = KubernetesClient.create(target.kubernetes())) {
      putSecretData(vault);
      String reviewerJwt = createReviewerServiceAccount(kube);
      configureKubernetesAuth(vault, reviewerJwt);
      createPoliciesAndRoles(vault);
      createStoresAndExternalSecrets(kube);
    }
  }

  /** "Put secret data into Vault". */
  private void putSecretData(VaultHttp vault) {
    step("Put secret data into Vault");
    for (App app : APPS) {
      vault.kvPut("secret", app.vaultKey(), Map.of(app.property(), app.file()));
      out.println("vault kv put secret/" + app.vaultKey() + " " + app.property() + "=@" + app.secretKey()
          + "   (" + app.file().length() + " bytes)");
    }
  }

  /** "Configure Vault Kubernetes auth", the cluster side: returns the reviewer JWT. */
  private String createReviewerServiceAccount(KubernetesClient kube) {
    step("Configure Vault Kubernetes auth: the token reviewer");
    apply(kube, """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: vault-auth
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: vault-auth
          namespace: vault-auth
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: vault-auth-tokenreview
        roleRef:
          apiGroup: rbac.authorization.k8s.io
          kind: ClusterRole
          name: system:auth-delegator
        subjects:
          - kind: ServiceAccount
            name: vault-auth
            namespace: vault-auth
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: vault-auth-token
          namespace: vault-auth
          annotations:
            kubernetes.io/service-account.name: vault-auth
        type: kubernetes.io/service-account-token
        """);
    // TOKEN_REVIEWER_JWT=$(kubectl -n vault-auth get secret vault-auth-token -o jsonpath='{.data.token}' | base64 -d)
    // The API server's token controller fills the Secret in shortly after it is created.
    for (int attempt = 0; attempt < 50; attempt++) {
      String token = kube.getSecret("vault-auth", "vault-auth-token")
          .flatMap(secret -> secret.data().getString("token")).orElse("");
      if (!token.isEmpty()) {
        out.println("TOKEN_REVIEWER_JWT read from secret vault-auth/vault-auth-token (" + token.length() + " bytes)");
        return token;
      }
      pause();
    }
    throw new IllegalStateException("the token controller did not fill in secret vault-auth/vault-auth-token; "
        + "is the service account vault-auth there?");
  }

  /** "Configure Vault": enable the auth method and point it at the cluster. */
  private void configureKubernetesAuth(VaultHttp vault, String reviewerJwt) {
    vault.authEnable("kubernetes");
    out.println("vault auth enable kubernetes");
    String host = target.kubernetes().server().toString();
    vault.write("auth/kubernetes/config", Map.of(
        "kubernetes_host", host,
        "kubernetes_ca_cert", clusterCaPem(),
        "token_reviewer_jwt", reviewerJwt));
    out.println("vault write auth/kubernetes/config kubernetes_host=\"" + host
        + "\" kubernetes_ca_cert=@ca.crt token_reviewer_jwt=\"$TOKEN_REVIEWER_JWT\"");
  }

  /** "Create policies and roles". */
  private void createPoliciesAndRoles(VaultHttp vault) {
    step("Create policies and roles");
    for (App app : APPS) {
      // KV v2: the policy names the API path, secret/data/..., not the path `vault kv` takes.
      vault.policyWrite(app.name(), "path \"secret/data/" + app.name() + "/*\" {\n  capabilities = [\"read\"]\n}\n");
      out.println("vault policy write " + app.name() + "   (path \"secret/data/" + app.name() + "/*\": read)");
      String role = "external-secrets-" + app.name();
      vault.write("auth/kubernetes/role/" + role, Map.of(
          "bound_service_account_names", "external-secrets",
          "bound_service_account_namespaces", "external-secrets",
          "audience", AUDIENCE,
          "policies", app.name(),
          "ttl", "1h"));
      out.println("vault write auth/kubernetes/role/" + role + " bound_service_account_names=external-secrets "
          + "bound_service_account_namespaces=external-secrets audience=" + AUDIENCE + " policies=" + app.name()
          + " ttl=1h");
    }
  }

  /** "Create ClusterSecretStore" and "Create ExternalSecret", for each app. */
  private void createStoresAndExternalSecrets(KubernetesClient kube) {
    step("Create ClusterSecretStore and ExternalSecret");
    apply(kube, """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: external-secrets
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: external-secrets
          namespace: external-secrets
        """);
    // kubectl -n external-secrets create configmap vault-ca --from-file=ca.crt=./vault-ca.crt
    ObjectNode configMap = YAML.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
    configMap.putObject("metadata").put("name", "vault-ca").put("namespace", "external-secrets");
    configMap.putObject("data").put("ca.crt", target.vaultCaPem());
    apply(kube, configMap);
    for (App app : APPS) {
      apply(kube, """
          apiVersion: external-secrets.io/v1
          kind: ClusterSecretStore
          metadata:
            name: vault-%1$s
          spec:
            provider:
              vault:
                server: "%2$s"
                path: "secret"
                version: "v2"
                caProvider:
                  type: ConfigMap
                  name: vault-ca
                  namespace: external-secrets
                  key: ca.crt
                auth:
                  kubernetes:
                    mountPath: kubernetes
                    role: external-secrets-%1$s
                    serviceAccountRef:
                      name: external-secrets
                      namespace: external-secrets
          ---
          apiVersion: v1
          kind: Namespace
          metadata:
            name: %1$s
          ---
          apiVersion: external-secrets.io/v1
          kind: ExternalSecret
          metadata:
            name: %3$s
            namespace: %1$s
          spec:
            refreshInterval: 2m
            secretStoreRef:
              name: vault-%1$s
              kind: ClusterSecretStore
            target:
              name: %3$s
              creationPolicy: Owner
            data:
              - secretKey: %4$s
                remoteRef:
                  key: %5$s
                  property: %6$s
          """.formatted(app.name(), target.vaultAddress(), app.secretName(), app.secretKey(), app.vaultKey(),
          app.property()));
    }
  }

  /** "Validate": what ESO does with the objects, done by this library, then the Secrets it wrote. */
  private List<SyncResult> syncAndValidate(KubernetesClient kube) {
    step("Sync and validate");
    KubernetesPlatformAccess platform = KubernetesPlatformAccess.create(kube);
    ManifestLoader loader = new ManifestLoader();
    List<SyncResult> results = new ArrayList<>();
    try (StoreRegistry stores = StoreRegistry.builder()
        .context(new StoreContext(platform, Clock.systemUTC()))
        .namespaceLabels(platform)
        .build()) {
      for (JsonNode object : kube.list(ResourceType.CLUSTER_SECRET_STORES, "", "").items()) {
        SecretStoreResource store = loader.store(object);
        stores.put(store);
        try {
          stores.store(store).validate(); // kubectl describe clustersecretstore: Ready, "store validated"
          out.println("ClusterSecretStore " + store.metadata().name() + ": Valid (logged in to Vault as role "
              + object.at("/spec/provider/vault/auth/kubernetes/role").asText() + ")");
        } catch (SecretSyncException e) {
          out.println("ClusterSecretStore " + store.metadata().name() + ": InvalidProviderConfig: " + e.getMessage());
        }
      }
      SyncEngine engine = SyncEngine.builder().stores(stores).writer(KubernetesSecretWriter.create(kube)).build();
      for (JsonNode object : kube.list(ResourceType.EXTERNAL_SECRETS, "", "").items()) {
        SyncResult result = engine.sync(loader.externalSecret(object));
        results.add(result);
        out.println(result.namespace() + "/" + result.name() + ": " + (result.failed()
            ? "failed: " + result.reason() + ": " + result.message()
            : "synced -> Secret " + result.namespace() + "/" + result.targetName() + " ("
                + result.outcome().name().toLowerCase() + ")"));
      }
    }
    for (App app : APPS) {
      // kubectl -n <app> get secret <app>-...: names, keys and sizes; never the values
      kube.getSecret(app.name(), app.secretName()).ifPresentOrElse(
          secret -> out.println("secret " + app.name() + "/" + app.secretName() + ": " + describe(secret)),
          () -> out.println("secret " + app.name() + "/" + app.secretName() + ": not found"));
    }
    return ImmutableList.copyOf(results);
  }

  private static String describe(TargetSecret secret) {
    List<String> keys = new ArrayList<>();
    for (String key : secret.data().keys()) {
      keys.add(key + " (" + secret.data().sizeOf(key) + " bytes)");
    }
    return secret.type() + ", " + String.join(", ", keys);
  }

  /** {@code kubectl apply --server-side -f -} of every document in {@code yaml}. */
  private void apply(KubernetesClient kube, String yaml) {
    try (MappingIterator<ObjectNode> documents = YAML.readerFor(ObjectNode.class).readValues(yaml)) {
      while (documents.hasNext()) {
        apply(kube, documents.next());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void apply(KubernetesClient kube, ObjectNode object) {
    String kind = object.path("kind").asText();
    String namespace = object.path("metadata").path("namespace").asText("");
    String name = object.path("metadata").path("name").asText();
    ResourceType type = switch (kind) {
      case "Namespace" -> ResourceType.NAMESPACES;
      case "ServiceAccount" -> ResourceType.SERVICE_ACCOUNTS;
      case "Secret" -> ResourceType.SECRETS;
      case "ConfigMap" -> ResourceType.CONFIG_MAPS;
      case "ClusterRoleBinding" -> CLUSTER_ROLE_BINDINGS;
      case "ClusterSecretStore" -> ResourceType.CLUSTER_SECRET_STORES;
      case "ExternalSecret" -> ResourceType.EXTERNAL_SECRETS;
      default -> throw new IllegalArgumentException("this walkthrough applies no " + kind);
    };
    kube.patch(type, namespace, name, PatchType.APPLY, object, FIELD_MANAGER, true);
    out.println("kubectl apply --server-side: " + kind.toLowerCase() + "/" + name
        + (namespace.isEmpty() ? "" : " -n " + namespace));
  }

  /** {@code kubectl config view --raw --minify -o jsonpath='{...certificate-authority-data}' | base64 -d > ca.crt}. */
  private String clusterCaPem() {
    StringBuilder pem = new StringBuilder();
    Base64.Encoder base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    for (X509Certificate ca : target.kubernetes().caCertificates()) {
      try {
        pem.append("-----BEGIN CERTIFICATE-----\n").append(base64.encodeToString(ca.getEncoded()))
            .append("\n-----END CERTIFICATE-----\n");
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException("the cluster CA cannot be encoded: " + e.getMessage(), e);
      }
    }
    return pem.toString();
  }

  private void step(String title) {
    out.println();
    out.println("## " + title);
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
