package io.throttlenet.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.examples.RedisFleetDemo.Figures;
import io.throttlenet.examples.RedisFleetDemo.Scenario;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A fleet of four clients on one API key, end to end: a real HTTP server on loopback enforcing the
 * quota in an exact sliding window, and the Redis on 127.0.0.1:6379 that {@code .ci/run} starts.
 * Bounds are loose on purpose (a loaded 2-core machine); {@link RedisFleetDemo} prints the real
 * figures.
 */
class RedisFleetDemoTest {
  private static final Duration RUN = Duration.ofSeconds(3);

  @Test
  void sharedRedisBudget_drawsFarFewer429sThanLocalLimitersAtTheFullQuota() throws Exception {
    Figures local = RedisFleetDemo.run(Scenario.LOCAL_AT_FULL_QUOTA, RUN, RedisFleetDemo.REDIS);
    Figures redis = RedisFleetDemo.run(Scenario.REDIS_THROTTLE, RUN, RedisFleetDemo.REDIS);
    Figures multi = RedisFleetDemo.run(Scenario.REDIS_MULTI_LIMITER, RUN, RedisFleetDemo.REDIS);
    assertThat(local.tooManyRequests()).isGreaterThan(20);
    assertThat(redis.tooManyRequests()).isLessThan(local.tooManyRequests() / 4);
    assertThat(multi.tooManyRequests()).isLessThan(local.tooManyRequests() / 4);
    assertThat(redis.roundTripsPerAcquire()).isBetween(0.9, 1.1);
    assertThat(redis.budgetUsed()).isGreaterThan(0.6);
  }

  @Test
  void sharedRedisBudget_letsABusyClientUseWhatQuietOnesLeave() throws Exception {
    Figures quarters =
        RedisFleetDemo.run(Scenario.LOCAL_AT_QUARTER_SHARE, RUN, RedisFleetDemo.REDIS);
    Figures leasing =
        RedisFleetDemo.run(Scenario.REDIS_THROTTLE_LEASING, RUN, RedisFleetDemo.REDIS);
    assertThat(quarters.tooManyRequests()).isLessThan(10);
    assertThat(leasing.goodput()).isGreaterThan(1.2 * quarters.goodput());
    assertThat(leasing.roundTripsPerAcquire()).isLessThanOrEqualTo(1.0);
  }
}
