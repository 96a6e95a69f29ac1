/**
 * throttle-net admission control: {@link io.throttlenet.queue.AdmissionQueue}, a bounded,
 * deadline-aware priority queue with fairness across keys in front of any limiter, and {@link
 * io.throttlenet.queue.ConcurrencyLimit}, a bulkhead that caps calls in flight and reports each
 * call's outcome and latency.
 */
module io.throttlenet.queue {
  requires transitive io.throttlenet.core;

  exports io.throttlenet.queue;
}
