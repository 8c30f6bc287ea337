package io.secretsync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.manifest.ManifestLoader;
import io.secretsync.core.manifest.Manifests;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.kubernetes.KubernetesClient;
import io.secretsync.kubernetes.KubernetesClient.ResourceType;
import io.secretsync.kubernetes.KubernetesConfig;
import io.secretsync.testkit.Sandbox;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The walkthrough's setup performed on a {@link Sandbox}, each step as its command prints it and done
 * with the HTTP calls that command makes: {@code kubectl} steps through {@link KubernetesClient} with
 * the sandbox's admin kubeconfig, {@code vault} steps through {@link VaultHttp} with the root token.
 * The ClusterSecretStore and ExternalSecret manifests are the test kit's walkthrough files as written,
 * with only the Vault address pointed at the sandbox. Secret values are never printed. Not thread-safe.
 */
final class SandboxWalkthrough implements AutoCloseable {
  static final List<String> APPS = List.of("example-api", "example-worker", "example-admin");
  static final String AUDIENCE = "https://kubernetes.default.svc.cluster.local";
  static final String DOTENV = "API_BASE_URL=https://api.example.com\nAPI_KEY=demo-4f1c9a2e7b\nLOG_LEVEL=info\n";
  static final String DOTENV_ROTATED = "API_BASE_URL=https://api.example.com\nAPI_KEY=demo-rotated-8c0d51\n"
      + "LOG_LEVEL=info\n";
  static final String CONFIG_JSON = "{\"queue\":\"jobs\",\"concurrency\":4,\"webhook_secret\":\"demo-whsec-93b1\"}\n";
  static final String CONFIG_YML = "admin:\n  listen: 0.0.0.0:8080\n  session_secret: demo-session-5d2e\n";
  /** Each app's {@code vault kv put}: path, property, the file it is read from, and its content. */
  static final List<KvPut> KV = List.of(
      new KvPut("example-api/env-file", "dotenv", ".env", DOTENV),
      new KvPut("example-worker/config-file", "config.json", "config.json", CONFIG_JSON),
      new KvPut("example-admin/config-file", "config", "config.yml", CONFIG_YML));

  private static final String MANIFESTS = "/io/secretsync/testkit/walkthrough/";
  private static final String WALKTHROUGH_SERVER = "https://vault.example.internal:8200";
  private static final String FIELD_MANAGER = "kubectl-client-side-apply";
  private static final ResourceType CLUSTER_ROLE_BINDINGS =
      new ResourceType("rbac.authorization.k8s.io", "v1", "clusterrolebindings", false);
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  record KvPut(String path, String property, String file, String content) {}

  private final Sandbox sandbox;
  private final PrintWriter out;
  private final KubernetesConfig kubeConfig;
  private final KubernetesClient kube;
  private final VaultHttp vault;
  private final Map<String, String> manifests = new LinkedHashMap<>();

  private SandboxWalkthrough(Sandbox sandbox, PrintWriter out) {
    this.sandbox = sandbox;
    this.out = out;
    this.kubeConfig = KubernetesConfig.builder(sandbox.kubernetesUrl()).caCertificatesPem(sandbox.caCertificatePem())
        .bearerToken(sandbox.kubernetesAdminToken()).build();
    this.kube = KubernetesClient.create(kubeConfig);
    this.vault = new VaultHttp(sandbox.vaultAddress(), sandbox.caCertificatePem(), sandbox.vaultRootToken());
    for (String app : APPS) {
      manifests.put("cluster-secret-store-" + app + ".yaml", resource("cluster-secret-store-" + app + ".yaml")
          .replace(WALKTHROUGH_SERVER, sandbox.vaultAddress()));
      manifests.put("external-secret-" + app + ".yaml", resource("external-secret-" + app + ".yaml"));
    }
  }

  /** Performs every step of the walkthrough's setup on {@code sandbox}, printing them to {@code out}. */
  static SandboxWalkthrough setUp(Sandbox sandbox, PrintWriter out) {
    SandboxWalkthrough w = new SandboxWalkthrough(sandbox, out);
    try {
      w.installOperator();
      w.putSecretData();
      w.configureKubernetesAuth();
      w.createPoliciesAndRoles();
      w.createStoresAndExternalSecrets();
    } catch (RuntimeException e) {
      w.close();
      throw e;
    }
    return w;
  }

  private void installOperator() {
    step("Install External Secrets Operator");
    out.println("(the sandbox's API server has the External Secrets Operator CRDs; its namespace and service "
        + "account are what the Helm chart creates)");
    createNamespace("external-secrets");
    command("kubectl -n external-secrets create serviceaccount external-secrets");
    kube.create(ResourceType.SERVICE_ACCOUNTS, object("ServiceAccount", "v1", "external-secrets", "external-secrets"),
        FIELD_MANAGER);
    out.println("serviceaccount/external-secrets created");
    for (String app : APPS) {
      createNamespace(app);
    }
  }

