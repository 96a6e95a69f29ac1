/**
 * throttle-net token bucket ({@link io.throttlenet.bucket.Throttle}), exact sliding-window log
 * ({@link io.throttlenet.bucket.SlidingWindowLog}), atomic all-of composition ({@link
 * io.throttlenet.bucket.AllOf}), per-key limits with bounded memory ({@link
 * io.throttlenet.bucket.PerKey}) and layered scopes ({@link io.throttlenet.bucket.Layered}).
 */
module io.throttlenet.bucket {
  requires transitive io.throttlenet.core;
  requires com.github.benmanes.caffeine;

  exports io.throttlenet.bucket;
  // Atomic composition across modules (multi-dimensional limits); never part of the public API.
  exports io.throttlenet.bucket.internal to
      io.throttlenet.multidim;
}
