package io.throttlenet.multidim;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.bucket.Throttle;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import java.time.Duration;
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
}
