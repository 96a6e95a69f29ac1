/**
 * throttle-net retries: {@link io.throttlenet.retry.Backoff} curves with jitter, {@link
 * io.throttlenet.retry.Retry} with exception and result classification, {@link
 * io.throttlenet.retry.RetryAfter} parsing and a shared {@link io.throttlenet.retry.RetryBudget}.
 */
module io.throttlenet.retry {
  requires transitive io.throttlenet.core;

  exports io.throttlenet.retry;
}
