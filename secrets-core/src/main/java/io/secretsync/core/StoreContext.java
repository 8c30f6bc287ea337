package io.secretsync.core;

import static java.util.Objects.requireNonNull;

import java.time.Clock;

/** What a provider may use besides its settings: the platform (Kubernetes objects) and the clock. */
public record StoreContext(PlatformAccess platform, Clock clock) {

  public StoreContext {
    requireNonNull(platform, "platform");
    requireNonNull(clock, "clock");
  }

  /** No platform: a provider that asks for a ConfigMap, Secret or token gets a clear error. */
  public static StoreContext standalone() {
    return new StoreContext(PlatformAccess.none(), Clock.systemUTC());
  }
}
