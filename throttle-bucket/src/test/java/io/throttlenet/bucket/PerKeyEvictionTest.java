package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * When a {@link PerKey} lets a key go: a key is kept while its limiter owes (for every kind of
 * limiter, whatever the idle timeout), a full one expires, an evicted debtor keeps its debt and
 * comes back with it, a charge landing on a limiter evicted in that very instant is counted, and
 * every forgiven debt is published when it happens.
 */
class PerKeyEvictionTest {
  private static final long MS = 1_000_000L;
  private static final Duration S = Duration.ofSeconds(1);

  private final ManualTicker manual = ManualTicker.startingAt(-3_000 * MS);
  private final StaleTicker ticker = new StaleTicker(manual);
  private final EventRegistry events = EventRegistry.create();
  private final List<PerKeyEvent.IndebtedEviction> evictions = new ArrayList<>();

  PerKeyEvictionTest() {
    events.subscribe(PerKeyEvent.IndebtedEviction.class, "tenants", evictions::add);
  }

  /** 10 per second, burst 10 (a permit every 100 ms, full again 1 s after being drained). */
  private PerKey.Builder<String> tenPerSecond() {
    return PerKey.<String>builder().name("tenants").rate(10, S).ticker(ticker).events(events);
  }

  private PerKey.Builder<String> withLimiter(java.util.function.Function<String, RateLimiter> factory) {
    return PerKey.<String>builder().name("tenants").limiter(factory).ticker(ticker).events(events);
  }

  /**
   * A limiter PerKey knows nothing about (not a Throttle, log or AllOf): a token bucket of 10 per
   * second behind a plain {@link RateLimiter}.
   */
  private static RateLimiter opaque(Ticker ticker) {
    Throttle t = Throttle.builder().rate(10, S).ticker(ticker).events(EventRegistry.create()).build();
    return new RateLimiter() {
      @Override public String name() { return "opaque"; }
      @Override public Ticker ticker() { return t.ticker(); }
      @Override public long capacity() { return t.capacity(); }
      @Override public long availablePermits() { return t.availablePermits(); }
      @Override public long reserve(long c, long n, long m) { return t.reserve(c, n, m); }
      @Override public void cancel(long c, long n, long w) { t.cancel(c, n, w); }
      @Override public long waitNanos(long c, long n) { return t.waitNanos(c, n); }
      @Override public void pauseUntil(long u) { t.pauseUntil(u); }
      @Override public void limitAvailable(long p, long n) { t.limitAvailable(p, n); }
      @Override public void reset() { t.reset(); }
    };
  }

  private static void advanceTo(ManualTicker ticker, long at) {
    ticker.advance(at - ticker.read());
  }

  // ---- a key that owes is kept until refilled, whatever its limiter

  @Test
  void aKeyReadWhileItOwes_isKeptLongEnoughForTheChargeAfterTheRead() {
    PerKey<String> p = tenPerSecond().idleTimeout(Duration.ofMillis(1)).forgiveEvictedDebt().build();
    long t0 = manual.read();
    assertThat(p.tryAcquire("k", 10)).isTrue(); // created full: kept 1 s; drained
    manual.advance(100 * MS);
    assertThat(p.tryAcquire("k", 1)).isTrue(); // read with 0.9 s owed; full again at 1.1 s
    advanceTo(manual, t0 + 1050 * MS);
    p.cleanUp();
    assertThat(p.estimatedSize()).isEqualTo(1);
    assertThat(p.indebtedEvictions()).isZero();
    advanceTo(manual, t0 + 2100 * MS);
    p.cleanUp();
    assertThat(p.estimatedSize()).isZero(); // full, idle: gone, and nothing was forgiven
    assertThat(p.indebtedEvictions()).isZero();
  }

  @Test
  void aSlidingWindowKey_isKeptUntilItsBookingsLeaveTheWindow() {
    PerKey<String> p =
        withLimiter(k -> SlidingWindowLog.builder().limit(5).window(Duration.ofSeconds(10)).ticker(ticker).build())
            .idleTimeout(S)
            .forgiveEvictedDebt()
            .build();
    assertThat(p.tryAcquire("k", 5)).isTrue();
    manual.advance(Duration.ofSeconds(9));
    p.cleanUp();
    assertThat(p.estimatedSize()).isEqualTo(1);
    assertThat(p.indebtedEvictions()).isZero();
    assertThat(p.tryAcquire("k", 1)).isFalse(); // still in the window
    manual.advance(Duration.ofSeconds(2));
    assertThat(p.tryAcquire("k", 5)).isTrue();
    assertThat(p.indebtedEvictions()).isZero();
  }

