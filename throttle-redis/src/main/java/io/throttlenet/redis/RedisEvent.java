package io.throttlenet.redis;

import io.throttlenet.core.Event;
import java.time.Duration;
import java.util.Objects;

/**
 * Events published by the Redis-backed limiters when they switch between Redis and their {@link
 * OutagePolicy}; built only when somebody listens. Immutable records.
 */
public sealed interface RedisEvent extends Event permits RedisEvent.Unavailable, RedisEvent.Recovered {

  /**
   * Redis did not answer within the timeout (or refused the command), so the limiter now applies
   * its outage policy.
   *
   * @param component the limiter's name
   * @param policy the policy now applied
   * @param cause what went wrong, for logs
   */
  record Unavailable(String component, OutagePolicy policy, String cause) implements RedisEvent {
    public Unavailable {
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(policy, "policy");
      Objects.requireNonNull(cause, "cause");
    }
  }

  /**
   * Redis answered again; the limiter is back on the shared budget.
   *
   * @param component the limiter's name
   * @param downtime how long the policy was applied
   */
  record Recovered(String component, Duration downtime) implements RedisEvent {
    public Recovered {
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(downtime, "downtime");
    }
  }
}
