package io.secretsync.kubernetes;

import static io.secretsync.kubernetes.ControllerCluster.await;
import static io.secretsync.kubernetes.ControllerCluster.externalSecret;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsync.core.SyncEngine;
import io.secretsync.vault.VaultStoreProvider;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 7, item 5: a managed Secret deleted by hand is recreated, one edited by hand (data or ESO's
 * metadata) is restored, for creationPolicy Owner and Merge; for Orphan nothing is touched. Against
 * FakeKubernetes and FakeVault, with the controller's own watches.
 */
class ManagedSecretRepairTest {
  private static ControllerCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new ControllerCluster();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static String secretPath(String ns, String name) {
    return "/api/v1/namespaces/" + ns + "/secrets/" + name;
  }

  private static void editPassword(String ns, String name, String value) {
    String b64 = Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    cluster.kube.call("PATCH", secretPath(ns, name), "{\"data\":{\"password\":\"" + b64 + "\"}}", false);
  }

  private static JsonNode secret(String ns, String name) {
    return cluster.kube.get("v1", "Secret", ns, name).orElseThrow();
  }

  @Test
  void ownerTargetsAreRecreatedAndRestoredWhileOrphanTargetsAreLeftAlone() {
    String ns = "repair";
    cluster.kube.createNamespace(ns);
    cluster.putPassword(ns, "owned", "pw-owned");
    cluster.putPassword(ns, "orphan", "pw-orphan");
    cluster.kube.apply(externalSecret(ns, "owned", "1h", "Owner"));
    cluster.kube.apply(externalSecret(ns, "orphan", "1h", "Orphan"));
    SyncCounter counter = new SyncCounter();
    // one worker: syncs run in the order they were asked for
    try (KubernetesController controller = KubernetesController.builder(cluster.client).namespace(ns).workers(1)
        .provider(new VaultStoreProvider()).listener(counter).build()) {
      controller.start();
      await("both targets exist", () -> cluster.password(ns, "owned-creds").isPresent()
          && cluster.password(ns, "orphan-creds").isPresent());
      await("both synced once", () -> counter.syncs(ns, "owned") == 1 && counter.syncs(ns, "orphan") == 1);

      // deleted by hand: recreated
      assertTrue(cluster.kube.delete("v1", "Secret", ns, "owned-creds"));
      await("the deleted Owner target is recreated",
          () -> cluster.password(ns, "owned-creds").equals(Optional.of("pw-owned")));

      // data edited by hand: restored
      editPassword(ns, "owned-creds", "tampered");
      await("the edited Owner target is restored",
          () -> cluster.password(ns, "owned-creds").equals(Optional.of("pw-owned")));

      // ESO's label removed by hand: the Secret leaves the watch's selection and is restored
      cluster.kube.call("PATCH", secretPath(ns, "owned-creds"),
          "{\"metadata\":{\"labels\":{\"" + SyncEngine.LABEL_MANAGED + "\":null}}}", false);
      await("the managed label is put back", () -> "true".equals(
          secret(ns, "owned-creds").path("metadata").path("labels").path(SyncEngine.LABEL_MANAGED).asText()));

      // the data-hash annotation removed by hand: restored
      cluster.kube.call("PATCH", secretPath(ns, "owned-creds"),
          "{\"metadata\":{\"annotations\":{\"" + SyncEngine.ANNOTATION_DATA_HASH + "\":null}}}", false);
      await("the data-hash annotation is put back", () -> secret(ns, "owned-creds").path("metadata")
          .path("annotations").has(SyncEngine.ANNOTATION_DATA_HASH));
      await("one initial sync and one repair per change", () -> counter.syncs(ns, "owned") == 5);

      // Orphan: edited and deleted by hand, then an Owner change behind them in the same watch and queue
      editPassword(ns, "orphan-creds", "mine-now");
      assertTrue(cluster.kube.delete("v1", "Secret", ns, "orphan-creds"));
      editPassword(ns, "owned-creds", "tampered-again");
      await("the Owner target behind them is restored",
          () -> cluster.password(ns, "owned-creds").equals(Optional.of("pw-owned")));
      assertEquals(Optional.empty(), cluster.password(ns, "orphan-creds"), "the Orphan target is not recreated");
      assertEquals(1, counter.syncs(ns, "orphan"), "the Orphan ExternalSecret was not synced again");
    }
  }

  @Test
  void mergeTargetsHaveTheirManagedKeysRestoredAndOtherKeysKept() {
    String ns = "repair-merge";
    cluster.kube.createNamespace(ns);
    cluster.putPassword(ns, "app", "pw-app");
    cluster.kube.apply("apiVersion: v1\nkind: Secret\nmetadata: {name: app-creds, namespace: " + ns + "}\n"
        + "stringData: {other: kept}\n");
    cluster.kube.apply(externalSecret(ns, "app", "1h", "Merge"));
    try (KubernetesController controller = KubernetesController.builder(cluster.client).namespace(ns)
        .provider(new VaultStoreProvider()).build()) {
      controller.start();
      await("the key is merged in", () -> cluster.password(ns, "app-creds").equals(Optional.of("pw-app")));

      editPassword(ns, "app-creds", "tampered");
      await("the merged key is restored", () -> cluster.password(ns, "app-creds").equals(Optional.of("pw-app")));
      assertEquals("kept", new String(cluster.kube.secretData(ns, "app-creds").orElseThrow().get("other"),
          StandardCharsets.UTF_8));
      assertFalse(secret(ns, "app-creds").path("metadata").has("ownerReferences"));
    }
  }

  @Test
  void aRepairReadsTheEditedSecretFromTheWatchNotFromTheServer() {
    String ns = "repair-cached";
    cluster.kube.createNamespace(ns);
    cluster.putPassword(ns, "app", "pw-app");
    cluster.kube.apply(externalSecret(ns, "app", "1h", "Owner"));
    SyncCounter counter = new SyncCounter();
    try (KubernetesController controller = KubernetesController.builder(cluster.client).namespace(ns).workers(1)
        .provider(new VaultStoreProvider()).listener(counter).build()) {
      controller.start();
      await("the target exists", () -> cluster.password(ns, "app-creds").isPresent());
      await("synced once", () -> counter.syncs(ns, "app") == 1);
      cluster.kube.auditLog().clear();

      editPassword(ns, "app-creds", "tampered");
      await("the edited target is restored", () -> cluster.password(ns, "app-creds").equals(Optional.of("pw-app")));
      await("one repair", () -> counter.syncs(ns, "app") == 2);

      assertEquals(0, cluster.kube.auditLog().count("GET", secretPath(ns, "app-creds")),
          "the writer read the Secret from the controller's watch: " + cluster.kube.auditLog().entries());
      assertEquals(1, cluster.kube.auditLog().count("PUT", secretPath(ns, "app-creds")));
    }
  }
}
