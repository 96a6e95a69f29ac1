package io.throttlenet.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Outcome;
import io.throttlenet.core.Subscription;
import io.throttlenet.queue.ConcurrencyEvent;
import io.throttlenet.queue.QueueEvent;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Meters for admission queues and bulkheads, including the (adaptive) concurrency limit. */
final class QueueMeters {
  private QueueMeters() {}

  private static final class Queue {
    final Counter enqueued;
    final Counter refused;
    final Counter dropped;
    final Counter expiredPredicted;
    final Counter expiredWaiting;
    final Timer waited;

    Queue(Meters m, String c) {
      enqueued = m.counter("queue.enqueued", c);
      refused = m.counter("queue.dropped", c, "queued", "false");
      dropped = m.counter("queue.dropped", c, "queued", "true");
      expiredPredicted = m.counter("queue.expired", c, "predicted", "true");
      expiredWaiting = m.counter("queue.expired", c, "predicted", "false");
      waited = m.timer("queue.wait", c);
    }
  }

  private static final class Bulkhead {
    final Timer[] calls = new Timer[Outcome.values().length];
    final Counter rejected;
    final AtomicInteger limit = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();

    Bulkhead(Meters m, String c) {
      for (Outcome o : Outcome.values()) {
        calls[o.ordinal()] = m.timer("bulkhead.calls", c, "outcome", Meters.tag(o));
      }
      rejected = m.counter("bulkhead.rejected", c);
      Gauge.builder(m.prefix + "bulkhead.limit", limit, AtomicInteger::get).tag("component", c).register(m.registry);
      Gauge.builder(m.prefix + "bulkhead.in_flight", inFlight, AtomicInteger::get).tag("component", c)
          .register(m.registry);
    }
  }

  static List<Subscription> bind(EventRegistry events, Meters m) {
    Meters.PerComponent<Queue> queues = new Meters.PerComponent<>(c -> new Queue(m, c));
    Meters.PerComponent<Bulkhead> bulkheads = new Meters.PerComponent<>(c -> new Bulkhead(m, c));
    return List.of(
        events.subscribe(QueueEvent.class, e -> {
          Queue q = queues.get(e.component());
          if (e instanceof QueueEvent.Enqueued) {
            q.enqueued.increment();
          } else if (e instanceof QueueEvent.Dispatched d) {
            q.waited.record(d.waited());
          } else if (e instanceof QueueEvent.Dropped d) {
            (d.queued() ? q.dropped : q.refused).increment();
          } else if (e instanceof QueueEvent.Expired x) {
            (x.predicted() ? q.expiredPredicted : q.expiredWaiting).increment();
          }
        }),
        events.subscribe(ConcurrencyEvent.class, e -> {
          Bulkhead b = bulkheads.get(e.component());
          if (e instanceof ConcurrencyEvent.Released r) {
            b.calls[r.outcome().ordinal()].record(r.latency());
            b.inFlight.set(r.inFlight());
            b.limit.set(r.limit());
          } else if (e instanceof ConcurrencyEvent.Rejected r) {
            b.rejected.increment();
            b.limit.set(r.limit());
          } else if (e instanceof ConcurrencyEvent.LimitChanged c) {
            b.limit.set(c.to());
          }
        }));
  }
}