  private void putSecretData() {
    step("Put secret data into Vault (KV v2 at secret/)");
    for (KvPut put : KV) {
      kvPut(put.path(), put.property(), put.file(), put.content());
    }
  }

  /** {@code vault kv put secret/<path> <property>=@<file>}: POST secret/data/<path>. */
  void kvPut(String path, String property, String file, String content) {
    command("vault kv put secret/" + path + " " + property + "=@" + file + "    # " + file + ": "
        + content.getBytes(StandardCharsets.UTF_8).length + " bytes");
    ObjectNode body = VaultHttp.JSON.createObjectNode();
    body.putObject("data").put(property, content);
    JsonNode answer = vault.write("secret/data/" + path, body);
    out.println("Success! Data written to: secret/data/" + path + " (version "
        + answer.path("data").path("version").asText("?") + ")");
  }

  private void configureKubernetesAuth() {
    step("Configure Vault Kubernetes auth");
    createNamespace("vault-auth");
    command("kubectl -n vault-auth create serviceaccount vault-auth");
    kube.create(ResourceType.SERVICE_ACCOUNTS, object("ServiceAccount", "v1", "vault-auth", "vault-auth"),
        FIELD_MANAGER);
    out.println("serviceaccount/vault-auth created");
    command("kubectl create clusterrolebinding vault-auth-tokenreview --clusterrole=system:auth-delegator "
        + "--serviceaccount=vault-auth:vault-auth");
    ObjectNode binding = object("ClusterRoleBinding", "rbac.authorization.k8s.io/v1", "", "vault-auth-tokenreview");
    binding.putObject("roleRef").put("apiGroup", "rbac.authorization.k8s.io").put("kind", "ClusterRole")
        .put("name", "system:auth-delegator");
    binding.putArray("subjects").addObject().put("kind", "ServiceAccount").put("name", "vault-auth")
        .put("namespace", "vault-auth");
    kube.create(CLUSTER_ROLE_BINDINGS, binding, FIELD_MANAGER);
    out.println("clusterrolebinding.rbac.authorization.k8s.io/vault-auth-tokenreview created");
    command("kubectl apply -f vault-auth-token.yaml");
    ObjectNode tokenSecret = object("Secret", "v1", "vault-auth", "vault-auth-token");
    ((ObjectNode) tokenSecret.path("metadata")).putObject("annotations")
        .put("kubernetes.io/service-account.name", "vault-auth");
    tokenSecret.put("type", "kubernetes.io/service-account-token");
    kube.create(ResourceType.SECRETS, tokenSecret, FIELD_MANAGER);
    out.println("secret/vault-auth-token created");
    command("TOKEN_REVIEWER_JWT=$(kubectl -n vault-auth get secret vault-auth-token -o jsonpath='{.data.token}' "
        + "| base64 -d)");
    String reviewerJwt = reviewerJwt();
    out.println("(the reviewer JWT: " + reviewerJwt.length() + " characters, not shown)");
    command("kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' "
        + "| base64 -d > ca.crt");
    command("export VAULT_ADDR=" + sandbox.vaultAddress());
    command("vault auth enable kubernetes");
    vault.write("sys/auth/kubernetes", VaultHttp.JSON.createObjectNode().put("type", "kubernetes"));
    out.println("Success! Enabled kubernetes auth method at: kubernetes/");
    writeAuthConfig(sandbox.kubernetesUrl(), sandbox.caCertificatePem(), reviewerJwt);
  }

  /** {@code vault write auth/kubernetes/config kubernetes_host=... kubernetes_ca_cert=@ca.crt token_reviewer_jwt=...}. */
  void writeAuthConfig(String kubernetesHost, String caPem, String reviewerJwt) {
    command("vault write auth/kubernetes/config kubernetes_host=\"" + kubernetesHost
        + "\" kubernetes_ca_cert=@ca.crt token_reviewer_jwt=\"$TOKEN_REVIEWER_JWT\"");
    vault.write("auth/kubernetes/config", VaultHttp.JSON.createObjectNode().put("kubernetes_host", kubernetesHost)
        .put("kubernetes_ca_cert", caPem).put("token_reviewer_jwt", reviewerJwt));
    out.println("Success! Data written to: auth/kubernetes/config");
  }

  /** The reviewer JWT the API server put into {@code vault-auth/vault-auth-token}. */
  String reviewerJwt() {
    String token = kube.get(ResourceType.SECRETS, "vault-auth", "vault-auth-token").orElseThrow()
        .path("data").path("token").asText("");
    return new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
  }

  private void createPoliciesAndRoles() {
    step("Create policies and roles");
    for (String app : APPS) {
      writePolicy(app, "path \"secret/data/" + app + "/*\" {\n  capabilities = [\"read\"]\n}\n");
      writeRole(app, "external-secrets", "external-secrets");
    }
  }

