package io.throttlenet.multidim;

import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.Ticker;
import java.util.Set;

/**
 * Several named budgets charged together whose bounds can be adjusted while in use, dimension by
 * dimension: what a header sync steers, whatever holds the state ({@link MultiLimiter} in this
 * process, a Redis-backed limiter shared by a fleet). Implementations publish {@link
 * MultiLimiterEvent}s under {@link #name()} for what they grant and settle, and are thread-safe.
 */
public interface AdjustableMultiLimiter {

  /** The name its events and errors carry. */
  String name();

  /** The time source its {@code nowNanos} and {@code untilNanos} arguments are read on. */
  Ticker ticker();

  /** The dimension names, in the order they were added. */
  Set<String> dimensions();

  /**
   * The largest cost {@code dimension} can grant at once.
   *
   * @throws IllegalArgumentException if the dimension is unknown
   */
  long capacity(String dimension);

  /**
   * Grants nothing in any dimension before {@code untilNanos}; see {@link RateLimiter#pauseUntil}.
   */
  void pauseUntil(long untilNanos);

  /**
   * Grants nothing in {@code dimension} before {@code untilNanos}; see {@link
   * RateLimiter#pauseUntil}.
   *
   * @throws IllegalArgumentException if the dimension is unknown
   */
  void pauseUntil(String dimension, long untilNanos);

  /**
   * Lowers what {@code dimension} has available at {@code nowNanos} to at most {@code permits}
   * (negative: a debt); never raises it. See {@link RateLimiter#limitAvailable}.
   *
   * @throws IllegalArgumentException if the dimension is unknown
   */
  void limitAvailable(String dimension, long permits, long nowNanos);

  /**
   * The rate at which {@code dimension} refills steadily (a token bucket), in permits per second;
   * {@link Double#NaN} if it does not (a sliding window, say).
   *
   * @throws IllegalArgumentException if the dimension is unknown
   */
  double permitsPerSecond(String dimension);

  /**
   * Changes the rate at which {@code dimension} refills, keeping its burst and the permits
   * available now (see {@link io.throttlenet.core.AdjustableRateLimiter}).
   *
   * @throws IllegalArgumentException if the dimension is unknown or the rate is out of the range
   *     the dimension can represent
   * @throws UnsupportedOperationException if the dimension does not refill steadily ({@link
   *     #permitsPerSecond} is NaN)
   */
  void setRate(String dimension, double permitsPerSecond);
}
