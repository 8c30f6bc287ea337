package io.secretsync.kubernetes;

import io.secretsync.core.InvalidConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-cluster configuration, as client-go's {@code rest.InClusterConfig} builds it: the server
 * is {@code https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT} (an IPv6 host in brackets),
 * the bearer token is the service account token file (re-read when the kubelet rotates it), the CA
 * is {@code ca.crt} (when it cannot be read, client-go logs it and uses the system roots; so does
 * this), and the namespace is {@code $POD_NAMESPACE}, else the {@code namespace} file, else
 * {@code default}.
 */
final class InCluster {
  private static final Logger log = LoggerFactory.getLogger(InCluster.class);

  private InCluster() {}

  static boolean detected(Map<String, String> environment) {
    return !environment.getOrDefault("KUBERNETES_SERVICE_HOST", "").isEmpty()
        && !environment.getOrDefault("KUBERNETES_SERVICE_PORT", "").isEmpty();
  }

  static KubernetesConfig load(Map<String, String> environment, Path directory) {
    if (!detected(environment)) {
      throw new InvalidConfigException("KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT",
          "not running in a pod: both environment variables must be set for the in-cluster configuration",
          List.of("run in a pod, or use a kubeconfig (KUBECONFIG or ~/.kube/config)"));
    }
    String host = environment.get("KUBERNETES_SERVICE_HOST");
    String port = environment.get("KUBERNETES_SERVICE_PORT");
    if (!port.chars().allMatch(Character::isDigit)) {
      throw new InvalidConfigException("KUBERNETES_SERVICE_PORT", "must be a port number, got \"" + port + "\"");
    }
    String server = "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;

    Path token = directory.resolve("token");
    if (!Files.isReadable(token)) {
      throw new InvalidConfigException(token.toString(), "the service account token file cannot be read",
          List.of("mount a service account token into the pod (automountServiceAccountToken: true)"));
    }
    KubernetesConfig.Builder config = KubernetesConfig.builder(server).bearerTokenFile(token);

    Path ca = directory.resolve("ca.crt");
    try {
      config.caCertificates(Pem.certificates(Files.readAllBytes(ca)));
    } catch (NoSuchFileException e) {
      log.warn("{} does not exist; trusting the system roots for the API server", ca);
    } catch (IOException e) {
      log.warn("cannot read {} ({}); trusting the system roots for the API server", ca, e.getClass().getSimpleName());
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(ca.toString(), e.getMessage());
    }

    String namespace = environment.getOrDefault("POD_NAMESPACE", "").trim();
    if (namespace.isEmpty()) {
      try {
        namespace = Files.readString(directory.resolve("namespace"), StandardCharsets.UTF_8).trim();
      } catch (IOException e) {
        namespace = "";
      }
    }
    if (!namespace.isEmpty()) {
      config.namespace(namespace);
    }
    return config.source("in-cluster (" + directory + ")").build();
  }
}
