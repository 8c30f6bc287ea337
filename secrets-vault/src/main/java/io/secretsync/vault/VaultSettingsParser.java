package io.secretsync.vault;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.InvalidConfigException;
import io.secretsync.core.model.ConfigNode;
import io.secretsync.core.model.RetrySettings;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import io.secretsync.vault.VaultSettings.AppRoleAuthSettings;
import io.secretsync.vault.VaultSettings.Auth;
import io.secretsync.vault.VaultSettings.ClientTls;
import io.secretsync.vault.VaultSettings.JwtAuthSettings;
import io.secretsync.vault.VaultSettings.JwtSource;
import io.secretsync.vault.VaultSettings.KubernetesAuthSettings;
import io.secretsync.vault.VaultSettings.KvVersion;
import io.secretsync.vault.VaultSettings.ObjectKeyRef;
import io.secretsync.vault.VaultSettings.ObjectKind;
import io.secretsync.vault.VaultSettings.ProjectedTokenFile;
import io.secretsync.vault.VaultSettings.SecretJwt;
import io.secretsync.vault.VaultSettings.ServiceAccountJwt;
import io.secretsync.vault.VaultSettings.TokenAuth;
import io.secretsync.vault.VaultSettings.Trust;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * Parses ESO's {@code spec.provider.vault} (plus this library's {@code vault.secretsync.io/}
 * store annotations) into {@link VaultSettings}, without I/O. Every error is an
 * {@link InvalidConfigException} naming the field's full path, e.g.
 * {@code spec.provider.vault.auth.kubernetes.role: required}. Unknown fields, auth methods this
 * library does not implement, and contradictory settings (two auth methods, caBundle with
 * caProvider, half an mTLS pair, two JWT sources) are refused rather than silently resolved.
 */
final class VaultSettingsParser {

  static final String JWT_NO_SOURCE = "neither `secretRef` nor `kubernetesServiceAccountToken` was supplied as token "
      + "source for jwt authentication";

  private static final Set<String> PROVIDER_FIELDS = Set.of("server", "path", "version", "namespace", "caBundle",
      "caProvider", "tls", "headers", "readYourWrites", "forwardInconsistent", "checkAndSet", "auth");
  private static final Set<String> AUTH_FIELDS = Set.of("namespace", "tokenSecretRef", "appRole", "kubernetes", "jwt",
      "ldap", "userPass", "cert", "iam", "gcp");
  private static final List<String> SUPPORTED_AUTH = List.of("tokenSecretRef", "appRole", "kubernetes", "jwt");
  private static final Set<String> SECRET_KEY_SELECTOR = Set.of("name", "namespace", "key");
  private static final Set<String> SERVICE_ACCOUNT_SELECTOR = Set.of("name", "namespace", "audiences");
  private static final Duration SERVICE_ACCOUNT_TOKEN_LIFETIME = Duration.ofMinutes(10);

  private final SecretStoreResource store;
  private final String storeNamespace;

  private VaultSettingsParser(SecretStoreResource store) {
    this.store = store;
    this.storeNamespace = store.metadata().namespace();
  }

  static VaultSettings parse(SecretStoreResource store) {
    return new VaultSettingsParser(store).parse();
  }

