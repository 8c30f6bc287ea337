package io.secretsync.core.manifest;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableList;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.ExternalSecretValidator;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads External Secrets Operator manifests into the model: {@code ExternalSecret},
 * {@code SecretStore} and {@code ClusterSecretStore} of {@code external-secrets.io/v1}, and of
 * {@code v1beta1}, which is read with the v1 schema (a v1beta1 manifest is valid v1).
 *
 * <p>Sources: files and folders ({@link #load(List)}; folders recursively, files ending in
 * {@code .yaml}, {@code .yml} or {@code .json}, in sorted order of their relative paths), YAML or
 * JSON text ({@link #loadString}), and objects as the Kubernetes API returns them
 * ({@link #loadObject}, {@link #externalSecret}, {@link #store}: {@code status} and the server's
 * metadata such as {@code managedFields} are ignored; uid, generation, resourceVersion, labels and
 * annotations are kept). A text may hold many {@code ---} separated documents, and a
 * {@code List} object ({@code kubectl get -o yaml}) counts as its items.
 *
 * <p>Documents of other kinds (a Namespace, a ConfigMap, a Secret...) are skipped, not errors, so
 * a folder of mixed manifests can be loaded; they are kept raw in {@link Manifests#skipped()}.
 * Kinds of External Secrets that this library does not sync (ClusterExternalSecret, PushSecret,
 * generators) are skipped with a warning.
 *
 * <p>Checks, as the API server and ESO's webhook would: unknown fields are errors (as with
 * kubectl's strict field validation), except under {@code metadata} and
 * {@code spec.provider.<name>}, which the provider checks when the store is used; types, enum
 * spellings (exact, as ESO's CRDs), names and required fields; then
 * {@link ExternalSecretValidator}. ESO fields this library does not implement are errors that say
 * so, or, where ignoring them is harmless, warnings (see {@link Manifests#warnings()}).
 *
 * <p>Errors are per file: a file with any bad document contributes nothing, its problems are in
 * {@link Manifests#errors()} (one per bad document, or one per broken rule), and the other files
 * still load. An object defined twice in one load is an error of the file that defines it again.
 * Nothing is ever thrown for a bad file; call {@link Manifests#throwIfErrors()} to fail on any.
 *
 * <p>Immutable and thread-safe; one YAML parser configuration is shared by all instances.
 */
public final class ManifestLoader {

  /** The API group of External Secrets Operator. */
  public static final String GROUP = "external-secrets.io";

  private static final Set<String> VERSIONS = Set.of(GROUP + "/v1", GROUP + "/v1beta1");
  private static final Set<String> KINDS = Set.of("ExternalSecret", "SecretStore", "ClusterSecretStore");
  private static final Set<String> EXTENSIONS = Set.of(".yaml", ".yml", ".json");

  private final String defaultNamespace;

  /** A loader that puts namespaced objects without a namespace into {@code default}, as kubectl does. */
  public ManifestLoader() {
    this("default");
  }

  /** A loader that puts namespaced objects without a namespace into {@code defaultNamespace}. */
  public ManifestLoader(String defaultNamespace) {
    requireNonNull(defaultNamespace, "defaultNamespace");
    checkArgument(MetadataReader.isDnsLabel(defaultNamespace), "not a valid namespace: %s", defaultNamespace);
    this.defaultNamespace = defaultNamespace;
  }

  /** Loads files and folders; see the class documentation. */
  public Manifests load(Path... paths) {
    return load(Arrays.asList(paths));
  }

  /**
   * Loads each path: a file whatever its name, a folder recursively (only {@code *.yaml},
   * {@code *.yml}, {@code *.json}, in sorted order). A path that does not exist or cannot be read
   * is an error in the result.
   */
  public Manifests load(List<Path> paths) {
    Collector out = new Collector();
    for (Path path : paths) {
      requireNonNull(path, "path");
      if (Files.isDirectory(path)) {
        loadFolder(path, out);
      } else {
        loadFile(path, out);
      }
    }
    return out.build();
  }

  /** Loads the documents of one YAML or JSON text; {@code source} names it in errors (e.g. a file name). */
  public Manifests loadString(String text, String source) {
    requireNonNull(text, "text");
    requireNonNull(source, "source");
    Collector out = new Collector();
    loadText(text, source, out);
    return out.build();
  }

  /**
   * Loads one object (or a {@code List} of objects) as the Kubernetes API returns it;
   * {@code source} names it in errors and may be empty.
   */
  public Manifests loadObject(JsonNode object, String source) {
    requireNonNull(object, "object");
    requireNonNull(source, "source");
    Collector out = new Collector();
    FileResult file = new FileResult(source);
    readDocument(object, 0, "", file);
    out.accept(file);
    return out.build();
  }

  /**
   * Reads one ExternalSecret object, e.g. from the Kubernetes API (warnings are dropped).
   *
   * @throws ManifestException naming the object and field when it is not a valid ExternalSecret
   */
  public ExternalSecret externalSecret(JsonNode object) {
    if (!text(object, "kind").equals("ExternalSecret")) {
      throw wrongKind(object, "an ExternalSecret");
    }
    Manifests m = loadObject(object, "").throwIfErrors();
    if (m.externalSecrets().size() != 1) {
      throw wrongKind(object, "an ExternalSecret");
    }
    return m.externalSecrets().get(0);
  }

  /**
   * Reads one SecretStore or ClusterSecretStore object, e.g. from the Kubernetes API (warnings are
   * dropped).
   *
   * @throws ManifestException naming the object and field when it is not a valid store
   */
  public SecretStoreResource store(JsonNode object) {
    if (!text(object, "kind").equals("SecretStore") && !text(object, "kind").equals("ClusterSecretStore")) {
      throw wrongKind(object, "a SecretStore or ClusterSecretStore");
    }
    Manifests m = loadObject(object, "").throwIfErrors();
    if (m.stores().size() != 1) {
      throw wrongKind(object, "a SecretStore or ClusterSecretStore");
    }
    return m.stores().get(0);
  }

  private static ManifestException wrongKind(JsonNode object, String expected) {
    return ManifestException.field("", 0, "", new FieldProblem("kind",
        "expected " + expected + " of " + GROUP + "/v1 or v1beta1, found " + text(object, "apiVersion") + " "
            + text(object, "kind"), "pass an object of that kind"));
  }

  // ---- files and folders ---------------------------------------------------------------------

  private void loadFolder(Path folder, Collector out) {
    List<Path> files = new ArrayList<>();
    try {
      Files.walkFileTree(folder, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          String name = file.getFileName().toString();
          if (attrs.isRegularFile() && EXTENSIONS.stream().anyMatch(name::endsWith)) {
            files.add(file);
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          out.errors.add(ManifestException.of(file.toString(), 0, "cannot read: " + describe(e),
              "check that it exists and is readable"));
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      out.errors.add(ManifestException.of(folder.toString(), 0, "cannot read folder: " + describe(e),
          "check that it exists and is readable"));
    }
    files.sort(Comparator.comparing(file -> relative(folder, file)));
    for (Path file : files) {
      loadFile(file, out);
    }
  }

  private static String relative(Path folder, Path file) {
    return folder.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
  }

  private void loadFile(Path file, Collector out) {
    String text;
    try {
      byte[] bytes = Files.readAllBytes(file);
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      out.errors.add(ManifestException.of(file.toString(), 0, "is not UTF-8 text", "save it as UTF-8"));
      return;
    } catch (NoSuchFileException e) {
      out.errors.add(ManifestException.of(file.toString(), 0, "no such file or folder", "check the path"));
      return;
    } catch (IOException e) {
      out.errors.add(ManifestException.of(file.toString(), 0, "cannot read file: " + describe(e),
          "check that it exists and is readable"));
      return;
    }
    loadText(text, file.toString(), out);
  }

  private static String describe(IOException e) {
    return e instanceof NoSuchFileException ? "no such file or folder" : e.getClass().getSimpleName();
  }

  // ---- documents -----------------------------------------------------------------------------

  private void loadText(String text, String source, Collector out) {
    FileResult file = new FileResult(source);
    List<JsonNode> documents;
    try {
      documents = YamlDocuments.parse(text);
    } catch (YamlDocuments.SyntaxError e) {
      file.errors.add(new ManifestException(source, e.document, e.line, e.column, "", "",
          "invalid YAML: " + e.problem, e.fix));
      out.accept(file);
      return;
    }
    for (int i = 0; i < documents.size(); i++) {
      if (documents.get(i) != null) {
        readDocument(documents.get(i), i + 1, "", file);
      }
    }
    out.accept(file);
  }

  /** Reads one document (or one item of a List document); {@code prefix} is the item's path. */
  private void readDocument(JsonNode node, int document, String prefix, FileResult file) {
    if (!node.isObject()) {
      file.skip(document, node, "", "", "", "");
      file.warn(document, "", prefix, "skipped: not a Kubernetes object (the document is " + Node.describe(node) + ")");
      return;
    }
    String apiVersion = text(node, "apiVersion");
    String kind = text(node, "kind");
    String name = text(node.path("metadata"), "name");
    String namespace = text(node.path("metadata"), "namespace");
    if (kind.endsWith("List") && node.path("items").isArray()) {
      for (int i = 0; i < node.path("items").size(); i++) {
        readDocument(node.path("items").get(i), document, join(prefix, "items[" + i + "]"), file);
      }
      return;
    }
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    boolean ours = group.equals(GROUP) && KINDS.contains(kind);
    if (!ours) {
      file.skip(document, node, apiVersion, kind, namespace, name);
      if (apiVersion.isEmpty() || kind.isEmpty()) {
        file.warn(document, "", prefix, "skipped: not a Kubernetes object (apiVersion and kind are not both set)");
      } else if (group.equals(GROUP) || group.endsWith("." + GROUP)) {
        file.warn(document, kind + " " + qualified(namespace, name), prefix,
            "skipped: " + kind + " (" + apiVersion + ") is not supported; nothing is synced for it");
      } else if (KINDS.contains(kind)) {
        file.warn(document, kind + " " + qualified(namespace, name), join(prefix, "apiVersion"),
            "skipped: \"" + apiVersion + "\" is not an External Secrets API version; use " + GROUP + "/v1");
      }
      return;
    }
    boolean namespaced = !kind.equals("ClusterSecretStore");
    String object = kind + " " + qualified(!namespaced ? "" : namespace.isEmpty() ? defaultNamespace : namespace, name);
    Notes notes = new Notes();
    try {
      if (!VERSIONS.contains(apiVersion)) {
        throw new FieldProblem(join(prefix, "apiVersion"), "\"" + apiVersion + "\" is not supported",
            "use " + GROUP + "/v1 (" + GROUP + "/v1beta1 is read as v1)");
      }
      Node root = Node.root(prefix, node);
      if (kind.equals("ExternalSecret")) {
        ExternalSecret es = new ExternalSecretReader(notes, defaultNamespace).read(root);
        ImmutableList<ExternalSecretValidator.Problem> problems = ExternalSecretValidator.validate(es);
        for (ExternalSecretValidator.Problem p : problems) {
          file.errors.add(ManifestException.field(file.source, document, object,
              new FieldProblem(join(prefix, p.field()), p.problem(), p.fix())));
        }
        if (problems.isEmpty()) {
          file.add(document, "ExternalSecret/" + es.metadata().qualifiedName(), join(prefix, "metadata.name"), object,
              es, null);
        }
      } else {
        StoreKind storeKind = kind.equals("SecretStore") ? StoreKind.SECRET_STORE : StoreKind.CLUSTER_SECRET_STORE;
        SecretStoreResource store = new StoreReader(notes, defaultNamespace).read(root, storeKind);
        file.add(document, kind + "/" + store.metadata().qualifiedName(), join(prefix, "metadata.name"), object, null,
            store);
      }
      for (Notes.Note note : notes.all()) {
        file.warn(document, object, note.field(), note.message());
      }
    } catch (FieldProblem p) {
      file.errors.add(ManifestException.field(file.source, document, object, p));
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isTextual() ? value.textValue() : "";
  }

  private static String qualified(String namespace, String name) {
    String shown = name.isEmpty() ? "(no name)" : name;
    return namespace.isEmpty() ? shown : namespace + "/" + shown;
  }

  private static String join(String prefix, String field) {
    return prefix.isEmpty() ? field : prefix + "." + field;
  }

  /** What one file (or text, or object) yielded; taken whole or not at all. Not thread-safe. */
  private static final class FileResult {
    final String source;
    final List<ExternalSecret> externalSecrets = new ArrayList<>();
    final List<SecretStoreResource> stores = new ArrayList<>();
    final List<Manifests.Skipped> skipped = new ArrayList<>();
    final List<ManifestWarning> warnings = new ArrayList<>();
    final List<ManifestException> errors = new ArrayList<>();
    final List<Defined> defined = new ArrayList<>();

    FileResult(String source) {
      this.source = source;
    }

    void add(int document, String identity, String field, String object, ExternalSecret es,
        SecretStoreResource store) {
      defined.add(new Defined(identity, document, field, object));
      if (es != null) {
        externalSecrets.add(es);
      } else {
        stores.add(store);
      }
    }

    void skip(int document, JsonNode node, String apiVersion, String kind, String namespace, String name) {
      skipped.add(new Manifests.Skipped(source, document, apiVersion, kind, namespace, name, node));
    }

    void warn(int document, String object, String field, String message) {
      warnings.add(new ManifestWarning(source, document, object, field, message));
    }
  }

  /** An object's identity ({@code ExternalSecret} by namespace and name, stores also by kind) and where it is. */
  private record Defined(String identity, int document, String field, String object) {}

  /** Everything loaded so far, file by file. Not thread-safe. */
  private static final class Collector {
    final List<ExternalSecret> externalSecrets = new ArrayList<>();
    final List<SecretStoreResource> stores = new ArrayList<>();
    final List<Manifests.Skipped> skipped = new ArrayList<>();
    final List<ManifestWarning> warnings = new ArrayList<>();
    final List<ManifestException> errors = new ArrayList<>();
    final Map<String, String> definedAt = new HashMap<>();

    void accept(FileResult file) {
      Map<String, String> seen = new HashMap<>();
      for (Defined d : file.defined) {
        String where = file.source.isEmpty() ? "document " + d.document() : file.source + " document " + d.document();
        String first = definedAt.containsKey(d.identity()) ? definedAt.get(d.identity()) : seen.get(d.identity());
        if (first != null) {
          file.errors.add(ManifestException.field(file.source, d.document(), d.object(), new FieldProblem(d.field(),
              "is defined twice; first in " + first, "keep one definition of each object")));
        } else {
          seen.put(d.identity(), where);
        }
      }
      if (!file.errors.isEmpty()) {
        errors.addAll(file.errors);
        return;
      }
      definedAt.putAll(seen);
      externalSecrets.addAll(file.externalSecrets);
      stores.addAll(file.stores);
      skipped.addAll(file.skipped);
      warnings.addAll(file.warnings);
    }

    Manifests build() {
      return new Manifests(ImmutableList.copyOf(externalSecrets), ImmutableList.copyOf(stores),
          ImmutableList.copyOf(skipped), ImmutableList.copyOf(warnings), ImmutableList.copyOf(errors));
    }
  }
}
