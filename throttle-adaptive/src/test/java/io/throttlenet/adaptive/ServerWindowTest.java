package io.throttlenet.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.CheckedSupplier;
import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.Decorator;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.MaxWaitExceededException;
import io.throttlenet.multidim.Costs;
import io.throttlenet.multidim.MultiLimiterEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link ServerWindow} over a manual ticker: what counts when, who is admitted, what frees. */
class ServerWindowTest {
  private static final Duration SECOND = Duration.ofSeconds(1);
  private static final long MS = 1_000_000;

  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 5_000 * MS);
  private final EventRegistry events = EventRegistry.create();
  private final List<MultiLimiterEvent> seen = new ArrayList<>();

  ServerWindowTest() {
    events.subscribe(MultiLimiterEvent.class, seen::add);
  }

  private ServerWindow.Builder window() {
    return ServerWindow.builder()
        .name("api")
        .dimension("requests", 2, SECOND)
        .dimension("tokens", 100, SECOND)
        .ticker(ticker)
        .events(events);
  }

  private static Costs call(long tokens) {
    return Costs.of("requests", 1, "tokens", tokens);
  }

  @Test
  void aCallCounts_fromItsGrant_untilAWindowAfterItsRelease() {
    ServerWindow w = window().build();
    ServerWindow.Permit a = w.tryAcquire(call(10)).orElseThrow();
    ServerWindow.Permit b = w.tryAcquire(call(10)).orElseThrow();
    assertThat(w.tryAcquire(call(10))).isEmpty();
    ticker.advance(Duration.ofMillis(3_000)); // in flight for 3 s: still counted
    assertThat(w.tryAcquire(call(10))).isEmpty();
    a.release();
    b.release();
    ticker.advance(999 * MS);
    assertThat(w.availablePermits("requests")).isZero();
    assertThat(w.tryAcquire(call(10))).isEmpty();
    ticker.advance(MS);
    assertThat(w.availablePermits("requests")).isEqualTo(2);
    assertThat(w.tryAcquire(call(10))).isPresent();
    assertThat(w.inFlight("requests")).isEqualTo(1);
    assertThat(w.inFlight("tokens")).isEqualTo(10);
  }

  @Test
  void aWaiter_isGrantedAtTheInstantTheReleasedCostLeavesTheWindow() {
    ServerWindow w = window().build();
    ServerWindow.Permit a = w.tryAcquire(call(10)).orElseThrow();
    w.tryAcquire(call(10)).orElseThrow();
    CompletableFuture<ServerWindow.Permit> waiting = w.acquireAsync(call(10));
    assertThat(waiting).isNotDone();
    assertThat(ticker.pendingTasks()).isZero(); // nothing to wake it but a release: no polling
    ticker.advance(200 * MS);
    a.release();
    ticker.advance(SECOND.toNanos() - 1);
    assertThat(waiting).isNotDone();
    ticker.advance(1);
    assertThat(waiting).isCompleted();
    assertThat(w.waiting()).isZero();
    assertThat(seen)
        .filteredOn(e -> e instanceof MultiLimiterEvent.Acquired)
        .last()
        .extracting(e -> ((MultiLimiterEvent.Acquired) e).waitTime())
        .isEqualTo(Duration.ofMillis(1_200));
  }

  @Test
  void freedBudget_goesToTheOldestWaiterThatFits_notOnlyToTheHead() {
    ServerWindow w = window().dimension("x", 1_000, SECOND).build();
    ServerWindow.Permit big = w.tryAcquire(call(60)).orElseThrow();
    CompletableFuture<ServerWindow.Permit> large = w.acquireAsync(call(50));
    // Smaller calls still fit beside the one in flight: they are not held behind the large one.
    assertThat(w.tryAcquire(call(30))).isPresent();
    assertThat(large).isNotDone();
    big.release();
    ticker.advance(SECOND);
    assertThat(large).isCompleted();
  }

  @Test
  void aWaiterPassedForLongerThanMaxBypass_isPassedNoMore() {
    ServerWindow w =
        ServerWindow.builder()
            .dimension("tokens", 100, SECOND)
            .maxBypass(Duration.ofMillis(500))
            .ticker(ticker)
            .build();
    ServerWindow.Permit held = w.tryAcquire(Costs.of("tokens", 60)).orElseThrow();
    CompletableFuture<ServerWindow.Permit> large = w.acquireAsync(Costs.of("tokens", 50));
    ticker.advance(499 * MS);
    ServerWindow.Permit small = w.tryAcquire(Costs.of("tokens", 10)).orElseThrow();
    ticker.advance(MS); // the large call has now waited its bound
    assertThat(w.tryAcquire(Costs.of("tokens", 10))).isEmpty();
    small.cancel(); // 30 free, still not enough for 50: and nobody passes it
    assertThat(large).isNotDone();
    assertThat(w.tryAcquire(Costs.of("tokens", 10))).isEmpty();
    held.cancel();
    assertThat(large).isCompleted();
  }

  @Test
  void maxBypassZero_isFirstComeFirstServed() {
    ServerWindow w =
        ServerWindow.builder()
            .dimension("tokens", 100, SECOND)
            .maxBypass(Duration.ZERO)
            .ticker(ticker)
            .build();
    ServerWindow.Permit held = w.tryAcquire(Costs.of("tokens", 60)).orElseThrow();
    CompletableFuture<ServerWindow.Permit> large = w.acquireAsync(Costs.of("tokens", 50));
    CompletableFuture<ServerWindow.Permit> small = w.acquireAsync(Costs.of("tokens", 10));
    assertThat(small).isNotDone();
    held.cancel();
    assertThat(large).isCompleted();
    assertThat(small).isCompleted();
  }

  @Test
  void setLimit_lowersAtOnce_raisesAndWakesWaiters_andFailsWaitersThatCanNeverFit() {
    ServerWindow w = window().build();
    ServerWindow.Permit a = w.tryAcquire(call(10)).orElseThrow();
    w.setLimit("requests", 1);
    assertThat(w.capacity("requests")).isEqualTo(1);
    assertThat(w.tryAcquire(call(10))).isEmpty(); // one in flight fills the lowered limit
    CompletableFuture<ServerWindow.Permit> small = w.acquireAsync(call(10));
    CompletableFuture<ServerWindow.Permit> large = w.acquireAsync(Costs.of("tokens", 95));
    w.setLimit("tokens", 50); // the large waiter can never fit now
    assertThat(large).isCompletedExceptionally();
    assertThatThrownBy(large::join).hasCauseInstanceOf(CostExceedsCapacityException.class);
    assertThat(small).isNotDone();
    w.setLimit("requests", 3);
    assertThat(small).isCompleted();
    assertThat(w.inFlight("requests")).isEqualTo(2);
    a.release();
    assertThatThrownBy(() -> w.setLimit("requests", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit")
        .hasMessageContaining("0");
    assertThatThrownBy(() -> w.setLimit("bytes", 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bytes");
  }

  @Test
  void cancel_countsNothing_andWakesAWaiterAtOnce() {
    ServerWindow w = window().build();
    ServerWindow.Permit a = w.tryAcquire(call(10)).orElseThrow();
    w.tryAcquire(call(10)).orElseThrow();
    CompletableFuture<ServerWindow.Permit> waiting = w.acquireAsync(call(10));
    a.cancel();
    assertThat(waiting).isCompleted();
    a.release(); // after cancel: nothing more
    assertThat(w.inFlight("requests")).isEqualTo(2);
    assertThat(seen)
        .filteredOn(e -> e instanceof MultiLimiterEvent.Settled)
        .singleElement()
        .isEqualTo(new MultiLimiterEvent.Settled("api", java.util.Map.of("requests", -1L, "tokens", -10L)));
  }

  @Test
  void releaseWithTheRealCost_freesTheDifferenceAtOnce_orCountsADebt() {
    ServerWindow w = window().build();
    w.tryAcquire(call(90)).orElseThrow().release(call(20));
    assertThat(w.availablePermits("tokens")).isEqualTo(80);
    w.tryAcquire(call(10)).orElseThrow().release(Costs.of("requests", 1, "tokens", 100));
    assertThat(w.availablePermits("tokens")).isEqualTo(-20);
    assertThat(w.tryAcquire(Costs.of("tokens", 1))).isEmpty();
    ticker.advance(SECOND);
    assertThat(w.availablePermits("tokens")).isEqualTo(100);
    assertThat(seen)
        .filteredOn(e -> e instanceof MultiLimiterEvent.Settled)
        .extracting(e -> ((MultiLimiterEvent.Settled) e).delta().get("tokens"))
        .containsExactly(-70L, 90L);
  }

  @Test
  void aCancelledAsyncWait_isWithdrawn_andCountsNothing() {
    ServerWindow w = window().build();
    ServerWindow.Permit a = w.tryAcquire(call(10)).orElseThrow();
    w.tryAcquire(call(10)).orElseThrow();
    CompletableFuture<ServerWindow.Permit> waiting = w.acquireAsync(call(10));
    assertThat(w.waiting()).isEqualTo(1);
    waiting.cancel(false);
    assertThat(w.waiting()).isZero();
    a.cancel();
    assertThat(w.inFlight("requests")).isEqualTo(1);
    assertThat(w.availablePermits("requests")).isEqualTo(1);
  }

  @Test
  void maxWait_givesUpAfterItByTheTicker_andCountsNothing() {
    ServerWindow w = window().build();
    w.tryAcquire(call(10)).orElseThrow();
    w.tryAcquire(call(10)).orElseThrow();
    CompletableFuture<ServerWindow.Permit> waiting =
        w.acquireAsync(call(10), Duration.ofMillis(300));
    ticker.advance(299 * MS);
    assertThat(waiting).isNotDone();
    ticker.advance(MS);
    assertThat(waiting)
        .isCompletedExceptionally()
        .failsWithin(Duration.ZERO)
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(MaxWaitExceededException.class)
        .withMessageContaining("api[requests]");
    assertThat(w.waiting()).isZero();
    assertThat(w.inFlight("requests")).isEqualTo(2);
    assertThatThrownBy(() -> w.acquire(call(10), Duration.ZERO))
        .isInstanceOf(MaxWaitExceededException.class);
  }

  @Test
  void anInterruptedBlockingAcquire_countsNothing() throws Exception {
    ServerWindow w = window().build();
    w.tryAcquire(call(10)).orElseThrow();
    ServerWindow.Permit b = w.tryAcquire(call(10)).orElseThrow();
    AtomicReference<Throwable> outcome = new AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              try {
                w.acquire(call(10));
              } catch (Throwable e) {
                outcome.set(e);
              }
            });
    t.start();
    while (w.waiting() == 0) {
      Thread.onSpinWait();
    }
    t.interrupt();
    t.join();
    assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
    b.cancel();
    assertThat(w.inFlight("requests")).isEqualTo(1);
    assertThat(w.waiting()).isZero();
  }

  @Test
  void aBlockingAcquire_returnsWhenTheBudgetFrees() throws Exception {
    ServerWindow w = window().build();
    w.tryAcquire(call(10)).orElseThrow();
    ServerWindow.Permit b = w.tryAcquire(call(10)).orElseThrow();
    CompletableFuture<ServerWindow.Permit> got = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                got.complete(w.acquire(call(10)));
              } catch (Throwable e) {
                got.completeExceptionally(e);
              }
            });
    t.start();
    while (w.waiting() == 0) {
      Thread.onSpinWait();
    }
    b.cancel();
    t.join();
    assertThat(got.get().costs()).isEqualTo(call(10));
  }

  @Test
  void pause_grantsNothingUntilItEnds_thenWakesTheWaiters() {
    ServerWindow w = window().build();
    w.pauseUntil(ticker.read() + 400 * MS);
    assertThat(w.tryAcquire(call(1))).isEmpty();
    assertThat(w.availablePermits("requests")).isZero();
    CompletableFuture<ServerWindow.Permit> waiting = w.acquireAsync(call(1));
    ticker.advance(399 * MS);
    assertThat(waiting).isNotDone();
    ticker.advance(MS);
    assertThat(waiting).isCompleted();
    waiting.join().cancel();
    // a dimension's own pause leaves calls that do not use it alone
    w.pauseUntil("tokens", ticker.read() + 400 * MS);
    assertThat(w.tryAcquire(Costs.of("requests", 1))).isPresent();
    assertThat(w.tryAcquire(call(1))).isEmpty();
  }

  @Test
  void limitAvailable_countsWhatLeftSinceItsInstant_andHoldsTheStandInForAWindow() {
    ServerWindow w = ServerWindow.builder().dimension("tokens", 100, SECOND).ticker(ticker).build();
    w.tryAcquire(Costs.of("tokens", 30)).orElseThrow().release();
    long asOf = ticker.read() + 900 * MS;
    ticker.advance(SECOND); // the 30 have left by now, but not by asOf
    w.limitAvailable("tokens", 50, asOf);
    // 50 as of asOf, plus the 30 that have left the window since
    assertThat(w.availablePermits("tokens")).isEqualTo(80);
    ticker.advance(899 * MS);
    assertThat(w.availablePermits("tokens")).isEqualTo(80);
    ticker.advance(MS);
    assertThat(w.availablePermits("tokens")).isEqualTo(100);
    w.limitAvailable("tokens", 500, ticker.read()); // never raises
    assertThat(w.availablePermits("tokens")).isEqualTo(100);
  }

  @Test
  void reset_forgetsReleasedCallsAndPauses_butNotCallsInFlight() {
    ServerWindow w = window().build();
    w.tryAcquire(call(10)).orElseThrow().release();
    w.tryAcquire(call(10)).orElseThrow();
    w.pauseUntil(ticker.read() + SECOND.toNanos());
    w.reset();
    assertThat(w.availablePermits("requests")).isEqualTo(1);
    assertThat(w.availablePermits("tokens")).isEqualTo(90);
  }

  @Test
  void othersLevel_isWhatTheServerCountsBeyondUs_sharedByAKnownFleet_orProportionally() {
    // alone: the server counts no more than we do
    assertThat(ServerWindow.othersLevel(100, 40, 40, 60, 1, 0)).isZero();
    assertThat(ServerWindow.othersLevel(100, 40, 40, 70, 1, 0)).isZero();
    // a known fleet of 4: the server counts 60 beyond our 20, divided among the fleet
    assertThat(ServerWindow.othersLevel(100, 20, 20, 20, 4, 0)).isEqualTo(15);
    // unknown fleet, server full: others hold all but ours
    assertThat(ServerWindow.othersLevel(100, 25, 25, 0, 1, 0)).isEqualTo(75);
    // unknown fleet, 40 free, we count half of what the server counts: we take half the room
    assertThat(ServerWindow.othersLevel(100, 30, 30, 40, 1, 0)).isEqualTo(100 - 30 - 20);
    // 10 of ours left the window since the server's figures: that room is in its 40 already
    assertThat(ServerWindow.othersLevel(100, 30, 20, 40, 1, 0)).isEqualTo(100 - 20 - 20);
    // 5 granted since the call began are not in the server's figures: out of our 20 of the room
    assertThat(ServerWindow.othersLevel(100, 30, 30, 40, 1, 5)).isEqualTo(100 - 30 - 15);
  }

  @Test
  void withoutAFleetSize_aLowerEstimateOfOthers_waitsForTheHeldOneToGiveWay() {
    ServerWindow w = window().build();
    HeaderSync sync = HeaderSync.builder(w).events(events).build();
    w.tryAcquire(Costs.of("tokens", 40)).orElseThrow().release();
    // the server counts 90: others hold the 50 beyond our 40, of the 10 left we take about 4
    sync.begin().complete(java.util.Map.of("x-ratelimit-remaining-tokens", List.of("10")));
    assertThat(w.availablePermits("tokens")).isBetween(4L, 5L);
    // a moment later the server shows 40 free: others freed it, and will spend it again
    ticker.advance(10 * MS);
    sync.begin().complete(java.util.Map.of("x-ratelimit-remaining-tokens", List.of("40")));
    assertThat(w.availablePermits("tokens")).isBetween(4L, 5L);
    // the held level gives way a window after the call it came from, evenly over a window
    ticker.advance(1_000 * MS); // our own 40 left the window too
    assertThat(w.availablePermits("tokens")).isBetween(44L, 50L);
    ticker.advance(1_000 * MS);
    assertThat(w.availablePermits("tokens")).isEqualTo(100);
  }

  @Test
  void withAFleetSize_eachEstimateReplacesTheLast() {
    ServerWindow w = window().build();
    HeaderSync sync = HeaderSync.builder(w).fleetSize(2).events(events).build();
    w.tryAcquire(Costs.of("tokens", 40)).orElseThrow().release();
    sync.begin().complete(java.util.Map.of("x-ratelimit-remaining-tokens", List.of("40")));
    // the server counts 160 of 200: 120 beyond ours, less the other's share of 100, over 2: 10
    assertThat(w.availablePermits("tokens")).isEqualTo(50);
    sync.begin().complete(java.util.Map.of("x-ratelimit-remaining-tokens", List.of("60")));
    assertThat(w.availablePermits("tokens")).isEqualTo(60);
  }

  @Test
  void headerSync_onAWindowAlone_changesNothing_andSeesOthersWhenTheyAreThere() {
    ServerWindow w = window().dimension("x", 1, SECOND).build();
    HeaderSync sync = HeaderSync.builder(w).events(events).build();
    HeaderSync.Call c = sync.begin();
    ServerWindow.Permit p = w.tryAcquire(call(40)).orElseThrow();
    c.complete(java.util.Map.of("x-ratelimit-remaining-tokens", List.of("60")));
    assertThat(w.availablePermits("tokens")).isEqualTo(60);
    p.release();
    // Someone else spent 30: of the 30 left, the window takes the part in proportion to its own
    // part of what the server counts (40 of 70), about 17.
    sync.begin().complete(java.util.Map.of("x-ratelimit-remaining-tokens", List.of("30")));
    assertThat(w.availablePermits("tokens")).isBetween(17L, 18L);
    // a 429's hint pauses every dimension
    sync.begin().complete(java.util.Map.of("retry-after-ms", List.of("250")));
    assertThat(w.tryAcquire(Costs.of("x", 1))).isEmpty();
    ticker.advance(250 * MS);
    assertThat(w.tryAcquire(Costs.of("x", 1))).isPresent();
  }

  @Test
  void badInput_isRefusedWithTheArgumentNamed() {
    assertThatThrownBy(() -> ServerWindow.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("at least one dimension");
    assertThatThrownBy(() -> ServerWindow.builder().dimension("t", 0, SECOND))
        .hasMessageContaining("limit of t");
    assertThatThrownBy(() -> ServerWindow.builder().dimension("t", 1, Duration.ZERO))
        .hasMessageContaining("window of t");
    assertThatThrownBy(() -> ServerWindow.builder().dimension("t", 1, SECOND).dimension("t", 1, SECOND))
        .hasMessageContaining("already added");
    assertThatThrownBy(() -> ServerWindow.builder().maxBypass(Duration.ofSeconds(-1)))
        .hasMessageContaining("maxBypass");
    ServerWindow w = window().build();
    assertThatThrownBy(() -> w.tryAcquire(Costs.of("bytes", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bytes");
    assertThatThrownBy(() -> w.acquireAsync(call(101)))
        .isInstanceOf(CostExceedsCapacityException.class)
        .hasMessageContaining("api[tokens]");
    assertThat(w.inFlight("tokens")).isZero();
    assertThatThrownBy(() -> w.capacity("bytes")).hasMessageContaining("bytes");
    assertThatThrownBy(() -> w.decorator(call(101)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("estimate for api[tokens] must be <= its capacity (100), was 101");
  }

  @Test
  void decorator_releasesOnSuccessAndFailure_andCountsTheRealCost() throws Exception {
    ServerWindow w = window().build();
    Decorator<String> d =
        w.decorator(call(50), r -> Costs.of("requests", 1, "tokens", r.length()), null);
    CheckedSupplier<String> ok = d.decorate(() -> "four");
    assertThat(ok.get()).isEqualTo("four");
    assertThat(w.inFlight("tokens")).isZero();
    assertThat(w.availablePermits("tokens")).isEqualTo(96);
    CheckedSupplier<String> failing =
        d.decorate(
            () -> {
              throw new IOException("reset");
            });
    assertThatThrownBy(failing::get).isInstanceOf(IOException.class);
    assertThat(w.inFlight("tokens")).isZero();
    assertThat(w.availablePermits("tokens")).isEqualTo(46);
    assertThat(w.tryAcquire(call(1))).isEmpty(); // two requests counted for a window
  }

  @Test
  void asyncDecorator_releasesWhenTheStageCompletes() {
    ServerWindow w = window().build();
    CompletableFuture<String> response = new CompletableFuture<>();
    CompletionStage<String> result = w.decorator(call(10)).decorateAsync(() -> response).get();
    assertThat(w.inFlight("tokens")).isEqualTo(10);
    response.complete("done");
    assertThat(result.toCompletableFuture()).isCompletedWithValue("done");
    assertThat(w.inFlight("tokens")).isZero();
    assertThat(w.availablePermits("tokens")).isEqualTo(90);
  }

  @Test
  void cancellingAnAsyncDecoratedCall_withdrawsItsWait() {
    ServerWindow w = window().build();
    w.tryAcquire(call(10)).orElseThrow();
    w.tryAcquire(call(10)).orElseThrow();
    CompletableFuture<String> never = new CompletableFuture<>();
    CompletionStage<String> result = w.decorator(call(10)).decorateAsync(() -> never).get();
    assertThat(w.waiting()).isEqualTo(1);
    result.toCompletableFuture().cancel(false);
    assertThat(w.waiting()).isZero();
    assertThat(w.inFlight("requests")).isEqualTo(2);
  }
}