  private VaultSettings parse() {
    ConfigNode vault = store.provider().settings();
    if (!vault.isPresent()) {
      throw vault.invalid("server", "required (the provider's settings are missing)");
    }
    vault.requireOnly(PROVIDER_FIELDS);
    Annotations annotations = annotations();

    String serverText = vault.requiredString("server").trim();
    HttpUrl server = HttpUrl.parse(serverText);
    if (server == null || server.query() != null || server.fragment() != null) {
      throw vault.invalid("server", "\"" + serverText + "\" is not a Vault address such as https://vault.example.internal:8200");
    }
    if (!server.isHttps() && !annotations.allowHttp) {
      throw new InvalidConfigException(vault.path() + ".server", VaultClient.PLAIN_HTTP_REFUSED,
          List.of(VaultClient.PLAIN_HTTP_HINT));
    }

    Optional<String> mount = vault.string("path").map(KubernetesAuthOptions::trimSlashes).filter(p -> !p.isEmpty());
    KvVersion version = parseVersion(vault);
    Optional<String> namespace = vault.string("namespace").map(String::trim).filter(s -> !s.isEmpty());
    Trust trust = parseTrust(vault, annotations.addSystemRoots);
    Optional<ClientTls> clientTls = parseClientTls(vault.child("tls"));
    ImmutableMap<String, String> headers = parseHeaders(vault);
    boolean readYourWrites = vault.bool("readYourWrites").orElse(false);
    boolean forwardInconsistent = vault.bool("forwardInconsistent").orElse(false);
    parseCheckAndSet(vault.child("checkAndSet"), version);

    ConfigNode authNode = vault.child("auth");
    if (!authNode.isPresent()) {
      throw vault.invalid("auth", "required: one of " + String.join(", ", SUPPORTED_AUTH));
    }
    authNode.requireOnly(AUTH_FIELDS);
    Optional<String> authNamespace = authNode.string("namespace").map(String::trim).filter(s -> !s.isEmpty());
    Auth auth = parseAuth(authNode);

    return new VaultSettings(server, mount, version, namespace, trust, clientTls, headers, readYourWrites,
        forwardInconsistent, retryPolicy(), auth, authNamespace);
  }

  private record Annotations(boolean allowHttp, boolean addSystemRoots) {}

  private Annotations annotations() {
    Map<String, String> all = store.metadata().annotations();
    boolean allowHttp = false;
    boolean addSystemRoots = false;
    for (Map.Entry<String, String> entry : all.entrySet()) {
      String name = entry.getKey();
      if (!name.startsWith(VaultStoreProvider.ANNOTATION_PREFIX)) {
        continue;
      }
      String field = "metadata.annotations[" + name + "]";
      boolean value = switch (entry.getValue().trim()) {
        case "true" -> true;
        case "false" -> false;
        default -> throw new InvalidConfigException(field, "must be \"true\" or \"false\"");
      };
      if (name.equals(VaultStoreProvider.ALLOW_HTTP_ANNOTATION)) {
        allowHttp = value;
      } else if (name.equals(VaultStoreProvider.ADD_SYSTEM_ROOTS_ANNOTATION)) {
        addSystemRoots = value;
      } else {
        throw new InvalidConfigException(field, "unknown annotation; known: "
            + VaultStoreProvider.ALLOW_HTTP_ANNOTATION + ", " + VaultStoreProvider.ADD_SYSTEM_ROOTS_ANNOTATION);
      }
    }
    return new Annotations(allowHttp, addSystemRoots);
  }

  private static KvVersion parseVersion(ConfigNode vault) {
    String text = vault.string("version").map(String::trim).orElse("v2");
    return switch (text) {
      case "v2", "" -> KvVersion.V2;
      case "v1" -> KvVersion.V1;
      default -> throw vault.invalid("version", "must be v1 or v2, was \"" + text + "\"");
    };
  }

