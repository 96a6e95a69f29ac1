package io.throttlenet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiterEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The finer points of the contract, each one scenario: events, what is and is not given back
 * after pauses, restrictions and resets, saturation, and the script reloading itself. Budgets
 * refill at most one permit every 14 minutes, so every count is exact.
 */
class SemanticsTest {
  private static final Duration TEN_DAYS = Duration.ofDays(10);

  private final RedisStore store = Redis.store();
  private final String key = Redis.uniqueKey();
  private final EventRegistry events = EventRegistry.create();

  @AfterEach
  void close() {
    store.close();
  }

  private RedisThrottle throttle(long burst) {
    return RedisThrottle.builder(store).key(key).rate(burst, TEN_DAYS).burst(burst).name("t").events(events).build();
  }

  private RedisMultiLimiter multi() {
    return RedisMultiLimiter.builder(store).key(key).name("m").events(events)
        .dimension("requests", 10, TEN_DAYS).dimension("tokens", 1000, TEN_DAYS).build();
  }

  @Test
  void events_acquiredRejectedCancelled_publishedLikeTheLocalLimiters() {
    List<LimiterEvent> seen = new ArrayList<>();
    events.subscribe(LimiterEvent.class, "t", seen::add);
    RedisThrottle t = throttle(3);
    assertThat(t.tryAcquire(3)).isTrue();
    assertThat(t.tryAcquire()).isFalse();
    assertThat(t.tryAcquire(4)).isFalse();
    long wait = t.reserve(1, 0, Long.MAX_VALUE);
    t.cancel(1, 0, wait);
    assertThat(seen).hasSize(5);
    assertThat(seen.get(0)).isEqualTo(new LimiterEvent.Acquired("t", 3, Duration.ZERO));
    assertThat(((LimiterEvent.Rejected) seen.get(1)).reason()).isEqualTo(LimiterEvent.Reason.INSUFFICIENT_PERMITS);
    assertThat(((LimiterEvent.Rejected) seen.get(1)).retryAfter()).isPresent();
    assertThat(((LimiterEvent.Rejected) seen.get(2)).reason()).isEqualTo(LimiterEvent.Reason.CAPACITY_EXCEEDED);
    assertThat(((LimiterEvent.Acquired) seen.get(3)).waitTime()).isPositive();
    assertThat(seen.get(4)).isEqualTo(new LimiterEvent.Cancelled("t", 1, 1));
  }

  @Test
  void events_multi_acquiredRejectedWithBindingDimension_settled() {
    List<MultiLimiterEvent> seen = new ArrayList<>();
    events.subscribe(MultiLimiterEvent.class, "m", seen::add);
    RedisMultiLimiter m = multi();
    RedisReservation r = m.tryReserve(Costs.of("requests", 1, "tokens", 900)).orElseThrow();
    assertThat(m.tryAcquire(Costs.of("requests", 1, "tokens", 200))).isFalse();
    r.settle(Costs.of("requests", 1, "tokens", 100));
    assertThat(seen).hasSize(3);
    assertThat(seen.get(0)).isInstanceOf(MultiLimiterEvent.Acquired.class);
    MultiLimiterEvent.Rejected rejected = (MultiLimiterEvent.Rejected) seen.get(1);
    assertThat(rejected.dimension()).isEqualTo("tokens");
    assertThat(rejected.reason()).isEqualTo(LimiterEvent.Reason.INSUFFICIENT_PERMITS);
    assertThat(((MultiLimiterEvent.Settled) seen.get(2)).delta()).containsExactlyEntriesOf(java.util.Map.of("tokens", -800L));
  }

  @Test
  void cancel_afterAPause_givesNothingBack() {
    ManualTicker ticker = ManualTicker.create();
    RedisThrottle t = RedisThrottle.builder(store).key(key).rate(2, TEN_DAYS).ticker(ticker).build();
    assertThat(t.tryAcquire(2)).isTrue();
    long wait = t.reserve(1, ticker.read(), Long.MAX_VALUE);
    t.pauseUntil(ticker.read() + Duration.ofDays(20).toNanos());
    t.cancel(1, ticker.read() - 0, wait);
    assertThat(t.waitNanos(1, ticker.read())).isGreaterThan(Duration.ofDays(19).toNanos());
  }

  @Test
  void settle_afterAReset_givesNothingBack() {
    RedisMultiLimiter m = multi();
    RedisReservation r = m.tryReserve(Costs.of("tokens", 600)).orElseThrow();
    m.reset();
    assertThat(m.tryAcquire(Costs.of("tokens", 1000))).isTrue(); // full again: 1000 more
    r.settle(Costs.of("tokens", 0));
    assertThat(m.availablePermits("tokens")).isZero(); // the 600 charged before the reset stay spent
  }

