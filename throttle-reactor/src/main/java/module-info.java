/**
 * throttle-net for Project Reactor: {@link io.throttlenet.reactor.ReactorThrottling} puts rate
 * limits, multi-dimensional budgets, a circuit breaker, a retry, a bulkhead or an admission queue
 * around a {@code Mono} or a {@code Flux}, in the order of the {@code Decorators} chain and
 * without blocking a thread; {@link io.throttlenet.reactor.ElementThrottle} paces the elements of
 * a stream by their cost; {@link io.throttlenet.reactor.SchedulerTicker} lets every component
 * wait on a Reactor {@code Scheduler}, virtual time included.
 */
module io.throttlenet.reactor {
  requires transitive io.throttlenet.core;
  requires transitive io.throttlenet.bucket;
  requires transitive io.throttlenet.multidim;
  requires transitive io.throttlenet.retry;
  requires transitive io.throttlenet.breaker;
  requires transitive io.throttlenet.queue;
  requires transitive reactor.core;
  requires transitive org.reactivestreams;

  exports io.throttlenet.reactor;
}
