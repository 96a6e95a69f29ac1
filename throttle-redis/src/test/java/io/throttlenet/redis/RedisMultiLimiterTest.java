package io.throttlenet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.multidim.Costs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The multi-dimensional Redis limiter: all or nothing in one script, reserve then settle, keys
 * under one hash tag with TTLs. Budgets refill at most one permit every 14 minutes, so counts are
 * exact.
 */
class RedisMultiLimiterTest {
  private static final Duration TEN_DAYS = Duration.ofDays(10);

  private final RedisStore store = Redis.store();
  private final String key = Redis.uniqueKey();

  @AfterEach
  void close() {
    store.close();
  }

  private RedisMultiLimiter.Builder llm(RedisStore s, long requests, long tokens) {
    return RedisMultiLimiter.builder(s).key(key).name("llm")
        .dimension("requests", requests, TEN_DAYS)
        .dimension("tokens", tokens, TEN_DAYS);
  }

  @Test
  void tryAcquire_allOrNothing_aRefusalChargesNoDimension() {
    RedisMultiLimiter l = llm(store, 10, 1000).build();
    assertThat(l.tryAcquire(Costs.of("requests", 1, "tokens", 900))).isTrue();
    assertThat(l.tryAcquire(Costs.of("requests", 1, "tokens", 200))).isFalse(); // tokens bind
    assertThat(l.availablePermits("requests")).isEqualTo(9);
    assertThat(l.availablePermits("tokens")).isEqualTo(100);
    assertThat(l.tryAcquire(Costs.of("tokens", 100))).isTrue(); // requests not named: not charged
    assertThat(l.availablePermits("requests")).isEqualTo(9);
    assertThat(l.roundTrips()).isEqualTo(6); // one per call: three acquires, three queries
  }

