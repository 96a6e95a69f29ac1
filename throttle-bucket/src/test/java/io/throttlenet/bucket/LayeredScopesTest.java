package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Which scopes a {@link Layered} call charges and names: new and held keys and endpoints, scopes
 * left out, limiters shared by two scopes, refusals (new keys, impossible costs, waits) and what
 * each publishes. Calls that wait are in {@link LayeredWaitingTest}.
 */
class LayeredScopesTest {
  private static final Duration S = Duration.ofSeconds(1);

  private final ManualTicker ticker = ManualTicker.startingAt(-7_000_000_000L);
  /** The layered limiter's own events; its parts publish to a registry nobody reads. */
  private final EventRegistry events = EventRegistry.create();
  private final EventRegistry quiet = EventRegistry.create();
  private final List<LimiterEvent> seen = new ArrayList<>();

  LayeredScopesTest() {
    events.subscribe(LimiterEvent.class, "layered", seen::add);
  }

  private Throttle throttle(String name, long perSecond) {
    return Throttle.builder().name(name).rate(perSecond, S).ticker(ticker).events(quiet).build();
  }

  private PerKey.Builder<String> perKey(String name, long perSecond) {
    return PerKey.<String>builder().name(name).rate(perSecond, S).ticker(ticker).events(quiet);
  }

  private Layered.Builder<String> layered() {
    return Layered.<String>builder().name("layered").ticker(ticker).events(events);
  }

  /** Holding 2 keys and 2 evicted debtors, all drained: a new key is refused. */
  private PerKey<String> fullOfDebtors(String name) {
    PerKey<String> p = perKey(name, 10).maximumKeys(2).build();
    for (String k : new String[] {"/a", "/b", "/c", "/d"}) {
      assertThat(p.tryAcquire(k, 10)).isTrue();
      p.cleanUp();
    }
    assertThat(p.tryAcquire("/probe")).isFalse();
    return p;
  }

  private List<LimiterEvent.Rejected> rejections() {
    return seen.stream()
        .filter(LimiterEvent.Rejected.class::isInstance)
        .map(LimiterEvent.Rejected.class::cast)
        .toList();
  }

  // ---- a new key refused by its scope names that scope (it used to name the tenant's)

  @Test
  void aNewEndpointRefused_namesTheEndpoint() {
    PerKey<String> tenants = perKey("tenants", 10).build();
    Layered<String> l = layered().perKey(tenants).perEndpoint(fullOfDebtors("endpoints")).build();
    // The tenant is new too: admitting it succeeded, then the endpoint scope refused "/e".
    assertThatThrownBy(() -> l.acquire("t-new", "/e", 1))
        .isInstanceOfSatisfying(
            TooManyKeysException.class,
            e -> {
              assertThat(e.component()).isEqualTo("endpoints");
              assertThat(e.key()).isEqualTo("/e");
            })
        .hasMessageStartingWith("endpoints: key /e refused: 2 keys are held");
    CompletableFuture<Void> async = l.acquireAsync("t-new2", "/e", 1).toCompletableFuture();
    assertThatThrownBy(async::join)
        .cause()
        .isInstanceOfSatisfying(TooManyKeysException.class, e -> assertThat(e.key()).isEqualTo("/e"));
    assertThat(l.tryAcquire("t-new3", "/e", 1)).isFalse();
    assertThat(rejections()).singleElement().satisfies(r -> {
      assertThat(r.scope()).contains("endpoint");
      assertThat(r.key()).contains("/e");
      assertThat(r.retryAfter()).isEmpty();
    });
    assertThat(tenants.availablePermits("t-new")).isEqualTo(10); // refused: nothing was charged
  }

  @Test
  void aNewKeyRefused_namesTheKey() {
    PerKey<String> tenants = fullOfDebtors("tenants");
    PerKey<String> endpoints = perKey("endpoints", 10).build();
    Layered<String> l = layered().perKey(tenants).perEndpoint(endpoints).build();
    assertThatThrownBy(() -> l.acquire("t-new", "/e", 1))
        .isInstanceOfSatisfying(
            TooManyKeysException.class,
            e -> {
              assertThat(e.component()).isEqualTo("tenants");
              assertThat(e.key()).isEqualTo("t-new");
            });
    assertThat(l.tryAcquire("t-new", "/e", 1)).isFalse();
    assertThat(rejections()).singleElement().satisfies(r -> {
      assertThat(r.scope()).contains("key");
      assertThat(r.key()).contains("t-new");
    });
    assertThat(endpoints.estimatedSize()).isZero(); // the key was refused first: "/e" not admitted
  }

