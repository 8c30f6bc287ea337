package io.secretsync.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.core.InvalidConfigException;
import io.secretsync.core.SecretStoreProvider;
import io.secretsync.core.model.RetrySettings;
import io.secretsync.core.model.StoreKind;
import io.secretsync.vault.VaultSettings.AppRoleAuthSettings;
import io.secretsync.vault.VaultSettings.JwtAuthSettings;
import io.secretsync.vault.VaultSettings.KubernetesAuthSettings;
import io.secretsync.vault.VaultSettings.KvVersion;
import io.secretsync.vault.VaultSettings.ObjectKind;
import io.secretsync.vault.VaultSettings.ProjectedTokenFile;
import io.secretsync.vault.VaultSettings.SecretJwt;
import io.secretsync.vault.VaultSettings.ServiceAccountJwt;
import io.secretsync.vault.VaultSettings.TokenAuth;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class VaultSettingsParserTest {

  static final String WALKTHROUGH = """
      server: "https://vault.example.internal:8200"
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
          role: external-secrets-example-api
          serviceAccountRef:
            name: external-secrets
            namespace: external-secrets
      """;

  @Test
  void walkthroughClusterStoreParses() {
    VaultSettings settings = VaultSettingsParser.parse(Stores.cluster(WALKTHROUGH));
    assertEquals("https://vault.example.internal:8200/", settings.server().toString());
    assertEquals(Optional.of("secret"), settings.mount());
    assertEquals(KvVersion.V2, settings.version());
    assertEquals(ObjectKind.CONFIG_MAP, settings.trust().caProvider().orElseThrow().kind());
    assertEquals("external-secrets", settings.trust().caProvider().orElseThrow().namespace());
    assertEquals("ca.crt", settings.trust().caProvider().orElseThrow().key());
    KubernetesAuthSettings auth = assertInstanceOf(KubernetesAuthSettings.class, settings.auth());
    assertEquals("kubernetes", auth.mountPath());
    assertEquals("external-secrets-example-api", auth.role());
    ServiceAccountJwt jwt = assertInstanceOf(ServiceAccountJwt.class, auth.jwt());
    assertEquals("external-secrets/external-secrets", jwt.namespace() + "/" + jwt.name());
    assertEquals(List.of(), jwt.audiences());
    assertEquals(Duration.ofMinutes(10), jwt.expiration());
    assertEquals(RetryPolicy.defaults(), settings.retry());
  }

  @Test
  void defaultsAreEsosVersionV2MountKubernetesAndTheProjectedToken() {
    VaultSettings settings = VaultSettingsParser.parse(Stores.namespaced("apps", """
        server: https://vault:8200
        auth:
          kubernetes:
            role: app
        """));
    assertEquals(KvVersion.V2, settings.version());
    assertEquals(Optional.empty(), settings.mount());
    assertTrue(settings.trust().usesSystemRootsOnly());
    KubernetesAuthSettings auth = (KubernetesAuthSettings) settings.auth();
    assertEquals("kubernetes", auth.mountPath());
    assertEquals(new ProjectedTokenFile(ProjectedTokenFile.DEFAULT), auth.jwt());
  }

  @Test
  void unknownFieldIsRefusedNamingItsPath() {
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> VaultSettingsParser.parse(
        Stores.cluster(WALKTHROUGH.replace("role: external", "rol: external"))));
    assertEquals("spec.provider.vault.auth.kubernetes.rol", e.field());
    assertTrue(e.getMessage().contains("unknown field"), e.getMessage());
  }

  @Test
  void missingRoleIsRefusedNamingItsPath() {
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> VaultSettingsParser.parse(
        Stores.cluster(WALKTHROUGH.replace("role: external-secrets-example-api", ""))));
    assertEquals("spec.provider.vault.auth.kubernetes.role", e.field());
  }

  @Test
  void plainHttpIsRefusedSayingWhyAndHowToAllowIt() {
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> VaultSettingsParser.parse(
        Stores.cluster(WALKTHROUGH.replace("https://", "http://"))));
    assertEquals("spec.provider.vault.server", e.field());
    assertTrue(e.getMessage().contains("unencrypted"), e.getMessage());
    assertTrue(e.hints().get(0).contains(VaultStoreProvider.ALLOW_HTTP_ANNOTATION), e.hints().toString());
  }

  @Test
  void plainHttpIsAcceptedWithTheAllowAnnotation() {
    VaultSettings settings = VaultSettingsParser.parse(Stores.store(StoreKind.CLUSTER_SECRET_STORE, "",
        WALKTHROUGH.replace("https://", "http://"), Map.of(VaultStoreProvider.ALLOW_HTTP_ANNOTATION, "true"),
        Optional.empty()));
    assertFalse(settings.server().isHttps());
  }

  @Test
  void unknownLibraryAnnotationIsRefused() {
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> VaultSettingsParser.parse(
        Stores.store(StoreKind.CLUSTER_SECRET_STORE, "", WALKTHROUGH, Map.of("vault.secretsync.io/allow-htp", "true"),
            Optional.empty())));
    assertEquals("metadata.annotations[vault.secretsync.io/allow-htp]", e.field());
  }

  @Test
  void addSystemRootsWithoutAConfiguredCaIsRefused() {
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> VaultSettingsParser.parse(
        Stores.store(StoreKind.SECRET_STORE, "apps", "server: https://v\nauth: {kubernetes: {role: r}}",
            Map.of(VaultStoreProvider.ADD_SYSTEM_ROOTS_ANNOTATION, "true"), Optional.empty())));
    assertTrue(e.getMessage().contains("no effect"), e.getMessage());
  }

  @Test
  void twoAuthMethodsAreContradictory() {
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> VaultSettingsParser.parse(
        Stores.namespaced("apps", """
            server: https://v
            auth:
              tokenSecretRef: {name: t}
              kubernetes: {role: r}
            """)));
    assertEquals("spec.provider.vault.auth.kubernetes", e.field());
    assertTrue(e.getMessage().contains("exactly one auth method"), e.getMessage());
  }

  @Test
  void unsupportedAuthMethodIsNamed() {
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> VaultSettingsParser.parse(
        Stores.namespaced("apps", "server: https://v\nauth: {ldap: {username: u}}")));
    assertEquals("spec.provider.vault.auth.ldap", e.field());
    assertTrue(e.getMessage().contains("not supported"), e.getMessage());
  }

  @Test
  void noAuthIsRefused() {
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> VaultSettingsParser.parse(
        Stores.namespaced("apps", "server: https://v")));
    assertEquals("spec.provider.vault.auth", e.field());
  }

  @Test
  void caBundleAndCaProviderTogetherAreContradictory() {
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> VaultSettingsParser.parse(
        Stores.cluster(WALKTHROUGH.replace("caProvider:", "caBundle: abc\ncaProvider:"))));
    assertEquals("spec.provider.vault.caProvider", e.field());
  }

  @Test
  void caBundleThatIsNotPemIsRefusedNamingTheField() {
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> VaultSettingsParser.parse(
        Stores.namespaced("apps", "server: https://v\ncaBundle: bm90IGEgY2VydA==\nauth: {kubernetes: {role: r}}")));
    assertEquals("spec.provider.vault.caBundle", e.field());
    assertTrue(e.getMessage().contains("not PEM"), e.getMessage());
  }

  @Test
  void caProviderTypeMustBeSecretOrConfigMap() {
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> VaultSettingsParser.parse(
        Stores.cluster(WALKTHROUGH.replace("type: ConfigMap", "type: configmap"))));
    assertEquals("spec.provider.vault.caProvider.type", e.field());
  }

  @Test
  void clusterStoreReferencesNeedANamespace() {
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> VaultSettingsParser.parse(
        Stores.cluster(WALKTHROUGH.replace("      namespace: external-secrets\n", ""))));
    assertTrue(e.field().endsWith(".namespace"), e.field());
    assertTrue(e.getMessage().contains("ClusterSecretStore"), e.getMessage());
  }

  @Test
  void clusterStoreCaProviderWithoutNamespaceIsEsosError() {
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> VaultSettingsParser.parse(
        Stores.cluster(WALKTHROUGH.replace("  namespace: external-secrets\n  key: ca.crt", "  key: ca.crt"))));
    assertEquals("spec.provider.vault.caProvider.namespace", e.field());
    assertTrue(e.getMessage().contains("missing namespace on caProvider ConfigMap"), e.getMessage());
  }

  @Test
  void namespacedStoreReferencesDefaultToItsNamespaceAndRefuseOthers() {
    VaultSettings settings = VaultSettingsParser.parse(Stores.namespaced("apps",
        "server: https://v\nauth: {tokenSecretRef: {name: vault-token}}"));
    TokenAuth auth = (TokenAuth) settings.auth();
    assertEquals("apps", auth.token().namespace());
    assertEquals("token", auth.token().key());
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> VaultSettingsParser.parse(
        Stores.namespaced("apps", "server: https://v\nauth: {tokenSecretRef: {name: t, namespace: other}}")));
    assertEquals("spec.provider.vault.auth.tokenSecretRef.namespace", e.field());
  }

  @Test
  void kubernetesJwtFromSecretRefOrServiceAccountNotBoth() {
    VaultSettings settings = VaultSettingsParser.parse(Stores.namespaced("apps",
        "server: https://v\nauth: {kubernetes: {role: r, mountPath: /auth/k8s/, secretRef: {name: jwt}}}"));
    KubernetesAuthSettings auth = (KubernetesAuthSettings) settings.auth();
    assertEquals("k8s", auth.mountPath());
    assertEquals("token", ((SecretJwt) auth.jwt()).ref().key());
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> VaultSettingsParser.parse(
        Stores.namespaced("apps", "server: https://v\nauth: {kubernetes: {role: r, secretRef: {name: jwt}, "
            + "serviceAccountRef: {name: sa}}}")));
    assertEquals("spec.provider.vault.auth.kubernetes.secretRef", e.field());
  }

  @Test
  void serviceAccountAudiencesAreKept() {
    VaultSettings settings = VaultSettingsParser.parse(Stores.cluster(WALKTHROUGH.replace(
        "      name: external-secrets\n", "      name: external-secrets\n      audiences: [vault]\n")));
    ServiceAccountJwt jwt = (ServiceAccountJwt) ((KubernetesAuthSettings) settings.auth()).jwt();
    assertEquals(List.of("vault"), jwt.audiences());
  }

  @Test
  void mtlsNeedsBothCertificateAndKey() {
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> VaultSettingsParser.parse(
        Stores.namespaced("apps", "server: https://v\ntls: {certSecretRef: {name: c}}\nauth: {kubernetes: {role: r}}")));
    assertEquals("spec.provider.vault.tls.keySecretRef", e.field());
    VaultSettings settings = VaultSettingsParser.parse(Stores.namespaced("apps",
        "server: https://v\ntls: {certSecretRef: {name: c}, keySecretRef: {name: c}}\nauth: {kubernetes: {role: r}}"));
    assertEquals("tls.crt", settings.clientTls().orElseThrow().certificate().key());
    assertEquals("tls.key", settings.clientTls().orElseThrow().privateKey().key());
  }

  @Test
  void appRoleNeedsExactlyOneRoleIdSourceAndASecretRef() {
    VaultSettings settings = VaultSettingsParser.parse(Stores.namespaced("apps",
        "server: https://v\nauth: {appRole: {roleId: abc, secretRef: {name: s, key: secret-id}}}"));
    AppRoleAuthSettings auth = (AppRoleAuthSettings) settings.auth();
    assertEquals("approle", auth.path());
    assertEquals(Optional.of("abc"), auth.roleId());
    assertThrows(InvalidConfigException.class, () -> VaultSettingsParser.parse(Stores.namespaced("apps",
        "server: https://v\nauth: {appRole: {roleId: a, roleRef: {name: r, key: k}, secretRef: {name: s, key: k}}}")));
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> VaultSettingsParser.parse(
        Stores.namespaced("apps", "server: https://v\nauth: {appRole: {secretRef: {name: s, key: k}}}")));
    assertEquals("spec.provider.vault.auth.appRole.roleId", e.field());
  }

  @Test
  void jwtWithoutATokenSourceGivesEsosError() {
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> VaultSettingsParser.parse(
        Stores.namespaced("apps", "server: https://v\nauth: {jwt: {role: r}}")));
    assertTrue(e.getMessage().contains(VaultSettingsParser.JWT_NO_SOURCE), e.getMessage());
  }

  @Test
  void jwtServiceAccountTokenDefaultsToTheVaultAudience() {
    VaultSettings settings = VaultSettingsParser.parse(Stores.namespaced("apps",
        "server: https://v\nauth: {jwt: {kubernetesServiceAccountToken: {serviceAccountRef: {name: sa}}}}"));
    JwtAuthSettings auth = (JwtAuthSettings) settings.auth();
    assertEquals("jwt", auth.path());
    assertEquals(List.of("vault"), ((ServiceAccountJwt) auth.jwt()).audiences());
  }

  @Test
  void versionMustBeV1OrV2() {
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> VaultSettingsParser.parse(
        Stores.cluster(WALKTHROUGH.replace("version: \"v2\"", "version: \"2\""))));
    assertEquals("spec.provider.vault.version", e.field());
  }

  @Test
  void checkAndSetRequiredIsRefusedWithKvV1() {
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> VaultSettingsParser.parse(
        Stores.cluster(WALKTHROUGH.replace("version: \"v2\"", "version: v1\ncheckAndSet: {required: true}"))));
    assertEquals("spec.provider.vault.checkAndSet.required", e.field());
  }

  @Test
  void tokenAndNamespaceHeadersCannotBeFixed() {
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> VaultSettingsParser.parse(
        Stores.cluster(WALKTHROUGH + "headers: {X-Vault-Token: abc}\n")));
    assertEquals("spec.provider.vault.headers.X-Vault-Token", e.field());
    assertFalse(e.getMessage().contains("abc"), e.getMessage());
    VaultSettings settings = VaultSettingsParser.parse(Stores.cluster(WALKTHROUGH + "headers: {X-Team: a}\n"));
    assertEquals(Map.of("X-Team", "a"), settings.headers());
  }

  @Test
  void retrySettingsFollowEsoMaxRetriesUnsetMeansNone() {
    VaultSettings settings = VaultSettingsParser.parse(Stores.store(StoreKind.CLUSTER_SECRET_STORE, "", WALKTHROUGH,
        Map.of(), Optional.of(new RetrySettings(Optional.empty(), Optional.of(Duration.ofMillis(10))))));
    assertEquals(0, settings.retry().maxRetries());
    assertEquals(Duration.ofMillis(10), settings.retry().baseInterval());
  }

  @Test
  void namespacesAreKept() {
    VaultSettings settings = VaultSettingsParser.parse(Stores.cluster(WALKTHROUGH.replace("version: \"v2\"",
        "version: v2\nnamespace: team-a").replace("  kubernetes:\n", "  namespace: admin\n  kubernetes:\n")));
    assertEquals(Optional.of("team-a"), settings.namespace());
    assertEquals(Optional.of("admin"), settings.authNamespace());
  }

  @Test
  void providerIsFoundByServiceLoaderAndValidatesWithoutIo() {
    SecretStoreProvider provider = ServiceLoader.load(SecretStoreProvider.class).stream()
        .map(ServiceLoader.Provider::get).filter(p -> p.name().equals("vault")).findFirst().orElseThrow();
    provider.validateConfig(Stores.cluster(WALKTHROUGH));
    assertThrows(InvalidConfigException.class, () -> provider.validateConfig(Stores.cluster("server: https://v")));
  }
}
