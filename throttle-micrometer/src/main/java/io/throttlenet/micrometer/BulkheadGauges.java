package io.throttlenet.micrometer;

import io.throttlenet.core.internal.Args;
import io.throttlenet.queue.ConcurrencyLimit;

/**
 * Gauges of a bulkhead ({@link ConcurrencyLimit}): {@code bulkhead.limit}, its current limit (the
 * one an adaptive controller moves, with throttle-adaptive's {@code AdaptiveConcurrency}), and
 * {@code bulkhead.in_flight}, the calls holding a slot, both tagged with the bulkhead's name as
 * {@code component}.
 *
 * <pre>{@code
 * ThrottleMetrics metrics = ThrottleMetrics.bindTo(events, meterRegistry);
 * BulkheadGauges.register(metrics, bulkhead);
 * }</pre>
 *
 * <p>Needs throttle-queue, an optional dependency of this module; that is why this is a class of
 * its own rather than a method of {@link ThrottleMetrics}: a method there naming {@code
 * ConcurrencyLimit} would make reflection over {@code ThrottleMetrics} (as dependency-injection
 * containers do on beans) fail without throttle-queue on the class path. Stateless; thread-safe.
 */
public final class BulkheadGauges {
  private BulkheadGauges() {}

  /**
   * Registers the two gauges of {@code bulkhead} through {@code metrics} (with its prefix); they
   * hold {@code bulkhead} strongly, as {@link ThrottleMetrics#gauge} does.
   *
   * @return {@code metrics}, for chaining
   * @throws IllegalStateException if {@code metrics} is not bound to a registry yet
   */
  // throttle-queue is read statically, not transitively: a user of this method has it already,
  // and everyone else must not need it
  @SuppressWarnings("exports")
  public static ThrottleMetrics register(ThrottleMetrics metrics, ConcurrencyLimit bulkhead) {
    Args.requireNonNull(metrics, "metrics");
    Args.requireNonNull(bulkhead, "bulkhead");
    return metrics
        .gauge("bulkhead.limit", bulkhead.name(), bulkhead::limit)
        .gauge("bulkhead.in_flight", bulkhead.name(), bulkhead::inFlight);
  }
}