  @Test
  void anAllOfKey_isKeptUntilItsSlowestPartHasRefilled() {
    // "bucket": its 5 s bucket binds, its 2 s log is clear first; "log": the other way round.
    PerKey<String> p =
        withLimiter(
                k -> Throttle.allOf(
                    Throttle.builder().rate(1, S).burst(5).ticker(ticker).build(),
                    k.equals("log")
                        ? SlidingWindowLog.builder().limit(2).window(Duration.ofSeconds(10)).ticker(ticker).build()
                        : SlidingWindowLog.builder().limit(10).window(Duration.ofSeconds(2)).ticker(ticker).build()))
            .idleTimeout(S)
            .forgiveEvictedDebt()
            .build();
    assertThat(p.tryAcquire("bucket", 5)).isTrue(); // full again at 5 s
    assertThat(p.tryAcquire("log", 2)).isTrue(); // full again at 10 s
    manual.advance(Duration.ofSeconds(4));
    p.cleanUp();
    assertThat(p.estimatedSize()).isEqualTo(2);
    assertThat(p.availablePermits("bucket")).isEqualTo(4);
    assertThat(p.availablePermits("log")).isZero();
    manual.advance(Duration.ofSeconds(2));
    p.cleanUp();
    assertThat(p.estimatedSize()).isEqualTo(1); // "bucket", full and idle, is gone
    assertThat(p.availablePermits("log")).isZero();
    assertThat(p.indebtedEvictions()).isZero();
  }

  @Test
  void anOpaqueLimitersKey_readWhileItOwes_isKeptLongEnoughForTheChargeAfterTheRead() {
    PerKey<String> p = withLimiter(k -> opaque(ticker)).idleTimeout(S).forgiveEvictedDebt().build();
    long t0 = manual.read();
    assertThat(p.tryAcquire("k", 8)).isTrue(); // created full: kept 1 s; owes 0.8 s
    manual.advance(500 * MS);
    // Read owing 0.3 s: its time until full is the best guess of what a charge adds.
    assertThat(p.tryAcquire("k", 3)).isTrue(); // full again at 1.1 s
    advanceTo(manual, t0 + 1050 * MS);
    p.cleanUp();
    assertThat(p.estimatedSize()).isEqualTo(1);
    assertThat(p.indebtedEvictions()).isZero();
  }

  @Test
  void anOpaqueLimitersKey_bookedAheadOfWhatItsReadAllowedFor_isKeptUntilRefilled() throws Exception {
    PerKey<String> p = withLimiter(k -> opaque(ticker)).idleTimeout(S).forgiveEvictedDebt().build();
    assertThat(p.tryAcquire("a", 4)).isTrue(); // kept 1 s, owes 0.4 s
    assertThat(p.tryAcquire("b", 4)).isTrue();
    assertThat(p.tryAcquire("c", 4)).isTrue();
    // Each books 8 more: released at 0.2 s, full again only at 1.2 s
    assertThat(p.acquireAsync("a", 8).toCompletableFuture()).isNotDone();
    assertThat(p.acquireAsync("b", 8, S).toCompletableFuture()).isNotDone();
    Waiter waiter = Waiter.start(() -> p.acquire("c", 8));
    manual.awaitSleepers(1);
    manual.advance(200 * MS);
    assertThat(waiter.join()).isNull();
    manual.advance(900 * MS); // 1.1 s: each still owes one permit
    p.cleanUp();
    assertThat(p.estimatedSize()).isEqualTo(3);
    assertThat(p.indebtedEvictions()).isZero();
  }

  // ---- a full key expires

  @Test
  void anIdleFullKey_expires_evenWithAZeroIdleTimeout_andIsNoDebtor() {
    PerKey<String> zero = tenPerSecond().idleTimeout(Duration.ZERO).build();
    PerKey<String> opaque = withLimiter(k -> opaque(ticker)).idleTimeout(S).build();
    assertThat(zero.tryAcquire("k", 1)).isTrue();
    assertThat(opaque.tryAcquire("k", 0)).isTrue(); // created, never charged: full
    manual.advance(1500 * MS);
    zero.cleanUp();
    opaque.cleanUp();
    assertThat(zero.estimatedSize()).isZero();
    assertThat(opaque.estimatedSize()).isZero();
    assertThat(zero.evictedDebtors()).isZero(); // it owed nothing: not set aside
    assertThat(opaque.evictedDebtors()).isZero();
  }

