package io.throttlenet.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.RateLimiter;
import io.throttlenet.core.Permit;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AdmissionQueueTest {
  private final ManualTicker ticker = ManualTicker.startingAt(-123_456_789L);
  private final EventRegistry events = EventRegistry.create();
  private final List<String> served = new ArrayList<>();

  /** One permit per second, starting empty: every waiter queues and they leave one a second. */
  private Throttle onePerSecond() {
    return Throttle.builder().rate(1, Duration.ofSeconds(1)).initialPermits(0).ticker(ticker).build();
  }

  private AdmissionQueue.Builder<String> queue(Throttle limiter) {
    return AdmissionQueue.<String>builder(limiter).events(events);
  }

  private CompletableFuture<Permit> join(AdmissionQueue<String> q, String key, int priority, String label) {
    CompletableFuture<Permit> f = q.acquireAsync(key, priority, 1, null).toCompletableFuture();
    f.thenRun(() -> served.add(label));
    return f;
  }

  private void drain(int seconds) {
    for (int i = 0; i < seconds; i++) {
      ticker.advance(Duration.ofSeconds(1));
    }
  }

  @Test
  void priorities_higherFirst() {
    AdmissionQueue<String> q = queue(onePerSecond()).build();
    join(q, "k", 1, "p1");
    join(q, "k", 5, "p5");
    join(q, "k", 3, "p3");
    drain(3);
    assertThat(served).containsExactly("p5", "p3", "p1");
  }

  @Test
  void fairness_keysTakeTurns() {
    AdmissionQueue<String> q = queue(onePerSecond()).build();
    join(q, "a", 0, "a1");
    join(q, "a", 0, "a2");
    join(q, "b", 0, "b1");
    drain(3);
    assertThat(served).containsExactly("a1", "b1", "a2");
  }

  @Test
  void priority_beatsFairness() {
    AdmissionQueue<String> q = queue(onePerSecond()).build();
    join(q, "a", 1, "a1");
    join(q, "a", 1, "a2");
    join(q, "b", 5, "b1");
    drain(3);
    assertThat(served).containsExactly("b1", "a1", "a2");
  }

  @Test
  void lightKey_isServedWithinOneRound_ofAHeavyOne() {
    Throttle limiter = Throttle.builder().rate(1000, Duration.ofSeconds(1)).burst(1).initialPermits(0).ticker(ticker).build();
    AdmissionQueue<String> q = queue(limiter).capacity(2_000).build();
    for (int i = 0; i < 1000; i++) {
      join(q, "heavy", 0, "heavy");
    }
    join(q, "light", 0, "light");
    ticker.advance(Duration.ofMillis(2));
    assertThat(served).containsExactly("heavy", "light");
  }

  @Test
  void costFairness_aKeyAskingForMoreSavesUpWhileOthersSpendTheirShare() {
    Throttle limiter = Throttle.builder().rate(10, Duration.ofSeconds(1)).burst(10).initialPermits(0).ticker(ticker).build();
    AdmissionQueue<String> q = queue(limiter).build();
    for (int i = 0; i < 3; i++) {
      join(q, "small", 0, "small" + i);
    }
    q.acquireAsync("big", 0, 5, null).toCompletableFuture().thenRun(() -> served.add("big"));
    ticker.advance(Duration.ofSeconds(1));
    // one unit of credit per key per round: the small key spends its three units while the big
    // key saves up for its five
    assertThat(served).containsExactly("small0", "small1", "small2", "big");
  }

  @Test
  void overflowReject_refusesTheNewcomer() {
    AdmissionQueue<String> q = queue(onePerSecond()).capacity(2).build();
    join(q, "k", 0, "1");
    join(q, "k", 0, "2");
    CompletableFuture<Permit> third = join(q, "k", 0, "3");
    assertThat(third).isCompletedExceptionally();
    assertThatThrownBy(third::join)
        .hasCauseInstanceOf(QueueFullException.class)
        .satisfies(e -> assertThat(((QueueFullException) e.getCause()).dropped()).isFalse());
    assertThat(q.size()).isEqualTo(2);
  }

  @Test
  void overflowDropOldest_dropsTheFirstWaiter() {
    AdmissionQueue<String> q = queue(onePerSecond()).capacity(2).overflow(Overflow.DROP_OLDEST).build();
    CompletableFuture<Permit> first = join(q, "k", 0, "1");
    join(q, "k", 0, "2");
    join(q, "k", 0, "3");
    assertThatThrownBy(first::join)
        .hasCauseInstanceOf(QueueFullException.class)
        .satisfies(e -> assertThat(((QueueFullException) e.getCause()).dropped()).isTrue());
    drain(2);
    assertThat(served).containsExactly("2", "3");
  }

  @Test
  void overflowDropLowestPriority_onlyForAStrictlyHigherNewcomer() {
    AdmissionQueue<String> q = queue(onePerSecond()).capacity(2).overflow(Overflow.DROP_LOWEST_PRIORITY).build();
    join(q, "a", 1, "low1");
    CompletableFuture<Permit> low2 = join(q, "b", 1, "low2");
    CompletableFuture<Permit> sameRank = join(q, "c", 1, "same");
    assertThat(sameRank).isCompletedExceptionally(); // not strictly higher: refused
    join(q, "d", 5, "high");
    assertThat(low2).isCompletedExceptionally(); // the newest of the lowest priority made room
    drain(2);
    assertThat(served).containsExactly("high", "low1");
  }

  private CompletableFuture<Permit> joinCost(AdmissionQueue<String> q, int priority, long cost, String label) {
    CompletableFuture<Permit> f = q.acquireAsync("k" + label, priority, cost, null).toCompletableFuture();
    f.thenRun(() -> served.add(label));
    return f;
  }

  private Throttle tenPerSecond() {
    return Throttle.builder().rate(10, Duration.ofSeconds(1)).burst(10).initialPermits(0).ticker(ticker).build();
  }

  @Test
  void costBound_reject_refusesANewcomerThatWouldExceedIt() {
    AdmissionQueue<String> q = queue(tenPerSecond()).maxQueuedCost(5).build();
    joinCost(q, 0, 3, "a");
    CompletableFuture<Permit> b = joinCost(q, 0, 3, "b");
    assertThatThrownBy(b::join)
        .hasCauseInstanceOf(QueueFullException.class)
        .hasMessageContaining("1024 waiters or 5 cost");
    joinCost(q, 0, 2, "c"); // exactly at the bound
    assertThat(q.queuedCost()).isEqualTo(5);
    assertThat(q.size()).isEqualTo(2);
  }

  @Test
  void costBound_aCostAboveItAlone_isRefusedAtOnce() {
    AdmissionQueue<String> q = queue(tenPerSecond()).maxQueuedCost(5).build();
    CompletableFuture<Permit> f = joinCost(q, 0, 6, "big");
    assertThatThrownBy(f::join).hasCauseInstanceOf(CostExceedsCapacityException.class);
    assertThat(q.size()).isZero();
  }

  @Test
  void costBound_dropOldest_dropsAsManyAsNeeded() {
    AdmissionQueue<String> q = queue(tenPerSecond()).maxQueuedCost(6).overflow(Overflow.DROP_OLDEST).build();
    CompletableFuture<Permit> a = joinCost(q, 0, 2, "a");
    CompletableFuture<Permit> b = joinCost(q, 0, 2, "b");
    CompletableFuture<Permit> c = joinCost(q, 0, 2, "c");
    joinCost(q, 0, 4, "d");
    assertThat(a).isCompletedExceptionally();
    assertThat(b).isCompletedExceptionally();
    assertThat(c).isNotDone();
    assertThat(q.queuedCost()).isEqualTo(6);
    ticker.advance(Duration.ofSeconds(1));
    assertThat(served).containsExactlyInAnyOrder("c", "d");
  }

  @Test
  void costBound_dropLowestPriority_dropsNobodyIfTheLowerRanksCannotMakeRoom() {
    AdmissionQueue<String> q = queue(tenPerSecond()).maxQueuedCost(6).overflow(Overflow.DROP_LOWEST_PRIORITY).build();
    CompletableFuture<Permit> low = joinCost(q, 1, 2, "low");
    CompletableFuture<Permit> mid = joinCost(q, 5, 4, "mid");
    CompletableFuture<Permit> tooBig = joinCost(q, 3, 5, "tooBig"); // only "low" ranks below it
    assertThatThrownBy(tooBig::join).hasCauseInstanceOf(QueueFullException.class);
    assertThat(low).isNotDone(); // nothing half-done: nobody was dropped for a refused newcomer
    assertThat(mid).isNotDone();
    CompletableFuture<Permit> high = joinCost(q, 9, 6, "high"); // both rank below: both go
    assertThat(low).isCompletedExceptionally();
    assertThat(mid).isCompletedExceptionally();
    assertThat(high).isNotDone();
    assertThat(q.queuedCost()).isEqualTo(6);
  }

  @Test
  void deadline_predictedTooLong_isRefusedAtOnce() {
    Throttle hourly = Throttle.builder().rate(1, Duration.ofHours(1)).initialPermits(0).ticker(ticker).build();
    AdmissionQueue<String> q = queue(hourly).build();
    CompletableFuture<Permit> f = q.acquireAsync("k", 0, 1, Duration.ofMillis(30)).toCompletableFuture();
    assertThatThrownBy(f::join).hasCauseInstanceOf(DeadlineExceededException.class);
    assertThat(q.size()).isZero();
  }

  @Test
  void deadline_passingWhileQueued_removesTheWaiterWhichIsNeverDispatched() {
    AdmissionQueue<String> q = queue(onePerSecond()).build();
    join(q, "k", 0, "first");
    CompletableFuture<Permit> second = q.acquireAsync("k", 0, 1, Duration.ofMillis(1500)).toCompletableFuture();
    second.thenRun(() -> served.add("second"));
    ticker.advance(Duration.ofSeconds(1));
    assertThat(served).containsExactly("first");
    ticker.advance(Duration.ofMillis(500));
    assertThat(second).isCompletedExceptionally();
    assertThatThrownBy(second::join).hasCauseInstanceOf(DeadlineExceededException.class);
    assertThat(q.size()).isZero();
    drain(3);
    assertThat(served).containsExactly("first");
  }

  @Test
  void cancelledWaiter_leavesAndTheNextIsServed() {
    AdmissionQueue<String> q = queue(onePerSecond()).build();
    CompletableFuture<Permit> first = join(q, "k", 0, "first");
    join(q, "k", 0, "second");
    first.cancel(false);
    assertThat(q.size()).isEqualTo(1);
    drain(1);
    assertThat(served).containsExactly("second");
  }

  @Test
  void blockingAcquire_isReleasedByTheTicker_andInterruptLeavesTheQueue() throws Exception {
    AdmissionQueue<String> q = queue(onePerSecond()).build();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread waiter = new Thread(() -> {
      try {
        q.acquire("k", 0, 1, null);
      } catch (Throwable e) {
        failure.set(e);
      }
    });
    waiter.start();
    while (q.size() == 0) {
      Thread.onSpinWait(); // hand-shake: queued
    }
    ticker.advance(Duration.ofSeconds(1));
    waiter.join(30_000);
    assertThat(waiter.isAlive()).isFalse();
    assertThat(failure.get()).isNull();

    Thread interrupted = new Thread(() -> {
      try {
        q.acquire("k", 0, 1, null);
      } catch (Throwable e) {
        failure.set(e);
      }
    });
    interrupted.start();
    while (q.size() == 0) {
      Thread.onSpinWait();
    }
    interrupted.interrupt();
    interrupted.join(30_000);
    assertThat(failure.get()).isInstanceOf(InterruptedException.class);
    assertThat(q.size()).isZero();
  }

  @Test
  void emptyQueueAndAFreeLimiter_grantAtOnce_butNobodyOvertakesTheQueue() {
    Throttle limiter = Throttle.builder().rate(1, Duration.ofSeconds(1)).burst(2).initialPermits(1).ticker(ticker).build();
    AdmissionQueue<String> q = queue(limiter).build();
    assertThat(q.tryAcquire("k", 1)).contains(Permit.SPENT);
    join(q, "k", 0, "queued");
    ticker.advance(Duration.ofMillis(500));
    assertThat(q.tryAcquire("k", 1)).isEmpty(); // someone is waiting
    ticker.advance(Duration.ofMillis(500));
    assertThat(served).containsExactly("queued");
  }

  @Test
  void events_enqueuedDispatchedDroppedExpired() {
    List<QueueEvent> seen = new ArrayList<>();
    events.subscribe(QueueEvent.class, seen::add);
    AdmissionQueue<String> q = queue(onePerSecond()).capacity(1).build();
    join(q, "k", 0, "a");
    join(q, "k", 0, "b"); // refused: full
    drain(1);
    assertThat(seen).extracting(e -> e.getClass().getSimpleName())
        .containsExactly("Enqueued", "Dropped", "Dispatched");
    assertThat(((QueueEvent.Dispatched) seen.get(2)).waited()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void badInput() {
    assertThatThrownBy(() -> AdmissionQueue.<String>builder((RateLimiter) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("limiter must not be null");
    assertThatThrownBy(() -> AdmissionQueue.<String>builder(onePerSecond()).capacity(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("capacity must be >= 1, was 0");
    assertThatThrownBy(() -> AdmissionQueue.<String>builder((ConcurrencyLimit) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("limit must not be null");
    assertThatThrownBy(() -> AdmissionQueue.<String>builder(onePerSecond()).maxQueuedCost(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxQueuedCost must be > 0, was 0");
    assertThatThrownBy(() -> AdmissionQueue.<String>builder(onePerSecond()).maxQueuedCost(5).maxQueuedCost(6))
        .isInstanceOf(IllegalStateException.class);
    AdmissionQueue<String> q = queue(onePerSecond()).build();
    assertThatThrownBy(() -> q.acquireAsync("k", 0, -1, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cost must be >= 0, was -1");
    assertThat(q.acquireAsync("k", 0, 2, null).toCompletableFuture()).isCompletedExceptionally();
  }

  @Test
  void decorator_queuesEachCall() throws Exception {
    AdmissionQueue<String> q = queue(onePerSecond()).build();
    var decorator = q.decorator("k", 0, 1, null);
    CompletableFuture<String> first = decorator.decorateAsync(() -> CompletableFuture.completedFuture("a")).get().toCompletableFuture();
    CompletableFuture<String> second = decorator.decorateAsync(() -> CompletableFuture.completedFuture("b")).get().toCompletableFuture();
    second.cancel(false);
    drain(1);
    assertThat(first).isCompletedWithValue("a");
    assertThat(q.size()).isZero();
  }

  @Test
  void hugeQuantum_neverSpins() {
    Throttle limiter = Throttle.builder().rate(10, Duration.ofSeconds(1)).initialPermits(0).ticker(ticker).build();
    AdmissionQueue<String> q = queue(limiter).quantum(Long.MAX_VALUE).build();
    q.acquireAsync("a", 0, 2, null).toCompletableFuture().thenRun(() -> served.add("a"));
    q.acquireAsync("b", 0, 3, null).toCompletableFuture().thenRun(() -> served.add("b"));
    ticker.advance(Duration.ofSeconds(1));
    assertThat(served).containsExactly("a", "b");
  }

  @Test
  void deadlinePrediction_countsOnlyWhatMustGoFirst() {
    Throttle limiter = Throttle.builder().rate(10, Duration.ofSeconds(1)).initialPermits(0).ticker(ticker).build();
    AdmissionQueue<String> q = queue(limiter).build();
    for (int i = 0; i < 10; i++) {
      join(q, "heavy", 0, "heavy");
    }
    // turns alternate: the light tenant goes second, at 200 ms, well within 300 ms
    CompletableFuture<Permit> light = q.acquireAsync("light", 0, 1, Duration.ofMillis(300)).toCompletableFuture();
    light.thenRun(() -> served.add("light"));
    assertThat(light).isNotDone();
    ticker.advance(Duration.ofMillis(200));
    assertThat(served).containsExactly("heavy", "light");
  }

  @Test
  void dropLowestPriority_dropsTheNewestOfTheLowest() {
    AdmissionQueue<String> q = queue(onePerSecond()).capacity(3).overflow(Overflow.DROP_LOWEST_PRIORITY).build();
    join(q, "a", 1, "low1");
    join(q, "b", 1, "low2");
    CompletableFuture<Permit> low3 = join(q, "a", 1, "low3");
    join(q, "d", 5, "high");
    assertThat(low3).isCompletedExceptionally();
    drain(3);
    assertThat(served).containsExactly("high", "low1", "low2");
  }

  @Test
  void callerTimingOutItsStage_leavesTheQueue() {
    AdmissionQueue<String> q = queue(onePerSecond()).build();
    CompletableFuture<Permit> first = q.acquireAsync("k", 0, 1, null).toCompletableFuture();
    first.completeExceptionally(new java.util.concurrent.TimeoutException("caller's own timeout"));
    join(q, "k", 0, "second");
    assertThat(q.size()).isEqualTo(1);
    drain(1);
    assertThat(served).containsExactly("second");
  }
}
