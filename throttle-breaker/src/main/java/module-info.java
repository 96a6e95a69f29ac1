/**
 * throttle-net circuit breaker: {@link io.throttlenet.breaker.CircuitBreaker} with {@link
 * io.throttlenet.breaker.Trip} conditions, generation-tagged permits and leak-proof half-open
 * probes.
 */
module io.throttlenet.breaker {
  requires transitive io.throttlenet.core;

  exports io.throttlenet.breaker;
}
