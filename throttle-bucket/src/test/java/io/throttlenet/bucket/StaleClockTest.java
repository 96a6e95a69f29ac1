package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;

import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.ManualTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, item 1: a caller descheduled between reading the clock and booking arrives with a
 * stale reading. Once a limiter has acted at a later time, the stale reading must not book into
 * refill that was already shown to others: at most {@code b + r·t} in any interval, counting each
 * grant at the instant it is returned.
 */
class StaleClockTest {
  private static final long MS = 1_000_000L;

  private final ManualTicker manual = ManualTicker.startingAt(Long.MAX_VALUE - 20 * MS);
  private final StaleTicker ticker = new StaleTicker(manual);

  /** 1000 per second, burst 10, full: at most 10 + 1000/s · t in any interval t. */
  private Throttle fast() {
    return Throttle.builder()
        .rate(1000, Duration.ofSeconds(1))
        .burst(10)
        .ticker(ticker)
        .events(EventRegistry.create())
        .build();
  }

  private Throttle empty() {
    return Throttle.builder()
        .rate(1, Duration.ofHours(1))
        .initialPermits(0)
        .ticker(ticker)
        .events(EventRegistry.create())
        .build();
  }

  @Test
  void throttle_staleReadingAfterALaterBooking_isNotBookedBeforeIt() {
    Throttle fast = fast();
    long before = manual.read();
    manual.advance(50 * MS);
    int granted = fast.tryAcquire(10) ? 10 : 0; // at t = 50 ms
    ticker.staleOnce(before); // a caller that read the clock at 0 and was descheduled
    granted += fast.tryAcquire(10) ? 10 : 0; // released at t = 50 ms too
    manual.advance(20_000); // 0.02 ms
    granted += fast.tryAcquire(10) ? 10 : 0;
    assertThat(granted).isEqualTo(10); // bound: 10 + 1000/s · 0.02 ms = 10.02
  }

  @Test
  void allOf_staleReadingAfterACompositeLookedAtThePart_isNotBookedBeforeThatLook() {
    Throttle fast = fast();
    AllOf both = Throttle.allOf(fast, empty());
    AllOf solo = Throttle.allOf(fast);
    long before = manual.read();
    manual.advance(50 * MS);
    assertThat(both.tryAcquire(1)).isFalse(); // looks at `fast` as of 50 ms, charges nothing
    ticker.staleOnce(before);
    int granted = solo.tryAcquire(10) ? 10 : 0; // read at 0, released at 50 ms
    manual.advance(20_000);
    granted += fast.tryAcquire(10) ? 10 : 0; // at 50.02 ms
    assertThat(granted).isEqualTo(10);
  }

  @Test
  void allOf_staleReadingThroughTheCompositeItself_isNotBookedBeforeTheCompositesLastLook() {
    Throttle fast = fast();
    Throttle other = fast();
    AllOf both = Throttle.allOf(fast, other);
    long before = manual.read();
    manual.advance(50 * MS);
    assertThat(other.tryAcquire(10)).isTrue(); // `other` drained at 50 ms
    assertThat(both.tryAcquire(1)).isFalse(); // looks at `fast` as of 50 ms
    ticker.staleOnce(before);
    int granted = Throttle.allOf(fast).tryAcquire(10) ? 10 : 0;
    manual.advance(20_000);
    granted += fast.tryAcquire(10) ? 10 : 0;
    assertThat(granted).isEqualTo(10);
  }

  @Test
  void slidingWindowLog_staleReading_isNotBookedBeforeALaterLook() {
    SlidingWindowLog log =
        SlidingWindowLog.builder()
            .limit(10)
            .window(Duration.ofMillis(10))
            .ticker(ticker)
            .events(EventRegistry.create())
            .build();
    AllOf both = Throttle.allOf(log, empty());
    long before = manual.read();
    manual.advance(50 * MS);
    assertThat(both.tryAcquire(1)).isFalse();
    ticker.staleOnce(before);
    int granted = log.tryAcquire(10) ? 10 : 0;
    manual.advance(20_000);
    granted += log.tryAcquire(10) ? 10 : 0;
    assertThat(granted).isEqualTo(10); // at most 10 in any 10 ms
  }
  @Test
  void allOf_staleReadingBetweenTheLastBookingAndALaterLook_isNotBookedBeforeThatLook() {
    Throttle fast = fast();
    long start = manual.read();
    assertThat(fast.tryAcquire(10)).isTrue(); // its slice ends at 10 ms
    AllOf both = Throttle.allOf(fast, empty());
    manual.advance(50 * MS);
    assertThat(both.tryAcquire(1)).isFalse(); // looks at `fast` as of 50 ms
    ticker.staleOnce(start + 30 * MS); // a caller that read the clock at 30 ms
    int granted = fast.tryAcquire(10) ? 10 : 0;
    manual.advance(20_000);
    granted += fast.tryAcquire(10) ? 10 : 0; // at 50.02 ms
    assertThat(granted).isEqualTo(10);
  }

  @Test
  void throttle_staleReadingFromBeforeAReset_isNotBookedBeforeTheReset() {
    Throttle fast = fast();
    long start = manual.read();
    assertThat(fast.tryAcquire(10)).isTrue();
    manual.advance(100 * MS);
    fast.reset(); // full again, as of 100 ms
    ticker.staleOnce(start + 70 * MS); // a caller that read the clock at 70 ms
    int granted = fast.tryAcquire(10) ? 10 : 0;
    manual.advance(20_000);
    granted += fast.tryAcquire(10) ? 10 : 0; // at 100.02 ms
    assertThat(granted).isEqualTo(10); // bound: 10 + 1000/s · 0.02 ms
  }
}
