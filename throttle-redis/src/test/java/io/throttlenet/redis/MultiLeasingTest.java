package io.throttlenet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.ManualTicker;
import io.throttlenet.multidim.Costs;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Leasing on a {@link RedisMultiLimiter}: fewer round trips, the same totals in every dimension,
 * reservations settled against the lease, and the documented shift in time. Budgets refill at
 * most one permit every 14 minutes, so counts are exact.
 */
class MultiLeasingTest {
  private static final Duration TEN_DAYS = Duration.ofDays(10);
  private static final Costs CALL = Costs.of("requests", 1, "tokens", 50);

  private final RedisStore store = Redis.store();
  private final String key = Redis.uniqueKey();

  @AfterEach
  void close() {
    store.close();
  }

  private RedisMultiLimiter.Builder llm(long requests, long tokens) {
    return RedisMultiLimiter.builder(store).key(key).name("llm")
        .dimension("requests", requests, TEN_DAYS)
        .dimension("tokens", tokens, TEN_DAYS);
  }

  private RedisMultiLimiter leasing(long requests, long tokens, Costs batch, ManualTicker ticker) {
    return llm(requests, tokens).lease(batch, Duration.ofMinutes(1)).ticker(ticker).build();
  }

  @Test
  void lease_cutsRoundTripsByTheBatch_inEveryDimension() {
    RedisMultiLimiter l = leasing(1_000, 100_000, Costs.of("requests", 10, "tokens", 500),
        ManualTicker.create());
    for (int i = 0; i < 100; i++) {
      assertThat(l.tryAcquire(CALL)).isTrue();
    }
    assertThat(l.roundTrips()).isEqualTo(10);
    assertThat(l.availablePermits("requests")).isEqualTo(900); // one round trip per query
    assertThat(l.availablePermits("tokens")).isEqualTo(95_000);
  }

  @Test
  void lease_theBindingDimensionSetsTheRefills() {
    // 500 tokens lease 10 calls of 50, 20 requests would lease 20: tokens bind
    RedisMultiLimiter l = leasing(1_000, 100_000, Costs.of("requests", 20, "tokens", 500),
        ManualTicker.create());
    for (int i = 0; i < 100; i++) {
      assertThat(l.tryAcquire(CALL)).isTrue();
    }
    assertThat(l.roundTrips()).isEqualTo(10);
  }

  @Test
  void lease_severalInstances_totalStillExactlyTheBudget() {
    ManualTicker ticker = ManualTicker.create();
    RedisMultiLimiter[] fleet = {
      leasing(100, 100_000, Costs.of("requests", 16, "tokens", 800), ticker),
      leasing(100, 100_000, Costs.of("requests", 7, "tokens", 350), ticker),
      llm(100, 100_000).build()
    };
    long admitted = 0;
    int refusals = 0;
    for (int i = 0; refusals < 30; i++) {
      if (fleet[i % 3].tryAcquire(CALL)) {
        admitted++;
        refusals = 0;
      } else {
        refusals++;
      }
    }
    assertThat(admitted).isEqualTo(100); // requests bind: 100 calls
    // tokens leased with requests Redis could no longer match are charged and wasted
    assertThat(fleet[2].availablePermits("tokens")).isLessThanOrEqualTo(95_000);
  }

  @Test
  void lease_spentAfterRedisIsEmpty_theDocumentedShift() {
    ManualTicker ticker = ManualTicker.create();
    RedisMultiLimiter a = leasing(100, 100_000, Costs.of("requests", 10, "tokens", 500), ticker);
    RedisMultiLimiter b = llm(100, 100_000).build();
    assertThat(a.tryAcquire(CALL)).isTrue(); // took 10 calls' worth: 1 spent, 9 leased
    assertThat(b.availablePermits("requests")).isEqualTo(90);
    assertThat(b.tryAcquire(Costs.of("requests", 90))).isTrue();
    assertThat(b.tryAcquire(CALL)).isFalse();
    for (int i = 0; i < 9; i++) {
      assertThat(a.tryAcquire(CALL)).isTrue(); // granted earlier by Redis, spent now
    }
    assertThat(a.tryAcquire(CALL)).isFalse();
  }

