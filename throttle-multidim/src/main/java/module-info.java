/**
 * throttle-net multi-dimensional limits: {@link io.throttlenet.multidim.MultiLimiter} enforces
 * several named budgets at once (requests, input tokens, output tokens per minute), all or
 * nothing, with {@link io.throttlenet.multidim.Reservation reserve-then-settle} correction.
 */
module io.throttlenet.multidim {
  requires transitive io.throttlenet.bucket;

  exports io.throttlenet.multidim;
}
