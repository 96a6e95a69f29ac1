package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.Ticker;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reliability audit's findings (issue 13) about AllOf, Layered and PerKey. */
class CompositeIssue13Test {
  private final ManualTicker ticker = ManualTicker.startingAt(-7_000_000_000L);
  private final ManualTicker other = ManualTicker.create();
  private final EventRegistry events = EventRegistry.create();

  private Throttle throttle(long permits, Ticker on) {
    return Throttle.builder()
        .rate(permits, Duration.ofSeconds(1))
        .ticker(on)
        .events(events)
        .name("t" + permits)
        .build();
  }

  private PerKey.Builder<String> perKey(long permits) {
    return PerKey.<String>builder().rate(permits, Duration.ofSeconds(1)).ticker(ticker).events(events);
  }

  // ---- item 4: parts on another ticker are refused at build, naming both tickers

  @Test
  void allOf_partOnAnotherTicker_isRefusedAtBuildNamingBoth() {
    Throttle mine = throttle(5, ticker);
    Throttle theirs = throttle(7, other);
    assertThatThrownBy(() -> Throttle.allOf(mine, theirs))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageMatching(
            "limiter t7 uses ticker \\Q" + other + "\\E, but all-of-\\d+ uses ticker \\Q" + ticker
                + "\\E; give every part the composite's ticker");
    assertThatThrownBy(() -> AllOf.builder().add(mine).ticker(other).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limiter t5 uses ticker " + ticker);
  }

  @Test
  void layered_scopeOnAnotherTicker_isRefusedAtBuildNamingBoth() {
    PerKey<String> tenants = perKey(5).name("tenants").build();
    assertThatThrownBy(
            () -> Layered.<String>builder().global(throttle(9, other)).perKey(tenants).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageMatching(
            "perKey scope tenants uses ticker \\Q" + ticker + "\\E, but layered-\\d+ uses ticker \\Q" + other
                + "\\E; give every part the composite's ticker");
    // Without a global scope the first scope's ticker is the default: no conflict.
    Layered<String> l = Layered.<String>builder().perKey(tenants).build();
    assertThat(l.tryAcquire("a", "e", 5)).isTrue();
  }

  @Test
  void perKey_factoryCreatingALimiterOnAnotherTicker_failsNamingTheFactoryTheKeyAndBothTickers() {
    PerKey<String> p =
        PerKey.<String>builder().limiter(k -> throttle(3, other)).ticker(ticker).name("tenants").build();
    assertThatThrownBy(() -> p.tryAcquire("k1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "limiter factory of tenants created t3 for key k1 on ticker " + other
                + ", but tenants uses ticker " + ticker
                + "; create the limiters on the per-key limiter's ticker");
    assertThat(p.estimatedSize()).isZero();
  }

  // ---- item 5 is in LayeredTest.build_noScopes_isRefusedRatherThanAdmittingEverything

  // ---- item 6: a cost that can never fit creates no key, so it evicts nobody

  @Test
  void perKey_impossibleCostForANewKey_createsNothingAndEvictsNoDrainedKey() {
    PerKey<String> p = perKey(5).maximumKeys(1).build();
    assertThat(p.tryAcquire("a", 5)).isTrue(); // "a" drained
    assertThat(p.tryAcquire("b", 9)).isFalse(); // can never fit a 5-permit bucket
    p.cleanUp();
    assertThat(p.tryAcquire("a", 1)).isFalse(); // still drained: was back with a full burst
    assertThat(p.estimatedSize()).isEqualTo(1);
    assertThat(p.evictedDebtors()).isZero();
    assertThat(p.indebtedEvictions()).isZero();
  }

  @Test
  void layered_impossibleCostForANewKey_createsNothingInAnyScope() {
    PerKey<String> tenants = perKey(5).maximumKeys(1).build();
    PerKey<String> endpoints = perKey(3).maximumKeys(1).build();
    Layered<String> l = Layered.<String>builder().perKey(tenants).perEndpoint(endpoints).build();
    assertThat(l.tryAcquire("a", "e", 3)).isTrue(); // "a" and "e" both in debt now
    assertThat(l.tryAcquire("b", "f", 4)).isFalse(); // fits "b" (5) but never "f" (3)
    assertThatThrownBy(() -> l.acquire("b", "f", 4))
        .isInstanceOf(io.throttlenet.core.CostExceedsCapacityException.class);
    tenants.cleanUp();
    endpoints.cleanUp();
    assertThat(tenants.availablePermits("a")).isEqualTo(2);
    assertThat(endpoints.availablePermits("e")).isZero();
    assertThat(l.tryAcquire("a", "e", 1)).isFalse();
    assertThat(tenants.estimatedSize() + tenants.evictedDebtors()).isEqualTo(1);
    assertThat(endpoints.estimatedSize() + endpoints.evictedDebtors()).isEqualTo(1);
    assertThat(l.capacity("z", "y")).isEqualTo(3);
    assertThat(tenants.estimatedSize()).isEqualTo(1); // capacity() created nothing either
  }

  // ---- item 7: churn beyond the cap never lets a key exceed its own bound

  @Test
  void perKey_churnOfColdKeysBeyondTheCap_neverLetsAHotKeyExceedItsBound() {
    // 10 per second, burst 10: at most 10 + 10·t in any interval t, for every key.
    PerKey<String> p = perKey(10).maximumKeys(8).build();
    String[] hot = {"h0", "h1", "h2", "h3"};
    Map<String, Integer> granted = new HashMap<>();
    int cold = 0;
    long stepNanos = 10_000_000; // 10 ms
    int steps = 500; // 5 s
    for (int step = 0; step < steps; step++) {
      for (String h : hot) {
        while (p.tryAcquire(h)) {
          granted.merge(h, 1, Integer::sum);
          if (granted.get(h) > 1_000) {
            break; // fail-open: stop counting, the assertion below fails anyway
          }
        }
      }
      for (int i = 0; i < 9; i++) { // 36 cold keys, each used again and again
        p.tryAcquire("cold-" + (cold++ % 36));
      }
      p.cleanUp();
      ticker.advance(stepNanos);
    }
    long bound = 10 + 10 * 5;
    for (String h : hot) {
      assertThat(granted.getOrDefault(h, 0)).as(h).isLessThanOrEqualTo((int) bound);
    }
    assertThat(p.indebtedEvictions()).isZero();
  }

  @Test
  void perKey_forgivingEvictedDebt_isAnExplicitChoice() {
    PerKey<String> p = perKey(5).maximumKeys(1).forgiveEvictedDebt().build();
    assertThat(p.tryAcquire("a", 5)).isTrue();
    assertThat(p.tryAcquire("b", 1)).isTrue();
    p.cleanUp();
    assertThat(p.indebtedEvictions()).isPositive();
    assertThatThrownBy(() -> perKey(5).forgiveEvictedDebt().forgiveEvictedDebt())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void perKey_fullOfDebtors_refusesNewKeysUntilTheyRefill() throws Exception {
    PerKey<String> p = perKey(10).maximumKeys(2).build();
    for (String k : new String[] {"a", "b", "c", "d"}) {
      assertThat(p.tryAcquire(k, 10)).isTrue();
      p.cleanUp();
    }
    assertThat(p.tryAcquire("e", 1)).isFalse(); // two held, two set aside, all in debt
    assertThatThrownBy(() -> p.acquire("e", 1))
        .isInstanceOf(TooManyKeysException.class)
        .hasMessageContaining("key e refused");
    assertThat(p.refusedKeys()).isEqualTo(2);
    assertThat(p.tryAcquire("a", 1)).isFalse(); // "a" came back with its debt
    ticker.advance(Duration.ofSeconds(1)); // every debt repaid
    assertThat(p.tryAcquire("e", 10)).isTrue();
  }

  // ---- item 18: a null from the factory names the factory and the key

  @Test
  void perKey_factoryReturningNull_failsNamingTheFactoryAndTheKey() {
    PerKey<String> p =
        PerKey.<String>builder().limiter(k -> (RateLimiter) null).ticker(ticker).name("tenants").build();
    assertThatThrownBy(() -> p.tryAcquire("k7"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("limiter factory of tenants returned null for key k7");
    assertThatThrownBy(() -> p.availablePermits("k7"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("limiter factory of tenants returned null for key k7");
  }
}
