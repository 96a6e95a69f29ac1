package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.RateLimiter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SlidingWindowLogTest {
  private static final long MS = 1_000_000L;

  private final ManualTicker ticker = ManualTicker.startingAt(-3 * MS);

  private SlidingWindowLog log(long limit, Duration window) {
    return SlidingWindowLog.builder().limit(limit).window(window).ticker(ticker).build();
  }

  @Test
  void slides_exactly_oneSlotOpensWhenTheOldestGrantLeavesTheWindow() {
    SlidingWindowLog log = log(2, Duration.ofSeconds(1));
    assertThat(log.tryAcquire()).isTrue();
    ticker.advance(Duration.ofMillis(600));
    assertThat(log.tryAcquire()).isTrue();
    assertThat(log.tryAcquire()).isFalse();
    ticker.advance(Duration.ofMillis(400).minusNanos(1));
    assertThat(log.tryAcquire()).isFalse();
    ticker.advance(1);
    assertThat(log.tryAcquire()).isTrue();
    assertThat(log.tryAcquire()).isFalse();
  }

  @Test
  void noBoundaryBurst_grantsLateInAWindowStillCountEarlyInTheNext() {
    SlidingWindowLog log = log(3, Duration.ofSeconds(1));
    ticker.advance(Duration.ofMillis(900));
    assertThat(log.tryAcquire(3)).isTrue();
    ticker.advance(Duration.ofMillis(200));
    assertThat(log.tryAcquire()).isFalse();
    assertThat(log.waitTime(1)).contains(Duration.ofMillis(800));
  }

  @Test
  void waitTime_pointsToTheExpiryOfTheOldestGrant() {
    SlidingWindowLog log = log(2, Duration.ofSeconds(1));
    assertThat(log.tryAcquire()).isTrue();
    ticker.advance(Duration.ofMillis(100));
    assertThat(log.tryAcquire()).isTrue();
    assertThat(log.waitTime(1)).contains(Duration.ofMillis(900));
    assertThat(log.waitTime(2)).contains(Duration.ofMillis(1000));
    assertThat(log.waitTime(3)).isEmpty();
  }

  @Test
  void waitTime_andAvailablePermits_recordNothing() {
    SlidingWindowLog log = log(5, Duration.ofSeconds(1));
    for (int i = 0; i < 10; i++) {
      assertThat(log.waitTime(5)).contains(Duration.ZERO);
      assertThat(log.availablePermits()).isEqualTo(5);
    }
    assertThat(log.tryAcquire(5)).isTrue();
  }

  @Test
  void costs_areAllOrNothing() {
    SlidingWindowLog log = log(10, Duration.ofSeconds(1));
    assertThat(log.tryAcquire(7)).isTrue();
    assertThat(log.tryAcquire(7)).isFalse();
    assertThat(log.tryAcquire(3)).isTrue();
    assertThat(log.availablePermits()).isZero();
  }

  @Test
  void windowUnderAMillisecond_isEnforced() {
    SlidingWindowLog log = log(3, Duration.ofNanos(250_000));
    assertThat(log.tryAcquire(3)).isTrue();
    assertThat(log.tryAcquire()).isFalse();
    ticker.advance(249_999);
    assertThat(log.tryAcquire()).isFalse();
    ticker.advance(1);
    assertThat(log.tryAcquire(3)).isTrue();
  }

  @Test
  void acquire_blocking_releasedWhenTheOldestExpires() throws Exception {
    SlidingWindowLog log = log(1, Duration.ofSeconds(1));
    assertThat(log.tryAcquire()).isTrue();
    Waiter waiter = Waiter.start(() -> log.acquire());
    ticker.awaitSleepers(1);
    ticker.advance(Duration.ofSeconds(1).minusNanos(1));
    assertThat(ticker.sleepers()).isEqualTo(1);
    ticker.advance(1);
    assertThat(waiter.join()).isNull();
  }

  @Test
  void cancel_anywhere_returnsTheFullCost() {
    SlidingWindowLog log = log(2, Duration.ofSeconds(1));
    assertThat(log.tryAcquire(2)).isTrue();
    CompletableFuture<Void> first = log.acquireAsync(1).toCompletableFuture();
    CompletableFuture<Void> second = log.acquireAsync(1).toCompletableFuture();
    CompletableFuture<Void> third = log.acquireAsync(2).toCompletableFuture();
    assertThat(log.availablePermits()).isEqualTo(-4);
    first.cancel(false);
    assertThat(log.availablePermits()).isEqualTo(-3);
    ticker.advance(Duration.ofSeconds(1));
    assertThat(second).isCompleted();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(third).isCompleted();
    assertThat(log.tryAcquire()).isFalse();
  }

  @Test
  void waiter_bookedAfterTheLastBooking_evenIfOlderCostExpiresSooner() {
    SlidingWindowLog log = log(4, Duration.ofSeconds(1));
    assertThat(log.tryAcquire(3)).isTrue();
    CompletableFuture<Void> waiter = log.acquireAsync(2).toCompletableFuture();
    assertThat(waiter).isNotDone();
    // 3 now + 2 booked at 1 s: nothing more fits before the waiter's booking.
    assertThat(log.tryAcquire(1)).isFalse();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(waiter).isCompleted();
    assertThat(log.tryAcquire(2)).isTrue();
    assertThat(log.tryAcquire(1)).isFalse();
  }

  @Test
  void fitsCountingFutureBookings_isGrantedAtOnceAheadOfThem() {
    SlidingWindowLog log = log(5, Duration.ofSeconds(1));
    assertThat(log.tryAcquire(5)).isTrue();
    CompletableFuture<Void> b = log.acquireAsync(5).toCompletableFuture(); // booked at 1 s
    CompletableFuture<Void> c = log.acquireAsync(1).toCompletableFuture(); // booked at 2 s
    b.cancel(false);
    ticker.advance(Duration.ofSeconds(1));
    assertThat(c).isNotDone();
    assertThat(log.tryAcquire(4)).isTrue(); // 4 now + 1 booked at 2 s fit in any window
    assertThat(log.tryAcquire(1)).isFalse();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(c).isCompleted();
    assertThat(log.tryAcquire(4)).isTrue();
    assertThat(log.tryAcquire(1)).isFalse();
  }

  @Test
  void costAboveLimit_failsAtOnce() {
    SlidingWindowLog log = log(5, Duration.ofSeconds(1));
    assertThat(log.tryAcquire(6)).isFalse();
    assertThat(log.reserve(6, ticker.read(), Long.MAX_VALUE)).isEqualTo(RateLimiter.NEVER);
    assertThatThrownBy(() -> log.acquire(6)).isInstanceOf(CostExceedsCapacityException.class);
    assertThat(log.capacity()).isEqualTo(5);
    assertThat(log.window()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void manyBookings_growTheRingAndStillExpire() {
    SlidingWindowLog log = log(1000, Duration.ofSeconds(1));
    for (int i = 0; i < 1000; i++) {
      assertThat(log.tryAcquire()).isTrue();
      ticker.advance(Duration.ofMillis(1));
    }
    assertThat(log.tryAcquire()).isTrue(); // the first grant left the window exactly now
    assertThat(log.tryAcquire()).isFalse();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(log.availablePermits()).isEqualTo(1000);
  }

  @Test
  void reserve_withAnOlderReading_actsAtTheLatestTimeSeen() {
    SlidingWindowLog log = log(1, Duration.ofMillis(10));
    ticker.advance(Duration.ofMillis(95));
    assertThat(log.tryAcquire()).isTrue(); // booked at 95 ms
    long stale = ticker.read() + 5 * MS; // a caller read 100 ms, then was delayed
    ticker.advance(Duration.ofMillis(11));
    assertThat(log.availablePermits()).isEqualTo(1); // expired as of 106 ms
    // Acting at 100 ms would put two grants in (90, 100]; it acts at 106 ms instead.
    assertThat(log.reserve(1, stale, 0)).isEqualTo(-1 - 6 * MS);
    assertThat(log.reserve(1, stale, Long.MAX_VALUE)).isEqualTo(6 * MS);
  }

  @Test
  void badInput_namesTheArgument() {
    assertThatThrownBy(() -> SlidingWindowLog.of(1, Duration.ofDays(365 * 100)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("window must be at most about 73 years");
    assertThatThrownBy(() -> SlidingWindowLog.of(0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("limit must be >= 1, was 0");
    assertThatThrownBy(() -> SlidingWindowLog.of(5, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window must be > 0, was PT0S");
    assertThatThrownBy(() -> SlidingWindowLog.of(5, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("window must not be null");
    assertThatThrownBy(() -> SlidingWindowLog.builder().limit(5).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("window must be set");
    assertThatThrownBy(() -> SlidingWindowLog.builder().limit(5).limit(6))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("limit was already set");
    SlidingWindowLog log = log(5, Duration.ofSeconds(1));
    assertThatThrownBy(() -> log.tryAcquire(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cost must be >= 0, was -1");
  }
}
