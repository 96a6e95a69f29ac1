package io.throttlenet.queue;

import io.throttlenet.core.Event;
import io.throttlenet.core.Outcome;
import java.time.Duration;
import java.util.Objects;

/** Events published by a {@link ConcurrencyLimit}; built only when somebody listens. */
public sealed interface ConcurrencyEvent extends Event
    permits ConcurrencyEvent.Released, ConcurrencyEvent.Rejected, ConcurrencyEvent.LimitChanged {

  /**
   * A call ended and gave its slot back.
   *
   * @param component the limit's name
   * @param outcome how it ended
   * @param latency how long it held the slot
   * @param inFlight calls still in flight
   * @param limit the limit at that moment
   */
  record Released(String component, Outcome outcome, Duration latency, int inFlight, int limit)
      implements ConcurrencyEvent {
    public Released {
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(latency, "latency");
    }
  }

  /**
   * A caller gave up or was refused without a slot.
   *
   * @param component the limit's name
   * @param limit the limit at that moment
   */
  record Rejected(String component, int limit) implements ConcurrencyEvent {
    public Rejected {
      Objects.requireNonNull(component, "component");
    }
  }

  /**
   * The limit was changed.
   *
   * @param component the limit's name
   * @param from the previous limit
   * @param to the new limit
   */
  record LimitChanged(String component, int from, int to) implements ConcurrencyEvent {
    public LimitChanged {
      Objects.requireNonNull(component, "component");
    }
  }
}
