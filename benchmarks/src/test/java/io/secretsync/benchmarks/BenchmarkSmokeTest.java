package io.secretsync.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark at a small size, end to end against the sandbox: the request counts of every pass
 * are exact and asserted; the times are printed by the benchmark and never asserted.
 */
class BenchmarkSmokeTest {
  private static final int N = 40;
  private static final int S = 4;
  private static Report report;

  @BeforeAll
  static void run() throws Exception {
    BenchmarkMain.quietLogging();
    report = new Benchmark(new Benchmark.Options(N, S, List.of("first", "steady", "churn"), 4, 0.10, true, false,
        false), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).run();
  }

  @Test
  void firstPassLogsInOncePerStoreReadsEachDistinctKeyOnceAndCreatesEverySecret() {
    RequestCounts library = report.pass("first").library().requests();
    assertEquals(0, report.pass("first").library().failures());
    assertEquals(vault(S, 2 * N, 0, 0), library.vault());
    assertEquals(Map.of(
        "get secrets", (long) N,              // no Secret is cached yet: the writer reads each before it plans
        "create secrets", (long) N,
        "get configmaps", (long) S,           // each store's CA, once
        "create serviceaccounts/token", (long) S, // each store's TokenRequest for its one login
        "create tokenreviews", (long) S),     // Vault's review of each login
        library.kubernetes());
  }

  @Test
  void steadyPassLogsInNeverWritesNothingAndReadsEachDistinctKeyOnce() {
    RequestCounts library = report.pass("steady").library().requests();
    assertEquals(0, report.pass("steady").library().failures());
    assertEquals(vault(0, 2 * N, 0, 0), library.vault());
    assertEquals(0, library.secretWrites());
    assertEquals(Map.of(), library.kubernetes()); // every Secret is read from the writer's cache
    assertTrue(report.targets().get(0).met(), report.targets().get(0).toString());
  }

  @Test
  void churnPassWritesExactlyTheChangedSecrets() {
    Report.Pass churn = report.pass("churn");
    assertEquals(N / 10, churn.changedSecrets());
    RequestCounts library = churn.library().requests();
    assertEquals(vault(0, 2 * N, 0, 0), library.vault());
    assertEquals(Map.of("update secrets", (long) N / 10), library.kubernetes());
  }

  @Test
  void closeRevokesOneTokenPerStore() {
    assertEquals(vault(0, 0, 0, S), report.close().vault());
    assertEquals(Map.of(), report.close().kubernetes());
  }

  @Test
  void floorIssuesOnlyTheDistinctReadsAndTheNeededWrites() {
    assertEquals(vault(0, 2 * N, 0, 0), report.pass("first").floor().requests().vault());
    assertEquals(Map.of("create secrets", (long) N), report.pass("first").floor().requests().kubernetes());
    assertEquals(Map.of(), report.pass("steady").floor().requests().kubernetes());
    assertEquals(Map.of("update secrets", (long) N / 10), report.pass("churn").floor().requests().kubernetes());
    for (Report.Pass pass : report.passes()) {
      assertEquals(0, pass.floor().failures(), pass.name());
    }
  }

  @Test
  void floorWithGetAddsExactlyOneSecretReadPerSync() {
    assertEquals(Map.of("get secrets", (long) N, "create secrets", (long) N),
        report.pass("first").floorWithGet().requests().kubernetes());
    assertEquals(Map.of("get secrets", (long) N), report.pass("steady").floorWithGet().requests().kubernetes());
    assertEquals(Map.of("get secrets", (long) N, "update secrets", (long) N / 10),
        report.pass("churn").floorWithGet().requests().kubernetes());
    for (Report.Pass pass : report.passes()) {
      assertEquals(vault(0, 2 * N, 0, 0), pass.floorWithGet().requests().vault(), pass.name());
      assertEquals(0, pass.floorWithGet().failures(), pass.name());
    }
  }

  @Test
  void everyPeerLogsInOnceAndReadsEveryKey() {
    List<PeerReads.Result> peers = report.peerResults();
    assertEquals(List.of("secrets-sync", "spring-vault", "vault-java-driver", "vault-java-driver+shared-client"),
        peers.stream().map(PeerReads.Result::contender).toList());
    for (PeerReads.Result peer : peers) {
      assertEquals(0, peer.failures(), peer.contender());
      assertEquals(1, peer.requests().vault("login"), peer.contender());
      assertEquals(2 * N, peer.requests().vault("read"), peer.contender());
    }
  }

  @Test
  void esoCountIsComputedFromItsPerReconcileRule() {
    EsoModel eso = new EsoModel(N, S, 2, 1);
    assertEquals(6L * N, eso.withoutCache().get("total"));
    assertEquals(S + 4L * N, eso.withCache(true).get("total"));
    assertEquals(4L * N, eso.withCache(false).get("total"));
  }

  @Test
  void printsTheTableAndWritesTheJson(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    report.print(new PrintStream(out, true, StandardCharsets.UTF_8));
    String table = out.toString(StandardCharsets.UTF_8);
    for (String expected : List.of("Passes", "Vault requests by kind", "ESO rule:", "Kubernetes requests by verb",
        "Read throughput", "Targets")) {
      assertTrue(table.contains(expected), expected + " missing from\n" + table);
    }
    Path file = dir.resolve("results.json");
    report.writeJson(file);
    JsonNode json = new ObjectMapper().readTree(file.toFile());
    assertEquals(3, json.path("passes").size());
    assertEquals(2 * N, json.path("passes").get(1).path("library").path("vault").path("read").asLong());
    assertEquals(N, json.path("options").path("externalSecrets").asInt());
  }

  private static Map<String, Long> vault(long logins, long reads, long lookups, long revokes) {
    return Map.of("login", logins, "read", reads, "metadata", 0L, "list", 0L, "lookup-self", lookups,
        "renew-self", 0L, "revoke-self", revokes, "other", 0L);
  }
}
