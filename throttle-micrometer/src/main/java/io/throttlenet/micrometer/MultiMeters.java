package io.throttlenet.micrometer;

import io.micrometer.core.instrument.Counter;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Subscription;
import io.throttlenet.multidim.MultiLimiterEvent;
import io.micrometer.core.instrument.Meter;
import io.throttlenet.multidim.MultiLimiter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Meters for multi-dimensional limiters: per dimension, dimension names being bounded. */
final class MultiMeters {
  private MultiMeters() {}

  private static final class Multi {
    final Meters m;
    final String component;
    final Counter acquired;
    final Meters.ByName<Counter> cost = new Meters.ByName<>();
    final Meters.ByName<Counter> rejected = new Meters.ByName<>();
    final Meters.ByName<Counter> charged = new Meters.ByName<>();
    final Meters.ByName<Counter> refunded = new Meters.ByName<>();

    Multi(Meters m, String component) {
      this.m = m;
      this.component = component;
      this.acquired = m.counter("multi.acquired", component);
    }
  }

  static List<Subscription> bind(EventRegistry events, Meters m) {
    Meters.PerComponent<Multi> multis = new Meters.PerComponent<>(c -> new Multi(m, c));
    return List.of(events.subscribe(MultiLimiterEvent.class, e -> {
      Multi x = multis.get(e.component());
      if (e instanceof MultiLimiterEvent.Acquired a) {
        x.acquired.increment();
        for (Map.Entry<String, Long> c : a.costs().asMap().entrySet()) {
          x.cost.get(c.getKey(), d -> m.counter("multi.cost", x.component, "dimension", d)).increment(c.getValue());
        }
      } else if (e instanceof MultiLimiterEvent.Rejected r) {
        // the reason is bounded too, but a rejection names one dimension: tag both
        x.rejected.get(r.dimension() + '\0' + r.reason(), k -> m.counter(
            "multi.rejected", x.component, "dimension", r.dimension(), "reason", Meters.tag(r.reason()))).increment();
      } else if (e instanceof MultiLimiterEvent.Settled s) {
        for (Map.Entry<String, Long> d : s.delta().entrySet()) {
          long v = d.getValue();
          if (v > 0) {
            x.charged.get(d.getKey(), k -> m.counter("multi.settled", x.component, "dimension", k, "direction", "charged"))
                .increment(v);
          } else if (v < 0) {
            x.refunded.get(d.getKey(), k -> m.counter("multi.settled", x.component, "dimension", k, "direction", "refunded"))
                .increment(-v);
          }
        }
      }
    }));
  }

  /** {@code multi.available} per dimension for a multi-limiter of a registry. */
  static List<Meter> gauges(Meters m, String name, Object component) {
    if (!(component instanceof MultiLimiter multi)) {
      return List.of();
    }
    List<Meter> gauges = new ArrayList<>();
    for (String d : multi.dimensions()) {
      gauges.add(m.gauge("multi.available", name, () -> multi.availablePermits(d), "dimension", d));
    }
    return gauges;
  }
}
