package io.throttlenet.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.throttlenet.breaker.BreakerEvent;
import io.throttlenet.breaker.BreakerState;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Subscription;
import io.micrometer.core.instrument.Meter;
import io.throttlenet.breaker.CircuitBreaker;
import java.util.List;

/**
 * Meters for circuit breakers, from their events. The state itself is a gauge the user registers
 * on the breaker ({@link ThrottleMetrics#stateGauge}): events published from different threads may
 * arrive out of order, and a breaker may have moved before metrics were bound.
 */
final class BreakerMeters {
  private BreakerMeters() {}

  private static final class Breaker {
    final Counter[][] transitions = new Counter[BreakerState.values().length][BreakerState.values().length];
    final Counter notPermitted;
    final Timer success;
    final Timer failure;
    final Timer slow;

    Breaker(Meters m, String c) {
      for (BreakerState s : BreakerState.values()) {
        for (BreakerState to : BreakerState.values()) {
          transitions[s.ordinal()][to.ordinal()] =
              m.counter("breaker.transitions", c, "from", Meters.tag(s), "to", Meters.tag(to));
        }
      }
      notPermitted = m.counter("breaker.not_permitted", c);
      success = m.timer("breaker.calls", c, "kind", "success");
      failure = m.timer("breaker.calls", c, "kind", "failure");
      slow = m.timer("breaker.calls", c, "kind", "slow");
    }
  }

  static List<Subscription> bind(EventRegistry events, Meters m) {
    Meters.PerComponent<Breaker> breakers = new Meters.PerComponent<>(c -> new Breaker(m, c));
    return List.of(events.subscribe(BreakerEvent.class, e -> {
      Breaker b = breakers.get(e.component());
      if (e instanceof BreakerEvent.StateTransition t) {
        b.transitions[t.from().ordinal()][t.to().ordinal()].increment();
      } else if (e instanceof BreakerEvent.CallNotPermitted) {
        b.notPermitted.increment();
      } else if (e instanceof BreakerEvent.Success s) {
        b.success.record(s.duration());
      } else if (e instanceof BreakerEvent.Failure f) {
        b.failure.record(f.duration());
      } else if (e instanceof BreakerEvent.SlowCall s) {
        b.slow.record(s.duration());
      }
    }));
  }

  /** {@code breaker.state} for a breaker of a registry. */
  static List<Meter> gauges(Meters m, String name, Object component) {
    if (component instanceof CircuitBreaker breaker) {
      return m.stateGauges("breaker.state", name, breaker::state);
    }
    return List.of();
  }
}
