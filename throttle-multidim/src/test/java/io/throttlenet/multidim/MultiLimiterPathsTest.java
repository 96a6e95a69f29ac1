package io.throttlenet.multidim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Every entry point of {@link MultiLimiter} on its three outcomes (granted at once, refused or
 * waited for, never possible), with the events each publishes; {@link Reservation}'s ends;
 * {@link Costs}' value semantics.
 */
class MultiLimiterPathsTest {
  private static final Duration SECOND = Duration.ofSeconds(1);

  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 2_000_000_000L);
  private final EventRegistry events = EventRegistry.create();
  private final List<MultiLimiterEvent> seen = new ArrayList<>();

  /** "a": 10 per second; "b": 100 per second. */
  private MultiLimiter limiter() {
    events.subscribe(MultiLimiterEvent.class, seen::add);
    return MultiLimiter.builder()
        .name("m")
        .dimension("a", Throttle.builder().rate(10, SECOND).ticker(ticker).build())
        .dimension("b", Throttle.builder().rate(100, SECOND).ticker(ticker).build())
        .events(events)
        .build();
  }

  private static MultiLimiterEvent.Acquired acquired(Costs costs, Duration waited) {
    return new MultiLimiterEvent.Acquired("m", costs, waited);
  }

  /**
   * Runs {@code body} on another thread; whenever it waits in line (a timer is set), advances the
   * ticker by 100 ms. How far time moves is not exact (the worker may still be finishing), so
   * tests using this assert only what the call returns.
   */
  private Object drive(ThrowingSupplier body) throws Exception {
    AtomicReference<Object> out = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        out.set(body.get());
      } catch (Throwable e) {
        out.set(e);
      }
    });
    t.start();
    while (t.isAlive()) {
      if (ticker.pendingTasks() > 0) {
        ticker.advance(Duration.ofMillis(100));
      } else {
        t.join(1); // let the worker make progress; nothing here measures time
      }
    }
    return out.get();
  }

  interface ThrowingSupplier {
    Object get() throws Exception;
  }

  @Test
  void aCostAboveTheFirstDimensionsCapacity_isRefusedByEveryEntryPoint() throws Exception {
    MultiLimiter m = limiter();
    Costs tooBig = Costs.of("a", 11, "b", 1);
    assertThat(m.tryAcquire(tooBig)).isFalse();
    assertThat(m.tryReserve(tooBig)).isEmpty();
    assertThat(m.waitTime(tooBig)).isEmpty(); // a question, not a refusal: no event
    assertThat(m.tryAcquire(tooBig, SECOND)).isFalse();
    assertThatThrownBy(() -> m.acquire(tooBig))
        .isInstanceOfSatisfying(CostExceedsCapacityException.class, e -> {
          assertThat(e.cost()).isEqualTo(11);
          assertThat(e.capacity()).isEqualTo(10);
        })
        .hasMessageContaining("m[a]");
    assertThatThrownBy(() -> m.reserve(tooBig)).isInstanceOf(CostExceedsCapacityException.class);
    assertThatThrownBy(() -> m.acquireAsync(tooBig).toCompletableFuture().join()).hasCauseInstanceOf(CostExceedsCapacityException.class);
    assertThatThrownBy(() -> m.reserveAsync(tooBig).toCompletableFuture().join()).hasCauseInstanceOf(CostExceedsCapacityException.class);
    assertThat(m.availablePermits("a")).isEqualTo(10);
    assertThat(m.availablePermits("b")).isEqualTo(100);
    assertThat(seen).hasSize(7).allSatisfy(e -> assertThat(e).isInstanceOfSatisfying(MultiLimiterEvent.Rejected.class, r -> {
      assertThat(r.dimension()).isEqualTo("a");
      assertThat(r.reason()).isEqualTo(LimiterEvent.Reason.CAPACITY_EXCEEDED);
      assertThat(r.retryAfter()).isEmpty();
    }));
  }

  @Test
  void aCostEqualToTheCapacity_fits() throws Exception {
    MultiLimiter m = limiter();
    Costs whole = Costs.of("a", 10);
    assertThat(m.waitTime(whole)).contains(Duration.ZERO);
    assertThat(m.tryAcquire(whole)).isTrue();
    assertThat(m.waitTime(whole)).contains(SECOND);
  }

  @Test
  void eachEntryPoint_grantedAtOnce_publishesAcquired() throws Exception {
    MultiLimiter m = limiter();
    Costs c = Costs.of("a", 1, "b", 5);
    assertThat(m.tryAcquire(c)).isTrue();
    assertThat(m.tryAcquire(c, SECOND)).isTrue();
    m.acquire(c);
    assertThat(m.acquireAsync(c).toCompletableFuture()).isCompleted();
    assertThat(m.reserve(c)).isNotNull();
    assertThat(m.tryReserve(c)).isPresent();
    assertThat(m.reserveAsync(c).toCompletableFuture()).isCompleted();
    assertThat(seen).hasSize(7).containsOnly(acquired(c, Duration.ZERO));
    assertThat(m.availablePermits("a")).isEqualTo(3);
    assertThat(m.availablePermits("b")).isEqualTo(65);
  }

  @Test
  void waitedGrants_publishTheWait() {
    MultiLimiter m = limiter();
    assertThat(m.tryAcquire(Costs.of("a", 10))).isTrue();
    seen.clear();
    Costs one = Costs.of("a", 1);
    CompletableFuture<Void> f = m.acquireAsync(one).toCompletableFuture();
    ticker.advance(Duration.ofMillis(100));
    assertThat(f).isCompleted();
    assertThat(seen).containsExactly(acquired(one, Duration.ofMillis(100)));
  }

  @Test
  void blockingWaits_returnWhatWasAskedFor() throws Exception {
    MultiLimiter m = limiter();
    assertThat(m.tryAcquire(Costs.of("a", 10))).isTrue();
    assertThat(drive(() -> m.tryAcquire(Costs.of("a", 1), Duration.ofHours(1)))).isEqualTo(true);
    Object r = drive(() -> m.reserve(Costs.of("a", 1, "b", 1)));
    assertThat(r).isInstanceOfSatisfying(Reservation.class, res -> {
      assertThat(res.isOpen()).isTrue();
      assertThat(res.estimate()).isEqualTo(Costs.of("a", 1, "b", 1));
      assertThat(res).hasToString("Reservation[m, {a=1, b=1}]");
    });
  }

  @Test
  void refusals_publishTheBindingDimension() {
    MultiLimiter m = limiter();
    assertThat(m.tryAcquire(Costs.of("a", 10, "b", 100))).isTrue();
    seen.clear();
    assertThat(m.tryReserve(Costs.of("a", 1, "b", 50))).isEmpty(); // b waits 0.5 s, a 0.1 s
    CompletableFuture<Void> tooLong = m.acquireAsync(Costs.of("a", 5, "b", 1), Duration.ofMillis(200)).toCompletableFuture();
    assertThat(tooLong).isCompletedExceptionally();
    assertThat(seen).extracting(e -> ((MultiLimiterEvent.Rejected) e).dimension()).containsExactly("b", "a");
    assertThat(seen).extracting(e -> ((MultiLimiterEvent.Rejected) e).retryAfter())
        .containsExactly(Optional.of(Duration.ofMillis(500)), Optional.of(Duration.ofMillis(500)));
  }

  @Test
  void refusals_withEqualWaits_nameTheFirstDimension() {
    MultiLimiter m = limiter();
    assertThat(m.tryAcquire(Costs.of("a", 10, "b", 100))).isTrue();
    seen.clear();
    assertThat(m.tryAcquire(Costs.of("a", 1, "b", 10))).isFalse(); // both wait 0.1 s
    assertThat(seen).extracting(e -> ((MultiLimiterEvent.Rejected) e).dimension()).containsExactly("a");
  }

  @Test
  void reserveAsync_cancelledWhileWaiting_leavesTheLine() {
    MultiLimiter m = limiter();
    assertThat(m.tryAcquire(Costs.of("a", 10))).isTrue();
    CompletableFuture<Reservation> r = m.reserveAsync(Costs.of("a", 1)).toCompletableFuture();
    assertThat(m.waiting()).isEqualTo(1);
    r.cancel(false);
    assertThat(m.waiting()).isZero();
    ticker.advance(SECOND);
    assertThat(m.availablePermits("a")).isEqualTo(10);
  }

  @Test
  void cancel_publishesWhatWasGivenBack_andEachEndHappensOnce() throws Exception {
    MultiLimiter m = limiter();
    Reservation r = m.reserve(Costs.of("a", 3, "b", 7));
    seen.clear();
    r.cancel();
    assertThat(r.isOpen()).isFalse();
    assertThat(seen).containsExactly(new MultiLimiterEvent.Settled("m", Map.of("a", -3L, "b", -7L)));
    assertThatThrownBy(r::cancel).hasMessage("reservation was already cancelled");
    assertThatThrownBy(() -> r.settle(Costs.of("a", 1))).hasMessage("reservation was already cancelled");
    Reservation closed = m.reserve(Costs.of("a", 1));
    closed.close();
    assertThat(closed.isOpen()).isFalse();
    assertThatThrownBy(() -> closed.settle(Costs.of("a", 1))).hasMessage("reservation was already closed");
    assertThat(m.availablePermits("a")).isEqualTo(9);
  }

  @Test
  void accessors() {
    MultiLimiter m = limiter();
    assertThat(m.ticker()).isSameAs(ticker);
    assertThat(m.name()).isEqualTo("m");
    assertThat(m).hasToString("MultiLimiter[m, a, b]");
    assertThat(m.waiting()).isZero();
  }

  @Test
  void costs_haveValueSemantics() {
    Map<String, Long> map = new LinkedHashMap<>();
    map.put("x", 2L);
    map.put("y", 0L);
    Costs fromMap = Costs.of(map);
    assertThat(fromMap).isEqualTo(Costs.of("x", 2, "y", 0)).hasSameHashCodeAs(Costs.of("x", 2, "y", 0));
    assertThat(fromMap).isNotEqualTo(Costs.of("x", 2)).isNotEqualTo(Costs.of("x", 3, "y", 0)).isNotEqualTo(map);
    assertThat(fromMap.hashCode()).isNotEqualTo(Costs.of("x", 3, "y", 0).hashCode());
    assertThat(fromMap.asMap()).containsExactly(Map.entry("x", 2L), Map.entry("y", 0L));
    assertThat(fromMap).hasToString("{x=2, y=0}");
    assertThat(fromMap.get("x")).isEqualTo(2);
    assertThat(fromMap.get("absent")).isZero();
    assertThat(Costs.of("a", 1, "b", 2, "c", 3).asMap()).containsExactly(Map.entry("a", 1L), Map.entry("b", 2L), Map.entry("c", 3L));
    Map<String, Long> withNull = new LinkedHashMap<>();
    withNull.put("x", null);
    assertThatThrownBy(() -> Costs.of(withNull)).isInstanceOf(NullPointerException.class).hasMessageContaining("cost of x");
  }
}
