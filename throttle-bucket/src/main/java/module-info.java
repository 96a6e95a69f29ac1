/**
 * throttle-net token bucket ({@link io.throttlenet.bucket.Throttle}) and exact sliding-window log
 * ({@link io.throttlenet.bucket.SlidingWindowLog}), both implementing the core {@link
 * io.throttlenet.core.RateLimiter} SPI.
 */
module io.throttlenet.bucket {
  requires transitive io.throttlenet.core;

  exports io.throttlenet.bucket;
  // Atomic composition across modules (multi-dimensional limits); never part of the public API.
  exports io.throttlenet.bucket.internal to
      io.throttlenet.multidim;
}
