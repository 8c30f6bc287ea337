package io.secretsync.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsync.core.SyncResult;
import io.secretsync.core.controller.Condition;
import io.secretsync.core.manifest.ManifestException;
import java.time.Clock;
import io.secretsync.core.controller.ExternalSecretStatus;
import io.secretsync.core.controller.StatusSink;
import io.secretsync.core.controller.StoreStatus;
import io.secretsync.core.model.ExternalSecret;
import io.secretsync.core.model.SecretStoreResource;
import io.secretsync.core.model.StoreKind;
import io.secretsync.kubernetes.KubernetesClient.ResourceType;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes status to the {@code status} subresource of ExternalSecrets, SecretStores and
 * ClusterSecretStores with a JSON merge patch of the whole {@code status} (see {@link StatusJson}
 * for the shape). An object deleted in the meantime is skipped; other failures are thrown, so that
 * the controller offers the status again. Thread-safe.
 */
final class KubernetesStatusSink implements StatusSink {
  private static final Logger log = LoggerFactory.getLogger(KubernetesStatusSink.class);
  static final String FIELD_MANAGER = "external-secrets";

  private final KubernetesClient client;

  KubernetesStatusSink(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public void externalSecretStatus(ExternalSecret es, ExternalSecretStatus status) {
    writeExternalSecret(es.metadata().namespace(), es.metadata().name(), StatusJson.externalSecret(status));
  }

  void writeExternalSecret(String namespace, String name, ObjectNode status) {
    write(ResourceType.EXTERNAL_SECRETS, namespace, name, status);
  }

  void writeStore(StoreKind kind, String namespace, String name, ObjectNode status) {
    write(kind == StoreKind.CLUSTER_SECRET_STORE ? ResourceType.CLUSTER_SECRET_STORES : ResourceType.SECRET_STORES,
        namespace, name, status);
  }

  @Override
  public void storeStatus(SecretStoreResource store, StoreStatus status) {
    // ESO's Vault provider reports ReadWrite; other providers' capabilities are not known here.
    Optional<String> capabilities = store.provider().name().equals("vault") ? Optional.of("ReadWrite") : Optional.empty();
    writeStore(store.kind(), store.metadata().namespace(), store.metadata().name(),
        StatusJson.store(status, capabilities));
  }

  private void write(ResourceType type, String namespace, String name, ObjectNode status) {
    ObjectNode patch = ApiTransport.object();
    patch.set("status", status);
    try {
      client.patchStatus(type, namespace, name, patch, FIELD_MANAGER);
    } catch (KubernetesApiException e) {
      if (e.isNotFound()) {
        log.debug("status of {} {}/{} not written: it no longer exists", type.plural(), namespace, name);
        return;
      }
      throw e;
    }
  }

  /**
   * Sets Ready=False SecretSyncedError "invalid ExternalSecret: <problem>" on an ExternalSecret that
   * cannot be read, keeping the rest of its status; nothing is written when it already says so (the
   * write must not feed back through the watch). Failures are logged.
   */
  void reportInvalidExternalSecret(JsonNode object, String namespace, String name, ManifestException problem,
      Clock clock) {
    String message = SyncResult.MESSAGE_INVALID + ": " + problem.getMessage();
    if (readyConditionIs(object, SyncResult.REASON_ERROR, message)) {
      return;
    }
    Optional<ExternalSecretStatus> before = StatusJson.readExternalSecret(object);
    ExternalSecretStatus status = new ExternalSecretStatus(
        Optional.of(Condition.ready(false, SyncResult.REASON_ERROR, message, clock.instant())),
        before.flatMap(ExternalSecretStatus::refreshTime),
        before.map(ExternalSecretStatus::syncedResourceVersion).orElse(""),
        before.map(ExternalSecretStatus::bindingName).orElse(""));
    try {
      writeExternalSecret(namespace, name, StatusJson.externalSecret(status));
    } catch (RuntimeException failure) {
      log.warn("status of ExternalSecret {}/{} not written: {}", namespace, name, failure.toString());
    }
  }

  /** As {@link #reportInvalidExternalSecret} for a store: Ready=False InvalidProviderConfig "invalid store: <problem>". */
  void reportInvalidStore(JsonNode object, StoreKind kind, String namespace, String name, ManifestException problem,
      Clock clock) {
    String message = "invalid store: " + problem.getMessage();
    if (readyConditionIs(object, StoreStatus.REASON_INVALID_PROVIDER_CONFIG, message)) {
      return;
    }
    StoreStatus status = new StoreStatus(Condition.ready(false, StoreStatus.REASON_INVALID_PROVIDER_CONFIG, message,
        clock.instant()));
    try {
      writeStore(kind, namespace, name, StatusJson.store(status, Optional.empty()));
    } catch (RuntimeException failure) {
      log.warn("status of {} {} not written: {}", kind.wireName(), name, failure.toString());
    }
  }

  private static boolean readyConditionIs(JsonNode object, String reason, String message) {
    for (JsonNode c : object.path("status").path("conditions")) {
      if (Condition.READY.equals(c.path("type").asText()) && "False".equals(c.path("status").asText())
          && reason.equals(c.path("reason").asText()) && message.equals(c.path("message").asText())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "KubernetesStatusSink";
  }
}
