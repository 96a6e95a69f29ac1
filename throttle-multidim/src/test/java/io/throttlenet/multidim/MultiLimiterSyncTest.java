package io.throttlenet.multidim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.ManualTicker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link MultiLimiter}'s verbs for following a server's budget: pause, limit, reset. */
class MultiLimiterSyncTest {
  private static final long MS = 1_000_000L;
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 5_000 * MS);
  private final Throttle requests =
      Throttle.builder().rate(10, Duration.ofSeconds(1)).ticker(ticker).build();
  private final Throttle tokens =
      Throttle.builder().rate(1_000, Duration.ofSeconds(1)).ticker(ticker).build();
  private final MultiLimiter llm =
      MultiLimiter.builder().dimension("requests", requests).dimension("tokens", tokens).build();

  @Test
  void pauseUntil_holdsEveryCaller_andWakesTheLineExactlyThen() {
    CompletableFuture<Void> first = llm.acquireAsync(Costs.of("requests", 1)).toCompletableFuture();
    assertThat(first).isCompleted();
    llm.pauseUntil(ticker.read() + 2_000 * MS);
    CompletableFuture<Void> a =
        llm.acquireAsync(Costs.of("requests", 1, "tokens", 10)).toCompletableFuture();
    CompletableFuture<Void> b = llm.acquireAsync(Costs.of("tokens", 10)).toCompletableFuture();
    assertThat(llm.tryAcquire(Costs.of("tokens", 1))).isFalse();
    ticker.advance(Duration.ofMillis(1_999));
    assertThat(a).isNotDone();
    assertThat(b).isNotDone();
    // Every dimension refills from empty at the pause's end: one request and one token then,
    // a's 10 tokens 9 ms later, b's 10 more 10 ms after that (in arrival order).
    ticker.advance(Duration.ofMillis(1 + 8));
    assertThat(a).isNotDone();
    ticker.advance(Duration.ofMillis(1));
    assertThat(a).isCompleted();
    ticker.advance(Duration.ofMillis(9));
    assertThat(b).isNotDone();
    ticker.advance(Duration.ofMillis(1));
    assertThat(b).isCompleted();
  }

  @Test
  void pauseOneDimension_holdsOnlyCallsThatNeedIt() {
    llm.pauseUntil("tokens", ticker.read() + 1_000 * MS);
    assertThat(llm.tryAcquire(Costs.of("requests", 1))).isTrue();
    assertThat(llm.tryAcquire(Costs.of("requests", 1, "tokens", 1))).isFalse();
    assertThat(llm.waitTime(Costs.of("tokens", 1))).contains(Duration.ofSeconds(1));
  }

  @Test
  void limitAvailable_touchesOnlyItsDimension_andNeverRaises() {
    llm.limitAvailable("tokens", 100, ticker.read());
    assertThat(llm.availablePermits("tokens")).isEqualTo(100);
    assertThat(llm.availablePermits("requests")).isEqualTo(10);
    llm.limitAvailable("tokens", 500, ticker.read());
    assertThat(llm.availablePermits("tokens")).isEqualTo(100);
    assertThat(llm.tryAcquire(Costs.of("tokens", 101))).isFalse();
    assertThat(llm.tryAcquire(Costs.of("tokens", 100))).isTrue();
    assertThatThrownBy(() -> llm.limitAvailable("nope", 1, ticker.read()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nope");
  }

  @Test
  void reset_servesTheLineAtOnce() {
    assertThat(llm.tryAcquire(Costs.of("requests", 10))).isTrue();
    CompletableFuture<Void> waiter =
        llm.acquireAsync(Costs.of("requests", 5)).toCompletableFuture();
    assertThat(waiter).isNotDone();
    llm.reset();
    assertThat(waiter).isCompleted();
    assertThat(llm.availablePermits("requests")).isEqualTo(5);
  }

  @Test
  void limiter_givesTheDimensionsOwnLimiter() {
    assertThat(llm.limiter("tokens")).isSameAs(tokens);
  }
}