  private Trust parseTrust(ConfigNode vault, boolean addSystemRoots) {
    ImmutableList<X509Certificate> bundle = ImmutableList.of();
    Optional<String> caBundle = vault.string("caBundle").filter(s -> !s.isBlank());
    ConfigNode provider = vault.child("caProvider");
    if (caBundle.isPresent() && provider.isPresent()) {
      throw vault.invalid("caProvider", "set either caBundle or caProvider, not both");
    }
    if (caBundle.isPresent()) {
      try {
        bundle = Pem.certificates(caBundle.get().getBytes(StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw vault.invalid("caBundle", e.getMessage());
      }
    }
    Optional<ObjectKeyRef> caProvider = Optional.empty();
    if (provider.isPresent()) {
      provider.requireOnly(Set.of("type", "name", "key", "namespace"));
      String type = provider.requiredString("type");
      ObjectKind kind = switch (type) {
        case "Secret" -> ObjectKind.SECRET;
        case "ConfigMap" -> ObjectKind.CONFIG_MAP;
        default -> throw provider.invalid("type", "must be Secret or ConfigMap, was \"" + type + "\"");
      };
      String name = provider.requiredString("name");
      String key = provider.requiredString("key");
      String namespace = referenceNamespace(provider, "missing namespace on caProvider " + kind.wireName);
      caProvider = Optional.of(new ObjectKeyRef(kind, namespace, name, key, provider.path()));
    }
    if (addSystemRoots && bundle.isEmpty() && caProvider.isEmpty()) {
      throw new InvalidConfigException("metadata.annotations[" + VaultStoreProvider.ADD_SYSTEM_ROOTS_ANNOTATION + "]",
          "has no effect without spec.provider.vault.caBundle or caProvider (the system roots are already used)");
    }
    return new Trust(bundle, caProvider, addSystemRoots);
  }

  private Optional<ClientTls> parseClientTls(ConfigNode tls) {
    if (!tls.isPresent()) {
      return Optional.empty();
    }
    tls.requireOnly(Set.of("certSecretRef", "keySecretRef"));
    ConfigNode cert = tls.child("certSecretRef");
    ConfigNode key = tls.child("keySecretRef");
    if (cert.isPresent() != key.isPresent()) {
      throw tls.invalid(cert.isPresent() ? "keySecretRef" : "certSecretRef",
          "required: certSecretRef and keySecretRef must be set together for mTLS");
    }
    if (!cert.isPresent()) {
      return Optional.empty();
    }
    return Optional.of(new ClientTls(secretKeyRef(cert, Optional.of("tls.crt")), secretKeyRef(key, Optional.of("tls.key"))));
  }

  private static ImmutableMap<String, String> parseHeaders(ConfigNode vault) {
    ImmutableMap<String, String> headers = vault.stringMap("headers");
    for (String name : headers.keySet()) {
      if (name.equalsIgnoreCase("X-Vault-Token") || name.equalsIgnoreCase("Authorization")) {
        throw vault.invalid("headers." + name, "the token header is set from auth; it cannot be a fixed header");
      }
      if (name.equalsIgnoreCase("X-Vault-Namespace")) {
        throw vault.invalid("headers." + name, "use spec.provider.vault.namespace (and auth.namespace) instead");
      }
      if (name.isBlank() || !name.chars().allMatch(c -> c > 32 && c < 127 && c != ':')) {
        throw vault.invalid("headers." + name, "is not a valid HTTP header name");
      }
    }
    return headers;
  }

  private static void parseCheckAndSet(ConfigNode checkAndSet, KvVersion version) {
    if (!checkAndSet.isPresent()) {
      return;
    }
    checkAndSet.requireOnly(Set.of("required"));
    if (checkAndSet.bool("required").orElse(false) && version == KvVersion.V1) {
      throw checkAndSet.invalid("required", "check-and-set is only supported with KV v2 (version: v2)");
    }
  }

  private Auth parseAuth(ConfigNode auth) {
    for (String unsupported : List.of("ldap", "userPass", "cert", "iam", "gcp")) {
      if (auth.has(unsupported)) {
        throw auth.invalid(unsupported, "this auth method is not supported; supported: "
            + String.join(", ", SUPPORTED_AUTH));
      }
    }
    List<String> configured = new ArrayList<>();
    for (String method : SUPPORTED_AUTH) {
      if (auth.has(method)) {
        configured.add(method);
      }
    }
    if (configured.isEmpty()) {
      throw new InvalidConfigException(auth.path(), "no auth method: set one of " + String.join(", ", SUPPORTED_AUTH));
    }
    if (configured.size() > 1) {
      throw auth.invalid(configured.get(1), "set exactly one auth method, found " + String.join(" and ", configured));
    }
    return switch (configured.get(0)) {
      case "tokenSecretRef" -> new TokenAuth(secretKeyRef(auth.child("tokenSecretRef"), Optional.of("token")));
      case "kubernetes" -> parseKubernetes(auth.child("kubernetes"));
      case "appRole" -> parseAppRole(auth.child("appRole"));
      default -> parseJwt(auth.child("jwt"));
    };
  }

  private KubernetesAuthSettings parseKubernetes(ConfigNode kubernetes) {
    kubernetes.requireOnly(Set.of("mountPath", "role", "serviceAccountRef", "secretRef"));
    String mountPath = mountPath(kubernetes, "mountPath", KubernetesAuthOptions.DEFAULT_MOUNT_PATH);
    String role = kubernetes.requiredString("role");
    ConfigNode serviceAccount = kubernetes.child("serviceAccountRef");
    ConfigNode secret = kubernetes.child("secretRef");
    if (serviceAccount.isPresent() && secret.isPresent()) {
      throw kubernetes.invalid("secretRef", "set either serviceAccountRef or secretRef as the JWT source, not both");
    }
    JwtSource source;
    if (serviceAccount.isPresent()) {
      source = serviceAccountJwt(serviceAccount, Optional.empty(), SERVICE_ACCOUNT_TOKEN_LIFETIME);
    } else if (secret.isPresent()) {
      source = new SecretJwt(secretKeyRef(secret, Optional.of("token")));
    } else {
      source = new ProjectedTokenFile(ProjectedTokenFile.DEFAULT);
    }
    return new KubernetesAuthSettings(mountPath, role, source);
  }

  private AppRoleAuthSettings parseAppRole(ConfigNode appRole) {
    appRole.requireOnly(Set.of("path", "roleId", "roleRef", "secretRef"));
    String path = mountPath(appRole, "path", AppRoleAuthOptions.DEFAULT_PATH);
    Optional<String> roleId = appRole.string("roleId").filter(s -> !s.isBlank());
    ConfigNode roleRef = appRole.child("roleRef");
    if (roleId.isPresent() && roleRef.isPresent()) {
      throw appRole.invalid("roleRef", "set either roleId or roleRef, not both");
    }
    if (roleId.isEmpty() && !roleRef.isPresent()) {
      throw appRole.invalid("roleId", "required: set roleId or roleRef");
    }
    ConfigNode secretRef = appRole.child("secretRef");
    if (!secretRef.isPresent()) {
      throw appRole.invalid("secretRef", "required: the Secret key holding the AppRole secret ID");
    }
    Optional<ObjectKeyRef> roleIdRef = roleRef.isPresent() ? Optional.of(secretKeyRef(roleRef, Optional.empty()))
        : Optional.empty();
    return new AppRoleAuthSettings(path, roleId, roleIdRef, secretKeyRef(secretRef, Optional.empty()));
  }

  private JwtAuthSettings parseJwt(ConfigNode jwt) {
    jwt.requireOnly(Set.of("path", "role", "secretRef", "kubernetesServiceAccountToken"));
    String path = mountPath(jwt, "path", JwtAuthOptions.DEFAULT_PATH);
    Optional<String> role = jwt.string("role").filter(s -> !s.isBlank());
    ConfigNode secret = jwt.child("secretRef");
    ConfigNode token = jwt.child("kubernetesServiceAccountToken");
    if (secret.isPresent() && token.isPresent()) {
      throw jwt.invalid("kubernetesServiceAccountToken", "set either secretRef or kubernetesServiceAccountToken, not both");
    }
    if (!secret.isPresent() && !token.isPresent()) {
      throw new InvalidConfigException(jwt.path(), JWT_NO_SOURCE);
    }
    if (secret.isPresent()) {
      return new JwtAuthSettings(path, role, new SecretJwt(secretKeyRef(secret, Optional.empty())));
    }
    token.requireOnly(Set.of("serviceAccountRef", "audiences", "expirationSeconds"));
    ConfigNode serviceAccount = token.child("serviceAccountRef");
    if (!serviceAccount.isPresent()) {
      throw token.invalid("serviceAccountRef", "required");
    }
    ImmutableList<String> audiences = token.stringList("audiences");
    int seconds = token.integer("expirationSeconds").orElse(600);
    if (seconds < 600) {
      throw token.invalid("expirationSeconds", "must be at least 600 (the TokenRequest API's minimum)");
    }
    Optional<ImmutableList<String>> fallback = Optional.of(audiences.isEmpty() ? ImmutableList.of("vault") : audiences);
    return new JwtAuthSettings(path, role, serviceAccountJwt(serviceAccount, fallback, Duration.ofSeconds(seconds)));
  }

  /**
   * A service account reference. Audiences: those of the reference; else {@code defaultAudiences}
   * (JWT auth's ESO default {@code ["vault"]}); else none, which means the API server's default.
   */
  private ServiceAccountJwt serviceAccountJwt(ConfigNode ref, Optional<ImmutableList<String>> defaultAudiences,
      Duration lifetime) {
    ref.requireOnly(SERVICE_ACCOUNT_SELECTOR);
    String name = ref.requiredString("name");
    String namespace = referenceNamespace(ref, null);
    ImmutableList<String> audiences = ref.stringList("audiences");
    if (audiences.isEmpty()) {
      audiences = defaultAudiences.orElse(ImmutableList.of());
    }
    return new ServiceAccountJwt(namespace, name, audiences, lifetime);
  }

  private ObjectKeyRef secretKeyRef(ConfigNode ref, Optional<String> defaultKey) {
    ref.requireOnly(SECRET_KEY_SELECTOR);
    String name = ref.requiredString("name");
    String key = defaultKey.isPresent() ? ref.string("key").filter(s -> !s.isBlank()).orElse(defaultKey.get())
        : ref.requiredString("key");
    return new ObjectKeyRef(ObjectKind.SECRET, referenceNamespace(ref, null), name, key, ref.path());
  }

  /**
   * The namespace of a reference: a SecretStore's own (another is refused); a ClusterSecretStore's
   * must be given, since references are not resolved per ExternalSecret (ESO's "referent auth").
   */
  private String referenceNamespace(ConfigNode ref, String clusterMissingMessage) {
    Optional<String> given = ref.string("namespace").map(String::trim).filter(s -> !s.isEmpty());
    if (store.kind() == StoreKind.CLUSTER_SECRET_STORE) {
      return given.orElseThrow(() -> ref.invalid("namespace", clusterMissingMessage != null
          ? clusterMissingMessage + ": required in a ClusterSecretStore"
          : "required in a ClusterSecretStore (resolving the reference in each ExternalSecret's namespace, ESO's "
              + "referent authentication, is not supported)"));
    }
    if (given.isPresent() && !given.get().equals(storeNamespace)) {
      throw ref.invalid("namespace", "a SecretStore may only reference its own namespace \"" + storeNamespace
          + "\", not \"" + given.get() + "\"");
    }
    return storeNamespace;
  }

  private static String mountPath(ConfigNode node, String field, String defaultPath) {
    String path = node.string(field).map(KubernetesAuthOptions::trimSlashes).orElse(defaultPath);
    if (path.startsWith("auth/")) {
      path = path.substring("auth/".length());
    }
    if (path.isEmpty()) {
      throw node.invalid(field, "must not be empty");
    }
    return path;
  }

  private RetryPolicy retryPolicy() {
    Optional<RetrySettings> settings = store.retrySettings();
    if (settings.isEmpty()) {
      return RetryPolicy.defaults();
    }
    int maxRetries = settings.get().maxRetries().orElse(0);
    if (maxRetries < 0) {
      throw new InvalidConfigException("spec.retrySettings.maxRetries", "must not be negative");
    }
    return RetryPolicy.of(maxRetries, settings.get().retryInterval().orElse(RetryPolicy.DEFAULT_BASE));
  }
}
