package io.throttlenet.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.core.ManualTicker;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Local leasing: fewer round trips, the same total, and the documented shift in time. */
class LeasingTest {
  private final RedisStore store = Redis.store();
  private final String key = Redis.uniqueKey();

  @AfterEach
  void close() {
    store.close();
  }

  private RedisThrottle leasing(long burst, long batch, ManualTicker ticker) {
    // one permit every 14 minutes at most: no refill during a test
    return RedisThrottle.builder(store).key(key).rate(burst, Duration.ofDays(10)).burst(burst)
        .lease(batch, Duration.ofMinutes(1)).ticker(ticker).build();
  }

  @Test
  void lease_cutsRoundTripsByTheBatch() {
    RedisThrottle t = leasing(1000, 10, ManualTicker.create());
    for (int i = 0; i < 100; i++) {
      assertThat(t.tryAcquire()).isTrue();
    }
    assertThat(t.roundTrips()).isEqualTo(10);
    assertThat(t.availablePermits()).isEqualTo(900);
  }

  @Test
  void lease_severalInstances_totalStillExactlyTheBudget() {
    ManualTicker ticker = ManualTicker.create();
    RedisThrottle[] fleet = {leasing(100, 16, ticker), leasing(100, 7, ticker),
        RedisThrottle.builder(store).key(key).rate(100, Duration.ofDays(10)).burst(100).build()};
    long admitted = 0;
    int refusals = 0;
    for (int i = 0; refusals < 30; i++) {
      if (fleet[i % 3].tryAcquire()) {
        admitted++;
        refusals = 0;
      } else {
        refusals++;
      }
    }
    assertThat(admitted).isEqualTo(100);
  }

  @Test
  void lease_spentAfterRedisIsEmpty_theDocumentedShift() {
    ManualTicker ticker = ManualTicker.create();
    RedisThrottle a = leasing(100, 10, ticker);
    RedisThrottle b = RedisThrottle.builder(store).key(key).rate(100, Duration.ofDays(10)).burst(100).build();
    assertThat(a.tryAcquire()).isTrue(); // took 10 from Redis: 1 spent, 9 leased
    assertThat(b.availablePermits()).isEqualTo(90);
    assertThat(b.tryAcquire(90)).isTrue();
    assertThat(b.tryAcquire()).isFalse();
    for (int i = 0; i < 9; i++) {
      assertThat(a.tryAcquire()).isTrue(); // granted earlier by Redis, spent now
    }
    assertThat(a.tryAcquire()).isFalse();
  }

  @Test
  void lease_expired_isDroppedNotSpent() {
    ManualTicker ticker = ManualTicker.create();
    RedisThrottle a = leasing(100, 10, ticker);
    assertThat(a.tryAcquire()).isTrue();
    ticker.advance(Duration.ofMinutes(1).plusNanos(1));
    assertThat(a.availablePermits()).isEqualTo(90); // the 9 leased are gone
    long admitted = 0;
    while (a.tryAcquire()) {
      admitted++;
    }
    assertThat(admitted).isEqualTo(90);
  }

  @Test
  void lease_threadsOnOneInstance_exactTotal_refillsShared() throws Exception {
    RedisThrottle t = leasing(1000, 20, ManualTicker.create());
    assertThat(Redis.admitUntilRefused(8, t::tryAcquire)).isEqualTo(1000);
    // Callers that miss the pool wait for the refill in flight instead of each asking Redis.
    assertThat(t.roundTrips()).isLessThan(1000 / 4);
  }

  @Test
  void lease_costAboveBatch_goesToRedisAlone() {
    RedisThrottle t = leasing(100, 5, ManualTicker.create());
    assertThat(t.tryAcquire(8)).isTrue();
    assertThat(t.availablePermits()).isEqualTo(92);
    assertThat(t.roundTrips()).isEqualTo(2);
  }
}
