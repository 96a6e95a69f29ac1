package io.throttlenet.decorators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.adaptive.HeaderSync;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.MaxWaitExceededException;
import io.throttlenet.multidim.Costs;
import io.throttlenet.redis.RedisMultiLimiter;
import io.throttlenet.redis.RedisStore;
import io.throttlenet.redis.RedisThrottle;
import io.throttlenet.redis.RedisUnavailableException;
import io.throttlenet.retry.Backoff;
import io.throttlenet.retry.Retry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Redis-backed limiters in a {@code Decorators} chain and under {@code HeaderSync}, against the
 * shared Redis on 127.0.0.1:6379 (started by {@code .ci/run}). Budgets refill one permit an hour at
 * most, so counts are exact.
 */
class RedisChainTest {
  private final RedisStore redis = RedisStore.connect("redis://127.0.0.1:6379");
  private final String key = "test-" + UUID.randomUUID();

  @AfterEach
  void close() {
    redis.close();
  }

  @Test
  void withThrottle_redisThrottle_chargesTheSharedBudget() throws Exception {
    RedisThrottle budget = RedisThrottle.builder(redis).key(key).rate(3, Duration.ofHours(3)).name("redis-api").build();
    AtomicInteger calls = new AtomicInteger();
    Supplier<String> guarded = Decorators.ofSupplier(() -> "ok-" + calls.incrementAndGet())
        .withThrottle(budget, 1, Duration.ofSeconds(1))
        .withRetry(Retry.of(Backoff.ofDefaults()).maxAttempts(3))
        .decorate();
    assertThat(guarded.get()).isEqualTo("ok-1");
    assertThat(guarded.get()).isEqualTo("ok-2");
    Supplier<CompletionStage<String>> async = Decorators.ofCompletionStage(() -> CompletableFuture.completedFuture("async"))
        .withThrottle(budget, 1, Duration.ofSeconds(1))
        .decorate();
    assertThat(async.get().toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("async");
    assertThatThrownBy(guarded::get).isInstanceOf(MaxWaitExceededException.class).hasMessageContaining("redis-api");
    assertThat(calls).hasValue(2); // the refused call never ran, and a rejection is not retried
  }

  @Test
  void with_redisMultiLimiterDecorator_settlesTheRealCost() throws Exception {
    RedisMultiLimiter llm = RedisMultiLimiter.builder(redis).key(key)
        .dimension("requests", 10, Duration.ofDays(10))
        .dimension("tokens", 1000, Duration.ofDays(10))
        .build();
    Supplier<Integer> chat = Decorators.ofSupplier(() -> 150) // the response says: 150 tokens
        .with(llm.<Integer>decorator(Costs.of("requests", 1, "tokens", 400), used -> Costs.of("requests", 1, "tokens", used), Duration.ofSeconds(1)))
        .decorate();
    assertThat(chat.get()).isEqualTo(150);
    assertThat(llm.availablePermits("tokens")).isEqualTo(850);
    assertThat(llm.availablePermits("requests")).isEqualTo(9);
  }

  @Test
  void withThrottle_redisDown_failClosed_reportsTheOutage() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort(); // nothing listens there once closed: Redis is "down"
    }
    try (RedisStore down = RedisStore.connect("redis://127.0.0.1:" + port)) {
      RedisThrottle budget = RedisThrottle.builder(down).key(key).rate(3, Duration.ofHours(3)).name("shared").build();
      Supplier<String> guarded = Decorators.ofSupplier(() -> "never").withThrottle(budget).decorate();
      assertThatThrownBy(guarded::get).isInstanceOf(RedisUnavailableException.class).hasMessageContaining("shared");
      Supplier<CompletionStage<String>> async = Decorators.ofCompletionStage(() -> CompletableFuture.completedFuture("never"))
          .withThrottle(budget).decorate();
      assertThatThrownBy(() -> async.get().toCompletableFuture().get(5, TimeUnit.SECONDS))
          .hasCauseInstanceOf(RedisUnavailableException.class);
    }
  }

  @Test
  void headerSync_followsTheServersRemaining_onTheSharedBudget() {
    EventRegistry events = EventRegistry.create();
    RedisThrottle budget = RedisThrottle.builder(redis).key(key).rate(100, Duration.ofDays(10))
        .name("core").events(events).build();
    HeaderSync sync = HeaderSync.builder(budget).map("core").events(events).build();
    sync.begin().complete(Map.of(
        "x-ratelimit-remaining", List.of("7"), "x-ratelimit-resource", List.of("core"), "x-ratelimit-reset", List.of("0")));
    assertThat(budget.availablePermits()).isEqualTo(7);
    sync.begin().complete(Map.of("retry-after", List.of("120")));
    assertThat(budget.tryAcquire()).isFalse(); // paused for every instance sharing the key
    assertThat(budget.waitTime(1).orElseThrow()).isGreaterThan(Duration.ofSeconds(100));
  }
}
