package io.throttlenet.bench;

import io.github.bucket4j.Bucket;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;

/** How each peer is configured, so every benchmark compares like with like. */
final class Peers {
  private Peers() {}

  /** Resilience4j's AtomicRateLimiter at {@code permits} per {@code period}, never waiting. */
  static io.github.resilience4j.ratelimiter.RateLimiter resilience4j(int permits, Duration period) {
    return io.github.resilience4j.ratelimiter.RateLimiter.of(
        "r4j",
        RateLimiterConfig.custom()
            .limitForPeriod(permits)
            .limitRefreshPeriod(period)
            .timeoutDuration(Duration.ZERO)
            .build());
  }

  /** A Bucket4j local bucket (lock-free strategy, the default) of {@code capacity}. */
  static Bucket bucket4j(long capacity, long refill, Duration period) {
    return Bucket.builder()
        .addLimit(limit -> limit.capacity(capacity).refillGreedy(refill, period))
        .withNanosecondPrecision()
        .build();
  }

  /** Failsafe's bursty rate limiter. */
  static dev.failsafe.RateLimiter<Object> failsafe(long permits, Duration period) {
    return dev.failsafe.RateLimiter.<Object>burstyBuilder(permits, period).build();
  }
}
