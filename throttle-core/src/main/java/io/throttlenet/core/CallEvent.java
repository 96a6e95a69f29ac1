package io.throttlenet.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Events about calls to the downstream, published once per attempt by a decorated chain (the
 * {@code Decorators} API of throttle-all) under the chain's name: what adaptive controllers and
 * metrics learn the downstream's health from. Built only when somebody listens. Events are
 * immutable values, safe to hand to other threads.
 */
public sealed interface CallEvent extends Event permits CallEvent.Finished {

  /**
   * One attempt at the downstream call ended.
   *
   * @param component the chain's name
   * @param outcome what the attempt says about the downstream's capacity
   * @param latency how long the attempt took
   * @param retryAfter how long the downstream asked callers to wait, if it said
   * @param failure the attempt's exception, if it failed
   */
  record Finished(
      String component, Outcome outcome, Duration latency, Optional<Duration> retryAfter, Optional<Throwable> failure)
      implements CallEvent {
    public Finished {
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(latency, "latency");
      Objects.requireNonNull(retryAfter, "retryAfter");
      Objects.requireNonNull(failure, "failure");
    }
  }
}
