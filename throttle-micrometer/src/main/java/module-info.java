/**
 * throttle-net metrics: {@link io.throttlenet.micrometer.ThrottleMetrics} turns the events of
 * every component into Micrometer meters. It needs only throttle-core at run time; the meters of
 * a capability module are bound when that module is on the class path.
 */
module io.throttlenet.micrometer {
  requires transitive io.throttlenet.core;
  requires transitive micrometer.core;
  requires static io.throttlenet.bucket;
  requires static io.throttlenet.multidim;
  requires static io.throttlenet.retry;
  requires static io.throttlenet.breaker;
  requires static io.throttlenet.queue;
  requires static io.throttlenet.adaptive;

  exports io.throttlenet.micrometer;
}
