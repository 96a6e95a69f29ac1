package io.throttlenet.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.throttlenet.bucket.PerKeyEvent;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Subscription;
import java.util.List;

/** Meters for per-key limiters: evictions that forgave debt (tagged by key only if opted in). */
final class PerKeyMeters {
  private PerKeyMeters() {}

  private record Evictions(Counter count, DistributionSummary owed) {}

  static List<Subscription> bind(EventRegistry events, Meters m) {
    Meters.PerComponent<Evictions> evictions = new Meters.PerComponent<>(
        c -> new Evictions(m.counter("perkey.indebted_evictions", c), m.summary("perkey.owed", c)));
    return List.of(events.subscribe(PerKeyEvent.IndebtedEviction.class, e -> {
      if (m.keyTags) {
        m.counter("perkey.indebted_evictions", e.component(), "key", e.key()).increment();
        m.summary("perkey.owed", e.component(), "key", e.key()).record(e.owed());
      } else {
        Evictions x = evictions.get(e.component());
        x.count().increment();
        x.owed().record(e.owed());
      }
    }));
  }
}
