package io.secretsync.cli;

import com.google.common.collect.ImmutableList;
import io.secretsync.core.manifest.ManifestException;
import io.secretsync.core.manifest.ManifestLoader;
import io.secretsync.core.manifest.ManifestWarning;
import io.secretsync.core.manifest.Manifests;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The {@code -f PATH} option, as kubectl takes it: files or folders of External Secrets Operator
 * manifests (ExternalSecret, SecretStore, ClusterSecretStore; folders recursively, {@code *.yaml},
 * {@code *.yml}, {@code *.json}), or {@code -} for standard input. Other kinds in the files are
 * skipped. A picocli mixin: add it to a command with {@code @Mixin ManifestInputs inputs;}.
 * Not thread-safe (set once by picocli).
 */
final class ManifestInputs {

  @Option(names = {"-f", "--filename"}, paramLabel = "PATH",
      description = "A file or folder of ExternalSecret, SecretStore and ClusterSecretStore manifests "
          + "(YAML or JSON; folders recursively; - for standard input). Repeat for more. Without -f, "
          + "they are read from the cluster.")
  List<String> paths = new ArrayList<>();

  /** Whether any {@code -f} was given. */
  boolean given() {
    return !paths.isEmpty();
  }

  /**
   * Loads every path; namespaced objects without a namespace go into {@code defaultNamespace}.
   * Problems are in the result's {@link Manifests#errors()}; nothing is thrown for a bad file.
   */
  Manifests load(String defaultNamespace, InputStream stdin) {
    ManifestLoader loader = new ManifestLoader(defaultNamespace);
    List<Manifests> parts = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    for (String path : paths) {
      if (path.equals("-")) {
        parts.add(loader.load(files));
        files.clear();
        parts.add(loader.loadString(readAll(stdin), "<stdin>"));
      } else {
        files.add(Path.of(path));
      }
    }
    if (!files.isEmpty()) {
      parts.add(loader.load(files));
    }
    return concat(parts);
  }

  /**
   * Prints the warnings, then each error with its fix, to {@code err}; returns whether there were
   * no errors. Messages never quote a value.
   */
  static boolean report(Manifests manifests, PrintWriter err) {
    for (ManifestWarning warning : manifests.warnings()) {
      err.println("warning: " + warning);
    }
    for (ManifestException error : manifests.errors()) {
      err.println("error: " + error.getMessage());
    }
    err.flush();
    return !manifests.hasErrors();
  }

  private static Manifests concat(List<Manifests> parts) {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    List<ExternalSecret> es = new ArrayList<>();
    List<SecretStoreResource> stores = new ArrayList<>();
    List<Manifests.Skipped> skipped = new ArrayList<>();
    List<ManifestWarning> warnings = new ArrayList<>();
    List<ManifestException> errors = new ArrayList<>();
    for (Manifests m : parts) {
      es.addAll(m.externalSecrets());
      stores.addAll(m.stores());
      skipped.addAll(m.skipped());
      warnings.addAll(m.warnings());
      errors.addAll(m.errors());
    }
    return new Manifests(ImmutableList.copyOf(es),
        ImmutableList.copyOf(stores), ImmutableList.copyOf(skipped),
        ImmutableList.copyOf(warnings), ImmutableList.copyOf(errors));
  }

  private static String readAll(InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read standard input", e);
    }
  }
}
