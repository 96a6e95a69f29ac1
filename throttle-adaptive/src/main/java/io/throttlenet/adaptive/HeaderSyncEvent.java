package io.throttlenet.adaptive;

import io.throttlenet.core.Event;
import java.time.Duration;
import java.util.Objects;

/** Events published by a {@link HeaderSync}; built only when somebody listens. */
public sealed interface HeaderSyncEvent extends Event
    permits HeaderSyncEvent.Paused, HeaderSyncEvent.LimitMismatch, HeaderSyncEvent.OtherConsumers {

  /**
   * The server asked for a pause (a retry hint, or a budget used up until its reset), and every
   * caller of the limiter is held for {@code pause}.
   *
   * @param component the sync's name
   * @param dimension the local dimension paused, or {@code "*"} for all of them
   * @param pause how long, from when the response was handled
   */
  record Paused(String component, String dimension, Duration pause) implements HeaderSyncEvent {
    public Paused {
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(dimension, "dimension");
      Objects.requireNonNull(pause, "pause");
    }
  }

  /**
   * The server reported a limit that differs from what the local limiter was configured with
   * (times the fleet size); published when the server's value changes.
   *
   * @param component the sync's name
   * @param dimension the local dimension
   * @param serverLimit the limit the server reported
   * @param expectedLimit the local capacity times the fleet size
   * @param adopted whether the local rate was changed to follow the server
   */
  record LimitMismatch(
      String component, String dimension, long serverLimit, long expectedLimit, boolean adopted)
      implements HeaderSyncEvent {
    public LimitMismatch {
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(dimension, "dimension");
    }
  }

  /**
   * The server counts more spent than this client spent in the last window: somebody else uses
   * the same budget (another instance, another program on the same key). Published at most once
   * per window and dimension while it lasts.
   *
   * @param component the sync's name
   * @param dimension the local dimension
   * @param estimatedCost what the others spent in the window, estimated as the server's count less
   *     this client's (an underestimate when this client's calls are slow)
   * @param window the window the estimate covers
   */
  record OtherConsumers(String component, String dimension, long estimatedCost, Duration window)
      implements HeaderSyncEvent {
    public OtherConsumers {
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(dimension, "dimension");
      Objects.requireNonNull(window, "window");
    }
  }
}
