package io.throttlenet.micrometer;

import io.micrometer.core.instrument.Meter;
import io.throttlenet.adaptive.ServerWindow;
import java.util.ArrayList;
import java.util.List;

/**
 * Gauges for server windows of a registry. A window's counters and timers need nothing here: it
 * publishes a multi-limiter's events, which {@link MultiMeters} meters under its name.
 */
final class WindowMeters {
  private WindowMeters() {}

  /** {@code window.available} and {@code window.in_flight} per dimension, and waiters. */
  static List<Meter> gauges(Meters m, String name, Object component) {
    if (!(component instanceof ServerWindow window)) {
      return List.of();
    }
    List<Meter> gauges = new ArrayList<>();
    for (String d : window.dimensions()) {
      gauges.add(m.gauge("window.available", name, () -> window.availablePermits(d), "dimension", d));
      gauges.add(m.gauge("window.in_flight", name, () -> window.inFlight(d), "dimension", d));
    }
    gauges.add(m.gauge("window.waiting", name, window::waiting));
    return gauges;
  }
}
