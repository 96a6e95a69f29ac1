package io.throttlenet.multidim;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Costs taken on an estimate, to be corrected once the real costs are known: the LLM case, where
 * output tokens are known only after the response.
 *
 * <pre>{@code
 * try (Reservation r = llm.reserve(Costs.of("requests", 1, "input_tokens", 1500, "output_tokens", 1000))) {
 *   Response resp = client.call(...);
 *   r.settle(Costs.of("requests", 1, "input_tokens", 1500, "output_tokens", resp.outputTokens()));
 * }
 * }</pre>
 *
 * <p>{@link #settle} charges what was under-estimated and gives back what was over-estimated, so
 * the limiter ends as if the actual costs had been charged when the reservation was granted. An
 * overdraft is allowed: the debt delays later callers, it never lets them through early. A give-
 * back is made only as far as no caller booked to wait on a dimension could be overtaken by it;
 * the rest comes back with refill. {@link #cancel} gives everything back (the call never went
 * out). Closing a reservation that was neither settled nor cancelled leaves it at the estimate.
 * Each reservation is ended once: settling or cancelling twice is an error. Thread-safe.
 */
public final class Reservation implements AutoCloseable {
  private static final int OPEN = 0;
  private static final int SETTLED = 1;
  private static final int CANCELLED = 2;
  private static final int CLOSED = 3;

  private final MultiLimiter limiter;
  private final Costs estimate;
  private final long[] estimateParts;
  private final long[] handles;
  private final long chargedAt;
  private final AtomicInteger state = new AtomicInteger(OPEN);

  Reservation(MultiLimiter limiter, Costs estimate, long[] estimateParts, long[] handles, long chargedAt) {
    this.limiter = limiter;
    this.estimate = estimate;
    this.estimateParts = estimateParts;
    this.handles = handles;
    this.chargedAt = chargedAt;
  }

  /** The costs this reservation was granted on. */
  public Costs estimate() {
    return estimate;
  }

  /** True until the reservation is settled, cancelled or closed. */
  public boolean isOpen() {
    return state.get() == OPEN;
  }

  /**
   * Replaces the estimate by the actual costs: the difference is charged (or given back) in each
   * dimension, as of the instant the reservation was granted.
   *
   * <p>An overdraft is bounded by what a dimension can owe: a token bucket books at most about 36
   * years of its refill ahead, so its actual cost may exceed the estimate by at most its rate
   * times that (for 20,000 per minute, about 3.8 × 10<sup>11</sup>). A larger settle is refused
   * and the reservation stays open: it could only be a bug, and charging it would block the
   * dimension for decades (no rate change can clear a debt).
   *
   * @throws IllegalArgumentException if {@code actual} names an unknown dimension, or exceeds the
   *     estimate in a dimension by more than that dimension can owe (nothing is charged then)
   * @throws IllegalStateException if the reservation was already settled, cancelled or closed
   */
  public void settle(Costs actual) {
    long[] actualParts = limiter.bind(actual).partCosts;
    long[] over = new long[actualParts.length];
    for (int i = 0; i < actualParts.length; i++) {
      over[i] = Math.max(0, actualParts[i] - estimateParts[i]);
    }
    limiter.requireRepresentable(over);
    end(SETTLED);
    long[] extra = new long[actualParts.length];
    long[] back = new long[actualParts.length];
    long[] delta = new long[actualParts.length];
    boolean anyExtra = false;
    boolean anyBack = false;
    for (int i = 0; i < actualParts.length; i++) {
      delta[i] = actualParts[i] - estimateParts[i];
      if (delta[i] > 0) {
        extra[i] = delta[i];
        anyExtra = true;
      } else if (delta[i] < 0) {
        back[i] = -delta[i];
        anyBack = true;
      }
    }
    if (anyExtra) {
      limiter.charge(extra, chargedAt);
    }
    if (anyBack) {
      limiter.refund(back, handles, chargedAt);
    }
    publish(delta);
  }

  /**
   * Gives the whole estimate back: the call never went out.
   *
   * @throws IllegalStateException if the reservation was already settled, cancelled or closed
   */
  public void cancel() {
    end(CANCELLED);
    limiter.refund(estimateParts, handles, chargedAt);
    long[] delta = new long[estimateParts.length];
    for (int i = 0; i < delta.length; i++) {
      delta[i] = -estimateParts[i];
    }
    publish(delta);
  }

  /** Ends an open reservation at its estimate; does nothing if it was already ended. */
  @Override
  public void close() {
    state.compareAndSet(OPEN, CLOSED);
  }

  private void end(int to) {
    int was = state.get();
    if (was != OPEN || !state.compareAndSet(OPEN, to)) {
      throw new IllegalStateException(
          "reservation was already " + (state.get() == SETTLED ? "settled" : state.get() == CANCELLED ? "cancelled" : "closed"));
    }
  }

  private void publish(long[] delta) {
    if (limiter.settledEvents.hasListeners()) {
      Map<String, Long> byDimension = limiter.byDimension(delta);
      limiter.settledEvents.publish(new MultiLimiterEvent.Settled(limiter.name(), byDimension));
    }
  }

  @Override
  public String toString() {
    return "Reservation[" + limiter.name() + ", " + estimate + "]";
  }
}
