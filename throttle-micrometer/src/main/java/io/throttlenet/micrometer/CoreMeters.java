package io.throttlenet.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.throttlenet.core.CallEvent;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.Outcome;
import io.throttlenet.core.Subscription;
import io.micrometer.core.instrument.Meter;
import io.throttlenet.core.RateLimiter;
import java.util.List;

/** Meters for throttle-core's events: single limiters and decorated calls. */
final class CoreMeters {
  private CoreMeters() {}

  private static final class Limiter {
    final Counter acquired;
    final Timer waited;
    final Counter[] rejected = new Counter[LimiterEvent.Reason.values().length];
    final Counter cancelled;

    Limiter(Meters m, String component) {
      acquired = m.counter("limiter.acquired", component);
      waited = m.timer("limiter.wait", component);
      for (LimiterEvent.Reason r : LimiterEvent.Reason.values()) {
        rejected[r.ordinal()] = m.counter("limiter.rejected", component, "reason", Meters.tag(r));
      }
      cancelled = m.counter("limiter.cancelled", component);
    }
  }

  /** One more refusal by a scope of a layered limiter: few scopes, so cheap to look up. */
  private static void scoped(Meters m, LimiterEvent.Rejected r) {
    String scope = r.scope().orElseThrow();
    if (m.keyTags) { // every series has the same tag keys: the global scope's key is "none"
      m.counter("layered.rejected", r.component(), "scope", scope, "reason", Meters.tag(r.reason()), "key", r.key().orElse("none"))
          .increment();
    } else {
      m.counter("layered.rejected", r.component(), "scope", scope, "reason", Meters.tag(r.reason())).increment();
    }
  }

  static List<Subscription> bind(EventRegistry events, Meters m) {
    Meters.PerComponent<Limiter> limiters = new Meters.PerComponent<>(c -> new Limiter(m, c));
    Meters.PerComponent<Timer[]> calls = new Meters.PerComponent<>(c -> {
      Timer[] byOutcome = new Timer[Outcome.values().length];
      for (Outcome o : Outcome.values()) {
        byOutcome[o.ordinal()] = m.timer("calls", c, "outcome", Meters.tag(o));
      }
      return byOutcome;
    });
    return List.of(
        events.subscribe(LimiterEvent.class, e -> {
          Limiter l = limiters.get(e.component());
          if (e instanceof LimiterEvent.Acquired a) {
            l.acquired.increment();
            l.waited.record(a.waitTime());
          } else if (e instanceof LimiterEvent.Rejected r) {
            l.rejected[r.reason().ordinal()].increment();
            if (r.scope().isPresent()) { // stacked scopes: which one refused (and, opted in, for whom)
              scoped(m, r);
            }
          } else {
            l.cancelled.increment();
          }
        }),
        events.subscribe(CallEvent.Finished.class, e -> calls.get(e.component())[e.outcome().ordinal()].record(e.latency())));
  }

  /** {@code limiter.available} for a limiter of a registry. */
  static List<Meter> gauges(Meters m, String name, Object component) {
    if (component instanceof RateLimiter limiter) {
      return List.of(m.gauge("limiter.available", name, limiter::availablePermits));
    }
    return List.of();
  }
}
