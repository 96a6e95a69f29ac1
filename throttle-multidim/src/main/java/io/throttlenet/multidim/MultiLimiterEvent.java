package io.throttlenet.multidim;

import io.throttlenet.core.Event;
import io.throttlenet.core.LimiterEvent;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Events published by a {@link MultiLimiter}; built only when somebody listens. */
public sealed interface MultiLimiterEvent extends Event
    permits MultiLimiterEvent.Acquired, MultiLimiterEvent.Rejected, MultiLimiterEvent.Settled {

  /**
   * {@code costs} were granted in every dimension after {@code waitTime}.
   *
   * @param component the limiter's name
   * @param costs what was charged
   * @param waitTime how long the caller waited
   */
  record Acquired(String component, Costs costs, Duration waitTime) implements MultiLimiterEvent {
    public Acquired {
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(costs, "costs");
      Objects.requireNonNull(waitTime, "waitTime");
    }
  }

  /**
   * {@code costs} were refused and nothing was charged; {@code dimension} is the one that bound.
   *
   * @param component the limiter's name
   * @param costs what was asked for
   * @param dimension the dimension that could not afford it (or made the wait longest)
   * @param reason why
   * @param retryAfter when it could be granted, or empty if never
   */
  record Rejected(
      String component,
      Costs costs,
      String dimension,
      LimiterEvent.Reason reason,
      Optional<Duration> retryAfter)
      implements MultiLimiterEvent {
    public Rejected {
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(costs, "costs");
      Objects.requireNonNull(dimension, "dimension");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(retryAfter, "retryAfter");
    }
  }

  /**
   * A {@link Reservation} was settled or cancelled: {@code delta} per dimension is what was
   * charged on top of the estimate (positive) or given back (negative).
   *
   * @param component the limiter's name
   * @param delta the correction per dimension
   */
  record Settled(String component, Map<String, Long> delta) implements MultiLimiterEvent {
    public Settled {
      Objects.requireNonNull(component, "component");
      delta = Map.copyOf(delta);
    }
  }
}