  @Test
  void lease_expired_isDroppedNotSpent() {
    ManualTicker ticker = ManualTicker.create();
    RedisMultiLimiter a = leasing(100, 100_000, Costs.of("requests", 10, "tokens", 500), ticker);
    assertThat(a.tryAcquire(CALL)).isTrue();
    assertThat(a.availablePermits("requests")).isEqualTo(99); // 90 in Redis, 9 leased
    ticker.advance(Duration.ofMinutes(1).plusNanos(1));
    assertThat(a.availablePermits("requests")).isEqualTo(90); // the 9 leased are gone
    long before = a.roundTrips();
    assertThat(a.tryAcquire(CALL)).isTrue();
    assertThat(a.roundTrips()).isEqualTo(before + 1);
  }

  @Test
  void reservationFromTheLease_settlesAgainstIt() throws Exception {
    RedisMultiLimiter a = leasing(100, 100_000, Costs.of("requests", 10, "tokens", 1_000),
        ManualTicker.create());
    assertThat(a.tryAcquire(CALL)).isTrue(); // leased: 9 requests, 950 tokens
    long trips = a.roundTrips();
    try (RedisReservation r = a.reserve(Costs.of("requests", 1, "tokens", 500))) { // from the lease
      r.settle(Costs.of("requests", 1, "tokens", 200)); // 300 back to the lease
    }
    assertThat(a.roundTrips()).isEqualTo(trips);
    assertThat(a.availablePermits("tokens")).isEqualTo(99_000 + 750); // one round trip
    try (RedisReservation r = a.reserve(Costs.of("requests", 1, "tokens", 700))) {
      r.settle(Costs.of("requests", 1, "tokens", 900)); // 50 more from the lease, 150 from Redis
    }
    assertThat(a.roundTrips()).isEqualTo(trips + 2);
    assertThat(a.availablePermits("tokens")).isEqualTo(99_000 - 150);
    RedisReservation cancelled = a.reserve(Costs.of("requests", 1));
    cancelled.cancel();
    assertThat(a.availablePermits("requests")).isEqualTo(90 + 7);
  }

  @Test
  void lease_threadsOnOneInstance_exactTotals_refillsShared() throws Exception {
    RedisMultiLimiter l = leasing(1_000, 100_000, Costs.of("requests", 20, "tokens", 1_000),
        ManualTicker.create());
    assertThat(Redis.admitUntilRefused(8, () -> l.tryAcquire(CALL))).isEqualTo(1_000);
    assertThat(l.roundTrips()).isLessThan(1_000 / 4);
  }

