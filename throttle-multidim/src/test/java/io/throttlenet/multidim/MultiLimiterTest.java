package io.throttlenet.multidim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.bucket.SlidingWindowLog;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.MaxWaitExceededException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class MultiLimiterTest {
  private static final Duration MINUTE = Duration.ofMinutes(1);
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MIN_VALUE + 12_345);
  private final EventRegistry events = EventRegistry.create();

  private Throttle per(long permits, Duration period) {
    return Throttle.builder().rate(permits, period).ticker(ticker).events(events).build();
  }

  private MultiLimiter llm() {
    return MultiLimiter.builder()
        .name("llm")
        .dimension("requests", per(10, MINUTE))
        .dimension("input_tokens", per(1_000, MINUTE))
        .dimension("output_tokens", per(500, MINUTE))
        .events(events)
        .build();
  }

  /** The README quick start, as a test: three budgets, one call shape, admitted while all afford it. */
  @Test
  void llmBudget_admitsWhileEveryBudgetAffordsTheCall() throws InterruptedException {
    MultiLimiter llm =
        MultiLimiter.builder()
            .dimension("requests", per(60, MINUTE))
            .dimension("input_tokens", per(100_000, MINUTE))
            .dimension("output_tokens", per(20_000, MINUTE))
            .build();
    Costs call = Costs.of("requests", 1, "input_tokens", 1500, "output_tokens", 200);
    int calls = 0;
    while (llm.tryAcquire(call)) {
      calls++;
    }
    assertThat(calls).isEqualTo(60); // requests bind: 60 × 1500 input and 60 × 200 output fit
    assertThat(llm.availablePermits("input_tokens")).isEqualTo(100_000 - 60 * 1500);
    assertThat(llm.waitTime(call)).contains(Duration.ofSeconds(1));
    CompletableFuture<Void> next = llm.acquireAsync(call).toCompletableFuture();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(next).isCompleted();
  }

  @Test
  void refused_chargesNothingAnywhere() {
    MultiLimiter llm = llm();
    assertThat(llm.tryAcquire(Costs.of("requests", 1, "input_tokens", 100))).isTrue();
    assertThat(llm.tryAcquire(Costs.of("requests", 1, "input_tokens", 901, "output_tokens", 5))).isFalse();
    assertThat(llm.availablePermits("requests")).isEqualTo(9);
    assertThat(llm.availablePermits("input_tokens")).isEqualTo(900);
    assertThat(llm.availablePermits("output_tokens")).isEqualTo(500);
  }

  @Test
  void dimensionNotNamed_isNotCharged() {
    MultiLimiter llm = llm();
    assertThat(llm.tryAcquire(Costs.of("input_tokens", 300))).isTrue();
    assertThat(llm.availablePermits("requests")).isEqualTo(10);
    assertThat(llm.availablePermits("output_tokens")).isEqualTo(500);
  }

  @Test
  void unknownDimension_isAnErrorNeverUnmetered() {
    MultiLimiter llm = llm();
    assertThatThrownBy(() -> llm.tryAcquire(Costs.of("input_tokenz", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown dimension input_tokenz (known: requests, input_tokens, output_tokens)");
    assertThatThrownBy(() -> llm.availablePermits("missing"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("unknown dimension missing");
    assertThat(llm.availablePermits("requests")).isEqualTo(10);
  }

  @Test
  void costAboveCapacity_namesTheDimensionItsCostAndCapacity() {
    MultiLimiter llm = llm();
    Costs huge = Costs.of("requests", 1, "input_tokens", 2000);
    assertThat(llm.tryAcquire(huge)).isFalse();
    assertThat(llm.waitTime(huge)).isEmpty();
    assertThatThrownBy(() -> llm.acquire(huge))
        .isInstanceOf(CostExceedsCapacityException.class)
        .hasMessage("llm[input_tokens]: cost 2000 exceeds capacity 1000 and can never be granted")
        .satisfies(
            e -> {
              CostExceedsCapacityException c = (CostExceedsCapacityException) e;
              assertThat(c.cost()).isEqualTo(2000);
              assertThat(c.capacity()).isEqualTo(1000);
            });
    assertThat(llm.availablePermits("requests")).isEqualTo(10);
  }

  @Test
  void waitTimeAndSnapshot_consumeNothing() {
    MultiLimiter llm = llm();
    Costs call = Costs.of("requests", 2, "output_tokens", 400);
    for (int i = 0; i < 5; i++) {
      assertThat(llm.waitTime(call)).contains(Duration.ZERO);
      assertThat(llm.snapshot()).hasSize(3);
    }
    assertThat(llm.tryAcquire(call)).isTrue();
    assertThat(llm.snapshot())
        .containsExactly(
            new DimensionSnapshot("requests", 10, 8, Duration.ofSeconds(12)),
            new DimensionSnapshot("input_tokens", 1000, 1000, Duration.ZERO),
            new DimensionSnapshot("output_tokens", 500, 100, Duration.ofSeconds(48)));
  }

  @Test
  void eachDimensionRefillsOnItsOwn() {
    MultiLimiter llm = llm();
    assertThat(llm.tryAcquire(Costs.of("requests", 10, "output_tokens", 500))).isTrue();
    ticker.advance(Duration.ofSeconds(6));
    assertThat(llm.availablePermits("requests")).isEqualTo(1);
    assertThat(llm.availablePermits("output_tokens")).isEqualTo(50);
  }

  @Test
  void acquire_waitsForTheSlowestDimensionWithoutChargingOthersEarly() throws Exception {
    MultiLimiter llm = llm();
    assertThat(llm.tryAcquire(Costs.of("output_tokens", 500))).isTrue();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                llm.acquire(Costs.of("requests", 1, "output_tokens", 100));
              } catch (Throwable e) {
                failure.set(e);
              }
            });
    caller.start();
    while (ticker.pendingTasks() == 0) {
      Thread.onSpinWait(); // hand-shake: in line, with the head's timer set
    }
    assertThat(llm.availablePermits("requests")).isEqualTo(10); // not charged while waiting
    ticker.advance(Duration.ofSeconds(12).minusNanos(1));
    assertThat(llm.waiting()).isEqualTo(1);
    ticker.advance(1);
    caller.join(30_000);
    assertThat(failure.get()).isNull();
    assertThat(llm.availablePermits("requests")).isEqualTo(9);
    assertThat(llm.availablePermits("output_tokens")).isZero();
  }

  @Test
  void tryAcquireWithMaxWait_andAsyncMaxWait_refuseWhenTooLong() throws InterruptedException {
    MultiLimiter llm = llm();
    assertThat(llm.tryAcquire(Costs.of("output_tokens", 500))).isTrue();
    Costs call = Costs.of("output_tokens", 50);
    assertThat(llm.tryAcquire(call, Duration.ofSeconds(5))).isFalse();
    CompletableFuture<Void> f = llm.acquireAsync(call, Duration.ofSeconds(5)).toCompletableFuture();
    assertThatThrownBy(f::join)
        .hasCauseInstanceOf(MaxWaitExceededException.class)
        .hasMessageContaining("llm[output_tokens]");
    assertThat(llm.availablePermits("output_tokens")).isZero();
  }

  @Test
  void reserveThenSettle_chargesTheDifference() throws InterruptedException {
    MultiLimiter llm = llm();
    Reservation r = llm.reserve(Costs.of("requests", 1, "output_tokens", 300));
    assertThat(llm.availablePermits("output_tokens")).isEqualTo(200);
    r.settle(Costs.of("requests", 1, "output_tokens", 120));
    assertThat(llm.availablePermits("output_tokens")).isEqualTo(380);
    assertThat(llm.availablePermits("requests")).isEqualTo(9);
    assertThatThrownBy(() -> r.settle(Costs.of("requests", 1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("reservation was already settled");
  }

  @Test
  void settle_underEstimate_overdrawsAndDelaysLaterCallers() throws InterruptedException {
    MultiLimiter llm = llm();
    Reservation r = llm.reserve(Costs.of("output_tokens", 400));
    r.settle(Costs.of("output_tokens", 700)); // 200 more than the whole budget
    assertThat(llm.availablePermits("output_tokens")).isEqualTo(-200);
    assertThat(llm.tryAcquire(Costs.of("output_tokens", 1))).isFalse();
    assertThat(llm.waitTime(Costs.of("output_tokens", 1))).contains(Duration.ofMillis(24_120));
  }

  @Test
  void cancel_givesEverythingBack_andCloseKeepsTheEstimate() throws InterruptedException {
    MultiLimiter llm = llm();
    Reservation r = llm.reserve(Costs.of("requests", 3, "input_tokens", 600));
    r.cancel();
    assertThat(llm.availablePermits("requests")).isEqualTo(10);
    assertThat(llm.availablePermits("input_tokens")).isEqualTo(1000);
    assertThatThrownBy(r::cancel).isInstanceOf(IllegalStateException.class);
    try (Reservation kept = llm.reserve(Costs.of("requests", 2))) {
      assertThat(kept.isOpen()).isTrue();
    }
    assertThat(llm.availablePermits("requests")).isEqualTo(8);
  }

  @Test
  void tryReserve_refused_isEmptyAndChargesNothing() {
    MultiLimiter llm = llm();
    assertThat(llm.tryReserve(Costs.of("requests", 10))).isPresent();
    assertThat(llm.tryReserve(Costs.of("requests", 1, "input_tokens", 5))).isEmpty();
    assertThat(llm.availablePermits("input_tokens")).isEqualTo(1000);
  }

  @Test
  void reserveAsync_completesWithAReservation() {
    MultiLimiter llm = llm();
    assertThat(llm.tryAcquire(Costs.of("requests", 10))).isTrue();
    CompletableFuture<Reservation> r = llm.reserveAsync(Costs.of("requests", 1)).toCompletableFuture();
    assertThat(r).isNotDone();
    ticker.advance(Duration.ofSeconds(6));
    assertThat(r).isCompleted();
    r.join().cancel();
    assertThat(llm.availablePermits("requests")).isEqualTo(1);
  }

  @Test
  void dimensions_mayBeAnyComposableLimiter() {
    MultiLimiter m =
        MultiLimiter.builder()
            .dimension("requests", Throttle.allOf(per(5, Duration.ofSeconds(1)), per(8, MINUTE)))
            .dimension("tokens", SlidingWindowLog.builder().limit(90).window(MINUTE).ticker(ticker).build())
            .build();
    int granted = 0;
    for (int i = 0; i < 20; i++) {
      if (m.tryAcquire(Costs.of("requests", 1, "tokens", 10))) {
        granted++;
      }
      ticker.advance(Duration.ofSeconds(1));
    }
    // requests: 8 at once + 2 refilled (one per 7.5 s) = 10; tokens: 90 per minute = 9 calls.
    assertThat(granted).isEqualTo(9);
    assertThat(m.dimensions()).containsExactly("requests", "tokens");
  }

  @Test
  void events_sayWhichDimensionBoundAndWhatWasSettled() throws InterruptedException {
    MultiLimiter llm = llm();
    List<MultiLimiterEvent> seen = new ArrayList<>();
    events.subscribe(MultiLimiterEvent.class, "llm", seen::add);
    Costs small = Costs.of("requests", 1, "output_tokens", 450);
    assertThat(llm.tryAcquire(small)).isTrue();
    assertThat(llm.tryAcquire(small)).isFalse();
    llm.reserve(Costs.of("requests", 1, "output_tokens", 40)).settle(Costs.of("requests", 1, "output_tokens", 10));
    assertThat(seen).hasSize(4);
    assertThat(seen.get(0)).isEqualTo(new MultiLimiterEvent.Acquired("llm", small, Duration.ZERO));
    MultiLimiterEvent.Rejected rejected = (MultiLimiterEvent.Rejected) seen.get(1);
    assertThat(rejected.dimension()).isEqualTo("output_tokens");
    assertThat(rejected.reason()).isEqualTo(LimiterEvent.Reason.INSUFFICIENT_PERMITS);
    assertThat(seen.get(3)).isEqualTo(new MultiLimiterEvent.Settled("llm", Map.of("output_tokens", -30L)));
  }

  @Test
  void badInput_isRefusedAtBuildOrCallTime() {
    Throttle shared = per(1, MINUTE);
    assertThatThrownBy(() -> MultiLimiter.builder().dimension("a", shared).dimension("b", shared).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dimensions a and b share a limiter");
    assertThatThrownBy(() -> MultiLimiter.builder().dimension("a", shared).dimension("a", per(1, MINUTE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dimension a was already added");
    assertThatThrownBy(() -> MultiLimiter.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("at least one dimension must be added");
    assertThatThrownBy(() -> Costs.of("a", -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cost of a must be >= 0, was -1");
    assertThatThrownBy(() -> Costs.of("a", 1, "a", 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dimension a was already given a cost");
    assertThatThrownBy(() -> Costs.of(null, 1))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("dimension must not be null");
    assertThatThrownBy(() -> llm().tryAcquire(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("costs must not be null");
  }

  @Test
  void settleLate_neverGivesBackWhatRefillAlreadyAbsorbed() throws InterruptedException {
    Throttle tokens = Throttle.builder().rate(6000, MINUTE).ticker(ticker).events(events).build();
    MultiLimiter m = MultiLimiter.builder().dimension("tokens", tokens).build();
    Reservation r = m.reserve(Costs.of("tokens", 1000));
    ticker.advance(Duration.ofSeconds(65)); // long since refilled
    assertThat(tokens.tryAcquire(6000)).isTrue(); // others take the whole bucket
    ticker.advance(Duration.ofSeconds(5));
    r.settle(Costs.of("tokens", 100)); // the 900 over-estimated were absorbed by refill long ago
    assertThat(m.availablePermits("tokens")).isEqualTo(500);
  }

  @Test
  void settle_onASlidingWindowDimension_neverTakesFromOtherCallersBookings() throws InterruptedException {
    SlidingWindowLog log = SlidingWindowLog.builder().limit(10).window(Duration.ofSeconds(1)).ticker(ticker).build();
    MultiLimiter m = MultiLimiter.builder().dimension("tokens", log).build();
    Reservation r = m.reserve(Costs.of("tokens", 6));
    ticker.advance(Duration.ofSeconds(2)); // its booking has left the window
    assertThat(log.tryAcquire(10)).isTrue(); // another caller's booking
    r.cancel();
    assertThat(log.availablePermits()).isZero(); // the other booking is untouched
  }

  @Test
  void reserveAsync_cancelledWhileWaiting_chargesNothing() {
    MultiLimiter llm = llm();
    assertThat(llm.tryAcquire(Costs.of("requests", 10))).isTrue();
    CompletableFuture<Reservation> r = llm.reserveAsync(Costs.of("requests", 1, "input_tokens", 100)).toCompletableFuture();
    r.cancel(false);
    ticker.advance(Duration.ofSeconds(30));
    assertThat(llm.availablePermits("input_tokens")).isEqualTo(1000);
    assertThat(llm.availablePermits("requests")).isEqualTo(5);
  }

  @Test
  void waiters_areServedInArrivalOrder_aLargeCallIsNotStarvedBySmallOnes() throws Exception {
    MultiLimiter llm = llm(); // output tokens: 500 a minute, one every 120 ms
    assertThat(llm.tryAcquire(Costs.of("output_tokens", 500))).isTrue();
    List<String> served = new ArrayList<>();
    llm.acquireAsync(Costs.of("requests", 1, "output_tokens", 300)).thenRun(() -> served.add("big"));
    llm.reserveAsync(Costs.of("output_tokens", 10)).thenRun(() -> served.add("small"));
    assertThat(llm.waiting()).isEqualTo(2);
    ticker.advance(Duration.ofSeconds(12)); // 100 tokens: "small" would fit, but "big" came first
    assertThat(served).isEmpty();
    assertThat(llm.tryAcquire(Costs.of("requests", 1))).isFalse(); // nor does a newcomer overtake
    ticker.advance(Duration.ofSeconds(24));
    assertThat(served).containsExactly("big");
    ticker.advance(Duration.ofMillis(1200));
    assertThat(served).containsExactly("big", "small");
    assertThat(llm.waiting()).isZero();
    assertThat(llm.tryAcquire(Costs.of("requests", 1))).isTrue();
  }
}
