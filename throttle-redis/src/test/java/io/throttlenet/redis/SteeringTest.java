package io.throttlenet.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import io.throttlenet.adaptive.AdaptiveRate;
import io.throttlenet.adaptive.AimdRateController;
import io.throttlenet.adaptive.HeaderSync;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.multidim.Costs;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Redis limiters steered like local ones: {@link HeaderSync} on a {@link RedisMultiLimiter} (and
 * a {@link RedisThrottle}) and {@link AdaptiveRate} on a {@link RedisThrottle}, where every
 * adjustment lands in Redis, so another instance on the key (its own connection) is bound by it.
 * Budgets refill at most one permit every 14 minutes, so counts are exact.
 */
class SteeringTest {
  private static final Duration TEN_DAYS = Duration.ofDays(10);
  private static final long MARGIN = Duration.ofMinutes(1).toNanos();

  private final RedisStore one = Redis.store();
  private final RedisStore two = Redis.store();
  private final String key = Redis.uniqueKey();
  private final EventRegistry events = EventRegistry.create();

  @AfterEach
  void close() {
    one.close();
    two.close();
  }

  private RedisMultiLimiter llm(RedisStore store) {
    return RedisMultiLimiter.builder(store).key(key).name("llm").events(events)
        .dimension("requests", 100, TEN_DAYS)
        .dimension("tokens", 10_000, TEN_DAYS)
        .build();
  }

  private static Map<String, List<String>> headers(String... nameValues) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      m.put(nameValues[i], List.of(nameValues[i + 1]));
    }
    return m;
  }

  @Test
  void headerSync_remainingOnAMultiLimiter_boundsEveryInstance() {
    RedisMultiLimiter a = llm(one);
    RedisMultiLimiter b = llm(two);
    HeaderSync sync = HeaderSync.builder(a).events(events).build();
    assertThat(a.tryAcquire(Costs.of("requests", 1, "tokens", 100))).isTrue();
    sync.begin().complete(headers(
        "x-ratelimit-remaining-requests", "10", "x-ratelimit-remaining-tokens", "500"));
    assertThat(b.availablePermits("requests")).isEqualTo(10);
    assertThat(b.availablePermits("tokens")).isEqualTo(500);
    sync.begin().complete(headers("x-ratelimit-remaining-requests", "90")); // never raised
    assertThat(b.availablePermits("requests")).isEqualTo(10);
  }

  @Test
  void headerSync_countsGrantsAfterTheCallBegan_asNotYetCountedByTheServer() {
    RedisMultiLimiter a = llm(one);
    HeaderSync sync = HeaderSync.builder(a).events(events).build();
    HeaderSync.Call call = sync.begin();
    assertThat(a.tryAcquire(Costs.of("requests", 3, "tokens", 300))).isTrue(); // after it began
    call.complete(headers(
        "x-ratelimit-remaining-requests", "10", "x-ratelimit-remaining-tokens", "500"));
    assertThat(llm(two).availablePermits("requests")).isEqualTo(7);
    assertThat(llm(two).availablePermits("tokens")).isEqualTo(200);
  }

  @Test
  void headerSync_retryAfter_pausesEveryDimensionForEveryInstance() {
    RedisMultiLimiter a = llm(one);
    HeaderSync sync = HeaderSync.builder(a).events(events).build();
    sync.begin().complete(headers("retry-after", "120"));
    RedisMultiLimiter b = llm(two);
    assertThat(b.waitTime(Costs.of("requests", 1)).orElseThrow().toNanos())
        .isBetween(Duration.ofSeconds(120).toNanos() - MARGIN, Duration.ofSeconds(120).toNanos());
    assertThat(b.tryAcquire(Costs.of("tokens", 1))).isFalse();
  }

  @Test
  void pauseUntil_oneDimension_holdsOnlyThatOne() {
    ManualTicker ticker = ManualTicker.create();
    RedisMultiLimiter a = RedisMultiLimiter.builder(one).key(key).ticker(ticker)
        .dimension("requests", 100, TEN_DAYS)
        .dimension("tokens", 10_000, TEN_DAYS)
        .build();
    a.pauseUntil("tokens", ticker.read() + Duration.ofHours(1).toNanos());
    RedisMultiLimiter b = llm(two);
    assertThat(b.tryAcquire(Costs.of("tokens", 1))).isFalse();
    assertThat(b.waitTime(Costs.of("tokens", 1)).orElseThrow().toNanos())
        .isBetween(Duration.ofHours(1).toNanos() - MARGIN, Duration.ofHours(1).toNanos());
    assertThat(b.tryAcquire(Costs.of("requests", 1))).isTrue();
    assertThat(a.roundTrips()).isEqualTo(1);
  }

  @Test
  void headerSync_adoptServerLimit_changesTheSharedRate() {
    RedisMultiLimiter a = llm(one);
    RedisMultiLimiter b = llm(two);
    HeaderSync sync = HeaderSync.builder(a).adoptServerLimit(true).events(events).build();
    sync.begin().complete(headers("x-ratelimit-limit-requests", "50"));
    assertThat(a.permitsPerSecond("requests")).isCloseTo(50 / (TEN_DAYS.toNanos() / 1e9), withinPercentage(0.001));
    assertThat(b.tryAcquire(Costs.of("requests", 1))).isTrue(); // its grant reports the rate in force
    assertThat(b.permitsPerSecond("requests")).isEqualTo(a.permitsPerSecond("requests"));
    assertThat(b.permitsPerSecond("tokens")).isEqualTo(10_000 / (TEN_DAYS.toNanos() / 1e9));
  }

  @Test
  void headerSync_onARedisThrottle_followsAsATokenBucket() {
    RedisThrottle a = RedisThrottle.builder(one).key(key).name("api").events(events)
        .rate(100, TEN_DAYS).build();
    HeaderSync sync = HeaderSync.builder(a).map("requests").adoptServerLimit(true).events(events).build();
    sync.begin().complete(headers("x-ratelimit-limit-requests", "200", "x-ratelimit-remaining-requests", "40"));
    RedisThrottle b = RedisThrottle.builder(two).key(key).rate(100, TEN_DAYS).build();
    assertThat(b.availablePermits()).isEqualTo(40);
    assertThat(b.tryAcquire()).isTrue();
    assertThat(b.permitsPerSecond()).isCloseTo(200 / (TEN_DAYS.toNanos() / 1e9), withinPercentage(0.001));
  }

  @Test
  void adaptiveRate_steersTheRateEveryInstanceIsPacedAt() {
    RedisThrottle a = RedisThrottle.builder(one).key(key).rate(1, Duration.ofSeconds(1)).burst(10).build();
    AimdRateController controller =
        AimdRateController.builder().initialRate(0.01).bounds(0.001, 10).build(); // one per 100 s
    AdaptiveRate steering = AdaptiveRate.attach(a, controller, events, "chain");
    try {
      assertThat(a.permitsPerSecond()).isEqualTo(0.01);
      RedisThrottle b = RedisThrottle.builder(two).key(key).rate(1, Duration.ofSeconds(1)).burst(10).build();
      assertThat(b.tryAcquire(10)).isTrue();
      assertThat(b.permitsPerSecond()).isEqualTo(0.01);
      assertThat(b.waitNanos(1, 0)) // 100 s, not the 1 s b was built with
          .isBetween(Duration.ofSeconds(90).toNanos(), Duration.ofSeconds(100).toNanos());
    } finally {
      steering.close();
    }
  }
}
