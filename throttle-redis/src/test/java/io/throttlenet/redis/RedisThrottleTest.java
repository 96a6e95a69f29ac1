package io.throttlenet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis token bucket against the shared server. Rates are so slow (one permit an hour) that
 * no refill can happen during a test, so every count is exact; waits are driven by a manual
 * ticker on the client side (the server's clock decides how long, the ticker when to wake).
 */
class RedisThrottleTest {
  private static final Duration HOUR = Duration.ofHours(1);

  private final RedisStore store = Redis.store();
  private final String key = Redis.uniqueKey();

  @AfterEach
  void close() {
    store.close();
  }

  private RedisThrottle.Builder slow(long burst) {
    return RedisThrottle.builder(store).key(key).rate(1, HOUR).burst(burst);
  }

  @Test
  void tryAcquire_burstBackToBack_exactlyBurstAdmittedThenRefused() {
    RedisThrottle t = slow(25).build();
    int admitted = 0;
    for (int i = 0; i < 25; i++) {
      admitted += t.tryAcquire() ? 1 : 0;
    }
    assertThat(admitted).isEqualTo(25);
    assertThat(t.tryAcquire()).isFalse();
    assertThat(t.availablePermits()).isZero();
  }

  @Test
  void tryAcquire_costs_chargedByCost() {
    RedisThrottle t = slow(10).build();
    assertThat(t.tryAcquire(7)).isTrue();
    assertThat(t.tryAcquire(4)).isFalse();
    assertThat(t.tryAcquire(3)).isTrue();
    assertThat(t.tryAcquire(1)).isFalse();
  }

  @Test
  void acquire_costAboveBurst_failsAtOnceNamingCapacity() {
    RedisThrottle t = slow(5).name("five").build();
    assertThat(t.tryAcquire(6)).isFalse();
    assertThat(t.reserve(6, 0, Long.MAX_VALUE)).isEqualTo(RateLimiter.NEVER);
    assertThatThrownBy(() -> t.acquire(6))
        .isInstanceOf(CostExceedsCapacityException.class)
        .hasMessageContaining("five")
        .hasMessageContaining("capacity 5");
    assertThat(t.roundTrips()).isZero(); // decided locally
  }

  @Test
  void badArguments_failNamingArgumentAndValue() {
    assertThatThrownBy(() -> RedisThrottle.builder(store).key(key).rate(0, HOUR))
        .hasMessage("permits must be > 0, was 0");
    assertThatThrownBy(() -> RedisThrottle.builder(store).key("a{b}"))
        .hasMessageContaining("key must be non-empty and contain no braces, was 'a{b}'");
    assertThatThrownBy(() -> RedisThrottle.builder(store).rate(1, HOUR).build())
        .hasMessage("key must be set");
    assertThatThrownBy(() -> RedisThrottle.builder(store).key(key).rate(1, Duration.ofDays(400)).build())
        .hasMessageContaining("26 days");
    assertThatThrownBy(() -> slow(5).lease(6, Duration.ofSeconds(1)).build())
        .hasMessage("lease batch must be <= burst (5), was 6");
    assertThatThrownBy(() -> slow(5).build().tryAcquire(-1)).hasMessage("cost must be >= 0, was -1");
    assertThatThrownBy(() -> RedisThrottle.builder(store).timeout(Duration.ZERO))
        .hasMessage("timeout must be > 0, was PT0S");
    assertThatThrownBy(() -> OutagePolicy.fallback(0)).hasMessage("fleetSize must be >= 1, was 0");
  }

  @Test
  void acquire_empty_waitsTheDelayTheServerReturns() throws Exception {
    ManualTicker ticker = ManualTicker.create();
    RedisThrottle t = slow(2).ticker(ticker).build();
    assertThat(t.tryAcquire(2)).isTrue();
    Thread waiter = new Thread(() -> {
      try {
        t.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    waiter.start();
    ticker.awaitSleepers(1);
    ticker.advance(HOUR.minusSeconds(60)); // the server said about an hour: not yet
    assertThat(waiter.isAlive()).isTrue();
    ticker.advance(Duration.ofSeconds(61));
    waiter.join(10_000);
    assertThat(waiter.isAlive()).isFalse();
    assertThat(t.roundTrips()).isEqualTo(2); // one per acquire, no polling
  }

  @Test
  void waitNanos_reportsServerWaitWithoutBooking() {
    RedisThrottle t = slow(3).build();
    assertThat(t.waitNanos(3, 0)).isZero();
    assertThat(t.tryAcquire(3)).isTrue();
    long wait = t.waitNanos(1, 0);
    assertThat(wait).isBetween(HOUR.minusSeconds(60).toNanos(), HOUR.toNanos());
    assertThat(t.waitNanos(1, 0)).isLessThanOrEqualTo(wait);
    assertThat(t.waitNanos(4, 0)).isEqualTo(RateLimiter.NEVER);
  }

  @Test
  void cancel_lastWaitingBooking_givesItBack() {
    EventRegistry events = EventRegistry.create();
    List<LimiterEvent.Cancelled> cancelled = new ArrayList<>();
    events.subscribe(LimiterEvent.Cancelled.class, cancelled::add);
    RedisThrottle t = slow(4).events(events).build();
    assertThat(t.tryAcquire(4)).isTrue();
    long wait = t.reserve(2, 123, Duration.ofHours(3).toNanos());
    assertThat(wait).isPositive();
    assertThat(t.availablePermits()).isEqualTo(-2);
    t.cancel(2, 123, wait);
    assertThat(t.availablePermits()).isZero();
    assertThat(cancelled).extracting(LimiterEvent.Cancelled::refunded).containsExactly(2L);
  }

  @Test
  void cancel_withLaterBookingOnTop_givesNothingBack() {
    RedisThrottle t = slow(4).build();
    RedisThrottle other = slow(4).build();
    assertThat(t.tryAcquire(4)).isTrue();
    long wait = t.reserve(1, 5, Duration.ofHours(3).toNanos());
    assertThat(other.reserve(1, 7, Duration.ofHours(3).toNanos())).isPositive();
    t.cancel(1, 5, wait);
    assertThat(t.availablePermits()).isEqualTo(-2); // returning it would let the later one share a slot
  }

  @Test
  void acquireAsync_cancelledWhileWaiting_givesItBack() throws Exception {
    ManualTicker ticker = ManualTicker.create();
    RedisThrottle t = slow(1).ticker(ticker).build();
    assertThat(t.tryAcquire()).isTrue();
    CompletableFuture<Void> f = t.acquireAsync(1).toCompletableFuture();
    while (ticker.pendingTasks() == 0 && !f.isDone()) {
      Thread.onSpinWait(); // the reply arrives on Lettuce's thread and schedules the release
    }
    assertThat(f).isNotDone();
    assertThat(t.availablePermits()).isEqualTo(-1);
    f.cancel(false);
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (t.availablePermits() != 0 && System.nanoTime() - deadline < 0) {
      Thread.onSpinWait(); // the give-back is asynchronous too
    }
    assertThat(t.availablePermits()).isZero();
  }

  @Test
  void acquireAsync_grantedAfterTheServersWait() throws Exception {
    ManualTicker ticker = ManualTicker.create();
    RedisThrottle t = slow(1).ticker(ticker).build();
    assertThat(t.acquireAsync(1).toCompletableFuture().get()).isNull();
    CompletableFuture<Void> f = t.acquireAsync(1).toCompletableFuture();
    while (ticker.pendingTasks() == 0 && !f.isDone()) {
      Thread.onSpinWait();
    }
    ticker.advance(HOUR.minusSeconds(60));
    assertThat(f).isNotDone();
    ticker.advance(Duration.ofSeconds(61));
    assertThat(f.get()).isNull();
  }

  @Test
  void acquireAsync_maxWaitTooShort_failsAtOnceChargingNothing() {
    RedisThrottle t = slow(1).build();
    assertThat(t.tryAcquire()).isTrue();
    assertThat(t.acquireAsync(1, Duration.ofSeconds(1)).toCompletableFuture())
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withCauseInstanceOf(io.throttlenet.core.MaxWaitExceededException.class);
    assertThat(t.availablePermits()).isZero();
  }

  @Test
  void limitAvailable_lowersButNeverRaises() {
    RedisThrottle t = slow(20).build();
    t.limitAvailable(5, 0);
    assertThat(t.availablePermits()).isEqualTo(5);
    t.limitAvailable(30, 0);
    assertThat(t.availablePermits()).isEqualTo(5);
    t.limitAvailable(-2, 0);
    assertThat(t.availablePermits()).isEqualTo(-2);
    assertThat(t.tryAcquire()).isFalse();
  }

  @Test
  void pauseUntil_grantsNothingBeforeThenRefillsFromEmpty() {
    ManualTicker ticker = ManualTicker.create();
    RedisThrottle t = RedisThrottle.builder(store).key(key).rate(60, Duration.ofMinutes(1)).ticker(ticker).build();
    t.pauseUntil(ticker.read() + Duration.ofMinutes(10).toNanos());
    assertThat(t.tryAcquire()).isFalse();
    assertThat(t.waitNanos(1, ticker.read()))
        .isBetween(Duration.ofMinutes(9).toNanos(), Duration.ofMinutes(10).toNanos());
  }

  @Test
  void reset_fullAgain() {
    RedisThrottle t = slow(3).build();
    assertThat(t.tryAcquire(3)).isTrue();
    t.reset();
    assertThat(t.availablePermits()).isEqualTo(3);
    assertThat(t.tryAcquire(3)).isTrue();
    assertThat(t.tryAcquire()).isFalse();
  }

  @Test
  void key_hasTtlOfTimeToFull() {
    RedisThrottle t = slow(10).build();
    assertThat(t.tryAcquire(2)).isTrue();
    long pttl = Redis.inspect(c -> c.pttl("throttlenet:{" + key + "}"));
    // two permits at one an hour: full again in two hours (plus a second of margin)
    assertThat(pttl).isBetween(Duration.ofHours(2).toMillis() - 60_000, Duration.ofHours(2).toMillis() + 1_000);
  }

  @Test
  void key_expiresOnceFull_andExpiredMeansFull() {
    RedisThrottle t = RedisThrottle.builder(store).key(key).rate(1000, Duration.ofSeconds(1)).burst(1).build();
    assertThat(t.tryAcquire()).isTrue();
    String redisKey = "throttlenet:{" + key + "}";
    long pttl = Redis.inspect(c -> c.pttl(redisKey));
    assertThat(pttl).isBetween(1L, 1_001L);
    long deadline = System.nanoTime() + 10_000_000_000L; // waits for Redis to expire it, bounded
    while (Redis.inspect(c -> c.exists(redisKey)) == 1 && System.nanoTime() - deadline < 0) {
      Thread.onSpinWait();
    }
    long exists = Redis.inspect(c -> c.exists(redisKey));
    assertThat(exists).isZero();
    assertThat(t.availablePermits()).isEqualTo(1);
  }

  @Test
  void separateClients_clockSkewIrrelevant_shareOneBudget() {
    // Two instances with wildly different client tickers: only the server's time counts.
    RedisThrottle a = slow(6).ticker(ManualTicker.startingAt(Long.MAX_VALUE - 5)).build();
    try (RedisStore other = Redis.store()) {
      RedisThrottle b = RedisThrottle.builder(other).key(key).rate(1, HOUR).burst(6)
          .ticker(ManualTicker.startingAt(-1_000_000_000_000L)).build();
      assertThat(a.tryAcquire(4)).isTrue();
      assertThat(b.tryAcquire(3)).isFalse();
      assertThat(b.tryAcquire(2)).isTrue();
      assertThat(a.tryAcquire()).isFalse();
    }
  }
}
