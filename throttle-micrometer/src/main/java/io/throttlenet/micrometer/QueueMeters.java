package io.throttlenet.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.Outcome;
import io.throttlenet.core.Subscription;
import io.throttlenet.queue.ConcurrencyEvent;
import io.throttlenet.queue.QueueEvent;
import io.micrometer.core.instrument.Meter;
import io.throttlenet.queue.AdmissionQueue;
import io.throttlenet.queue.ConcurrencyLimit;
import java.util.List;

/**
 * Meters for admission queues and bulkheads, from their events. Depth, calls in flight and the
 * (adaptive) limit are gauges the user registers on the objects ({@link ThrottleMetrics#gauge}):
 * events arrive too late and possibly out of order to track them.
 */
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
    final Counter limitChanges;

    Bulkhead(Meters m, String c) {
      for (Outcome o : Outcome.values()) {
        calls[o.ordinal()] = m.timer("bulkhead.calls", c, "outcome", Meters.tag(o));
      }
      rejected = m.counter("bulkhead.rejected", c);
      limitChanges = m.counter("bulkhead.limit_changes", c);
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
          } else if (e instanceof ConcurrencyEvent.Rejected) {
            b.rejected.increment();
          } else if (e instanceof ConcurrencyEvent.LimitChanged) {
            b.limitChanges.increment();
          }
        }));
  }

  /** The limit, calls in flight and waiters of a bulkhead, or the depth of a queue, of a registry. */
  static List<Meter> gauges(Meters m, String name, Object component) {
    if (component instanceof ConcurrencyLimit limit) {
      return List.of(
          m.gauge("bulkhead.limit", name, limit::limit),
          m.gauge("bulkhead.in_flight", name, limit::inFlight),
          m.gauge("bulkhead.waiting", name, limit::waiting));
    }
    if (component instanceof AdmissionQueue<?> queue) {
      return List.of(m.gauge("queue.depth", name, queue::size));
    }
    return List.of();
  }
}
