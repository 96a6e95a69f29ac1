package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PerKeyTest {
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 3_000_000_000L);
  private final EventRegistry events = EventRegistry.create();

  private PerKey.Builder<String> builder(long permits, Duration period) {
    return PerKey.<String>builder().rate(permits, period).ticker(ticker).events(events);
  }

  @Test
  void keys_areIndependent() {
    PerKey<String> p = builder(2, Duration.ofSeconds(1)).build();
    assertThat(p.tryAcquire("a", 2)).isTrue();
    assertThat(p.tryAcquire("a")).isFalse();
    assertThat(p.tryAcquire("b", 2)).isTrue();
    assertThat(p.availablePermits("a")).isZero();
    assertThat(p.availablePermits("c")).isEqualTo(2);
  }

  @Test
  void firstAcquire_createsExactlyOneEntry_andQueriesCreateNone() {
    PerKey<String> p = builder(5, Duration.ofSeconds(1)).build();
    assertThat(p.availablePermits("x")).isEqualTo(5);
    assertThat(p.waitTime("x", 3)).contains(Duration.ZERO);
    assertThat(p.estimatedSize()).isZero();
    for (int i = 0; i < 4; i++) {
      assertThat(p.tryAcquire("x")).isTrue();
    }
    p.cleanUp();
    assertThat(p.estimatedSize()).isEqualTo(1);
    assertThat(p.availablePermits("x")).isEqualTo(1);
  }

  @Test
  void refills_underTheManualTicker() {
    PerKey<String> p = builder(10, Duration.ofSeconds(1)).build();
    assertThat(p.tryAcquire("k", 10)).isTrue();
    ticker.advance(Duration.ofMillis(300));
    assertThat(p.availablePermits("k")).isEqualTo(3);
  }

  @Test
  void idleKey_isReclaimedOnlyOnceRefilled() {
    PerKey<String> p = builder(100, Duration.ofHours(1)).idleTimeout(Duration.ofMinutes(1)).build();
    assertThat(p.tryAcquire("tenant", 100)).isTrue();
    ticker.advance(Duration.ofMinutes(2)); // idle, but it still owes most of an hour of refill
    p.cleanUp();
    assertThat(p.estimatedSize()).isEqualTo(1);
    assertThat(p.tryAcquire("tenant", 10)).isFalse(); // the debt was not forgiven
    ticker.advance(Duration.ofHours(3));
    p.cleanUp();
    assertThat(p.estimatedSize()).isZero();
    assertThat(p.indebtedEvictions()).isZero();
  }

  @Test
  void idleKey_withAFullBucket_expiresAfterTheIdleTimeout() {
    PerKey<String> p = builder(10, Duration.ofSeconds(1)).idleTimeout(Duration.ofSeconds(30)).build();
    assertThat(p.tryAcquire("a")).isTrue();
    ticker.advance(Duration.ofSeconds(29));
    p.cleanUp();
    assertThat(p.estimatedSize()).isEqualTo(1);
    ticker.advance(Duration.ofSeconds(2));
    p.cleanUp();
    assertThat(p.estimatedSize()).isZero();
  }

  @Test
  void floodOfAMillionUniqueKeys_staysUnderTheCap() {
    PerKey<Integer> p =
        PerKey.<Integer>builder()
            .rate(10, Duration.ofSeconds(1))
            .maximumKeys(10_000)
            .ticker(ticker)
            .events(events)
            .build();
    long peak = 0;
    for (int k = 0; k < 1_000_000; k++) {
      p.tryAcquire(k);
      if (k % 50_000 == 0) {
        p.cleanUp();
        peak = Math.max(peak, p.estimatedSize());
      }
    }
    p.cleanUp();
    assertThat(Math.max(peak, p.estimatedSize())).isLessThanOrEqualTo(10_000);
  }

  @Test
  void hotKey_survivesEvictionPressure() {
    PerKey<String> p = builder(5, Duration.ofMinutes(1)).maximumKeys(100).build();
    assertThat(p.tryAcquire("hot", 5)).isTrue();
    for (int i = 0; i < 20_000; i++) {
      p.tryAcquire("cold-" + i);
      assertThat(p.tryAcquire("hot")).isFalse(); // its drained bucket is still there
    }
    // The cold keys each owed one permit: kept aside, then new ones refused, never forgiven.
    assertThat(p.indebtedEvictions()).isZero();
    assertThat(p.refusedKeys()).isPositive();
  }

  @Test
  void evictingAKeyThatOwes_isCountedAndPublished() {
    List<PerKeyEvent.IndebtedEviction> seen = new ArrayList<>();
    events.subscribe(PerKeyEvent.IndebtedEviction.class, "tenants", seen::add);
    PerKey<String> p =
        PerKey.<String>builder()
            .rate(10, Duration.ofSeconds(1))
            .maximumKeys(1)
            .forgiveEvictedDebt() // the debt of an evicted key is forgiven only if asked for
            .name("tenants")
            .ticker(ticker)
            .events(events)
            .build();
    assertThat(p.tryAcquire("a", 4)).isTrue();
    assertThat(p.tryAcquire("b", 3)).isTrue();
    p.cleanUp();
    assertThat(p.estimatedSize()).isEqualTo(1);
    assertThat(p.indebtedEvictions()).isEqualTo(1);
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0).owed()).isIn(3L, 4L);
  }

  @Test
  void limiterFactory_givesEachKeyItsOwnLimiter() {
    PerKey<String> p =
        PerKey.<String>builder()
            .limiter(k -> SlidingWindowLog.builder().limit(k.length()).window(Duration.ofSeconds(1)).ticker(ticker).build())
            .ticker(ticker)
            .build();
    assertThat(p.tryAcquire("abc", 3)).isTrue();
    assertThat(p.tryAcquire("abcde", 5)).isTrue();
    assertThat(p.tryAcquire("abc")).isFalse();
  }

  @Test
  void factories_andBadInput() {
    assertThat(PerKey.<String>perSecond(100).availablePermits("x")).isEqualTo(100);
    assertThat(PerKey.<String>perMinute(60).availablePermits("x")).isEqualTo(60);
    assertThatThrownBy(() -> PerKey.<String>builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("rate or limiter must be set");
    assertThatThrownBy(() -> PerKey.<String>builder().maximumKeys(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maximumKeys must be > 0, was 0");
    assertThatThrownBy(() -> PerKey.<String>builder().idleTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("idleTimeout must be >= 0, was PT-1S");
    assertThatThrownBy(() -> PerKey.perSecond(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be > 0, was 0");
    assertThatThrownBy(() -> PerKey.<String>perSecond(1).tryAcquire(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key must not be null");
  }

  @Test
  void queries_doNotKeepAnIdleKeyAlive() {
    PerKey<String> p = builder(10, Duration.ofSeconds(1)).idleTimeout(Duration.ofSeconds(30)).build();
    assertThat(p.tryAcquire("a")).isTrue();
    for (int i = 0; i < 40; i++) {
      ticker.advance(Duration.ofSeconds(1));
      assertThat(p.availablePermits("a")).isEqualTo(10);
    }
    p.cleanUp();
    assertThat(p.estimatedSize()).isZero();
  }

  @Test
  void waitingBooking_keepsTheKeyUntilItIsReleasedAndRefilled() throws Exception {
    PerKey<String> p = builder(1, Duration.ofMinutes(1)).idleTimeout(Duration.ofSeconds(1)).build();
    assertThat(p.tryAcquire("a")).isTrue();
    var first = p.acquireAsync("a", 1).toCompletableFuture(); // booked for 1 min
    var second = p.acquireAsync("a", 1).toCompletableFuture(); // booked for 2 min
    ticker.advance(Duration.ofSeconds(150));
    p.cleanUp();
    assertThat(first).isCompleted();
    assertThat(second).isCompleted();
    assertThat(p.estimatedSize()).isEqualTo(1); // still owed 30 s of refill
    assertThat(p.tryAcquire("a")).isFalse();
    assertThat(p.indebtedEvictions()).isZero();
  }
}
