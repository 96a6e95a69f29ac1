package io.throttlenet.breaker;

import io.throttlenet.core.Event;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** Events published by a {@link CircuitBreaker}; built only when somebody listens. */
public sealed interface BreakerEvent extends Event
    permits BreakerEvent.StateTransition,
        BreakerEvent.CallNotPermitted,
        BreakerEvent.Success,
        BreakerEvent.Failure,
        BreakerEvent.SlowCall {

  /**
   * The breaker moved from {@code from} to {@code to}.
   *
   * @param component the breaker's name
   * @param from the previous state
   * @param to the new state
   * @param reason why, in words (the trip condition, "cooldown elapsed", "probe failed", ...)
   */
  record StateTransition(String component, BreakerState from, BreakerState to, String reason)
      implements BreakerEvent {
    public StateTransition {
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * A call was rejected.
   *
   * @param component the breaker's name
   * @param state the state that rejected it
   * @param retryAfter the rest of the cooldown, when known
   */
  record CallNotPermitted(String component, BreakerState state, Optional<Duration> retryAfter)
      implements BreakerEvent {
    public CallNotPermitted {
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(retryAfter, "retryAfter");
    }
  }

  /**
   * A call succeeded.
   *
   * @param component the breaker's name
   * @param duration how long it took
   */
  record Success(String component, Duration duration) implements BreakerEvent {
    public Success {
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(duration, "duration");
    }
  }

  /**
   * A call failed (or its permit was closed without a report).
   *
   * @param component the breaker's name
   * @param duration how long it took
   * @param cause the failure, when there was one
   */
  record Failure(String component, Duration duration, Optional<Throwable> cause) implements BreakerEvent {
    public Failure {
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(duration, "duration");
      Objects.requireNonNull(cause, "cause");
    }
  }

  /**
   * A call took longer than a slow-call trip's threshold.
   *
   * @param component the breaker's name
   * @param duration how long it took
   */
  record SlowCall(String component, Duration duration) implements BreakerEvent {
    public SlowCall {
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(duration, "duration");
    }
  }
}
