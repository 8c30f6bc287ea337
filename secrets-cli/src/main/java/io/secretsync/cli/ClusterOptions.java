package io.secretsync.cli;

import io.secretsync.core.InvalidConfigException;
import io.secretsync.kubernetes.KubernetesClient;
import io.secretsync.kubernetes.KubernetesConfig;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options that say which cluster a command talks to, as kubectl takes them: {@code --kubeconfig}
 * and {@code --context}. Without {@code --kubeconfig} the cluster is found the way kubectl finds it
 * ({@code $KUBECONFIG}, then {@code ~/.kube/config}; in a pod, its service account). A picocli mixin:
 * add it to a command with {@code @Mixin ClusterOptions cluster;}. Not thread-safe (set once by picocli).
 */
final class ClusterOptions {

  @Option(names = "--kubeconfig", paramLabel = "FILE",
      description = "The kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config; in a pod, "
          + "its service account).")
  Path kubeconfig;

  @Option(names = "--context", paramLabel = "NAME",
      description = "The kubeconfig context to use (default: the file's current-context).")
  String context;

  /**
   * The configuration these options select.
   *
   * @throws InvalidConfigException naming the file and field when the kubeconfig cannot be used,
   *     or when {@code --context} is given without a kubeconfig to look it up in (in a pod)
   */
  KubernetesConfig config() {
    KubernetesConfig.Loader loader = KubernetesConfig.loader().context(context == null ? "" : context);
    if (kubeconfig != null) {
      return loader.kubeconfigFiles(List.of(kubeconfig)).loadKubeconfig();
    }
    if (context != null) {
      return loader.loadKubeconfig();
    }
    return loader.load();
  }

  /**
   * A client for the selected cluster; the caller closes it.
   *
   * @throws InvalidConfigException as {@link #config()}
   */
  KubernetesClient connect() {
    return KubernetesClient.create(config());
  }

  /** The source of the configuration, for messages: the kubeconfig file, or "the environment". */
  String describe() {
    return kubeconfig != null ? kubeconfig.toString() : "the kubeconfig of the environment";
  }
}
