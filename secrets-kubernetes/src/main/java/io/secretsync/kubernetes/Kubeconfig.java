package io.secretsync.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.secretsync.core.InvalidConfigException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads kubeconfig files (YAML or JSON, {@code kind: Config}) as client-go does: several files are
 * merged, the first file to name a cluster, user or context wins, and the first to set
 * {@code current-context} decides it; relative paths are resolved against the directory of the
 * file that names them; {@code *-data} fields are base64 of PEM. Supported: server,
 * certificate-authority(-data) (data wins over the file), insecure-skip-tls-verify (only when
 * true, and never together with a CA), tls-server-name, proxy-url; token, tokenFile (a token wins
 * over a token file), client-certificate(-data) and client-key(-data), username and password; the
 * context's namespace. Exec and auth-provider plugins are not supported and are refused by name
 * when they are a user's only credentials.
 *
 * <p>Errors are {@link InvalidConfigException}s whose field names the file and the path in it
 * ({@code /home/me/.kube/config: users[dev].user.client-key-data}); they never quote a token or key.
 */
final class Kubeconfig {
  private static final YAMLMapper YAML = new YAMLMapper();

  private Kubeconfig() {}

  /** One named entry and the file it came from. */
  private record Entry(String section, String name, JsonNode body, Path file) {
    String field(String sub) {
      return file + ": " + section + "[" + name + "]" + (sub.isEmpty() ? "" : "." + sub);
    }

    Optional<String> string(String key) {
      JsonNode value = body.path(key);
      if (value.isMissingNode() || value.isNull()) {
        return Optional.empty();
      }
      if (!value.isValueNode()) {
        throw new InvalidConfigException(field(key), "must be a string");
      }
      return Optional.of(value.asText()).filter(s -> !s.isEmpty());
    }

    Path path(String key, String value) {
      Path p = Path.of(value);
      return p.isAbsolute() ? p : file.toAbsolutePath().getParent().resolve(p).normalize();
    }
  }

  static KubernetesConfig load(List<Path> files, String contextOverride) {
    Map<String, Entry> clusters = new LinkedHashMap<>();
    Map<String, Entry> users = new LinkedHashMap<>();
    Map<String, Entry> contexts = new LinkedHashMap<>();
    String currentContext = "";
    Path currentContextFile = null;
    List<Path> read = new ArrayList<>();
    for (Path file : files) {
      JsonNode root = parse(file, files.size() > 1);
      if (root == null) {
        continue;
      }
      read.add(file);
      collect(root, file, "clusters", "cluster", clusters);
      collect(root, file, "users", "user", users);
      collect(root, file, "contexts", "context", contexts);
      String current = root.path("current-context").asText("");
      if (currentContext.isEmpty() && !current.isEmpty()) {
        currentContext = current;
        currentContextFile = file;
      }
    }
    if (read.isEmpty()) {
      throw new InvalidConfigException(String.join(", ", files.stream().map(Path::toString).toList()),
          "no kubeconfig file exists", List.of("set KUBECONFIG to your kubeconfig file, or run in a pod"));
    }
    String where = read.size() == 1 ? read.get(0).toString() : String.join(":", read.stream().map(Path::toString).toList());

    String contextName = contextOverride.isEmpty() ? currentContext : contextOverride;
    if (contextName.isEmpty()) {
      throw new InvalidConfigException(where + ": current-context", "is not set and no context was given",
          List.of("name a context, or run: kubectl config use-context <name>"));
    }
    Entry context = contexts.get(contextName);
    if (context == null) {
      String field = contextOverride.isEmpty() ? currentContextFile + ": current-context" : where + ": contexts";
      throw new InvalidConfigException(field, "no context named \"" + contextName + "\" (contexts: "
          + String.join(", ", contexts.keySet()) + ")");
    }
    String clusterName = context.string("cluster").orElseThrow(() -> new InvalidConfigException(
        context.field("context.cluster"), "is required"));
    Entry cluster = clusters.get(clusterName);
    if (cluster == null) {
      throw new InvalidConfigException(context.field("context.cluster"), "no cluster named \"" + clusterName
          + "\" (clusters: " + String.join(", ", clusters.keySet()) + ")");
    }

    KubernetesConfig.Builder config = clusterSettings(cluster);
    Optional<String> userName = context.string("user");
    if (userName.isPresent()) {
      Entry user = users.get(userName.get());
      if (user == null) {
        throw new InvalidConfigException(context.field("context.user"), "no user named \"" + userName.get()
            + "\" (users: " + String.join(", ", users.keySet()) + ")");
      }
      userSettings(user, config);
    }
    context.string("namespace").ifPresent(config::namespace);
    return config.source("kubeconfig " + where + ", context " + contextName).build();
  }

