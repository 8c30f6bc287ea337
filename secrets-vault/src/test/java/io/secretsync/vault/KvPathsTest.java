package io.secretsync.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.secretsync.vault.KvPaths.SecretPath;
import io.secretsync.vault.VaultSettings.KvVersion;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KvPathsTest {

  private final KvPaths v2 = new KvPaths(Optional.of("secret"), KvVersion.V2);
  private final KvPaths v1 = new KvPaths(Optional.of("kv"), KvVersion.V1);

  @Test
  void keyRelativeToMountBuildsDataAndMetadataPaths() {
    SecretPath path = v2.resolve("example-api/env-file");
    assertEquals("secret/data/example-api/env-file", v2.dataPath(path));
    assertEquals("secret/metadata/example-api/env-file", v2.metadataPath(path));
  }

  @Test
  void keyWithMountPrefixIsNormalisedTheSameForDataAndMetadata() {
    for (String key : new String[] {"secret/example-api/env-file", "secret/data/example-api/env-file",
        "/secret/data/example-api/env-file"}) {
      SecretPath path = v2.resolve(key);
      assertEquals("secret/data/example-api/env-file", v2.dataPath(path), key);
      assertEquals("secret/metadata/example-api/env-file", v2.metadataPath(path), key);
    }
  }

  @Test
  void mountGivenWithSlashesIsTrimmed() {
    KvPaths paths = new KvPaths(Optional.of("/team/kv/"), KvVersion.V2);
    assertEquals("team/kv/data/app", paths.dataPath(paths.resolve("team/kv/app")));
    assertEquals("team/kv/metadata/app", paths.metadataPath(paths.resolve("app")));
  }

  @Test
  void aKeyWhoseFirstSegmentIsTheMountNameCanBeWrittenWithData() {
    assertEquals("secret/data/secret/x", v2.dataPath(v2.resolve("secret/data/secret/x")));
  }

  @Test
  void withoutMountTheFirstSegmentOrThePartBeforeDataIsTheMount() {
    KvPaths paths = new KvPaths(Optional.empty(), KvVersion.V2);
    assertEquals("secret/data/app/db", paths.dataPath(paths.resolve("secret/app/db")));
    assertEquals("team/kv/data/app", paths.dataPath(paths.resolve("team/kv/data/app")));
    assertEquals("team/kv/metadata/app", paths.metadataPath(paths.resolve("team/kv/data/app")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> paths.resolve("app"));
    assertTrue(e.getMessage().contains("must start with the mount"), e.getMessage());
  }

  @Test
  void kvV1PathsHaveNoDataSegment() {
    assertEquals("kv/app/db", v1.dataPath(v1.resolve("app/db")));
    assertEquals("kv/app/db", v1.dataPath(v1.resolve("kv/app/db")));
    assertEquals("kv/data/app", v1.dataPath(v1.resolve("data/app")));
    KvPaths noMount = new KvPaths(Optional.empty(), KvVersion.V1);
    assertEquals("kv/app/db", noMount.dataPath(noMount.resolve("kv/app/db")));
  }

  @Test
  void listPathsAreMetadataFoldersEndingInSlash() {
    assertEquals("secret/metadata/", v2.listPath(v2.resolveFolder(Optional.empty())));
    assertEquals("secret/metadata/dev/", v2.listPath(v2.resolveFolder(Optional.of("dev"))));
    assertEquals("secret/metadata/dev/", v2.listPath(v2.resolveFolder(Optional.of("secret/dev/"))));
    assertEquals("secret/metadata/", v2.listPath(v2.resolveFolder(Optional.of("secret"))));
    assertEquals("kv/dev/", v1.listPath(v1.resolveFolder(Optional.of("dev"))));
  }

  @Test
  void resultKeysReadBackToTheSameSecret() {
    SecretPath found = new SecretPath("secret", "dev/config");
    assertEquals("dev/config", v2.resultKey(found));
    assertEquals(v2.dataPath(found), v2.dataPath(v2.resolve(v2.resultKey(found))));
    KvPaths noMount = new KvPaths(Optional.empty(), KvVersion.V2);
    assertEquals("secret/dev/config", noMount.resultKey(found));
    assertEquals("secret/data/dev/config", noMount.dataPath(noMount.resolve(noMount.resultKey(found))));
  }

  @Test
  void folderAndEmptyKeysAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> v2.resolve("app/"));
    assertThrows(IllegalArgumentException.class, () -> v2.resolve(" "));
    assertThrows(IllegalArgumentException.class, () -> v2.resolve("secret/data/"));
  }

  @Test
  void deniedReadHintNamesTheDataPathThePolicyMustGrant() {
    String hints = String.join("\n", v2.readDeniedHints(v2.resolve("example-api/env-file")));
    assertTrue(hints.contains("\"secret/data/example-api/env-file\""), hints);
    assertTrue(hints.contains("path \"secret/data/example-api/*\""), hints);
    assertTrue(hints.contains("data/ segment"), hints);
  }
}