  @Test
  void unknownDimensionOrCostAboveBurst_failFastNamingThem() {
    RedisMultiLimiter l = llm(store, 10, 1000).build();
    assertThatThrownBy(() -> l.tryAcquire(Costs.of("images", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dimension images is unknown to llm (it has [requests, tokens])");
    assertThatThrownBy(() -> l.acquire(Costs.of("requests", 1, "tokens", 1001)))
        .isInstanceOf(CostExceedsCapacityException.class)
        .hasMessageContaining("llm[tokens]")
        .hasMessageContaining("1001");
    assertThat(l.roundTrips()).isZero();
    assertThatThrownBy(() -> RedisMultiLimiter.builder(store).key(key).build())
        .hasMessage("at least one dimension must be added");
    assertThatThrownBy(() -> RedisMultiLimiter.builder(store).dimension("a", 1, TEN_DAYS).dimension("a", 2, TEN_DAYS))
        .hasMessage("dimension a was already added");
  }

  @Test
  void keys_shareOneHashTag_andExpire() {
    RedisMultiLimiter l = llm(store, 10, 1000).build();
    assertThat(l.tryAcquire(Costs.of("requests", 1, "tokens", 10))).isTrue();
    List<String> keys = Redis.inspect(c -> c.keys("throttlenet:{" + key + "}:*"));
    assertThat(keys).containsExactlyInAnyOrder(
        "throttlenet:{" + key + "}:requests", "throttlenet:{" + key + "}:tokens");
    for (String k : keys) {
      long ttl = Redis.inspect(c -> c.pttl(k));
      assertThat(ttl).isPositive().isLessThanOrEqualTo(TEN_DAYS.toMillis() / 10 + 1_000); // one refill slot
    }
  }

  @Test
  void acquire_waitsForTheSlowestDimension_asTheServerSays() throws Exception {
    ManualTicker ticker = ManualTicker.create();
    RedisMultiLimiter l = RedisMultiLimiter.builder(store).key(key)
        .dimension("requests", 1, Duration.ofHours(1))
        .dimension("tokens", 1, Duration.ofHours(2)).ticker(ticker).build();
    assertThat(l.tryAcquire(Costs.of("requests", 1, "tokens", 1))).isTrue();
    CompletableFuture<Void> f = l.acquireAsync(Costs.of("requests", 1, "tokens", 1)).toCompletableFuture();
    while (ticker.pendingTasks() == 0 && !f.isDone()) {
      Thread.onSpinWait();
    }
    ticker.advance(Duration.ofMinutes(110));
    assertThat(f).isNotDone(); // requests would allow it after an hour; tokens after two
    ticker.advance(Duration.ofMinutes(11));
    assertThat(f.get()).isNull();
  }

  @Test
  void reserveThenSettle_overEstimateGivenBack_underEstimateCharged() throws Exception {
    RedisMultiLimiter l = llm(store, 10, 1000).build();
    try (RedisReservation r = l.reserve(Costs.of("requests", 1, "tokens", 500))) {
      assertThat(l.availablePermits("tokens")).isEqualTo(500);
      r.settle(Costs.of("requests", 1, "tokens", 120));
    }
    assertThat(l.availablePermits("tokens")).isEqualTo(880);
    RedisReservation under = l.tryReserve(Costs.of("requests", 1, "tokens", 100)).orElseThrow();
    under.settle(Costs.of("requests", 1, "tokens", 300));
    assertThat(l.availablePermits("tokens")).isEqualTo(580);
    assertThat(l.availablePermits("requests")).isEqualTo(8);
    assertThatThrownBy(() -> under.settle(Costs.of("tokens", 1))).hasMessage("reservation was already settled");
  }

  @Test
  void settle_overEstimateBehindALaterBooking_givesBackOnlyWhatStillWeighs() {
    RedisMultiLimiter l = llm(store, 10, 1000).build();
    RedisReservation first = l.tryReserve(Costs.of("tokens", 400)).orElseThrow();
    assertThat(l.tryAcquire(Costs.of("tokens", 100))).isTrue();
    first.settle(Costs.of("tokens", 0));
    // The bucket was full when charged, so the whole charge still weighs: all 400 come back.
    assertThat(l.availablePermits("tokens")).isEqualTo(900);
  }

  @Test
  void cancel_givesEverythingBack() {
    RedisMultiLimiter l = llm(store, 10, 1000).build();
    RedisReservation r = l.tryReserve(Costs.of("requests", 2, "tokens", 700)).orElseThrow();
    r.cancel();
    assertThat(l.availablePermits("requests")).isEqualTo(10);
    assertThat(l.availablePermits("tokens")).isEqualTo(1000);
  }

  @Test
  void pauseLimitReset_applyAtTheServer() {
    ManualTicker ticker = ManualTicker.create();
    RedisMultiLimiter l = llm(store, 10, 1000).ticker(ticker).build();
    l.limitAvailable("tokens", 50, ticker.read());
    assertThat(l.availablePermits("tokens")).isEqualTo(50);
    assertThat(l.availablePermits("requests")).isEqualTo(10);
    assertThat(l.tryAcquire(Costs.of("requests", 1, "tokens", 51))).isFalse();
    l.reset();
    assertThat(l.availablePermits("tokens")).isEqualTo(1000);
    l.pauseUntil(ticker.read() + Duration.ofMinutes(5).toNanos());
    assertThat(l.tryAcquire(Costs.of("requests", 1))).isFalse();
    assertThat(l.waitTime(Costs.of("requests", 1)).orElseThrow()).isBetween(Duration.ofMinutes(4), Duration.ofMinutes(5));
  }

  @Test
  void severalInstancesAndThreads_neverExceedAnyDimension() throws Exception {
    long requests = 60;
    long tokens = 2_000;
    AtomicLong usedRequests = new AtomicLong();
    AtomicLong usedTokens = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    List<RedisStore> stores = new ArrayList<>();
    try {
      for (int c = 0; c < 3; c++) {
        RedisStore s = Redis.store();
        stores.add(s);
        RedisMultiLimiter l = llm(s, requests, tokens).build();
        for (int i = 0; i < 3; i++) {
          long cost = 10 + 17 * (c * 3 + i);
          threads.add(new Thread(() -> {
            int refusals = 0;
            while (refusals < 15) {
              if (l.tryAcquire(Costs.of("requests", 1, "tokens", cost))) {
                usedRequests.incrementAndGet();
                usedTokens.addAndGet(cost);
              } else {
                refusals++;
              }
            }
          }));
        }
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join(60_000);
      }
      assertThat(usedRequests.get()).isLessThanOrEqualTo(requests);
      assertThat(usedTokens.get()).isLessThanOrEqualTo(tokens);
      RedisMultiLimiter probe = llm(stores.get(0), requests, tokens).build();
      assertThat(probe.availablePermits("requests")).isEqualTo(requests - usedRequests.get());
      assertThat(probe.availablePermits("tokens")).isEqualTo(tokens - usedTokens.get());
    } finally {
      stores.forEach(RedisStore::close);
    }
  }

  @Test
  void randomSchedules_matchAnAllOrNothingModel() {
    try (RedisStore other = Redis.store()) {
      qt().withExamples(30).withShrinkCycles(20)
          .forAll(lists().of(integers().between(0, 2 * 6 * 6 - 1)).ofSizeBetween(1, 20))
          .checkAssert(schedule -> {
            String k = Redis.uniqueKey();
            RedisMultiLimiter[] fleet = {
              RedisMultiLimiter.builder(store).key(k).dimension("a", 8, TEN_DAYS).dimension("b", 12, TEN_DAYS).build(),
              RedisMultiLimiter.builder(other).key(k).dimension("a", 8, TEN_DAYS).dimension("b", 12, TEN_DAYS).build(),
            };
            long a = 8;
            long b = 12;
            for (int step : schedule) {
              long ca = (step / 2) % 6;
              long cb = (step / 12) % 6;
              boolean expected = ca <= a && cb <= b;
              assertThat(fleet[step % 2].tryAcquire(Costs.of("a", ca, "b", cb))).isEqualTo(expected);
              if (expected) {
                a -= ca;
                b -= cb;
              }
            }
            assertThat(fleet[0].availablePermits("a")).isEqualTo(a);
            assertThat(fleet[1].availablePermits("b")).isEqualTo(b);
          });
    }
  }
}
