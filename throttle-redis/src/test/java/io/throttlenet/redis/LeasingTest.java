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
  @Test
  void setRateAndReset_dropTheLease() {
    ManualTicker ticker = ManualTicker.create();
    RedisThrottle a = leasing(100, 10, ticker);
    assertThat(a.tryAcquire()).isTrue(); // 9 leased
    a.setRate(50, Duration.ofDays(10));
    assertThat(a.availablePermits()).isEqualTo(90); // the 9 leased at the old rate are gone
    long trips = a.roundTrips();
    assertThat(a.tryAcquire()).isTrue(); // a new lease from Redis
    assertThat(a.roundTrips()).isEqualTo(trips + 1);
    a.reset();
    assertThat(a.availablePermits()).isEqualTo(100);
  }

  @Test
  void costOfABatch_doesNotWaitForARefillInFlight() throws Exception {
    RedisThrottle t = leasing(100, 5, ManualTicker.create());
    java.util.concurrent.CompletableFuture<Void> held = t.refill().claim(); // never ends
    java.util.concurrent.CompletableFuture<Boolean> big =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> t.tryAcquire(5));
    assertThat(big.get(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(t.roundTrips()).isEqualTo(1);
    t.refill().done(held);
  }

  @Test
  void limitAvailable_keepsALeaseWithinTheBound_dropsOneAboveIt() {
    ManualTicker ticker = ManualTicker.create();
    RedisThrottle a = leasing(100, 10, ticker);
    assertThat(a.tryAcquire()).isTrue(); // 9 leased
    a.limitAvailable(50, ticker.read());
    long trips = a.roundTrips();
    assertThat(a.tryAcquire()).isTrue();
    assertThat(a.roundTrips()).isEqualTo(trips); // the lease (8 left) was kept
    a.limitAvailable(5, ticker.read());
    assertThat(a.availablePermits()).isEqualTo(5); // 5 in Redis, the 7 leased dropped
  }
}
