package io.secretsync.cli;

import io.secretsync.core.SyncResult;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.GoDuration;
import io.secretsync.core.model.RefreshPolicy;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code sync -f}: syncs the ExternalSecrets read from files, once ({@link #pass()}) or until
 * stopped ({@link #untilStopped}): each ExternalSecret again after its {@code refreshInterval}
 * (refreshPolicy Periodic; CreatedOnce, OnChange and interval 0 sync once), a failed one again after
 * a backoff of 5 s doubling up to 5 min or its interval, whichever is shorter. A long run prints a
 * progress line per pass in text mode. Not thread-safe: one run per command.
 */
final class FileRun {
  static final Duration FIRST_RETRY = Duration.ofSeconds(5);
  static final Duration MAX_RETRY = Duration.ofMinutes(5);

  private final ClusterSync sync;
  private final List<ExternalSecret> externalSecrets;
  private final SyncCommand.Output format;
  private final boolean dryRun;
  private final Clock clock;
  private final PrintWriter out;
  private final SyncOutput output;

  FileRun(ClusterSync sync, List<ExternalSecret> externalSecrets, SyncCommand.Output format, boolean dryRun,
      Clock clock, PrintWriter out, PrintWriter err) {
    this.sync = sync;
    this.externalSecrets = List.copyOf(externalSecrets);
    this.format = format;
    this.dryRun = dryRun;
    this.clock = clock;
    this.out = out;
    this.output = new SyncOutput(format, dryRun, out, err);
  }

  /** Syncs (or dry-runs) every ExternalSecret once; 0 when none failed, else 1. */
  int pass() {
    List<SyncResult> results = syncAll(externalSecrets);
    output.print(results);
    return results.stream().anyMatch(SyncResult::failed) ? 1 : 0;
  }

  /**
   * Passes until nothing is due any more (then the last pass's status) or the sleeper is
   * interrupted (then the last pass's status too).
   */
  int untilStopped(SyncCommand.Sleeper sleeper) {
    Map<ExternalSecret, Instant> due = new LinkedHashMap<>();
    Map<ExternalSecret, Integer> failures = new LinkedHashMap<>();
    Instant start = clock.instant();
    externalSecrets.forEach(es -> due.put(es, start));
    int pass = 0;
    int status = 0;
    while (!due.isEmpty()) {
      Instant now = clock.instant();
      List<ExternalSecret> dueNow = due.entrySet().stream().filter(e -> !e.getValue().isAfter(now))
          .map(Map.Entry::getKey).toList();
      if (!dueNow.isEmpty()) {
        pass++;
        List<SyncResult> results = syncAll(dueNow);
        output.print(results);
        int written = 0;
        int failed = 0;
        for (int i = 0; i < results.size(); i++) {
          ExternalSecret es = dueNow.get(i);
          SyncResult r = results.get(i);
          if (r.failed()) {
            failed++;
            int n = failures.merge(es, 1, Integer::sum);
            due.put(es, now.plus(retryAfter(es, n)));
          } else {
            failures.remove(es);
            if (r.outcome() == SyncResult.Outcome.CREATED || r.outcome() == SyncResult.Outcome.UPDATED
                || r.outcome() == SyncResult.Outcome.DELETED) {
              written++;
            }
            Duration interval = es.spec().refreshInterval();
            if (es.spec().refreshPolicy() == RefreshPolicy.PERIODIC && !interval.isZero()) {
              due.put(es, now.plus(interval));
            } else {
              due.remove(es);
            }
          }
        }
        status = failed > 0 ? 1 : 0;
        if (format == SyncCommand.Output.text) {
          out.println(progress(pass, now, results.size(), written, failed, next(due)
              .map(n -> "next pass in " + GoDuration.format(Duration.between(now, n).isNegative() ? Duration.ZERO
                  : Duration.between(now, n)))
              .orElse("nothing left to refresh")));
          out.flush();
        }
      }
      Optional<Instant> next = next(due);
      if (next.isEmpty()) {
        break;
      }
      long millis = Math.max(0, Duration.between(clock.instant(), next.get()).toMillis());
      try {
        sleeper.sleep(millis);
      } catch (InterruptedException e) {
        break; // stopped: the command ends with this run (the flag stays clear so the Lease can be released)
      }
    }
    return status;
  }

  /** {@code pass N at T: X ExternalSecrets, Y Secrets written, Z failed; <what next>}. */
  static String progress(int pass, Instant at, int synced, int written, int failed, String next) {
    return "pass " + pass + " at " + at.truncatedTo(ChronoUnit.SECONDS) + ": " + synced
        + " ExternalSecret" + (synced == 1 ? "" : "s") + ", " + written + " Secret" + (written == 1 ? "" : "s")
        + " written, " + failed + " failed; " + next;
  }

  private static Duration retryAfter(ExternalSecret es, int failures) {
    Duration backoff = FIRST_RETRY.multipliedBy(1L << Math.min(failures - 1, 16));
    Duration cap = MAX_RETRY;
    Duration interval = es.spec().refreshInterval();
    if (!interval.isZero() && interval.compareTo(cap) < 0) {
      cap = interval;
    }
    return backoff.compareTo(cap) > 0 ? cap : backoff;
  }

  private static Optional<Instant> next(Map<ExternalSecret, Instant> due) {
    return due.values().stream().min(Instant::compareTo);
  }

  private List<SyncResult> syncAll(List<ExternalSecret> list) {
    List<SyncResult> results = new ArrayList<>();
    for (ExternalSecret es : list) {
      results.add(dryRun ? sync.engine().dryRun(es) : sync.engine().sync(es));
    }
    return results;
  }
}