  // ---- tenant-only verbs

  @Test
  void tenantOnlyVerbs_chargeEveryScope_andNeedALimiterWithoutAnEndpointScope() throws Exception {
    Throttle global = throttle("global", 10);
    PerKey<String> tenants = perKey("tenants", 3).build();
    Layered<String> l = layered().global(global).perKey(tenants).build();
    assertThat(l.hasEndpointScope()).isFalse();
    assertThat(l.tryAcquire("a")).isTrue();
    l.acquire("a");
    assertThat(l.acquireAsync("a", 1).toCompletableFuture()).isCompleted();
    assertThat(l.tryAcquire("a")).isFalse();
    assertThat(tenants.availablePermits("a")).isZero();
    assertThat(global.availablePermits()).isEqualTo(7);
    assertThat(l.availablePermits("b", null)).isEqualTo(3);

    Layered<String> withEndpoints =
        layered().perKey(perKey("t", 3).build()).perEndpoint(perKey("e", 3).build()).build();
    assertThat(withEndpoints.hasEndpointScope()).isTrue();
    String message = "layered has a per-endpoint scope: name the endpoint";
    assertThatThrownBy(() -> withEndpoints.tryAcquire("a"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(message);
    assertThatThrownBy(() -> withEndpoints.acquire("a"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(message);
    assertThatThrownBy(() -> withEndpoints.acquireAsync("a", 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(message);
  }

  // ---- a key or endpoint that is new is charged like one that is held

  @Test
  void aNewKeyOnAHeldEndpoint_andANewEndpointForAHeldKey_areBothCharged() throws Exception {
    PerKey<String> tenants = perKey("tenants", 5).build();
    PerKey<String> endpoints = perKey("endpoints", 5).build();
    Layered<String> l = layered().perKey(tenants).perEndpoint(endpoints).build();
    assertThat(l.tryAcquire("a", "/x")).isTrue(); // both new
    assertThat(l.tryAcquire("b", "/x")).isTrue(); // new key, held endpoint
    assertThat(l.tryAcquire("a", "/y")).isTrue(); // held key, new endpoint
    l.acquire("c", "/x"); // the same through the waiting verbs' path
    l.acquire("a", "/z", 1);
    assertThat(l.acquireAsync("d", "/x", 1).toCompletableFuture()).isCompleted();
    assertThat(l.tryAcquire("a", "/w", 1, Duration.ZERO)).isTrue();
    assertThat(tenants.availablePermits("a")).isEqualTo(1);
    assertThat(tenants.availablePermits("b")).isEqualTo(4);
    assertThat(tenants.availablePermits("c")).isEqualTo(4);
    assertThat(tenants.availablePermits("d")).isEqualTo(4);
    assertThat(endpoints.availablePermits("/x")).isEqualTo(1);
    assertThat(endpoints.availablePermits("/y")).isEqualTo(4);
    assertThat(endpoints.availablePermits("/z")).isEqualTo(4);
    assertThat(endpoints.availablePermits("/w")).isEqualTo(4);
  }

  @Test
  void scopesLeftOut_areNeitherCheckedNorNeeded() throws Exception {
    Throttle global = throttle("global", 4);
    PerKey<String> endpoints = perKey("endpoints", 3).build();
    Layered<String> noTenants = layered().global(global).perEndpoint(endpoints).build();
    assertThat(noTenants.tryAcquire(null, "/x")).isTrue();
    noTenants.acquire(null, "/x");
    assertThat(noTenants.acquireAsync(null, "/x", 1).toCompletableFuture()).isCompleted();
    assertThat(noTenants.tryAcquire(null, "/x", 1, Duration.ZERO)).isFalse(); // "/x" is empty
    assertThat(endpoints.availablePermits("/x")).isZero();
    assertThat(global.availablePermits()).isEqualTo(1);
    assertThat(noTenants.availablePermits(null, "/y")).isEqualTo(1); // the global scope binds
    assertThat(noTenants.capacity(null, "/y")).isEqualTo(3);

    PerKey<String> tenants = perKey("tenants", 2).build();
    Layered<String> noEndpoints = layered().perKey(tenants).build();
    noEndpoints.acquire("k", null, 1);
    assertThat(noEndpoints.acquireAsync("k", null, 1).toCompletableFuture()).isCompleted();
    assertThat(noEndpoints.tryAcquire("k", null, 1, Duration.ZERO)).isFalse();
    assertThat(tenants.availablePermits("k")).isZero();
    assertThat(noEndpoints.availablePermits("k", null)).isZero();
    assertThat(noEndpoints.availablePermits("other", null)).isEqualTo(2);
  }

  @Test
  void availablePermits_andCapacity_areTheSmallestOverTheScopes() {
    Throttle global = throttle("global", 4);
    Layered<String> l =
        layered().global(global).perKey(perKey("t", 6).build()).perEndpoint(perKey("e", 8).build()).build();
    assertThat(l.availablePermits("k", "/x")).isEqualTo(4);
    assertThat(global.tryAcquire(3)).isTrue();
    assertThat(l.availablePermits("k", "/x")).isEqualTo(1);
    assertThat(l.capacity("k", "/x")).isEqualTo(4);
    Layered<String> globalOnly = layered().global(throttle("g", 7)).build();
    assertThat(globalOnly.availablePermits("k", "/x")).isEqualTo(7);
    assertThat(globalOnly.capacity("k", "/x")).isEqualTo(7);
    assertThat(globalOnly.toString()).isEqualTo("Layered[layered]");
  }

  // ---- a limiter in two scopes counts once

  @Test
  void aLimiterSharedByTwoScopes_isChargedOnce() throws Exception {
    Throttle shared = throttle("shared", 10);
    Throttle other = throttle("other", 10); // built after `shared`: it comes second in lock order
    Layered<String> l =
        layered()
            .global(Throttle.allOf(shared, other))
            .perKey(PerKey.<String>builder().limiter(k -> shared).ticker(ticker).build())
            .build();
    assertThat(l.tryAcquire("k", null, 2)).isTrue();
    l.acquire("k", null, 2);
    assertThat(l.acquireAsync("k", null, 2).toCompletableFuture()).isCompleted();
    assertThat(l.tryAcquire("k", null, 2, S)).isTrue();
    assertThat(shared.availablePermits()).isEqualTo(2);
    assertThat(other.availablePermits()).isEqualTo(2);

    SlidingWindowLog log = SlidingWindowLog.builder().limit(5).window(S).ticker(ticker).events(quiet).build();
    SlidingWindowLog otherLog = SlidingWindowLog.builder().limit(5).window(S).ticker(ticker).events(quiet).build();
    Layered<String> sameLog =
        layered()
            .global(Throttle.allOf(log, otherLog))
            .perEndpoint(PerKey.<String>builder().limiter(k -> log).ticker(ticker).build())
            .build();
    assertThat(sameLog.tryAcquire(null, "/x", 2)).isTrue();
    sameLog.acquire(null, "/x", 2);
    assertThat(log.availablePermits()).isEqualTo(1);
    assertThat(otherLog.availablePermits()).isEqualTo(1);
  }

  @Test
  void moreThanEightLimitersInAll_areEachChargedOnce() throws Exception {
    List<Throttle> all = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      all.add(throttle("t" + i, 10));
    }
    Layered<String> l =
        layered()
            .global(Throttle.allOf(all.get(0), all.get(1), all.get(2), all.get(3), all.get(4)))
            .perKey(PerKey.<String>builder().limiter(k -> Throttle.allOf(all.get(5), all.get(6), all.get(7))).ticker(ticker).build())
            .perEndpoint(PerKey.<String>builder().limiter(k -> Throttle.allOf(all.get(8), all.get(9))).ticker(ticker).build())
            .build();
    // On a thread of its own, so that its per-thread scratch array starts at its initial size.
    Waiter fresh = Waiter.start(() -> {
      assertThat(l.tryAcquire("k", "/x", 3)).isTrue();
      assertThat(l.tryAcquire("k", "/x", 3)).isTrue(); // the scratch array, grown, is reused
    });
    assertThat(fresh.join()).isNull();
    assertThat(all).allSatisfy(t -> assertThat(t.availablePermits()).isEqualTo(4));
  }

  // ---- a charge landing on a per-key limiter evicted in that very instant is counted

  @Test
  void aKeyOrEndpointEvictedWhileItIsCharged_isCountedAsALostDebt() throws Exception {
    ManualTicker manual = ManualTicker.startingAt(-7_000_000_000L);
    StaleTicker stale = new StaleTicker(manual);
    PerKey<String> tenants = PerKey.<String>builder().rate(10, S).idleTimeout(S).ticker(stale).build();
    PerKey<String> endpoints = PerKey.<String>builder().rate(10, S).idleTimeout(S).ticker(stale).build();
    Layered<String> l = Layered.<String>builder().perKey(tenants).perEndpoint(endpoints).build();
    Runnable evictAll = () -> { // every key is idle and full: they expire
      manual.advance(Duration.ofHours(1));
      tenants.cleanUp();
      endpoints.cleanUp();
    };
    assertThat(l.tryAcquire("a", "/a", 0)).isTrue(); // held, full
    // Between the layered limiter's reading of the clock and its charge, both are evicted.
    stale.afterNextReadBy(c -> c == Layered.class, evictAll);
    assertThat(l.tryAcquire("a", "/a", 1)).isTrue();
    assertThat(l.tryAcquire("b", "/b", 0)).isTrue();
    stale.afterNextReadBy(c -> c == Layered.class, evictAll);
    l.acquire("b", "/b", 1);
    assertThat(l.tryAcquire("c", "/c", 0)).isTrue();
    stale.afterNextReadBy(c -> c == Layered.class, evictAll);
    assertThat(l.acquireAsync("c", "/c", 1).toCompletableFuture()).isCompleted();
    assertThat(tenants.indebtedEvictions()).isEqualTo(3);
    assertThat(endpoints.indebtedEvictions()).isEqualTo(3);
  }

  // ---- impossible costs

  @Test
  void aCostOnlyTheNewKeysScopeCanNeverGrant_createsNoKey() {
    PerKey<String> tenants = perKey("tenants", 2).build();
    PerKey<String> endpoints = perKey("endpoints", 9).build();
    Layered<String> l = layered().global(throttle("global", 9)).perKey(tenants).perEndpoint(endpoints).build();
    assertThat(l.tryAcquire("k", "/x", 3)).isFalse();
    assertThat(rejections()).singleElement().satisfies(r -> {
      assertThat(r.reason()).isEqualTo(LimiterEvent.Reason.CAPACITY_EXCEEDED);
      assertThat(r.scope()).contains("key");
      assertThat(r.key()).contains("k");
    });
    tenants.cleanUp();
    endpoints.cleanUp();
    assertThat(tenants.estimatedSize()).isZero();
    assertThat(endpoints.estimatedSize()).isZero();
  }

  @Test
  void anImpossibleCost_failsAtOnceNamingTheScopesLimiter_inEveryVerb() throws Exception {
    Layered<String> l =
        layered().global(throttle("global", 9)).perKey(perKey("tenants", 2).build()).build();
    assertThatThrownBy(() -> l.acquire("k", null, 3))
        .isInstanceOf(CostExceedsCapacityException.class)
        .hasMessage("tenants: cost 3 exceeds capacity 2 and can never be granted");
    CompletableFuture<Void> async = l.acquireAsync("k", null, 3).toCompletableFuture();
    assertThatThrownBy(async::join)
        .cause()
        .isInstanceOf(CostExceedsCapacityException.class)
        .hasMessage("tenants: cost 3 exceeds capacity 2 and can never be granted");
    assertThat(l.tryAcquire("k", null, 3, S)).isFalse();
    assertThat(l.tryAcquire("k", null, 2, S)).isTrue(); // exactly the capacity fits
    List<LimiterEvent.Rejected> r = rejections();
    assertThat(r).hasSize(3);
    assertThat(r).allSatisfy(e -> assertThat(e.reason()).isEqualTo(LimiterEvent.Reason.CAPACITY_EXCEEDED));
    assertThat(r.get(2).scope()).contains("key");
  }

  // ---- what is published

  @Test
  void grants_arePublishedWithNoWait() throws Exception {
    Layered<String> l = layered().global(throttle("global", 9)).perKey(perKey("tenants", 9).build()).build();
    assertThat(l.tryAcquire("k", null, 2)).isTrue();
    l.acquire("k", null, 3);
    assertThat(l.acquireAsync("k", null, 1).toCompletableFuture()).isCompleted();
    assertThat(l.tryAcquire("k", null, 1, S)).isTrue();
    assertThat(seen).containsExactly(
        new LimiterEvent.Acquired("layered", 2, Duration.ZERO),
        new LimiterEvent.Acquired("layered", 3, Duration.ZERO),
        new LimiterEvent.Acquired("layered", 1, Duration.ZERO),
        new LimiterEvent.Acquired("layered", 1, Duration.ZERO));
  }

  @Test
  void aRefusal_namesTheScopeWithTheLongestWait_andTheOutermostOnATie() {
    Throttle global = throttle("global", 2);
    PerKey<String> tenants = perKey("tenants", 2).build();
    PerKey<String> endpoints = perKey("endpoints", 4).build();
    Layered<String> l = layered().global(global).perKey(tenants).perEndpoint(endpoints).build();
    assertThat(l.tryAcquire("k", "/x", 2)).isTrue(); // global and "k" empty, "/x" has 2 left
    assertThat(l.tryAcquire("k", "/x", 1)).isFalse(); // global and "k" both wait 0.5 s
    ticker.advance(Duration.ofMillis(500));
    assertThat(global.tryAcquire()).isTrue(); // global waits 0.5 s again; "k" can go now
    assertThat(l.tryAcquire("k", "/x", 1)).isFalse();
    ticker.advance(Duration.ofMillis(500)); // global has 1, "k" 2
    assertThat(endpoints.tryAcquire("/y", 4)).isTrue(); // "/y" waits 0.25 s
    assertThat(l.tryAcquire("k", "/y", 1)).isFalse();
    assertThat(rejections()).containsExactly(
        new LimiterEvent.Rejected("layered", 1, LimiterEvent.Reason.INSUFFICIENT_PERMITS,
            Optional.of(Duration.ofMillis(500)), Optional.of("global"), Optional.empty()),
        new LimiterEvent.Rejected("layered", 1, LimiterEvent.Reason.INSUFFICIENT_PERMITS,
            Optional.of(Duration.ofMillis(500)), Optional.of("global"), Optional.empty()),
        new LimiterEvent.Rejected("layered", 1, LimiterEvent.Reason.INSUFFICIENT_PERMITS,
            Optional.of(Duration.ofMillis(250)), Optional.of("endpoint"), Optional.of("/y")));
  }

  // ---- building

  @Test
  void build_aGlobalOrEndpointScopeOnAnotherTicker_isRefused() {
    ManualTicker other = ManualTicker.create();
    Throttle elsewhere = Throttle.builder().name("g").rate(1, S).ticker(other).build();
    PerKey<String> endpointsElsewhere = PerKey.<String>builder().name("e").rate(1, S).ticker(other).build();
    assertThatThrownBy(() -> Layered.<String>builder().global(elsewhere).ticker(ticker).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("global scope g uses ticker " + other);
    assertThatThrownBy(
            () -> Layered.<String>builder().perKey(perKey("t", 1).build()).perEndpoint(endpointsElsewhere).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("perEndpoint scope e uses ticker " + other);
    Layered<String> byEndpoint = Layered.<String>builder().perEndpoint(endpointsElsewhere).build();
    assertThat(byEndpoint.tryAcquire("k", "/x")).isTrue(); // its only scope's ticker
    assertThatThrownBy(() -> Layered.<String>builder().global(Throttle.perSecond(1)).global(Throttle.perSecond(1)))
        .isInstanceOf(IllegalStateException.class);
  }
}