  /** {@code vault policy write <name> - <<'EOF' ... EOF}. */
  void writePolicy(String name, String hcl) {
    command("vault policy write " + name + " - <<'EOF'\n" + hcl + "EOF");
    vault.putPolicy(name, hcl);
    out.println("Success! Uploaded policy: " + name);
  }

  /** {@code vault write auth/kubernetes/role/external-secrets-<app> ...} bound to {@code namespace/serviceAccount}. */
  void writeRole(String app, String namespace, String serviceAccount) {
    String role = "auth/kubernetes/role/external-secrets-" + app;
    command("vault write " + role + " \\\n  bound_service_account_names=" + serviceAccount
        + " \\\n  bound_service_account_namespaces=" + namespace + " \\\n  audience=" + AUDIENCE
        + " \\\n  policies=" + app + " \\\n  ttl=1h");
    vault.write(role, VaultHttp.JSON.createObjectNode().put("bound_service_account_names", serviceAccount)
        .put("bound_service_account_namespaces", namespace).put("audience", AUDIENCE).put("policies", app)
        .put("ttl", "1h"));
    out.println("Success! Data written to: " + role);
  }

  private void createStoresAndExternalSecrets() {
    step("Create the CA ConfigMap, the ClusterSecretStores and the ExternalSecrets");
    command("kubectl -n external-secrets create configmap vault-ca --from-file=ca.crt=./vault-ca.crt "
        + "--dry-run=client -o yaml | kubectl apply -f -");
    ObjectNode configMap = object("ConfigMap", "v1", "external-secrets", "vault-ca");
    configMap.putObject("data").put("ca.crt", sandbox.caCertificatePem());
    kube.create(ResourceType.CONFIG_MAPS, configMap, FIELD_MANAGER);
    out.println("configmap/vault-ca created");
    out.println("(the manifests are the walkthrough's, with server: " + sandbox.vaultAddress() + ")");
    manifests.forEach((file, text) -> {
      command("kubectl apply -f " + file);
      try {
        ObjectNode object = (ObjectNode) YAML.readTree(text);
        String kind = object.path("kind").asText();
        ResourceType type = kind.equals("ClusterSecretStore") ? ResourceType.CLUSTER_SECRET_STORES
            : ResourceType.EXTERNAL_SECRETS;
        kube.create(type, object, FIELD_MANAGER);
        out.println(kind.toLowerCase(java.util.Locale.ROOT) + ".external-secrets.io/"
            + object.path("metadata").path("name").asText() + " created");
      } catch (IOException e) {
        throw new UncheckedIOException(file + ": " + e.getMessage(), e);
      }
    });
  }

  private void createNamespace(String name) {
    command("kubectl create namespace " + name + " --dry-run=client -o yaml | kubectl apply -f -");
    kube.create(ResourceType.NAMESPACES, object("Namespace", "v1", "", name), FIELD_MANAGER);
    out.println("namespace/" + name + " created");
  }

  private void step(String title) {
    out.println();
    out.println("== " + title);
  }

  private void command(String line) {
    out.println("$ " + line);
  }

  private static ObjectNode object(String kind, String apiVersion, String namespace, String name) {
    ObjectNode o = VaultHttp.JSON.createObjectNode().put("apiVersion", apiVersion).put("kind", kind);
    ObjectNode metadata = o.putObject("metadata").put("name", name);
    if (!namespace.isEmpty()) {
      metadata.put("namespace", namespace);
    }
    return o;
  }

  static String resource(String file) {
    String path = MANIFESTS + file;
    try (InputStream in = SandboxWalkthrough.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The manifests as applied: file name to YAML. */
  ImmutableMap<String, String> manifests() {
    return ImmutableMap.copyOf(manifests);
  }

  /** Writes the manifests as applied into {@code dir} (for {@code -f}). */
  Path writeManifests(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, String> m : manifests.entrySet()) {
      Files.writeString(dir.resolve(m.getKey()), m.getValue());
    }
    return dir;
  }

  private Manifests loaded() {
    ManifestLoader loader = new ManifestLoader();
    ImmutableList.Builder<ExternalSecret> es = ImmutableList.builder();
    ImmutableList.Builder<SecretStoreResource> stores = ImmutableList.builder();
    manifests.forEach((file, text) -> {
      Manifests m = loader.loadString(text, file).throwIfErrors();
      es.addAll(m.externalSecrets());
      stores.addAll(m.stores());
    });
    return new Manifests(es.build(), stores.build(), ImmutableList.of(), ImmutableList.of(), ImmutableList.of());
  }

  ImmutableList<SecretStoreResource> stores() {
    return loaded().stores();
  }

  ImmutableList<ExternalSecret> externalSecrets() {
    return loaded().externalSecrets();
  }

  Sandbox sandbox() {
    return sandbox;
  }

  KubernetesConfig kubeConfig() {
    return kubeConfig;
  }

  KubernetesClient kube() {
    return kube;
  }

  VaultHttp vault() {
    return vault;
  }

  PrintWriter out() {
    return out;
  }

  @Override
  public void close() {
    vault.close();
    kube.close();
  }
}