  // ---- a key evicted while it owes is set aside and comes back with its debt

  @Test
  void aKeyExpiredWhileItOwes_isSetAside_answersWithItsDebt_andComesBackWithIt() {
    PerKey<String> p = tenPerSecond().idleTimeout(S).build();
    assertThat(p.tryAcquire("k", 1)).isTrue();
    // A debt the key's expiry did not allow for: 50 permits short of full, 5 s.
    p.limiter("k").limitAvailable(-40, manual.read());
    manual.advance(Duration.ofSeconds(3));
    p.cleanUp();
    assertThat(p.estimatedSize()).isZero();
    assertThat(p.evictedDebtors()).isEqualTo(1);
    assertThat(p.availablePermits("k")).isEqualTo(-10);
    assertThat(p.tryAcquire("k", 1)).isFalse();
    assertThat(p.evictedDebtors()).isZero(); // back in the cache, its debt with it
    assertThat(p.estimatedSize()).isEqualTo(1);
    assertThat(p.availablePermits("k")).isEqualTo(-10);
    assertThat(p.indebtedEvictions()).isZero();
    assertThat(evictions).isEmpty();
    // Back as a fresh entry: evicted again (full, idle) while charged, its debt is counted lost.
    manual.advance(Duration.ofMillis(2500)); // repaid, still held
    assertThat(p.estimatedSize()).isEqualTo(1);
    ticker.afterNextReadBy(c -> c == RateLimiter.class, () -> {
      manual.advance(Duration.ofHours(1));
      p.cleanUp();
    });
    assertThat(p.tryAcquire("k", 1)).isTrue();
    assertThat(p.indebtedEvictions()).isEqualTo(1);
  }

  @Test
  void anAllOfKeyWhoseLargerPartOwes_isSetAsideWhenEvicted_thoughItsSmallestCapacityIsBack() {
    // 10 per second (burst 10) and 100 per minute (burst 100): the composite's capacity is 10.
    PerKey<String> p =
        withLimiter(
                k ->
                    Throttle.allOf(
                        Throttle.builder().rate(10, S).ticker(ticker).events(events).build(),
                        Throttle.builder().rate(100, Duration.ofMinutes(1)).ticker(ticker).events(events).build()))
            .maximumKeys(1)
            .build();
    for (int i = 0; i < 5; i++) {
      assertThat(p.tryAcquire("a", 10)).isTrue();
      manual.advance(S);
    }
    // The per-second part is full again; the per-minute part is 50 short (less 5 s of refill).
    assertThat(p.availablePermits("a")).isEqualTo(10);
    assertThat(p.tryAcquire("b", 1)).isTrue(); // the cap of one key evicts "a"
    p.cleanUp();
    assertThat(p.evictedDebtors()).isEqualTo(1);
    // "a" comes back with its debt: 100 - 50 + 8 refilled over 5 s = 58 left per minute, not 100.
    long drained = 0;
    for (int i = 0; i < 20 && p.tryAcquire("a", 10); i++) {
      drained += 10;
      manual.advance(S);
    }
    assertThat(drained).isLessThan(100);
  }

  @Test
  void forgivingDebts_aKeyExpiredWhileItOwes_isPublishedByTheCallThatDroppedIt() {
    PerKey<String> p = tenPerSecond().idleTimeout(S).forgiveEvictedDebt().build();
    assertThat(p.tryAcquire("a", 1)).isTrue();
    assertThat(p.tryAcquire("b", 1)).isTrue();
    p.limiter("a").limitAvailable(-40, manual.read());
    p.limiter("b").limitAvailable(-40, manual.read());
    manual.advance(Duration.ofSeconds(3));
    p.cleanUp(); // drops "a" and "b", each 20 permits short
    assertThat(evictions).containsExactlyInAnyOrder(
        new PerKeyEvent.IndebtedEviction("tenants", "a", 20),
        new PerKeyEvent.IndebtedEviction("tenants", "b", 20));
    assertThat(p.indebtedEvictions()).isEqualTo(2);
    assertThat(p.evictedDebtors()).isZero(); // forgiven, not set aside
    assertThat(p.tryAcquire("a", 10)).isTrue(); // back with a full limiter

    assertThat(p.tryAcquire("c", 1)).isTrue();
    p.limiter("c").limitAvailable(-40, manual.read());
    manual.advance(Duration.ofSeconds(3));
    assertThat(p.tryAcquire("d", 1)).isTrue(); // admitting "d" drops "c"
    assertThat(evictions).hasSize(3).last().isEqualTo(new PerKeyEvent.IndebtedEviction("tenants", "c", 20));
  }