  @Test
  void settle_afterARestriction_givesNothingBack() {
    RedisMultiLimiter m = multi();
    RedisReservation r = m.tryReserve(Costs.of("tokens", 500)).orElseThrow();
    m.limitAvailable("tokens", 100, 0);
    r.cancel();
    assertThat(m.availablePermits("tokens")).isEqualTo(100); // the bound already accounts for it
  }

  @Test
  void settle_whileSomebodyWaits_givesNothingBackBehindThem() throws Exception {
    ManualTicker ticker = ManualTicker.create();
    RedisMultiLimiter m = RedisMultiLimiter.builder(store).key(key).ticker(ticker)
        .dimension("tokens", 100, TEN_DAYS).build();
    RedisReservation r = m.tryReserve(Costs.of("tokens", 100)).orElseThrow();
    CompletableFuture<Void> waiter = m.acquireAsync(Costs.of("tokens", 50)).toCompletableFuture();
    while (ticker.pendingTasks() == 0 && !waiter.isDone()) {
      Thread.onSpinWait();
    }
    r.settle(Costs.of("tokens", 10)); // 90 over-estimated, but a caller is booked to wait
    assertThat(m.availablePermits("tokens")).isEqualTo(-50);
    waiter.cancel(false);
  }

  @Test
  void settle_underEstimate_isAnOverdraftLaterCallersWaitOut() {
    RedisMultiLimiter m = multi();
    RedisReservation r = m.tryReserve(Costs.of("tokens", 100)).orElseThrow();
    r.settle(Costs.of("tokens", 1500));
    assertThat(m.availablePermits("tokens")).isEqualTo(-500);
    assertThat(m.tryAcquire(Costs.of("tokens", 1))).isFalse();
    assertThat(m.waitTime(Costs.of("tokens", 1)).orElseThrow()).isGreaterThan(Duration.ofDays(5));
  }

