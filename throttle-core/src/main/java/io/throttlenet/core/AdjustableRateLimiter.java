package io.throttlenet.core;

/**
 * A {@link RateLimiter} that refills steadily at a rate that can be changed while it is in use: a
 * token bucket, local or shared. What adaptive controllers and header sync steer, whatever holds
 * the bucket's state.
 *
 * <p>A change keeps the burst ({@link #capacity()}) and the permits available at the instant it
 * applies; callers already booked to wait keep their release times, and later ones are paced at
 * the new rate. Implementations are thread-safe.
 */
public interface AdjustableRateLimiter extends RateLimiter {

  /** The current refill rate in permits per second. */
  double permitsPerSecond();

  /**
   * Changes the refill rate to {@code permitsPerSecond}, keeping the burst.
   *
   * @throws IllegalArgumentException if the rate is not a finite positive number or is outside
   *     the range the implementation can represent (each says which)
   */
  void setRate(double permitsPerSecond);
}
