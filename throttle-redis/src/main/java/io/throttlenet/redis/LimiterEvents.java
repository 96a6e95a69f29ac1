package io.throttlenet.redis;

import io.throttlenet.core.EventPublisher;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import java.time.Duration;
import java.util.Optional;

/** The {@link LimiterEvent}s of one Redis-backed limiter; each built only if somebody listens. */
final class LimiterEvents {
  private final String name;
  private final EventPublisher<LimiterEvent.Acquired> acquired;
  private final EventPublisher<LimiterEvent.Rejected> rejected;
  private final EventPublisher<LimiterEvent.Cancelled> cancelled;

  LimiterEvents(String name, EventRegistry events) {
    this.name = name;
    this.acquired = events.publisher(LimiterEvent.Acquired.class, name);
    this.rejected = events.publisher(LimiterEvent.Rejected.class, name);
    this.cancelled = events.publisher(LimiterEvent.Cancelled.class, name);
  }

  void acquired(long cost, long waitNanos) {
    if (acquired.hasListeners()) {
      acquired.publish(new LimiterEvent.Acquired(name, cost, Duration.ofNanos(waitNanos)));
    }
  }

  void rejectedCapacity(long cost) {
    if (rejected.hasListeners()) {
      rejected.publish(
          new LimiterEvent.Rejected(name, cost, LimiterEvent.Reason.CAPACITY_EXCEEDED, Optional.empty()));
    }
  }

  void rejectedWait(long cost, long waitNanos, long maxWaitNanos) {
    if (rejected.hasListeners()) {
      rejected.publish(
          new LimiterEvent.Rejected(
              name, cost, LimiterEvent.Reason.forWait(maxWaitNanos), Optional.of(Duration.ofNanos(waitNanos))));
    }
  }

  void cancelled(long cost, long refunded) {
    if (cancelled.hasListeners()) {
      cancelled.publish(new LimiterEvent.Cancelled(name, cost, refunded));
    }
  }
}
