package io.secretsync.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import io.secretsync.core.InvalidConfigException;
import io.secretsync.core.InvalidSecretDataException;
import io.secretsync.core.SecretData;
import io.secretsync.core.SyncEngine;
import io.secretsync.core.SyncResult;
import io.secretsync.core.SyncResult.Outcome;
import io.secretsync.core.model.ConversionStrategy;
import io.secretsync.core.model.DataFromSource;
import io.secretsync.core.model.DecodingStrategy;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.FindRef;
import io.secretsync.core.model.MetadataPolicy;
import io.secretsync.core.model.NullBytePolicy;
import io.secretsync.core.model.ObjectMeta;
import io.secretsync.core.model.RemoteRef;
import io.secretsync.core.model.Rewrite;
import io.secretsync.core.model.StoreRef;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How fetched values become target data: decoding, key conversion, rewrite, find, extract, NUL bytes, limits. */
class DataAssemblyTest {
  private final EngineFixture fx = new EngineFixture();

  @AfterEach
  void close() {
    fx.close();
  }

  private static ExternalSecret.Builder es(String name) {
    return ExternalSecret.builder("apps", name).metadata(ObjectMeta.of("apps", name).withUid("uid-" + name))
        .store(StoreRef.clusterSecretStore("vault-example-api"));
  }

