package io.throttlenet.bucket;

import io.throttlenet.bucket.internal.Atomic;
import io.throttlenet.bucket.internal.Part;
import io.throttlenet.bucket.internal.Waits;
import io.throttlenet.core.EventPublisher;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.Ticker;
import io.throttlenet.core.MaxWaitExceededException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * The events of a composite that charges the same cost on every part ({@link AllOf}, {@link
 * Layered}), and its waiting callers' attempts. Publishing builds nothing while nobody listens.
 */
final class CompositeEvents {
  final String name;
  private final EventPublisher<LimiterEvent.Acquired> acquired;
  private final EventPublisher<LimiterEvent.Rejected> rejected;

  CompositeEvents(String name, EventRegistry events) {
    this.name = name;
    this.acquired = events.publisher(LimiterEvent.Acquired.class, name);
    this.rejected = events.publisher(LimiterEvent.Rejected.class, name);
  }

  void acquired(long cost, long waitedNanos) {
    if (acquired.hasListeners()) {
      acquired.publish(new LimiterEvent.Acquired(name, cost, Duration.ofNanos(waitedNanos)));
    }
  }

  /** {@code wait < 0} (or {@code NEVER}) means no retry time is known. */
  void rejected(long cost, LimiterEvent.Reason reason, long wait) {
    if (rejected.hasListeners()) {
      rejected.publish(
          new LimiterEvent.Rejected(
              name, cost, reason, wait < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(wait))));
    }
  }

  boolean hasRejectionListeners() {
    return rejected.hasListeners();
  }

  /** A refusal by one scope of stacked scopes, naming it and its key (null for none). */
  void rejected(long cost, LimiterEvent.Reason reason, long wait, String scope, Object key) {
    if (rejected.hasListeners()) {
      rejected.publish(
          new LimiterEvent.Rejected(
              name,
              cost,
              reason,
              wait < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(wait)),
              Optional.of(scope),
              key == null ? Optional.empty() : Optional.of(String.valueOf(key))));
    }
  }

  /** A waiting caller's attempts to charge {@code cost} on every one of {@code parts}. */
  Waits.Attempt attempt(Part[] parts, long cost, Ticker ticker) {
    long[] handles = new long[parts.length];
    return new Waits.Attempt() {
      @Override
      public long tryAt(long now) {
        return Atomic.tryCharge(parts, null, cost, now, handles);
      }

      @Override
      public long peek(long now) {
        return Atomic.peek(parts, null, cost, now);
      }

      @Override
      public void undo(long at) {
        long[] costs = new long[parts.length];
        Arrays.fill(costs, cost);
        Atomic.refund(parts, costs, handles, at, ticker.read()); // only what the charge still weighs
      }

      @Override
      public void granted(long waitedNanos) {
        acquired(cost, waitedNanos);
      }

      @Override
      public RuntimeException gaveUp(long waitNanos, long maxWaitNanos) {
        return CompositeEvents.this.gaveUp(cost, waitNanos, maxWaitNanos);
      }
    };
  }

  /** Publishes a refusal for a wait longer than allowed, and returns its exception. */
  RuntimeException gaveUp(long cost, long waitNanos, long maxWaitNanos) {
    rejected(cost, LimiterEvent.Reason.MAX_WAIT_EXCEEDED, waitNanos);
    return new MaxWaitExceededException(
        name, cost, Duration.ofNanos(waitNanos), Duration.ofNanos(maxWaitNanos));
  }
}
