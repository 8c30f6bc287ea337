package io.secretsync.vault;

import io.secretsync.core.PlatformAccess;
import io.secretsync.core.SecretStoreException.InvalidStoreConfigException;
import io.secretsync.core.SecretSyncException;
import io.secretsync.core.StoreContext;
import io.secretsync.vault.VaultSettings.AppRoleAuthSettings;
import io.secretsync.vault.VaultSettings.JwtAuthSettings;
import io.secretsync.vault.VaultSettings.JwtSource;
import io.secretsync.vault.VaultSettings.KubernetesAuthSettings;
import io.secretsync.vault.VaultSettings.ObjectKeyRef;
import io.secretsync.vault.VaultSettings.ProjectedTokenFile;
import io.secretsync.vault.VaultSettings.SecretJwt;
import io.secretsync.vault.VaultSettings.ServiceAccountJwt;
import io.secretsync.vault.VaultSettings.TokenAuth;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Turns {@link VaultSettings} into a live {@link VaultClient} and {@link VaultAuth}: reads the
 * CA and the mTLS key pair through the platform when the store is first used, and wires the auth
 * method's credential sources (TokenRequest, Secrets, the projected token file) to be read on every
 * login. Stateless.
 */
final class VaultConnector {
  private VaultConnector() {}

  static VaultClient client(VaultSettings settings, StoreContext context, VaultClient.Sleeper sleeper) {
    return client(settings, context, sleeper, VaultStoreProvider.DEFAULT_CONNECT_TIMEOUT,
        VaultStoreProvider.DEFAULT_READ_TIMEOUT);
  }

  static VaultClient client(VaultSettings settings, StoreContext context, VaultClient.Sleeper sleeper,
      java.time.Duration connectTimeout, java.time.Duration readTimeout) {
    PlatformAccess platform = context.platform();
    List<X509Certificate> cas = settings.trust().caBundle();
    if (settings.trust().caProvider().isPresent()) {
      ObjectKeyRef ref = settings.trust().caProvider().get();
      byte[] pem = read(platform, ref, "the CA certificate");
      try {
        cas = Pem.certificates(pem);
      } catch (IllegalArgumentException e) {
        throw new InvalidStoreConfigException(ref.field() + ": " + ref.describe() + ": " + e.getMessage(),
            List.of("put the PEM certificate of the CA that signed Vault's certificate into " + ref.describe()), null);
      }
    }
    Optional<TlsConfig.ClientKey> clientKey = Optional.empty();
    if (settings.clientTls().isPresent()) {
      ObjectKeyRef certRef = settings.clientTls().get().certificate();
      ObjectKeyRef keyRef = settings.clientTls().get().privateKey();
      byte[] cert = read(platform, certRef, "the client certificate");
      byte[] key = read(platform, keyRef, "the client key");
      try {
        clientKey = Optional.of(new TlsConfig.ClientKey(Pem.certificates(cert), Pem.privateKey(key)));
      } catch (IllegalArgumentException e) {
        throw new InvalidStoreConfigException("spec.provider.vault.tls: " + e.getMessage(),
            List.of("certSecretRef must hold a PEM certificate chain and keySecretRef its unencrypted PEM private key"),
            null);
      }
    }
    VaultClient.Builder builder = VaultClient.builder(settings.server().toString())
        .allowHttp(true) // the settings parser has already refused http:// unless the store allows it
        .caCertificates(cas)
        .addSystemRoots(settings.trust().addSystemRoots())
        .clientKey(clientKey)
        .readYourWrites(settings.readYourWrites())
        .forwardInconsistent(settings.forwardInconsistent())
        .retry(settings.retry())
        .sleeper(sleeper)
        .connectTimeout(connectTimeout)
        .readTimeout(readTimeout);
    settings.namespace().ifPresent(builder::namespace);
    settings.authNamespace().ifPresent(builder::authNamespace);
    settings.headers().forEach(builder::header);
    return builder.build();
  }

  static VaultAuth auth(VaultSettings settings, StoreContext context) {
    PlatformAccess platform = context.platform();
    VaultSettings.Auth auth = settings.auth();
    if (auth instanceof TokenAuth token) {
      return VaultAuth.token(() -> text(platform, token.token()), token.token().describe());
    }
    if (auth instanceof KubernetesAuthSettings kubernetes) {
      KubernetesAuthOptions.Builder options = KubernetesAuthOptions.builder()
          .mountPath(kubernetes.mountPath())
          .role(kubernetes.role())
          .jwt(jwt(platform, kubernetes.jwt()), kubernetes.jwt().describe());
      if (kubernetes.jwt() instanceof ServiceAccountJwt sa) {
        options.requestedAudiences(sa.audiences());
      }
      return VaultAuth.kubernetes(options.build());
    }
    if (auth instanceof AppRoleAuthSettings appRole) {
      Supplier<String> roleId = appRole.roleId().<Supplier<String>>map(id -> () -> id)
          .orElseGet(() -> () -> text(platform, appRole.roleRef().orElseThrow()));
      String source = appRole.roleRef().map(r -> r.describe() + " and ").orElse("roleId and ")
          + appRole.secretRef().describe();
      return VaultAuth.appRole(AppRoleAuthOptions.builder()
          .path(appRole.path())
          .roleId(roleId)
          .secretId(() -> text(platform, appRole.secretRef()))
          .source(source)
          .build());
    }
    JwtAuthSettings jwt = (JwtAuthSettings) auth;
    JwtAuthOptions.Builder options = JwtAuthOptions.builder().path(jwt.path())
        .jwt(jwt(platform, jwt.jwt()), jwt.jwt().describe());
    jwt.role().ifPresent(options::role);
    return VaultAuth.jwt(options.build());
  }

  private static Supplier<String> jwt(PlatformAccess platform, JwtSource source) {
    if (source instanceof ServiceAccountJwt sa) {
      return () -> platform.serviceAccountToken(sa.namespace(), sa.name(), sa.audiences(), sa.expiration());
    }
    if (source instanceof SecretJwt secret) {
      return () -> text(platform, secret.ref());
    }
    ProjectedTokenFile file = (ProjectedTokenFile) source;
    return () -> {
      try {
        return Files.readString(file.file(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file.file() + " (not running in a pod? set "
            + "auth.kubernetes.serviceAccountRef or secretRef)", e);
      }
    };
  }

  private static String text(PlatformAccess platform, ObjectKeyRef ref) {
    return new String(platform.secretValue(ref.namespace(), ref.name(), ref.key()), StandardCharsets.UTF_8);
  }

  private static byte[] read(PlatformAccess platform, ObjectKeyRef ref, String what) {
    try {
      return switch (ref.kind()) {
        case SECRET -> platform.secretValue(ref.namespace(), ref.name(), ref.key());
        case CONFIG_MAP -> platform.configMapValue(ref.namespace(), ref.name(), ref.key());
      };
    } catch (SecretSyncException e) {
      throw new InvalidStoreConfigException(ref.field() + ": cannot read " + what + " from " + ref.describe() + ": "
          + e.getMessage(), e.hints(), e);
    }
  }
}
