package io.secretsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {

  @Test
  void demoSyncsTheThreeAppsShowsSizesNotValuesAndExitsZero() {
    CommandLine cli = SecretsSyncCommand.newCommandLine();
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out));

    int exit = cli.execute("demo");

    String text = out.toString();
    assertEquals(0, exit, text);
    assertTrue(text.contains("example-api/example-api-env-file: synced -> Secret example-api/example-api-env-file (created)"),
        text);
    assertTrue(text.contains("example-worker/example-worker-config-file: synced -> Secret "
        + "example-worker/example-worker-config-file (created)"), text);
    assertTrue(text.contains("example-admin/example-admin-config-file: synced -> Secret "
        + "example-admin/example-admin-config-file (created)"), text);
    assertTrue(text.contains("    .env: 77 bytes"), text);
    assertTrue(text.matches("(?s).*  secret example-api/example-api-env-file type=Opaque data-hash=[0-9a-f]{12}\n.*"),
        text);
    assertTrue(text.contains("    config.json: "), text);
    assertTrue(text.contains("    config.yml: "), text);
    assertTrue(text.contains("writes to the cluster: 0"), text);
    assertTrue(text.contains("example-api/example-api-env-file: synced -> Secret example-api/example-api-env-file (updated)"),
        text);
    for (String value : new String[] {"demo-api-token", "rotated-api-token", "demo-session-secret", "jobs"}) {
      assertFalse(text.contains(value), "a value leaked: " + value);
    }
  }

  @Test
  void versionPrintsTheVersion() {
    CommandLine cli = SecretsSyncCommand.newCommandLine();
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out));
    assertEquals(0, cli.execute("--version"));
    assertTrue(out.toString().startsWith("secrets-sync "), out.toString());
  }
}