  @Test
  void settle_absurdOverdraft_refusedAndReservationStaysOpen() {
    RedisMultiLimiter m = multi();
    RedisReservation r = m.tryReserve(Costs.of("tokens", 1)).orElseThrow();
    assertThatThrownBy(() -> r.settle(Costs.of("tokens", Long.MAX_VALUE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("m[tokens]");
    assertThat(r.isOpen()).isTrue();
    r.close();
    assertThat(r.isOpen()).isFalse();
    assertThatThrownBy(r::cancel).hasMessage("reservation was already closed");
  }

  @Test
  void limitAvailable_hugeDebt_saturatesInsteadOfOverflowing() {
    RedisThrottle t = throttle(5);
    t.limitAvailable(Long.MIN_VALUE, 0);
    assertThat(t.tryAcquire()).isFalse();
    long wait = t.waitNanos(1, 0);
    assertThat(wait).isPositive().isLessThanOrEqualTo((1L << 52));
    t.reset();
    assertThat(t.tryAcquire(5)).isTrue();
  }

  @Test
  void pauseUntil_inThePast_changesNothing() {
    ManualTicker ticker = ManualTicker.create();
    RedisThrottle t = RedisThrottle.builder(store).key(key).rate(2, TEN_DAYS).ticker(ticker).build();
    t.pauseUntil(ticker.read() - 1);
    assertThat(t.tryAcquire(2)).isTrue();
    assertThat(t.roundTrips()).isEqualTo(1); // not even sent
  }

  @Test
  void acquire_maxWaitExceeded_reservesNothing() throws Exception {
    RedisThrottle t = throttle(1);
    assertThat(t.tryAcquire()).isTrue();
    assertThat(t.tryAcquire(1, Duration.ofSeconds(1))).isFalse();
    assertThat(t.reserve(1, 0, 1_000)).isNegative();
    assertThat(RateLimiter.requiredWait(t.reserve(1, 0, 1_000))).isGreaterThan(Duration.ofMinutes(10).toNanos());
    assertThat(t.availablePermits()).isZero();
  }

  @Test
  void acquire_interrupted_givesTheBookingBack() throws Exception {
    ManualTicker ticker = ManualTicker.create();
    RedisThrottle t = RedisThrottle.builder(store).key(key).rate(1, TEN_DAYS).ticker(ticker).build();
    assertThat(t.tryAcquire()).isTrue();
    Throwable[] thrown = new Throwable[1];
    Thread waiter = new Thread(() -> {
      try {
        t.acquire();
      } catch (InterruptedException e) {
        thrown[0] = e;
      }
    });
    waiter.start();
    ticker.awaitSleepers(1);
    assertThat(t.availablePermits()).isEqualTo(-1);
    waiter.interrupt();
    waiter.join(10_000);
    assertThat(thrown[0]).isInstanceOf(InterruptedException.class);
    assertThat(t.availablePermits()).isZero();
  }

  @Test
  void script_flushedOnTheServer_isSentAgain() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Redis.serverBinaryPresent(), "redis-server is not installed");
    try (Redis.Server server = new Redis.Server(Redis.freePort()).start();
        RedisStore own = RedisStore.connect(server.uri())) {
      RedisThrottle t = RedisThrottle.builder(own).key(key).rate(3, TEN_DAYS).build();
      assertThat(t.tryAcquire()).isTrue();
      long before = own.roundTrips();
      new ProcessBuilder("redis-cli", "-p", Integer.toString(server.port), "script", "flush")
          .start().waitFor(10, TimeUnit.SECONDS);
      assertThat(t.tryAcquire()).isTrue(); // NOSCRIPT, then EVAL: two commands, one acquire
      assertThat(own.roundTrips() - before).isEqualTo(2);
      assertThat(t.tryAcquire()).isTrue();
      assertThat(own.roundTrips() - before).isEqualTo(3);
      assertThat(t.tryAcquire()).isFalse();
    }
  }

  @Test
  void keyOfAnotherType_isAnErrorNotAnOutage() {
    Redis.inspect(c -> c.set("throttlenet:{" + key + "}", "not a bucket"));
    RedisThrottle t = throttle(3);
    assertThatThrownBy(t::tryAcquire)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("t: Redis refused the limiter's script");
    assertThat(t.isRedisDown()).isFalse();
  }

  @Test
  void multiDecorator_async_reservesThenSettles() throws Exception {
    RedisMultiLimiter m = multi();
    var decorator = m.<Integer>decorator(Costs.of("requests", 1, "tokens", 300), used -> Costs.of("requests", 1, "tokens", used), null);
    CompletableFuture<Integer> result = decorator
        .decorateAsync(() -> CompletableFuture.completedFuture(120)).get().toCompletableFuture();
    assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo(120);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (m.availablePermits("tokens") != 880 && System.nanoTime() - deadline < 0) {
      Thread.onSpinWait(); // the settle is sent without blocking the call's completion
    }
    assertThat(m.availablePermits("tokens")).isEqualTo(880);
    CheckedSupplier<Integer> sync = decorator.decorate(() -> 7);
    assertThat(sync.get()).isEqualTo(7);
    assertThat(m.availablePermits("tokens")).isEqualTo(873);
    assertThatThrownBy(() -> m.decorator(Costs.of("tokens", 1001), null))
        .hasMessage("estimate for m[tokens] must be <= its capacity (1000), was 1001");
  }

  @Test
  void multiDecorator_failedCall_keepsTheEstimate() {
    RedisMultiLimiter m = multi();
    CheckedSupplier<Integer> failing = m.<Integer>decorator(Costs.of("tokens", 300), used -> Costs.of("tokens", 1), null)
        .decorate(() -> {
          throw new java.io.IOException("downstream");
        });
    assertThatThrownBy(failing::get).isInstanceOf(java.io.IOException.class).hasMessage("downstream");
    assertThat(m.availablePermits("tokens")).isEqualTo(700);
  }

  @Test
  void perKey_async_andWaitingPerTenant() throws Exception {
    RedisPerKey<String> p = RedisPerKey.<String>builder(store).key(key).rate(2, TEN_DAYS).build();
    p.acquireAsync("a", 2, Duration.ZERO).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThatThrownBy(() -> p.acquireAsync("a", 1, Duration.ofSeconds(1)).toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(io.throttlenet.core.MaxWaitExceededException.class);
    assertThat(p.tryAcquire("b", 1, Duration.ZERO)).isTrue();
    assertThat(p.roundTrips()).isEqualTo(3);
  }

  @Test
  void builders_optionsSetTwice_fail() {
    assertThatThrownBy(() -> RedisThrottle.builder(store).key("a").key("b")).hasMessage("key was already set");
    assertThatThrownBy(() -> RedisThrottle.builder(store).outage(OutagePolicy.failOpen()).outage(OutagePolicy.failOpen()))
        .hasMessage("outage was already set");
    assertThatThrownBy(() -> RedisMultiLimiter.builder(store).timeout(Duration.ofMillis(5)).timeout(Duration.ofMillis(5)))
        .hasMessage("timeout was already set");
    assertThatThrownBy(() -> RedisPerKey.builder(store).rate(1, TEN_DAYS).rate(1, TEN_DAYS)).hasMessage("rate was already set");
    assertThatThrownBy(() -> RedisThrottle.builder(null)).hasMessage("store must not be null");
    assertThatThrownBy(() -> RedisThrottle.builder(store).key(key).rate(2, Duration.ofNanos(1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rate must be at most 1 permit per nanosecond, was 2 per PT0.000000001S");
  }
}