  private SecretData data(String name) {
    return fx.writer.get("apps", name).orElseThrow().data();
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(UTF_8));
  }

  @Test
  void eachDecodingStrategyOnDataEntries() {
    String raw = "hello?>";
    fx.vault.put("enc", Map.of(
        "std", b64(raw),
        "url", Base64.getUrlEncoder().encodeToString(raw.getBytes(UTF_8)),
        "plain", "not base64!"));

    SyncResult result = fx.engine.sync(es("dec")
        .data("std", RemoteRef.of("enc", "std").withDecodingStrategy(DecodingStrategy.BASE64))
        .data("url", RemoteRef.of("enc", "url").withDecodingStrategy(DecodingStrategy.BASE64URL))
        .data("auto-std", RemoteRef.of("enc", "std").withDecodingStrategy(DecodingStrategy.AUTO))
        .data("auto-url", RemoteRef.of("enc", "url").withDecodingStrategy(DecodingStrategy.AUTO))
        .data("auto-plain", RemoteRef.of("enc", "plain").withDecodingStrategy(DecodingStrategy.AUTO))
        .data("none", RemoteRef.of("enc", "std").withDecodingStrategy(DecodingStrategy.NONE))
        .build());

    assertTrue(result.ready(), result.toString());
    SecretData data = data("dec");
    assertEquals(raw, data.getString("std").orElseThrow());
    assertEquals(raw, data.getString("url").orElseThrow());
    assertEquals(raw, data.getString("auto-std").orElseThrow());
    assertEquals(raw, data.getString("auto-url").orElseThrow());
    assertEquals("not base64!", data.getString("auto-plain").orElseThrow(), "Auto keeps a value that is not base64");
    assertEquals(b64(raw), data.getString("none").orElseThrow());
  }

  @Test
  void base64OnAValueThatIsNotBase64FailsAndWritesNothing() {
    fx.vault.put("enc", Map.of("plain", "not base64!"));

    SyncResult result = fx.engine.sync(es("bad")
        .data("v", RemoteRef.of("enc", "plain").withDecodingStrategy(DecodingStrategy.BASE64)).build());

    assertEquals(Outcome.FAILED, result.outcome());
    assertEquals("could not get secret data from provider", result.message());
    InvalidSecretDataException e = assertInstanceOf(InvalidSecretDataException.class, result.error().orElseThrow());
    assertEquals("spec.data[0].remoteRef", e.field());
    assertTrue(e.getMessage().contains("the value for key \"v\" is not valid Base64"), e.getMessage());
    assertEquals(List.of(), fx.writer.writes());
  }

  @Test
  void decodingStrategyOfAnExtractAppliesToEveryValue() {
    fx.vault.put("enc", Map.of("a", b64("A"), "b", b64("B")));

    fx.engine.sync(es("ext").dataFrom(DataFromSource.extract(RemoteRef.of("enc")
        .withDecodingStrategy(DecodingStrategy.BASE64), List.of())).build());

    assertEquals("A", data("ext").getString("a").orElseThrow());
    assertEquals("B", data("ext").getString("b").orElseThrow());
  }

  @Test
  void extractKeepsNumberTextAndWritesNestedObjectsAsJson() {
    fx.vault.putJson("typed", "{\"ratio\":1.0,\"big\":12345678901234567890,\"on\":true,\"nil\":null,"
        + "\"o\":{\"y\":\"<&>\",\"x\":1e5}}");

    fx.engine.sync(es("typed").dataFrom(DataFromSource.extract(RemoteRef.of("typed"), List.of())).build());

    SecretData data = data("typed");
    assertEquals("1.0", data.getString("ratio").orElseThrow());
    assertEquals("12345678901234567890", data.getString("big").orElseThrow());
    assertEquals("true", data.getString("on").orElseThrow());
    assertEquals("", data.getString("nil").orElseThrow());
    assertEquals("{\"x\":1e5,\"y\":\"<&>\"}", data.getString("o").orElseThrow());
  }

  @Test
  void extractOfANestedPropertyFlattensOneLevel() {
    fx.vault.putJson("db", "{\"prod\":{\"user\":\"u\",\"port\":5432},\"dev\":{\"user\":\"d\"}}");

    fx.engine.sync(es("nested").dataFrom(DataFromSource.extract(RemoteRef.of("db", "prod"), List.of())).build());

    assertEquals(List.of("port", "user"), List.copyOf(data("nested").keys()));
    assertEquals("5432", data("nested").getString("port").orElseThrow());
  }

  @Test
  void wholeSecretAsOneValueIsSortedCompactJsonWithoutHtmlEscaping() {
    fx.vault.putJson("s", "{\"z\": \"a<b>&c\", \"a\": 1.50}");

    fx.engine.sync(es("whole").data("json", RemoteRef.of("s")).build());

    assertEquals("{\"a\":1.50,\"z\":\"a<b>&c\"}", data("whole").getString("json").orElseThrow());
  }

  @Test
  void metadataPolicyFetchReadsCustomMetadata() {
    fx.vault.put("k", Map.of("p", "v"));
    fx.vault.setCustomMetadata("k", Map.of("owner", "team-a"));

    fx.engine.sync(es("meta").data("owner", RemoteRef.of("k", "owner").withMetadataPolicy(MetadataPolicy.FETCH))
        .build());

    assertEquals("team-a", data("meta").getString("owner").orElseThrow());
  }

  @Test
  void rewriteRegexpUsesGoReplacementSyntaxInOrder() {
    fx.vault.put("db", Map.of("username", "u", "password", "p"));

    fx.engine.sync(es("rw").dataFrom(DataFromSource.extract(RemoteRef.of("db"), List.of(
        new Rewrite.Regexp("^(?P<word>.*)$", "db_${word}"),
        new Rewrite.Regexp("^db_(pass)word$", "${1}"))))
        .build());

    assertEquals(List.of("db_username", "pass"), List.copyOf(data("rw").keys()));
  }

  @Test
  void anInvalidRewriteRegexpNamesItsField() {
    fx.vault.put("db", Map.of("username", "u"));

    SyncResult result = fx.engine.sync(es("rw").dataFrom(DataFromSource.extract(RemoteRef.of("db"),
        List.of(new Rewrite.Regexp("(unclosed", "x")))).build());

    InvalidConfigException e = assertInstanceOf(InvalidConfigException.class, result.error().orElseThrow());
    assertEquals("spec.dataFrom[0].rewrite[0].regexp.source", e.field());
  }

  @Test
  void findNamesKeysAfterTheirPathWithSlashesConverted() {
    fx.vault.put("dev/config", Map.of("a", "1"));
    fx.vault.put("dev/db", Map.of("b", "2"));
    fx.vault.put("prod/config", Map.of("c", "3"));

    fx.engine.sync(es("find").dataFrom(DataFromSource.find(FindRef.byName(Optional.empty(), "^dev/"), List.of()))
        .build());

    SecretData data = data("find");
    assertEquals(List.of("dev_config", "dev_db"), List.copyOf(data.keys()));
    assertEquals("{\"a\":\"1\"}", data.getString("dev_config").orElseThrow());
  }

  @Test
  void findUnderAPathKeepsTheFullRelativePathAsEsoDoes() {
    fx.vault.put("path/1", Map.of("a", "1"));
    fx.vault.put("other/2", Map.of("a", "2"));

    fx.engine.sync(es("path").dataFrom(DataFromSource.find(FindRef.byName(Optional.of("path"), "."), List.of()))
        .build());

    assertEquals(List.of("path_1"), List.copyOf(data("path").keys()));
  }

  @Test
  void findByTagsMatchesCustomMetadata() {
    fx.vault.put("a", Map.of("v", "1"));
    fx.vault.put("b", Map.of("v", "2"));
    fx.vault.setCustomMetadata("a", Map.of("env", "prod", "team", "x"));
    fx.vault.setCustomMetadata("b", Map.of("env", "dev"));

    fx.engine.sync(es("tags").dataFrom(DataFromSource.find(FindRef.byTags(Optional.empty(),
        ImmutableMap.of("env", "prod")), List.of())).build());

    assertEquals(List.of("a"), List.copyOf(data("tags").keys()));
  }

  @Test
  void findWithARewriteSkipsTheConversionSoTheRewriteMustMakeValidKeys() {
    fx.vault.put("dev/config", Map.of("a", "1"));
    FindRef find = FindRef.byName(Optional.empty(), "^dev/");

    SyncResult kept = fx.engine.sync(es("kept").dataFrom(DataFromSource.find(find,
        List.of(new Rewrite.Regexp("^dev", "prod")))).build());
    SyncResult rewritten = fx.engine.sync(es("rewritten").dataFrom(DataFromSource.find(find,
        List.of(new Rewrite.Regexp("^dev/(.*)$", "$1")))).build());

    assertEquals(Outcome.FAILED, kept.outcome());
    assertTrue(kept.error().orElseThrow().getMessage().contains("key \"prod/config\" cannot be a Secret key"),
        kept.toString());
    assertEquals(List.of("config"), List.copyOf(data("rewritten").keys()));
  }

  @Test
  void unicodeConversionOfFindKeys() {
    fx.vault.put("dev/config", Map.of("a", "1"));

    fx.engine.sync(es("uni").dataFrom(DataFromSource.find(new FindRef(Optional.empty(), Optional.of("dev"),
        ImmutableMap.of(), ConversionStrategy.UNICODE, DecodingStrategy.NONE, NullBytePolicy.IGNORE), List.of()))
        .build());

    assertEquals(List.of("dev_U002f_config"), List.copyOf(data("uni").keys()));
  }

  @Test
  void invalidTargetKeyFailsAndWritesNothing() {
    fx.vault.put("k", Map.of("ok", "v"));

    SyncResult result = fx.engine.sync(es("badkey").dataFrom(DataFromSource.extract(RemoteRef.of("k"),
        List.of(new Rewrite.Regexp("ok", "not/ok")))).build());

    assertEquals(Outcome.FAILED, result.outcome());
    InvalidSecretDataException e = assertInstanceOf(InvalidSecretDataException.class, result.error().orElseThrow());
    assertEquals("spec.dataFrom[0]", e.field());
    assertTrue(e.getMessage().contains("key \"not/ok\" cannot be a Secret key"), e.getMessage());
    assertEquals(List.of(), fx.writer.writes());
  }

  @Test
  void emptyKeysFromDataFromAreDroppedAsEsoDropsThem() {
    fx.vault.put("k", Map.of("drop-me", "x", "keep", "y"));

    SyncResult result = fx.engine.sync(es("empty-key").dataFrom(DataFromSource.extract(RemoteRef.of("k"),
        List.of(new Rewrite.Regexp("^drop-me$", "")))).build());

    assertTrue(result.ready(), result.toString());
    assertEquals(List.of("keep"), List.copyOf(data("empty-key").keys()));
  }

  @Test
  void oversizeTargetFailsAndWritesNothing() {
    fx.vault.put("big", Map.of("blob", "x".repeat(SyncEngine.MAX_SECRET_BYTES), "more", "y"));

    SyncResult result = fx.engine.sync(es("big").data("blob", RemoteRef.of("big", "blob"))
        .data("more", RemoteRef.of("big", "more")).build());

    assertEquals(Outcome.FAILED, result.outcome());
    assertEquals("could not update secret", result.message());
    InvalidSecretDataException e = assertInstanceOf(InvalidSecretDataException.class, result.error().orElseThrow());
    assertTrue(e.getMessage().contains("values would total 1048577 bytes; Kubernetes allows at most 1048576"),
        e.getMessage());
    assertTrue(fx.writer.get("apps", "big").isEmpty());
    assertEquals(List.of(), fx.writer.writes());
  }

  @Test
  void mergingIntoASecretCountsItsOtherValuesTowardsTheLimit() {
    fx.writer.seed(new io.secretsync.core.TargetSecret("apps", "merge", "Opaque", ImmutableMap.of(), ImmutableMap.of(),
        com.google.common.collect.ImmutableList.of(), false,
        SecretData.ofStrings(Map.of("theirs", "x".repeat(SyncEngine.MAX_SECRET_BYTES - 1))), ""));
    fx.vault.put("k", Map.of("p", "ab"));
    fx.writer.clearCalls();

    SyncResult result = fx.engine.sync(es("merge").target(io.secretsync.core.model.Target.defaults().withPolicies(
        io.secretsync.core.model.CreationPolicy.MERGE, io.secretsync.core.model.DeletionPolicy.RETAIN))
        .data("p", RemoteRef.of("k", "p")).build());

    assertEquals("could not update secret", result.message());
    assertTrue(result.error().orElseThrow().getMessage().contains("would total 1048577 bytes"), result.toString());
    assertEquals(List.of(), fx.writer.writes());
  }

  @Test
  void exactlyOneMebibyteOfValuesIsAllowedAsTheApiServerCountsOnlyValues() {
    fx.vault.put("big", Map.of("blob", "x".repeat(SyncEngine.MAX_SECRET_BYTES)));

    SyncResult result = fx.engine.sync(es("limit").data("blob", RemoteRef.of("big", "blob")).build());

    assertEquals(Outcome.CREATED, result.outcome(), result.toString());
  }

  @Test
  void nullBytePolicyFailRejectsANulInADecodedValue() {
    fx.vault.put("bin", Map.of("v", Base64.getEncoder().encodeToString(new byte[] {'a', 0, 'b'})));
    RemoteRef ref = RemoteRef.of("bin", "v").withDecodingStrategy(DecodingStrategy.BASE64);

    SyncResult failing = fx.engine.sync(es("nul-fail").data("v", ref.withNullBytePolicy(NullBytePolicy.FAIL)).build());
    SyncResult ignoring = fx.engine.sync(es("nul-ok").data("v", ref).build());

    assertEquals(Outcome.FAILED, failing.outcome());
    assertEquals("spec.data[0].remoteRef: fetched secret value for key \"v\" contains null bytes",
        failing.error().orElseThrow().getMessage());
    assertTrue(fx.writer.get("apps", "nul-fail").isEmpty());
    assertArrayEquals(new byte[] {'a', 0, 'b'}, data("nul-ok").get("v").orElseThrow());
  }

  @Test
  void nullBytePolicyFailOnAFind() {
    fx.vault.put("dev/a", Map.of("v", "ok"));
    FindRef find = new FindRef(Optional.empty(), Optional.of("dev"), ImmutableMap.of(), ConversionStrategy.DEFAULT,
        DecodingStrategy.NONE, NullBytePolicy.FAIL);

    SyncResult result = fx.engine.sync(es("find-nul").dataFrom(DataFromSource.find(find, List.of())).build());

    assertTrue(result.ready(), "JSON text holds no NUL byte: " + result);
  }
}