  @Test
  void asyncAcquire_takesFromTheLease() throws Exception {
    RedisMultiLimiter l = leasing(1_000, 100_000, Costs.of("requests", 10, "tokens", 500),
        ManualTicker.create());
    for (int i = 0; i < 20; i++) {
      l.acquireAsync(CALL).toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    assertThat(l.roundTrips()).isLessThanOrEqualTo(4);
    assertThat(l.availablePermits("requests")).isEqualTo(980);
  }

  @Test
  void pause_dropsTheLease() {
    ManualTicker ticker = ManualTicker.create();
    RedisMultiLimiter a = leasing(100, 100_000, Costs.of("requests", 10, "tokens", 500), ticker);
    assertThat(a.tryAcquire(CALL)).isTrue();
    a.pauseUntil(ticker.read() + Duration.ofHours(1).toNanos());
    assertThat(a.tryAcquire(CALL)).isFalse(); // the 9 leased went with the pause
  }

  @Test
  void reservationFromTheLease_settledAfterAPause_givesNothingBackToTheLease() throws Exception {
    ManualTicker ticker = ManualTicker.create();
    RedisMultiLimiter a = leasing(100, 100_000, Costs.of("requests", 10, "tokens", 1_000), ticker);
    assertThat(a.tryAcquire(CALL)).isTrue(); // leased: 9 requests, 950 tokens
    RedisReservation r = a.reserve(Costs.of("requests", 1, "tokens", 500)); // from the lease
    a.pauseUntil(ticker.read() + Duration.ofHours(1).toNanos()); // as from a 429's Retry-After
    r.settle(Costs.of("tokens", 100)); // 1 request and 400 tokens unused
    assertThat(a.tryAcquire(CALL)).isFalse(); // nothing came back to the dropped lease
    assertThat(a.availablePermits("requests")).isEqualTo(0);
  }

  @Test
  void reservationFromTheLease_cancelledAfterARateChange_givesNothingBackToTheLease() throws Exception {
    ManualTicker ticker = ManualTicker.create();
    RedisMultiLimiter a = leasing(100, 100_000, Costs.of("requests", 10, "tokens", 1_000), ticker);
    assertThat(a.tryAcquire(CALL)).isTrue();
    RedisReservation r = a.reserve(CALL);
    a.setRate("requests", 50, TEN_DAYS);
    r.cancel();
    long trips = a.roundTrips();
    assertThat(a.tryAcquire(CALL)).isTrue();
    assertThat(a.roundTrips()).isEqualTo(trips + 1); // from Redis, not from a refilled lease
  }

  @Test
  void refillInFlightWhenTheLeaseIsDropped_isDiscarded() {
    MultiLease lease = new MultiLease(new long[] {10, 500}, Duration.ofMinutes(1).toNanos(), ManualTicker.create());
    long claimedIn = lease.epoch();
    lease.drop(); // a pause while the refill's reply is on its way
    lease.fill(new long[] {9, 450}, claimedIn);
    assertThat(lease.take(new long[] {1, 50})).isEqualTo(-1);
    assertThat(lease.available(0)).isZero();
    lease.fill(new long[] {9, 450}, lease.epoch()); // a refill claimed after the drop is kept
    assertThat(lease.take(new long[] {1, 50})).isEqualTo(lease.epoch());
  }

  @Test
  void callTheBatchCannotCover_neitherWaitsForARefillNorClaimsOne() throws Exception {
    ManualTicker ticker = ManualTicker.create();
    RedisMultiLimiter a = leasing(100, 100_000, Costs.of("requests", 10), ticker); // tokens unleased
    assertThat(a.tryAcquire(Costs.of("requests", 1))).isTrue(); // leased: 9 requests
    // a refill that never ends: a call that could be served from the lease would wait for it
    java.util.concurrent.CompletableFuture<Void> held = a.lease().refill().claim();
    assertThat(held).isNotNull();
    long trips = a.roundTrips();
    java.util.concurrent.CompletableFuture<Boolean> uncoverable = java.util.concurrent.CompletableFuture
        .supplyAsync(() -> a.tryAcquire(Costs.of("requests", 1, "tokens", 50)));
    assertThat(uncoverable.get(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(a.roundTrips()).isEqualTo(trips + 1);
    a.lease().refill().done(held);
    // above the batch: straight to Redis, and the 8 leased requests stay (no refill replaced them)
    assertThat(a.tryAcquire(Costs.of("requests", 11))).isTrue();
    assertThat(a.roundTrips()).isEqualTo(trips + 2);
    for (int i = 0; i < 8; i++) {
      assertThat(a.tryAcquire(Costs.of("requests", 1))).isTrue();
    }
    assertThat(a.roundTrips()).isEqualTo(trips + 2);
  }

  @Test
  void limitAvailable_keepsALeaseWithinTheBound_dropsOneAboveIt() {
    ManualTicker ticker = ManualTicker.create();
    RedisMultiLimiter a = leasing(100, 100_000, Costs.of("requests", 10, "tokens", 500), ticker);
    assertThat(a.tryAcquire(CALL)).isTrue(); // leased: 9 requests, 450 tokens
    a.limitAvailable("requests", 20, ticker.read()); // as HeaderSync does on a remaining count
    long trips = a.roundTrips();
    assertThat(a.tryAcquire(CALL)).isTrue();
    assertThat(a.roundTrips()).isEqualTo(trips); // the lease (8 left) was kept
    a.limitAvailable("tokens", 100, ticker.read()); // below the 400 tokens leased
    assertThat(a.availablePermits("tokens")).isEqualTo(100);
    assertThat(a.availablePermits("requests")).isEqualTo(20);
  }

  @Test
  void leaseBatch_unknownDimensionOrAboveBurst_failsAtBuild() {
    Duration minute = Duration.ofMinutes(1);
    assertThatThrownBy(() -> llm(100, 1_000).lease(Costs.of("images", 1), minute).build())
        .hasMessage("lease batch names dimension images, unknown to llm (it has [requests, tokens])");
    assertThatThrownBy(() -> llm(100, 1_000).lease(Costs.of("tokens", 1_001), minute).build())
        .hasMessage("lease batch of tokens must be <= burst (1000), was 1001");
    assertThatThrownBy(() -> llm(100, 1_000).lease(Costs.of("tokens", 1), Duration.ZERO))
        .hasMessage("ttl must be > 0, was PT0S");
  }
}
