package io.throttlenet.redis;

import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiterEvent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Costs charged on an estimate in a {@link RedisMultiLimiter}, to be corrected once the real
 * costs are known (output tokens, known only from the response).
 *
 * <pre>{@code
 * try (RedisReservation r = llm.reserve(Costs.of("requests", 1, "tokens", 1_200))) {
 *   Response resp = client.call(prompt);
 *   r.settle(Costs.of("requests", 1, "tokens", resp.totalTokens()));
 * }
 * }</pre>
 *
 * <p>{@link #settle} charges what was under-estimated (an overdraft delays later callers of the
 * whole fleet, it never lets them through early) and gives back what was over-estimated: in full
 * if no booking was made after this one, otherwise as far as no waiting caller could be
 * overtaken, the rest coming back with refill. One round trip, waiting for Redis at most the
 * limiter's timeout; while Redis is unavailable a correction is dropped (the estimate stands, or
 * for a fallback grant the local limiter is corrected). {@link #cancel} gives everything back.
 * Closing a reservation that was neither settled nor cancelled leaves it at the estimate. Each
 * reservation is ended once. Thread-safe.
 */
public final class RedisReservation implements AutoCloseable {
  private static final int OPEN = 0;
  private static final int SETTLED = 1;
  private static final int CANCELLED = 2;
  private static final int CLOSED = 3;

  private final RedisMultiLimiter limiter;
  private final RedisMultiLimiter.Booking booking;
  private final AtomicInteger state = new AtomicInteger(OPEN);

  RedisReservation(RedisMultiLimiter limiter, RedisMultiLimiter.Booking booking) {
    this.limiter = limiter;
    this.booking = booking;
  }

  /** The costs this reservation was granted on. */
  public Costs estimate() {
    return booking.costs();
  }

  /** True until the reservation is settled, cancelled or closed. */
  public boolean isOpen() {
    return state.get() == OPEN;
  }

  /**
   * Replaces the estimate by the actual costs, as of the instant the reservation was granted.
   *
   * @throws IllegalArgumentException if {@code actual} names an unknown dimension, or exceeds the
   *     estimate in a dimension by more than it can owe (about 52 days of its refill); nothing is
   *     charged then and the reservation stays open
   * @throws IllegalStateException if the reservation was already settled, cancelled or closed
   */
  public void settle(Costs actual) {
    settleAsync(actual).join();
  }

  /**
   * Gives the whole estimate back: the call never went out.
   *
   * @throws IllegalStateException if the reservation was already settled, cancelled or closed
   */
  public void cancel() {
    end(CANCELLED);
    if (booking.local() != null) {
      booking.local().cancel();
      return;
    }
    long[] delta = new long[booking.values().length];
    for (int d = 0; d < delta.length; d++) {
      delta[d] = -booking.values()[d];
    }
    limiter.settle(booking, delta).join();
    publish(delta);
  }

  /** Ends an open reservation at its estimate; does nothing if it was already ended. */
  @Override
  public void close() {
    if (state.compareAndSet(OPEN, CLOSED) && booking.local() != null) {
      booking.local().close();
    }
  }

  /** {@link #settle} without blocking; the stage completes once Redis has applied it. */
  CompletableFuture<Void> settleAsync(Costs actual) {
    long[] values = limiter.values(actual);
    long[] delta = new long[values.length];
    for (int d = 0; d < values.length; d++) {
      delta[d] = values[d] - booking.values()[d];
      if (delta[d] > limiter.maxOwed(d)) {
        throw new IllegalArgumentException(
            "actual exceeds the estimate of " + limiter.name() + "[" + limiter.dimensionName(d) + "] by " + delta[d]
                + ", more than it can owe (" + limiter.maxOwed(d) + ")");
      }
    }
    end(SETTLED);
    if (booking.local() != null) {
      booking.local().settle(actual);
      return CompletableFuture.completedFuture(null);
    }
    return limiter.settle(booking, delta).thenRun(() -> publish(delta));
  }

  private void end(int to) {
    if (!state.compareAndSet(OPEN, to)) {
      int was = state.get();
      throw new IllegalStateException(
          "reservation was already " + (was == SETTLED ? "settled" : was == CANCELLED ? "cancelled" : "closed"));
    }
  }

  private void publish(long[] delta) {
    if (limiter.settledEvents.hasListeners()) {
      limiter.settledEvents.publish(new MultiLimiterEvent.Settled(limiter.name(), limiter.byDimension(delta)));
    }
  }

  @Override
  public String toString() {
    return "RedisReservation[" + limiter.name() + ", " + booking.costs() + "]";
  }
}
