package io.secretsync.vault;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import okhttp3.HttpUrl;

/**
 * A store's {@code spec.provider.vault} settings, parsed and checked by {@link VaultSettingsParser}:
 * every value here is valid, every default applied. References to Kubernetes objects are kept as
 * references; they are resolved when the store first connects. Immutable; {@code toString} of the
 * records never shows inline credentials (there are none: credentials are always references).
 */
record VaultSettings(
    HttpUrl server,
    Optional<String> mount,
    KvVersion version,
    Optional<String> namespace,
    Trust trust,
    Optional<ClientTls> clientTls,
    ImmutableMap<String, String> headers,
    boolean readYourWrites,
    boolean forwardInconsistent,
    RetryPolicy retry,
    Auth auth,
    Optional<String> authNamespace) {

  VaultSettings {
    requireNonNull(server, "server");
    requireNonNull(mount, "mount");
    requireNonNull(version, "version");
    requireNonNull(namespace, "namespace");
    requireNonNull(trust, "trust");
    requireNonNull(clientTls, "clientTls");
    headers = ImmutableMap.copyOf(headers);
    requireNonNull(retry, "retry");
    requireNonNull(auth, "auth");
    requireNonNull(authNamespace, "authNamespace");
  }

  /** The KV secrets engine version of the mount ({@code spec.provider.vault.version}). */
  enum KvVersion {
    V1("v1"),
    V2("v2");

    final String wireName;

    KvVersion(String wireName) {
      this.wireName = wireName;
    }
  }

  /** The kind of Kubernetes object a reference points at. */
  enum ObjectKind {
    SECRET("Secret"),
    CONFIG_MAP("ConfigMap");

    final String wireName;

    ObjectKind(String wireName) {
      this.wireName = wireName;
    }
  }

  /** One key of a Secret or ConfigMap, with the field it was configured at (for error messages). */
  record ObjectKeyRef(ObjectKind kind, String namespace, String name, String key, String field) {
    ObjectKeyRef {
      requireNonNull(kind, "kind");
      requireNonNull(namespace, "namespace");
      requireNonNull(name, "name");
      requireNonNull(key, "key");
      requireNonNull(field, "field");
    }

    /** {@code Secret external-secrets/vault-token key token}; names only. */
    String describe() {
      return kind.wireName + " " + namespace + "/" + name + " key " + key;
    }
  }

  /**
   * Which certificates the client trusts: inline ({@code caBundle}, already parsed), from a
   * ConfigMap or Secret ({@code caProvider}), or neither (the system roots).
   * {@code addSystemRoots} keeps the system roots next to the configured CA.
   */
  record Trust(ImmutableList<X509Certificate> caBundle, Optional<ObjectKeyRef> caProvider, boolean addSystemRoots) {
    Trust {
      caBundle = ImmutableList.copyOf(caBundle);
      requireNonNull(caProvider, "caProvider");
    }

    boolean usesSystemRootsOnly() {
      return caBundle.isEmpty() && caProvider.isEmpty();
    }
  }

  /** mTLS material: {@code tls.certSecretRef} and {@code tls.keySecretRef}. */
  record ClientTls(ObjectKeyRef certificate, ObjectKeyRef privateKey) {
    ClientTls {
      requireNonNull(certificate, "certificate");
      requireNonNull(privateKey, "privateKey");
    }
  }

  /** Where a JWT comes from for Kubernetes or JWT auth. */
  sealed interface JwtSource permits ServiceAccountJwt, SecretJwt, ProjectedTokenFile {
    /** For messages: where the JWT came from, never the JWT. */
    String describe();
  }

  /** A fresh token from the TokenRequest API for {@code namespace/name}, for {@code audiences}. */
  record ServiceAccountJwt(String namespace, String name, ImmutableList<String> audiences, Duration expiration)
      implements JwtSource {
    ServiceAccountJwt {
      requireNonNull(namespace, "namespace");
      requireNonNull(name, "name");
      audiences = ImmutableList.copyOf(audiences);
      requireNonNull(expiration, "expiration");
    }

    @Override
    public String describe() {
      return "service account " + namespace + "/" + name
          + (audiences.isEmpty() ? " (TokenRequest, API server's default audience)"
              : " (TokenRequest, audiences " + audiences + ")");
    }
  }

  /** A JWT stored in a Secret. */
  record SecretJwt(ObjectKeyRef ref) implements JwtSource {
    SecretJwt {
      requireNonNull(ref, "ref");
    }

    @Override
    public String describe() {
      return ref.describe();
    }
  }

  /** The projected service account token of the process, re-read on every login. */
  record ProjectedTokenFile(Path file) implements JwtSource {
    static final Path DEFAULT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

    ProjectedTokenFile {
      requireNonNull(file, "file");
    }

    @Override
    public String describe() {
      return "projected service account token " + file;
    }
  }

  /** {@code spec.provider.vault.auth}: exactly one method. */
  sealed interface Auth permits TokenAuth, KubernetesAuthSettings, AppRoleAuthSettings, JwtAuthSettings {}

  /** {@code auth.tokenSecretRef}: a static token; never renewed or revoked by the library. */
  record TokenAuth(ObjectKeyRef token) implements Auth {
    TokenAuth {
      requireNonNull(token, "token");
    }
  }

  /** {@code auth.kubernetes}. */
  record KubernetesAuthSettings(String mountPath, String role, JwtSource jwt) implements Auth {
    KubernetesAuthSettings {
      requireNonNull(mountPath, "mountPath");
      requireNonNull(role, "role");
      requireNonNull(jwt, "jwt");
    }
  }

  /** {@code auth.appRole}: the role ID inline or from a Secret, the secret ID from a Secret. */
  record AppRoleAuthSettings(String path, Optional<String> roleId, Optional<ObjectKeyRef> roleRef, ObjectKeyRef secretRef)
      implements Auth {
    AppRoleAuthSettings {
      requireNonNull(path, "path");
      requireNonNull(roleId, "roleId");
      requireNonNull(roleRef, "roleRef");
      requireNonNull(secretRef, "secretRef");
    }
  }

  /** {@code auth.jwt}. */
  record JwtAuthSettings(String path, Optional<String> role, JwtSource jwt) implements Auth {
    JwtAuthSettings {
      requireNonNull(path, "path");
      requireNonNull(role, "role");
      requireNonNull(jwt, "jwt");
    }
  }
}
