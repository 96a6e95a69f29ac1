/**
 * throttle-net admission control: {@link io.throttlenet.queue.ConcurrencyLimit}, a bulkhead that
 * caps calls in flight, queues callers fairly and reports each call's outcome and latency.
 */
module io.throttlenet.queue {
  requires transitive io.throttlenet.core;

  exports io.throttlenet.queue;
}
