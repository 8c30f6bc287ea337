package io.secretsync.kubernetes;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.secretsync.core.InvalidConfigException;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How to reach one Kubernetes API server: its address, the TLS trust, the credentials, the default
 * namespace and the client-side limits. Load it the way client-go does ({@link #fromEnvironment()},
 * {@link #fromKubeconfig}, {@link #inCluster()}), or build it ({@link #builder(String)}).
 *
 * <p>Defaults: trust the system roots unless CA certificates are given; verify host names;
 * namespace {@code default}; client-side rate limit {@value #DEFAULT_QPS} requests per second with a
 * burst of {@value #DEFAULT_BURST} (client-go's own defaults are 5 and 10, which External Secrets
 * Operator found too low for a controller and raised to these values); connect timeout 10 s, request
 * timeout 30 s (watches are exempt from the request timeout).
 *
 * <p>Immutable and thread-safe. {@code toString} names the server, namespace and kind of
 * credentials, never a token or key.
 */
public final class KubernetesConfig {

  /** The default client-side rate limit, requests per second. */
  public static final double DEFAULT_QPS = 50;
  /** The default client-side burst: requests that may go at once before the rate applies. */
  public static final int DEFAULT_BURST = 100;

  static final String PLAIN_HTTP_REFUSED = "plain http:// is refused: the bearer token and every Secret would cross "
      + "the network unencrypted";
  static final String PLAIN_HTTP_HINT = "use the API server's https:// URL with its CA; for a local proxy only "
      + "(kubectl proxy), allow it with KubernetesConfig.Builder.allowHttp(true)";

  private final URI server;
  private final ImmutableList<X509Certificate> caCertificates;
  private final boolean insecureSkipTlsVerify;
  private final Optional<String> tlsServerName;
  private final Optional<String> bearerToken;
  private final Optional<Path> bearerTokenFile;
  private final Optional<ClientCertificate> clientCertificate;
  private final Optional<BasicAuth> basicAuth;
  private final String namespace;
  private final Optional<Proxy> proxy;
  private final double qps;
  private final int burst;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final String source;

  /** A client certificate chain and its private key (mTLS). */
  record ClientCertificate(ImmutableList<X509Certificate> chain, PrivateKey key) {
    ClientCertificate {
      checkArgument(!chain.isEmpty(), "client certificate chain is empty");
      requireNonNull(key, "key");
    }

    @Override
    public String toString() {
      return "ClientCertificate{" + chain.get(0).getSubjectX500Principal().getName() + "}";
    }
  }

  /** HTTP basic authentication. */
  record BasicAuth(String username, String password) {
    @Override
    public String toString() {
      return "BasicAuth{" + username + "}";
    }
  }

  private final boolean allowHttp;

  private KubernetesConfig(Builder b) {
    this.server = b.server;
    this.caCertificates = ImmutableList.copyOf(b.caCertificates);
    this.insecureSkipTlsVerify = b.insecureSkipTlsVerify;
    this.tlsServerName = b.tlsServerName;
    this.bearerToken = b.bearerToken;
    this.bearerTokenFile = b.bearerTokenFile;
    this.clientCertificate = b.clientCertificate;
    this.basicAuth = b.basicAuth;
    this.namespace = b.namespace;
    this.proxy = b.proxy;
    this.qps = b.qps;
    this.burst = b.burst;
    this.connectTimeout = b.connectTimeout;
    this.requestTimeout = b.requestTimeout;
    this.source = b.source;
    this.allowHttp = b.allowHttp;
  }

  /**
   * The configuration of the environment, as client-go finds it: in a pod (both
   * {@code KUBERNETES_SERVICE_HOST} and {@code KUBERNETES_SERVICE_PORT} set) the in-cluster
   * configuration; otherwise the kubeconfig files of {@code $KUBECONFIG} (a path list, merged, first
   * occurrence wins), or else {@code ~/.kube/config}, at its current context.
   *
   * @throws InvalidConfigException naming the file and field that is missing or wrong
   */
  public static KubernetesConfig fromEnvironment() {
    return loader().load();
  }

  /**
   * The configuration of {@code context} (empty: the file's {@code current-context}) in the
   * kubeconfig {@code file}.
   *
   * @throws InvalidConfigException naming the file and field that is missing or wrong
   */
  public static KubernetesConfig fromKubeconfig(Path file, String context) {
    return loader().kubeconfigFiles(List.of(file)).context(context).loadKubeconfig();
  }

  /**
   * The in-cluster configuration of a pod: {@code https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT},
   * the service account token (re-read when the kubelet rotates it), {@code ca.crt} and the
   * namespace from {@code /var/run/secrets/kubernetes.io/serviceaccount}.
   *
   * @throws InvalidConfigException when not in a pod, naming what is missing
   */
  public static KubernetesConfig inCluster() {
    return loader().loadInCluster();
  }

  /** A loader whose environment, home directory and service account directory can be replaced (for tests and tools). */
  public static Loader loader() {
    return new Loader();
  }

  /** A configuration for {@code server} ({@code https://host:port}) with nothing else set. */
  public static Builder builder(String server) {
    return new Builder().server(server);
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.server = server;
    b.caCertificates = caCertificates;
    b.insecureSkipTlsVerify = insecureSkipTlsVerify;
    b.tlsServerName = tlsServerName;
    b.bearerToken = bearerToken;
    b.bearerTokenFile = bearerTokenFile;
    b.clientCertificate = clientCertificate;
    b.basicAuth = basicAuth;
    b.namespace = namespace;
    b.proxy = proxy;
    b.qps = qps;
    b.burst = burst;
    b.connectTimeout = connectTimeout;
    b.requestTimeout = requestTimeout;
    b.source = source;
    b.allowHttp = allowHttp;
    return b;
  }

  /** The API server's base URL, e.g. {@code https://10.0.0.1:6443}. */
  public URI server() {
    return server;
  }

  /** The CA certificates trusted for the server; empty: the system roots. */
  public ImmutableList<X509Certificate> caCertificates() {
    return caCertificates;
  }

  /** True only when the kubeconfig or builder asked to skip TLS verification. */
  public boolean insecureSkipTlsVerify() {
    return insecureSkipTlsVerify;
  }

  /** The name to verify the server's certificate against instead of the URL's host. */
  public Optional<String> tlsServerName() {
    return tlsServerName;
  }

  /** The namespace of the context or pod, {@code default} when none is given. */
  public String namespace() {
    return namespace;
  }

  public double qps() {
    return qps;
  }

  public int burst() {
    return burst;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** Where this configuration came from, e.g. {@code kubeconfig /home/me/.kube/config, context dev}. */
  public String source() {
    return source;
  }

  Optional<String> bearerToken() {
    return bearerToken;
  }

  Optional<Path> bearerTokenFile() {
    return bearerTokenFile;
  }

  Optional<ClientCertificate> clientCertificate() {
    return clientCertificate;
  }

  Optional<BasicAuth> basicAuth() {
    return basicAuth;
  }

  Optional<Proxy> proxy() {
    return proxy;
  }

  /** The kind of credentials: {@code token}, {@code token file <path>}, {@code client certificate <subject>}... */
  String credentialsDescription() {
    StringBuilder out = new StringBuilder();
    bearerToken.ifPresent(t -> out.append("bearer token"));
    bearerTokenFile.ifPresent(f -> out.append(out.length() > 0 ? ", " : "").append("token file ").append(f));
    clientCertificate.ifPresent(c -> out.append(out.length() > 0 ? ", " : "").append("client certificate ")
        .append(c.chain().get(0).getSubjectX500Principal().getName()));
    basicAuth.ifPresent(b -> out.append(out.length() > 0 ? ", " : "").append("basic auth user ").append(b.username()));
    return out.length() == 0 ? "no credentials" : out.toString();
  }

  @Override
  public String toString() {
    return "KubernetesConfig{server=" + server + ", namespace=" + namespace + ", credentials="
        + credentialsDescription() + (insecureSkipTlsVerify ? ", insecureSkipTlsVerify" : "")
        + ", source=" + source + "}";
  }

  /** Builds a configuration. Not thread-safe. */
  public static final class Builder {
    private URI server;
    private List<X509Certificate> caCertificates = List.of();
    private boolean insecureSkipTlsVerify;
    private Optional<String> tlsServerName = Optional.empty();
    private Optional<String> bearerToken = Optional.empty();
    private Optional<Path> bearerTokenFile = Optional.empty();
    private Optional<ClientCertificate> clientCertificate = Optional.empty();
    private Optional<BasicAuth> basicAuth = Optional.empty();
    private String namespace = "default";
    private Optional<Proxy> proxy = Optional.empty();
    private double qps = DEFAULT_QPS;
    private int burst = DEFAULT_BURST;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private String source = "builder";
    private boolean allowHttp;

    private Builder() {}

    /** The API server URL; {@code https://} unless you mean plain HTTP (a local proxy). */
    public Builder server(String url) {
      URI uri = URI.create(requireNonNull(url, "url").replaceAll("/+$", ""));
      checkArgument(uri.getScheme() != null && (uri.getScheme().equals("https") || uri.getScheme().equals("http"))
          && uri.getHost() != null, "server must be an http(s) URL with a host, got %s", url);
      this.server = uri;
      return this;
    }

    /** Trusts these CAs (instead of the system roots). */
    public Builder caCertificates(List<X509Certificate> certificates) {
      this.caCertificates = ImmutableList.copyOf(certificates);
      return this;
    }

    /**
     * Trusts the CAs in this PEM bundle.
     *
     * @throws IllegalArgumentException when it holds no readable certificate
     */
    public Builder caCertificatesPem(String pem) {
      return caCertificates(Pem.certificates(pem.getBytes(StandardCharsets.UTF_8)));
    }

    /** Skips verifying the server's certificate. Only for throwaway clusters. */
    public Builder insecureSkipTlsVerify(boolean skip) {
      this.insecureSkipTlsVerify = skip;
      return this;
    }

    /** Verifies the server's certificate against {@code name} instead of the URL's host. */
    public Builder tlsServerName(String name) {
      this.tlsServerName = Optional.of(name).filter(s -> !s.isEmpty());
      return this;
    }

    /** Sends {@code token} as the bearer token. */
    public Builder bearerToken(String token) {
      this.bearerToken = Optional.of(requireNonNull(token, "token")).filter(s -> !s.isEmpty());
      return this;
    }

    /** Reads the bearer token from {@code file}, again whenever the file changes (token rotation). */
    public Builder bearerTokenFile(Path file) {
      this.bearerTokenFile = Optional.of(requireNonNull(file, "file"));
      return this;
    }

    /** Authenticates with a client certificate chain and its private key. */
    public Builder clientCertificate(List<X509Certificate> chain, PrivateKey key) {
      this.clientCertificate = Optional.of(new ClientCertificate(ImmutableList.copyOf(chain), key));
      return this;
    }

    /**
     * Authenticates with a PEM client certificate (chain) and its PEM private key (RSA or EC, in
     * PKCS#8, PKCS#1 or SEC1 form).
     *
     * @throws IllegalArgumentException when either does not parse
     */
    public Builder clientCertificatePem(String certificatePem, String keyPem) {
      return clientCertificate(Pem.certificates(certificatePem.getBytes(StandardCharsets.UTF_8)),
          Pem.privateKey(keyPem.getBytes(StandardCharsets.UTF_8)));
    }

    /** Authenticates with HTTP basic authentication. */
    public Builder basicAuth(String username, String password) {
      this.basicAuth = Optional.of(new BasicAuth(requireNonNull(username), requireNonNull(password)));
      return this;
    }

    /** The default namespace. */
    public Builder namespace(String defaultNamespace) {
      checkArgument(!defaultNamespace.isEmpty(), "namespace must not be empty");
      this.namespace = defaultNamespace;
      return this;
    }

    /** Connects through {@code httpProxy}. */
    public Builder proxy(Proxy httpProxy) {
      this.proxy = Optional.of(httpProxy);
      return this;
    }

    /** Client-side rate limit: requests per second (> 0). */
    public Builder qps(double requestsPerSecond) {
      checkArgument(requestsPerSecond > 0, "qps must be > 0, got %s", requestsPerSecond);
      this.qps = requestsPerSecond;
      return this;
    }

    /** Client-side burst: requests that may go at once (>= 1). */
    public Builder burst(int requests) {
      checkArgument(requests >= 1, "burst must be >= 1, got %s", requests);
      this.burst = requests;
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = requireNonNull(timeout);
      return this;
    }

    /** The timeout of each request (not of watches). */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = requireNonNull(timeout);
      return this;
    }

    /**
     * Permits a plain {@code http://} server. Off by default: over plain HTTP the bearer token and
     * every Secret cross the network readable by anyone on the path; for a local proxy only
     * ({@code kubectl proxy}).
     */
    public Builder allowHttp(boolean value) {
      this.allowHttp = value;
      return this;
    }

    Builder source(String description) {
      this.source = description;
      return this;
    }

    /**
     * @throws IllegalStateException when no server is set, or CA certificates and insecureSkipTlsVerify are both set
     * @throws InvalidConfigException when the server is plain {@code http://} and that was not allowed
     */
    public KubernetesConfig build() {
      if (server == null) {
        throw new IllegalStateException("server is required");
      }
      if (server.getScheme().equals("http") && !allowHttp) {
        throw new InvalidConfigException("server", PLAIN_HTTP_REFUSED, List.of(PLAIN_HTTP_HINT));
      }
      if (insecureSkipTlsVerify && !caCertificates.isEmpty()) {
        throw new IllegalStateException("CA certificates and insecureSkipTlsVerify cannot both be set");
      }
      return new KubernetesConfig(this);
    }
  }

  /**
   * Loads a configuration from an environment that may be replaced: environment variables, the
   * home directory, the service account directory, the kubeconfig files and context. Not thread-safe.
   */
  public static final class Loader {
    /** Where a pod's service account token, CA and namespace are mounted. */
    public static final Path SERVICE_ACCOUNT_DIRECTORY = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

    private Map<String, String> environment = System.getenv();
    private Path home = Path.of(System.getProperty("user.home", "."));
    private Path serviceAccountDirectory = SERVICE_ACCOUNT_DIRECTORY;
    private Optional<List<Path>> kubeconfigFiles = Optional.empty();
    private String context = "";

    private Loader() {}

    /** Environment variables to use instead of the process's. */
    public Loader environment(Map<String, String> variables) {
      this.environment = ImmutableMap.copyOf(variables);
      return this;
    }

    /** The home directory whose {@code .kube/config} is the default kubeconfig. */
    public Loader homeDirectory(Path directory) {
      this.home = requireNonNull(directory);
      return this;
    }

    /** The directory holding {@code token}, {@code ca.crt} and {@code namespace} in a pod. */
    public Loader serviceAccountDirectory(Path directory) {
      this.serviceAccountDirectory = requireNonNull(directory);
      return this;
    }

    /** The kubeconfig files, instead of {@code $KUBECONFIG} or {@code ~/.kube/config}. */
    public Loader kubeconfigFiles(List<Path> files) {
      checkArgument(!files.isEmpty(), "at least one kubeconfig file");
      this.kubeconfigFiles = Optional.of(List.copyOf(files));
      return this;
    }

    /** The kubeconfig context to use; empty: {@code current-context}. */
    public Loader context(String name) {
      this.context = requireNonNull(name);
      return this;
    }

    /** In a pod, the in-cluster configuration; otherwise the kubeconfig. See {@link KubernetesConfig#fromEnvironment()}. */
    public KubernetesConfig load() {
      if (kubeconfigFiles.isEmpty() && InCluster.detected(environment)) {
        return loadInCluster();
      }
      return loadKubeconfig();
    }

    /** The kubeconfig configuration. */
    public KubernetesConfig loadKubeconfig() {
      return Kubeconfig.load(kubeconfigFiles.orElseGet(this::defaultKubeconfigFiles), context);
    }

    /** The in-cluster configuration. */
    public KubernetesConfig loadInCluster() {
      return InCluster.load(environment, serviceAccountDirectory);
    }

    private List<Path> defaultKubeconfigFiles() {
      String list = environment.getOrDefault("KUBECONFIG", "");
      if (!list.isBlank()) {
        String separator = System.getProperty("os.name", "").startsWith("Windows") ? ";" : ":";
        List<Path> files = java.util.Arrays.stream(list.split(separator)).filter(s -> !s.isBlank()).map(Path::of)
            .toList();
        if (!files.isEmpty()) {
          return files;
        }
      }
      return List.of(home.resolve(".kube").resolve("config"));
    }
  }
}