  private static JsonNode parse(Path file, boolean optional) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      if (optional) {
        return null; // client-go skips missing files of a KUBECONFIG list
      }
      throw new InvalidConfigException(file.toString(), "kubeconfig file does not exist",
          List.of("set KUBECONFIG to your kubeconfig file, or run in a pod"));
    } catch (IOException e) {
      throw new InvalidConfigException(file.toString(), "cannot read the kubeconfig: " + e.getClass().getSimpleName());
    }
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (IOException e) {
      String location = e instanceof com.fasterxml.jackson.core.JsonProcessingException p && p.getLocation() != null
          ? " at line " + p.getLocation().getLineNr() : "";
      throw new InvalidConfigException(file.toString(), "not valid YAML" + location);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return YAML.createObjectNode();
    }
    if (!root.isObject()) {
      throw new InvalidConfigException(file.toString(), "a kubeconfig must be a mapping (kind: Config)");
    }
    String kind = root.path("kind").asText("Config");
    if (!kind.equals("Config")) {
      throw new InvalidConfigException(file + ": kind", "must be Config, got \"" + kind + "\"");
    }
    return root;
  }

  private static void collect(JsonNode root, Path file, String section, String body, Map<String, Entry> into) {
    JsonNode list = root.path(section);
    if (list.isMissingNode() || list.isNull()) {
      return;
    }
    if (!list.isArray()) {
      throw new InvalidConfigException(file + ": " + section, "must be a list of {name, " + body + "}");
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode item = list.get(i);
      String name = item.path("name").asText("");
      if (name.isEmpty()) {
        throw new InvalidConfigException(file + ": " + section + "[" + i + "].name", "is required");
      }
      JsonNode content = item.path(body);
      if (!content.isObject()) {
        throw new InvalidConfigException(file + ": " + section + "[" + name + "]." + body, "is required (a mapping)");
      }
      into.putIfAbsent(name, new Entry(section, name, content, file));
    }
  }

  private static KubernetesConfig.Builder clusterSettings(Entry cluster) {
    String server = cluster.string("server").orElseThrow(() -> new InvalidConfigException(
        cluster.field("cluster.server"), "is required (the API server URL, e.g. https://10.0.0.1:6443)"));
    URI uri;
    try {
      uri = URI.create(server);
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(cluster.field("cluster.server"), "not a URL: \"" + server + "\"");
    }
    if (uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
      throw new InvalidConfigException(cluster.field("cluster.server"), "must be an https:// URL with a host, got \""
          + server + "\"");
    }
    if ("http".equals(uri.getScheme())) {
      throw new InvalidConfigException(cluster.field("cluster.server"), KubernetesConfig.PLAIN_HTTP_REFUSED,
          List.of("use the API server's https:// URL with its certificate-authority-data"));
    }
    KubernetesConfig.Builder config = KubernetesConfig.builder(server);

    Optional<byte[]> caPem = cluster.string("certificate-authority-data")
        .map(data -> base64(cluster, "cluster.certificate-authority-data", data));
    String caField = "cluster.certificate-authority-data";
    if (caPem.isEmpty() && cluster.string("certificate-authority").isPresent()) {
      caField = "cluster.certificate-authority";
      caPem = Optional.of(readFile(cluster, caField, cluster.string("certificate-authority").get()));
    }
    if (caPem.isPresent()) {
      try {
        config.caCertificates(Pem.certificates(caPem.get()));
      } catch (IllegalArgumentException e) {
        throw new InvalidConfigException(cluster.field(caField), e.getMessage());
      }
    }
    JsonNode insecure = cluster.body().path("insecure-skip-tls-verify");
    if (!insecure.isMissingNode() && !insecure.isNull()) {
      if (!insecure.isBoolean()) {
        throw new InvalidConfigException(cluster.field("cluster.insecure-skip-tls-verify"), "must be true or false");
      }
      if (insecure.asBoolean()) {
        if (caPem.isPresent()) {
          throw new InvalidConfigException(cluster.field("cluster.insecure-skip-tls-verify"),
              "cannot be true together with " + caField + " (client-go refuses this too)",
              List.of("remove insecure-skip-tls-verify, or remove the CA"));
        }
        config.insecureSkipTlsVerify(true);
      }
    }
    cluster.string("tls-server-name").ifPresent(config::tlsServerName);
    cluster.string("proxy-url").ifPresent(proxy -> config.proxy(proxy(cluster, proxy)));
    return config;
  }

  private static void userSettings(Entry user, KubernetesConfig.Builder config) {
    Optional<String> token = user.string("token");
    Optional<String> tokenFile = user.string("tokenFile");
    if (token.isPresent()) {
      config.bearerToken(token.get().trim());
    } else if (tokenFile.isPresent()) {
      Path file = user.path("tokenFile", tokenFile.get());
      if (!Files.isReadable(file)) {
        throw new InvalidConfigException(user.field("user.tokenFile"), "cannot read " + file);
      }
      config.bearerTokenFile(file);
    }

    Optional<byte[]> certificate = user.string("client-certificate-data")
        .map(data -> base64(user, "user.client-certificate-data", data))
        .or(() -> user.string("client-certificate").map(f -> readFile(user, "user.client-certificate", f)));
    Optional<byte[]> key = user.string("client-key-data")
        .map(data -> base64(user, "user.client-key-data", data))
        .or(() -> user.string("client-key").map(f -> readFile(user, "user.client-key", f)));
    String certField = user.string("client-certificate-data").isPresent() ? "user.client-certificate-data"
        : "user.client-certificate";
    String keyField = user.string("client-key-data").isPresent() ? "user.client-key-data" : "user.client-key";
    if (certificate.isPresent() != key.isPresent()) {
      throw new InvalidConfigException(user.field(certificate.isPresent() ? "user.client-key-data" : "user.client-certificate-data"),
          "is required with " + (certificate.isPresent() ? certField : keyField) + " (a client certificate needs its key)");
    }
    if (certificate.isPresent()) {
      List<X509Certificate> chain;
      try {
        chain = Pem.certificates(certificate.get());
      } catch (IllegalArgumentException e) {
        throw new InvalidConfigException(user.field(certField), e.getMessage());
      }
      PrivateKey privateKey;
      try {
        privateKey = Pem.privateKey(key.get());
      } catch (IllegalArgumentException e) {
        throw new InvalidConfigException(user.field(keyField), e.getMessage());
      }
      config.clientCertificate(chain, privateKey);
    }

    Optional<String> username = user.string("username");
    if (username.isPresent()) {
      config.basicAuth(username.get(), user.string("password").orElse(""));
    }

    boolean hasCredentials = token.isPresent() || tokenFile.isPresent() || certificate.isPresent() || username.isPresent();
    for (String plugin : List.of("exec", "auth-provider")) {
      if (user.body().has(plugin) && !hasCredentials) {
        throw new InvalidConfigException(user.field("user." + plugin), "credential plugins are not supported",
            List.of("give the user a token, tokenFile or client certificate, e.g. from: kubectl create token <sa>"));
      }
    }
  }

  private static byte[] base64(Entry entry, String field, String data) {
    try {
      return Base64.getDecoder().decode(data.replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(entry.field(field), "is not valid base64 (it holds base64-encoded PEM)");
    }
  }

  private static byte[] readFile(Entry entry, String field, String value) {
    Path file = entry.path(field, value);
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new InvalidConfigException(entry.field(field), "cannot read " + file + " ("
          + (e instanceof NoSuchFileException ? "no such file" : e.getClass().getSimpleName()) + ")");
    }
  }

  private static Proxy proxy(Entry cluster, String url) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(cluster.field("cluster.proxy-url"), "not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    if (uri.getHost() == null || !(scheme.equals("http") || scheme.equals("https") || scheme.equals("socks5"))) {
      throw new InvalidConfigException(cluster.field("cluster.proxy-url"),
          "must be an http://, https:// or socks5:// URL with a host");
    }
    int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("socks5") ? 1080 : scheme.equals("https") ? 443 : 80;
    return new Proxy(scheme.equals("socks5") ? Proxy.Type.SOCKS : Proxy.Type.HTTP,
        InetSocketAddress.createUnresolved(uri.getHost(), port));
  }
}
