package io.throttlenet.multidim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.throttlenet.bucket.AllOf;
import io.throttlenet.bucket.Layered;
import io.throttlenet.bucket.SlidingWindowLog;
import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.MaxWaitExceededException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The reliability audit's findings (issue 13) that concern {@link MultiLimiter}. */
class MultiLimiterIssue13Test {
  private static final long MS = 1_000_000L;
  private final ManualTicker manual = ManualTicker.startingAt(Long.MAX_VALUE - 20 * MS);
  private final StaleTicker ticker = new StaleTicker(manual);
  private final EventRegistry events = EventRegistry.create();

  private Throttle throttle(long permits, Duration period, long burst, long initial) {
    return Throttle.builder()
        .rate(permits, period)
        .burst(burst)
        .initialPermits(initial)
        .ticker(ticker)
        .events(events)
        .build();
  }

  @Test
  void tryAcquire_staleReadingAfterTheDimensionWasLookedAt_isNotBookedBeforeThatLook() {
    MultiLimiter limiter =
        MultiLimiter.builder()
            .dimension("requests", throttle(1000, Duration.ofSeconds(1), 10, 10))
            .dimension("tokens", throttle(1, Duration.ofHours(1), 1, 0))
            .events(events)
            .build();
    long before = manual.read();
    manual.advance(50 * MS);
    // Looks at "requests" as of 50 ms; refused by the empty "tokens", so charges nothing.
    assertThat(limiter.tryAcquire(Costs.of("requests", 1, "tokens", 1))).isFalse();
    ticker.staleOnce(before); // a caller that read the clock at 0 and was descheduled
    int granted = limiter.tryAcquire(Costs.of("requests", 10)) ? 10 : 0; // released at 50 ms
    manual.advance(20_000); // 0.02 ms
    granted += limiter.tryAcquire(Costs.of("requests", 10)) ? 10 : 0;
    assertThat(granted).isEqualTo(10); // bound: 10 + 1000/s · 0.02 ms
  }

  /** 1000 per second: one permit per ms, so it can owe at most 2^60 / 10^6 ≈ 1.15 × 10^12. */
  private Throttle requests() {
    return throttle(1000, Duration.ofSeconds(1), 10, 10);
  }

  /** About 31 years of debt on {@code t}: representable, but beyond any sane wait. */
  private void overdraw(Throttle t) throws InterruptedException {
    MultiLimiter m = MultiLimiter.builder().dimension("requests", t).events(events).build();
    m.reserve(Costs.of("requests", 1)).settle(Costs.of("requests", 1_000_000_000_000L));
  }

  @Test
  void settle_beyondWhatADimensionCanOwe_isRefusedAndChargesNothing() throws Exception {
    Throttle t = requests();
    MultiLimiter m = MultiLimiter.builder().dimension("requests", t).events(events).build();
    Reservation r = m.reserve(Costs.of("requests", 1));
    assertThatThrownBy(() -> r.settle(Costs.of("requests", Long.MAX_VALUE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "actual cost of dimension requests may exceed the estimate by at most 1152921504606"
                + " (what its limiter can owe), was 9223372036854775806 more");
    assertThat(r.isOpen()).isTrue();
    assertThat(t.availablePermits()).isEqualTo(9);
    r.settle(Costs.of("requests", 3));
    assertThat(t.availablePermits()).isEqualTo(7);
  }

  @Test
  void acquire_afterAnAbsurdOverdraft_failsFastLikeThrottleInsteadOfParkingForDecades()
      throws Exception {
    Throttle t = requests();
    overdraw(t);
    assertThatThrownBy(() -> t.acquire(1)).isInstanceOf(MaxWaitExceededException.class);
    MultiLimiter m = MultiLimiter.builder().dimension("requests", t).events(events).build();
    AllOf all = Throttle.allOf(t);
    Layered<String> layered = Layered.<String>builder().global(t).build();
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          assertThatThrownBy(() -> m.acquire(Costs.of("requests", 1)))
              .isInstanceOf(MaxWaitExceededException.class);
          assertThatThrownBy(() -> m.reserve(Costs.of("requests", 1)))
              .isInstanceOf(MaxWaitExceededException.class);
          assertThatThrownBy(() -> all.acquire(1)).isInstanceOf(MaxWaitExceededException.class);
          assertThatThrownBy(() -> layered.acquire("k", "e", 1))
              .isInstanceOf(MaxWaitExceededException.class);
        });
    CompletableFuture<Void> async = m.acquireAsync(Costs.of("requests", 1)).toCompletableFuture();
    assertThat(async).isCompletedExceptionally();
    assertThat(all.acquireAsync(1).toCompletableFuture()).isCompletedExceptionally();
    assertThat(layered.acquireAsync("k", "e", 1).toCompletableFuture()).isCompletedExceptionally();
    assertThat(m.waiting()).isZero();
  }

  @Test
  void settle_hugeOnASlidingWindowLog_saturatesAndBlocksOnlyItsWindow() throws Exception {
    SlidingWindowLog log =
        SlidingWindowLog.builder()
            .limit(10)
            .window(Duration.ofHours(1))
            .ticker(ticker)
            .events(events)
            .build();
    MultiLimiter m = MultiLimiter.builder().dimension("calls", log).events(events).build();
    Reservation first = m.tryReserve(Costs.of("calls", 1)).orElseThrow();
    Reservation second = m.tryReserve(Costs.of("calls", 1)).orElseThrow();
    first.settle(Costs.of("calls", Long.MAX_VALUE));
    second.settle(Costs.of("calls", Long.MAX_VALUE)); // the log's total used to wrap negative
    int granted = 0;
    for (int i = 0; i < 100; i++) {
      manual.advance(Duration.ofSeconds(30));
      if (m.tryAcquire(Costs.of("calls", 1))) {
        granted++;
      }
    }
    // 100 tries over 50 minutes, all within the hour of the settles: the window is full.
    assertThat(granted).isZero();
    manual.advance(Duration.ofMinutes(15)); // both settles have left the window
    assertThat(log.availablePermits()).isEqualTo(10);
    assertThat(m.tryAcquire(Costs.of("calls", 10))).isTrue();
  }

  @Test
  void build_dimensionOnAnotherTicker_isRefusedNamingBothTickers() {
    ManualTicker other = ManualTicker.create();
    Throttle elsewhere =
        Throttle.builder().rate(5, Duration.ofSeconds(1)).name("tokens").ticker(other).build();
    assertThatThrownBy(
            () ->
                MultiLimiter.builder()
                    .dimension("requests", requests())
                    .dimension("tokens", elsewhere)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageMatching(
            "limiter tokens of dimension tokens uses ticker \\Q" + other + "\\E, but multi-limiter-\\d+ uses"
                + " ticker \\Q" + ticker + "\\E; give every part the composite's ticker");
  }
}