  @Test
  void forgivingDebts_aKeyDroppedDuringAMereLookup_isPublishedByThatLookup() {
    PerKey<String> p = tenPerSecond().idleTimeout(S).forgiveEvictedDebt().build();
    assertThat(p.tryAcquire("k", 1)).isTrue();
    p.limiter("k").limitAvailable(-40, manual.read());
    manual.advance(Duration.ofSeconds(3));
    assertThat(p.tryAcquire("k", 11)).isFalse(); // can never fit: looks "k" up, admits nothing
    assertThat(evictions).containsExactly(new PerKeyEvent.IndebtedEviction("tenants", "k", 20));
  }

  // ---- new keys refused

  @Test
  void aRefusedNewKey_isToldWhenTheEarliestDebtIsRepaid() throws Exception {
    PerKey<String> p = tenPerSecond().maximumKeys(2).build();
    for (String k : new String[] {"a", "b", "c", "d"}) {
      assertThat(p.tryAcquire(k, 10)).isTrue();
      p.cleanUp();
    }
    assertThat(p.evictedDebtors()).isEqualTo(2);
    assertThatThrownBy(() -> p.acquire("e", 1))
        .isInstanceOfSatisfying(TooManyKeysException.class, e -> {
          assertThat(e.retryAfter()).contains(S);
          assertThat(e.key()).isEqualTo("e");
        });
    manual.advance(400 * MS);
    CompletableFuture<Void> f = p.acquireAsync("e", 1, S).toCompletableFuture();
    assertThatThrownBy(f::join)
        .cause()
        .isInstanceOfSatisfying(TooManyKeysException.class, e -> assertThat(e.retryAfter()).contains(Duration.ofMillis(600)));
    assertThat(p.tryAcquire("e", 1, S)).isFalse();
    assertThatThrownBy(() -> p.limiter("e")).isInstanceOf(TooManyKeysException.class);
    assertThatThrownBy(() -> p.acquireAsync("e", 1).toCompletableFuture().join())
        .cause()
        .isInstanceOf(TooManyKeysException.class);
    assertThat(p.refusedKeys()).isEqualTo(5);
  }

  // ---- a charge landing on a limiter evicted in that very instant is counted

  @Test
  void aChargeOnALimiterEvictedInThatInstant_isCountedAndPublished_aRefusalIsNot() throws Exception {
    PerKey<String> p = tenPerSecond().idleTimeout(S).build();
    for (String k : new String[] {"t", "u", "a", "b", "c"}) {
      assertThat(p.tryAcquire(k, 0)).isTrue(); // held, full
    }
    Runnable evictAll = () -> {
      manual.advance(Duration.ofHours(1)); // every key is idle and full: they expire
      p.cleanUp();
    };
    // Between the limiter's reading of the clock and its charge, the key is evicted as full.
    ticker.afterNextReadBy(c -> c == RateLimiter.class, evictAll);
    assertThat(p.tryAcquire("t", 1)).isTrue();
    assertThat(p.tryAcquire("u", 10)).isTrue(); // held again (a new limiter), drained
    ticker.afterNextReadBy(c -> c == RateLimiter.class, evictAll);
    assertThat(p.tryAcquire("u", 1)).isFalse(); // refused: nothing charged, nothing lost
    assertThat(p.indebtedEvictions()).isEqualTo(1);
    for (String k : new String[] {"a", "b", "c"}) {
      assertThat(p.tryAcquire(k, 0)).isTrue();
    }
    ticker.afterNextReadBy(c -> c == PerKey.class, evictAll);
    p.acquire("a", 1);
    ticker.afterNextReadBy(c -> c == PerKey.class, evictAll);
    assertThat(p.tryAcquire("b", 1, S)).isTrue();
    ticker.afterNextReadBy(c -> c == RateLimiter.class, evictAll);
    assertThat(p.acquireAsync("c", 1).toCompletableFuture()).isCompleted();
    assertThat(p.indebtedEvictions()).isEqualTo(4);
    assertThat(evictions).extracting(PerKeyEvent.IndebtedEviction::key).containsExactly("t", "a", "b", "c");
    assertThat(evictions).allSatisfy(e -> assertThat(e.owed()).isEqualTo(1));
  }
}
