package io.secretsync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code secrets-sync demo} end to end on the in-process sandbox (issue 8, item 1). */
class DemoCommandTest {

  private static final String[] VALUES = {
      "demo-4f1c9a2e7b", "demo-rotated-8c0d51", "demo-whsec-93b1", "demo-session-5d2e", "API_KEY=",
      "\"queue\"", "session_secret", "eyJ"};

  @Test
  void demoRunsTheWalkthroughSyncsRotatesDiagnosesAndNeverPrintsAValue() {
    CommandLine cli = SecretsSyncCommand.newCommandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));

    int exit = cli.execute("demo");

    String text = out.toString();
    assertEquals(0, exit, text + err);
    // the walkthrough's commands, in its order
    int kvPut = text.indexOf("$ vault kv put secret/example-api/env-file dotenv=@.env");
    int authEnable = text.indexOf("$ vault auth enable kubernetes");
    int config = text.indexOf("$ vault write auth/kubernetes/config kubernetes_host=\"https://127.0.0.1:");
    int policy = text.indexOf("$ vault policy write example-api - <<'EOF'\npath \"secret/data/example-api/*\"");
    int role = text.indexOf("$ vault write auth/kubernetes/role/external-secrets-example-admin");
    int configMap = text.indexOf("$ kubectl -n external-secrets create configmap vault-ca");
    int store = text.indexOf("clustersecretstore.external-secrets.io/vault-example-worker created");
    int es = text.indexOf("externalsecret.external-secrets.io/example-admin-config-file created");
    assertTrue(0 < kvPut && kvPut < authEnable && authEnable < config && config < policy && policy < role
        && role < configMap && configMap < store && store < es, text);
    assertTrue(text.contains("$ kubectl create clusterrolebinding vault-auth-tokenreview"), text);
    assertTrue(text.contains("$ kubectl apply -f vault-auth-token.yaml\nsecret/vault-auth-token created"), text);
    // the first sync creates the three Secrets, shown by keys, sizes and hash prefixes
    for (String app : new String[] {"example-api/example-api-env-file", "example-worker/example-worker-config-file",
        "example-admin/example-admin-config-file"}) {
      assertTrue(text.contains(app + ": synced -> Secret " + app + " (created)"), text);
      assertTrue(text.contains(app + ": synced -> Secret " + app + " (unchanged)"), text);
    }
    assertTrue(text.contains("    .env: " + SandboxWalkthrough.DOTENV.length() + " bytes"), text);
    assertTrue(text.contains("    config.json: " + SandboxWalkthrough.CONFIG_JSON.length() + " bytes"), text);
    assertTrue(text.contains("    config.yml: " + SandboxWalkthrough.CONFIG_YML.length() + " bytes"), text);
    assertTrue(text.matches("(?s).*  secret example-api/example-api-env-file type=Opaque data-hash=[0-9a-f]{12}\n.*"),
        text);
    // the rotation is picked up by the refresh, with a new hash
    assertTrue(text.contains("example-api/example-api-env-file: synced -> Secret example-api/example-api-env-file "
        + "(updated)"), text);
    assertTrue(text.contains("    .env: " + SandboxWalkthrough.DOTENV_ROTATED.length() + " bytes"), text);
    java.util.regex.Matcher hashes = java.util.regex.Pattern
        .compile("secret example-api/example-api-env-file type=Opaque data-hash=([0-9a-f]{12})").matcher(text);
    assertTrue(hashes.find(), text);
    String before = hashes.group(1);
    assertTrue(hashes.find(), text);
    assertFalse(before.equals(hashes.group(1)), "the rotated Secret has a new hash");
    // the broken policy: the sync fails, the diagnosis names issue 5
    assertTrue(text.contains("$ vault policy write example-api - <<'EOF'\npath \"secret/example-api/*\""), text);
    assertTrue(text.contains("example-api/example-api-env-file: failed: SecretSyncedError"), text);
    assertTrue(text.contains("ExternalSecret example-api/example-api-env-file\n  FAILED  .env <- example-api/env-file "
        + "property dotenv: GET secret/data/example-api/env-file: permission denied"), text);
    assertTrue(text.contains("=> issue 5: The Vault policy path uses the wrong KV v2 path"), text);
    assertTrue(text.contains("found issue 5: The Vault policy path uses the wrong KV v2 path"), text);
    assertTrue(text.contains("demo complete"), text);
    for (String value : VALUES) {
      assertFalse(text.contains(value), "a value leaked: " + value);
      assertFalse(err.toString().contains(value), "a value leaked: " + value);
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
