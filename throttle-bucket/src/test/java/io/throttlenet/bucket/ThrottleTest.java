package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.MaxWaitExceededException;
import io.throttlenet.core.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ThrottleTest {
  private static final long MS = 1_000_000L;

  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 5 * MS);

  private Throttle throttle(long permits, Duration period, long burst) {
    return Throttle.builder().rate(permits, period).burst(burst).ticker(ticker).build();
  }

  private Throttle perSecond(long permits) {
    return throttle(permits, Duration.ofSeconds(1), permits);
  }

  @Test
  void tryAcquire_fullBucket_grantsExactlyBurstThenRefuses() {
    Throttle t = perSecond(100);
    int granted = 0;
    while (t.tryAcquire()) {
      granted++;
    }
    assertThat(granted).isEqualTo(100);
    assertThat(t.tryAcquire()).isFalse();
    assertThat(t.availablePermits()).isZero();
  }

  @Test
  void tryAcquire_costs7Then7Then3OnBurst10_yesNoYes() {
    Throttle t = perSecond(10);
    assertThat(t.tryAcquire(7)).isTrue();
    assertThat(t.tryAcquire(7)).isFalse();
    assertThat(t.tryAcquire(3)).isTrue();
    assertThat(t.availablePermits()).isZero();
  }

  @Test
  void reserve_bucketOf2_grantsThenWaitsThenNever() {
    Throttle t = perSecond(2);
    long now = ticker.read();
    assertThat(t.reserve(2, now, 0)).isZero();
    long refused = t.reserve(1, now, 0);
    assertThat(refused).isNegative().isNotEqualTo(RateLimiter.NEVER);
    assertThat(RateLimiter.requiredWait(refused)).isEqualTo(500 * MS);
    assertThat(t.reserve(3, now, Long.MAX_VALUE)).isEqualTo(RateLimiter.NEVER);
  }

  @Test
  void waitTime_empty10PerSecondAskedFor5_is500ms() {
    Throttle t = Throttle.builder().rate(10, Duration.ofSeconds(1)).initialPermits(0).ticker(ticker).build();
    assertThat(t.waitTime(5)).contains(Duration.ofMillis(500));
    assertThat(t.waitTime(11)).isEmpty();
    assertThat(t.availablePermits()).isZero();
  }

  @Test
  void availablePermits_tracksConsumptionAndRefillsProportionally() {
    Throttle t = perSecond(100);
    assertThat(t.tryAcquire(100)).isTrue();
    assertThat(t.availablePermits()).isZero();
    ticker.advance(Duration.ofMillis(250));
    assertThat(t.availablePermits()).isEqualTo(25);
    assertThat(t.tryAcquire(10)).isTrue();
    assertThat(t.availablePermits()).isEqualTo(15);
  }

  @Test
  void availablePermits_afterYearsIdle_saturatesAtBurst() {
    Throttle t = perSecond(100);
    assertThat(t.tryAcquire(100)).isTrue();
    ticker.advance(Duration.ofDays(5 * 365));
    assertThat(t.availablePermits()).isEqualTo(100);
    int granted = 0;
    while (t.tryAcquire()) {
      granted++;
    }
    assertThat(granted).isEqualTo(100);
  }

  @Test
  void refill_periodUnderAMillisecond_refillsFully() {
    Throttle t = throttle(5, Duration.ofNanos(200_000), 5);
    assertThat(t.tryAcquire(5)).isTrue();
    ticker.advance(Duration.ofMillis(1));
    assertThat(t.availablePermits()).isEqualTo(5);
  }

  @Test
  void burst_isIndependentOfRate() {
    Throttle t = throttle(1, Duration.ofSeconds(1), 50);
    assertThat(t.capacity()).isEqualTo(50);
    assertThat(t.tryAcquire(50)).isTrue();
    assertThat(t.waitTime(1)).contains(Duration.ofSeconds(1));
  }

  @Test
  void capacity_isNotCappedBelowLongRange() {
    Throttle t = throttle(30_000_000, Duration.ofMinutes(1), 30_000_000);
    assertThat(t.capacity()).isEqualTo(30_000_000);
    assertThat(t.tryAcquire(30_000_000)).isTrue();
    Throttle huge = throttle(1L << 40, Duration.ofDays(1), 1L << 40);
    assertThat(huge.tryAcquire(1L << 40)).isTrue();
    assertThat(huge.tryAcquire()).isFalse();
  }

  @Test
  void initialPermits_zero_startsEmpty() {
    Throttle t = Throttle.builder().rate(10, Duration.ofSeconds(1)).initialPermits(0).ticker(ticker).build();
    assertThat(t.tryAcquire()).isFalse();
    ticker.advance(Duration.ofMillis(100));
    assertThat(t.tryAcquire()).isTrue();
  }

  @Test
  void costZero_isAlwaysGranted() throws InterruptedException {
    Throttle t = perSecond(1);
    assertThat(t.tryAcquire(1)).isTrue();
    assertThat(t.tryAcquire(0)).isTrue();
    t.acquire(0);
    assertThat(t.acquireAsync(0).toCompletableFuture()).isCompleted();
  }

  @Test
  void costAboveBurst_failsAtOnceInEveryVerb() {
    Throttle t = perSecond(5);
    assertThat(t.tryAcquire(9)).isFalse();
    assertThatThrownBy(() -> t.acquire(9))
        .isInstanceOf(CostExceedsCapacityException.class)
        .hasMessageContaining("cost 9")
        .hasMessageContaining("capacity 5")
        .satisfies(
            e -> {
              CostExceedsCapacityException c = (CostExceedsCapacityException) e;
              assertThat(c.cost()).isEqualTo(9);
              assertThat(c.capacity()).isEqualTo(5);
              assertThat(c.component()).isEqualTo(t.name()).startsWith("throttle-");
              assertThat(c.retryAfter()).isEmpty();
            });
    assertThatThrownBy(() -> t.acquireAsync(9).toCompletableFuture().join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(CostExceedsCapacityException.class);
    assertThat(t.availablePermits()).isEqualTo(5);
    assertThat(ticker.sleepers()).isZero();
  }

  @Test
  void tryAcquireWithMaxWait_tooLong_refusesAtOnceAndReservesNothing() throws InterruptedException {
    Throttle t = perSecond(10);
    assertThat(t.tryAcquire(10)).isTrue();
    assertThat(t.tryAcquire(5, Duration.ofMillis(499))).isFalse();
    assertThat(t.waitTime(5)).contains(Duration.ofMillis(500));
  }

  @Test
  void acquireAsyncWithMaxWait_tooLong_failsWithRetryAfter() {
    Throttle t = perSecond(10);
    assertThat(t.tryAcquire(10)).isTrue();
    CompletableFuture<Void> f = t.acquireAsync(5, Duration.ofMillis(100)).toCompletableFuture();
    assertThatThrownBy(f::join)
        .hasCauseInstanceOf(MaxWaitExceededException.class)
        .satisfies(
            e -> {
              MaxWaitExceededException m = (MaxWaitExceededException) e.getCause();
              assertThat(m.retryAfter()).contains(Duration.ofMillis(500));
              assertThat(m.maxWait()).isEqualTo(Duration.ofMillis(100));
              assertThat(m.getMessage()).contains("throttle").contains("cost 5");
            });
    assertThat(t.waitTime(5)).contains(Duration.ofMillis(500));
  }

  @Test
  void acquire_blocking_releasesExactlyAtReservedTime() throws Exception {
    Throttle t = perSecond(10);
    assertThat(t.tryAcquire(10)).isTrue();
    Waiter waiter = Waiter.start(() -> t.acquire(2));
    ticker.awaitSleepers(1);
    ticker.advance(200 * MS - 1);
    assertThat(ticker.sleepers()).isEqualTo(1);
    assertThat(waiter.isAlive()).isTrue();
    ticker.advance(1);
    assertThat(waiter.join()).isNull();
    assertThat(t.availablePermits()).isZero();
  }

  @Test
  void acquire_interrupted_refundsSoTheNextWaiterGetsItsSlot() throws Exception {
    Throttle t = perSecond(10);
    assertThat(t.tryAcquire(10)).isTrue();
    Waiter waiter = Waiter.start(() -> t.acquire(3));
    ticker.awaitSleepers(1);
    assertThat(t.waitTime(1)).contains(Duration.ofMillis(400));
    waiter.interrupt();
    assertThat(waiter.join()).isInstanceOf(InterruptedException.class);
    assertThat(t.waitTime(1)).contains(Duration.ofMillis(100));
    CompletableFuture<Void> next = t.acquireAsync(3).toCompletableFuture();
    ticker.advance(300 * MS - 1);
    assertThat(next).isNotDone();
    ticker.advance(1);
    assertThat(next).isCompleted();
  }

  @Test
  void tryAcquireWithMaxWait_interrupted_refundsAndThrows() throws Exception {
    Throttle t = perSecond(10);
    assertThat(t.tryAcquire(10)).isTrue();
    Waiter waiter = Waiter.start(() -> t.tryAcquire(1, Duration.ofSeconds(1)));
    ticker.awaitSleepers(1);
    waiter.interrupt();
    assertThat(waiter.join()).isInstanceOf(InterruptedException.class);
    assertThat(t.waitTime(1)).contains(Duration.ofMillis(100));
  }

  @Test
  void acquireAsync_completesExactlyAtReservedTime() {
    Throttle t = perSecond(10);
    assertThat(t.tryAcquire(10)).isTrue();
    CompletableFuture<Void> first = t.acquireAsync(1).toCompletableFuture();
    CompletableFuture<Void> second = t.acquireAsync(1).toCompletableFuture();
    ticker.advance(100 * MS - 1);
    assertThat(first).isNotDone();
    ticker.advance(1);
    assertThat(first).isCompleted();
    assertThat(second).isNotDone();
    ticker.advance(100 * MS);
    assertThat(second).isCompleted();
    assertThat(ticker.pendingTasks()).isZero();
  }

  @Test
  void acquireAsync_cancelled_refundsAndDropsTheTimer() {
    Throttle t = perSecond(10);
    assertThat(t.tryAcquire(10)).isTrue();
    CompletableFuture<Void> f = t.acquireAsync(4).toCompletableFuture();
    assertThat(t.waitTime(1)).contains(Duration.ofMillis(500));
    assertThat(f.cancel(false)).isTrue();
    assertThat(t.waitTime(1)).contains(Duration.ofMillis(100));
    assertThat(ticker.pendingTasks()).isZero();
  }

  @Test
  void cancel_notTheLastBooking_forfeitsRatherThanOverAdmit() {
    Throttle t = perSecond(10);
    assertThat(t.tryAcquire(10)).isTrue();
    CompletableFuture<Void> first = t.acquireAsync(1).toCompletableFuture();
    CompletableFuture<Void> second = t.acquireAsync(1).toCompletableFuture();
    first.cancel(false);
    // The second booking (released at 200 ms) stays where it is; a newcomer must not share it.
    assertThat(t.waitTime(1)).contains(Duration.ofMillis(300));
    ticker.advance(Duration.ofMillis(200));
    assertThat(second).isCompleted();
  }

  @Test
  void cancel_withMoreThanWasReserved_givesBackOnlyTheReservedCost() {
    // Issue 13, item 8: cancel used to move tat back by whatever cost it was handed.
    EventRegistry events = EventRegistry.create();
    List<LimiterEvent.Cancelled> cancelled = new ArrayList<>();
    events.subscribe(LimiterEvent.Cancelled.class, cancelled::add);
    Throttle t =
        Throttle.builder()
            .rate(1, Duration.ofSeconds(1))
            .burst(10)
            .initialPermits(0)
            .ticker(ticker)
            .events(events)
            .build();
    long now = ticker.read();
    long wait = t.reserve(1, now, Long.MAX_VALUE);
    assertThat(wait).isEqualTo(1_000 * MS);
    t.cancel(5, now, wait); // a misuse of the SPI: only 1 was reserved
    assertThat(t.availablePermits()).isZero(); // was 4: permits created from nothing
    assertThat(t.waitTime(1)).contains(Duration.ofSeconds(1));
    assertThat(cancelled).extracting(LimiterEvent.Cancelled::refunded).containsExactly(1L);
  }

  @Test
  void cancel_twice_givesBackOnce() {
    Throttle t = throttle(1, Duration.ofSeconds(1), 10);
    ticker.advance(Duration.ofSeconds(5));
    assertThat(t.tryAcquire(10)).isTrue();
    long now = ticker.read();
    long wait = t.reserve(2, now, Long.MAX_VALUE);
    t.cancel(2, now, wait);
    assertThat(t.availablePermits()).isZero();
    // A second cancel whose arguments name the end the first one left: nothing is booked there.
    t.cancel(2, now - 1_000 * MS, 1_000 * MS);
    assertThat(t.availablePermits()).isZero();
  }

  @Test
  void setRate_preservesAvailablePermits() {
    Throttle t = perSecond(100);
    assertThat(t.tryAcquire(60)).isTrue();
    t.setRate(10, Duration.ofSeconds(1));
    assertThat(t.availablePermits()).isEqualTo(40);
    assertThat(t.capacity()).isEqualTo(100);
    assertThat(t.permitsPerSecond()).isEqualTo(10.0);
    assertThat(t.tryAcquire(40)).isTrue();
    assertThat(t.waitTime(1)).contains(Duration.ofMillis(100));
  }

  @Test
  void setRate_loweredOnEmptyBucket_staysEmpty() {
    Throttle t = perSecond(10);
    assertThat(t.tryAcquire(10)).isTrue();
    t.setRate(5, Duration.ofSeconds(1));
    assertThat(t.availablePermits()).isZero();
    assertThat(t.waitTime(1)).contains(Duration.ofMillis(200));
  }

  @Test
  void setRate_keepsDebtOwedByWaitersAsTime() {
    Throttle t = perSecond(10);
    assertThat(t.tryAcquire(10)).isTrue();
    CompletableFuture<Void> waiter = t.acquireAsync(5).toCompletableFuture();
    assertThat(t.availablePermits()).isEqualTo(-5);
    t.setRate(1, Duration.ofSeconds(1));
    // The waiter keeps its release at 500 ms; the next permit comes one new interval later.
    assertThat(t.waitTime(1)).contains(Duration.ofMillis(1500));
    ticker.advance(Duration.ofMillis(500));
    assertThat(waiter).isCompleted();
  }

  @Test
  void setRate_raisedWithWaitersQueued_newcomersQueueBehindThem() {
    Throttle t = throttle(100, Duration.ofSeconds(1), 1);
    List<CompletableFuture<Void>> old = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      old.add(t.acquireAsync(1).toCompletableFuture()); // released at 0, 10, ..., 100 ms
    }
    t.setRate(200, Duration.ofSeconds(1));
    // The last old waiter leaves at 100 ms; at 200/s the next may leave 5 ms later, not earlier.
    assertThat(t.waitTime(1)).contains(Duration.ofMillis(105));
    CompletableFuture<Void> next = t.acquireAsync(1).toCompletableFuture();
    ticker.advance(Duration.ofMillis(105).minusNanos(1));
    assertThat(old).allMatch(CompletableFuture::isDone);
    assertThat(next).isNotDone();
    ticker.advance(1);
    assertThat(next).isCompleted();
  }

  @Test
  void setRate_oftenWhileRefilling_doesNotLoseTheRefill() {
    Throttle t = throttle(1, Duration.ofSeconds(1), 1);
    assertThat(t.tryAcquire()).isTrue();
    for (int i = 0; i < 4; i++) {
      ticker.advance(Duration.ofMillis(250));
      t.setRate(1, Duration.ofSeconds(1));
    }
    assertThat(t.tryAcquire()).isTrue();
  }

  @Test
  void cancel_ofABookingMadeBeforeARateChange_returnsNothing() {
    Throttle t = throttle(100, Duration.ofSeconds(1), 2);
    assertThat(t.tryAcquire(2)).isTrue();
    long bookedAt = ticker.read();
    long wait = t.reserve(1, bookedAt, Long.MAX_VALUE);
    assertThat(wait).isEqualTo(10 * MS);
    t.setRate(1000, Duration.ofSeconds(1));
    ticker.advance(3 * MS);
    t.setRate(100, Duration.ofSeconds(1)); // same parity again as when the booking was made
    ticker.advance(7 * MS);
    // The waiter's debt survived both changes as time: it is still owed until 10 ms.
    assertThat(t.tryAcquire(2)).isFalse();
    assertThat(t.waitTime(1)).contains(Duration.ofMillis(10));
    // Its slice was rewritten by the conversions, so it cannot be identified: nothing comes back.
    t.cancel(1, bookedAt, wait);
    assertThat(t.waitTime(1)).contains(Duration.ofMillis(10));
  }

  @Test
  void bookings_beyondDecadesAhead_areRefusedEvenWithoutAMaxWait() {
    Throttle t = throttle(1, Duration.ofDays(1), 1000);
    int booked = 0;
    CompletionStage<Void> last;
    do {
      last = t.acquireAsync(1000);
      booked++;
    } while (!last.toCompletableFuture().isCompletedExceptionally() && booked < 100);
    assertThat(booked).isLessThan(100);
    assertThatThrownBy(() -> t.acquire(1000))
        .isInstanceOf(MaxWaitExceededException.class)
        .hasMessageContaining("cost 1000");
    assertThat(t.tryAcquire()).isFalse();
    assertThat(t.availablePermits()).isNegative();
  }

  @Test
  void decorateAsync_cancelledBeforeThePermit_givesItBackAndNeverCalls() {
    Throttle t = perSecond(1);
    assertThat(t.tryAcquire()).isTrue();
    boolean[] called = {false};
    CompletableFuture<String> r =
        t.decorateAsync(
                () -> {
                  called[0] = true;
                  return CompletableFuture.completedFuture("x");
                })
            .get()
            .toCompletableFuture();
    assertThat(t.waitTime(1)).contains(Duration.ofSeconds(2));
    r.cancel(false);
    assertThat(t.waitTime(1)).contains(Duration.ofSeconds(1));
    ticker.advance(Duration.ofSeconds(5));
    assertThat(called[0]).isFalse();
  }

  @Test
  void setRate_manyTimes_keepsLevelAndDoesNotRetainOldConfigs() {
    Throttle t = perSecond(100);
    assertThat(t.tryAcquire(30)).isTrue();
    for (int i = 0; i < 1000; i++) {
      t.setRate(i % 2 == 0 ? 50 : 100, Duration.ofSeconds(1));
    }
    assertThat(t.availablePermits()).isEqualTo(70);
    t.setRate(2.5);
    assertThat(t.permitsPerSecond()).isEqualTo(2.5);
  }

  @Test
  void rateAsDouble_halfPerSecond_oneEveryTwoSeconds() {
    Throttle t = Throttle.builder().rate(0.5).ticker(ticker).build();
    assertThat(t.capacity()).isEqualTo(1);
    assertThat(t.tryAcquire()).isTrue();
    assertThat(t.waitTime(1)).contains(Duration.ofSeconds(2));
  }

  @Test
  void interval_isRoundedUpSoTheRateNeverExceedsTheConfiguredOne() {
    Throttle t = throttle(3, Duration.ofSeconds(1), 3);
    assertThat(t.tryAcquire(3)).isTrue();
    assertThat(t.tryAcquire()).isFalse();
    // 333,333,333.3 ns rounds up to 333,333,334 ns per permit
    assertThat(t.waitTime(3)).contains(Duration.ofNanos(1_000_000_002));
  }

  @ParameterizedTest
  @ValueSource(longs = {Long.MAX_VALUE - 7, Long.MIN_VALUE + 3, -1, 0, 1, 123_456_789_012L})
  void decisions_doNotDependOnTheTickerOrigin(long origin) {
    assertThat(script(ManualTicker.startingAt(origin))).isEqualTo(script(ManualTicker.create()));
  }

  private static List<Object> script(ManualTicker ticker) {
    Throttle t = Throttle.builder().rate(7, Duration.ofMillis(700)).burst(5).ticker(ticker).build();
    List<Object> out = new ArrayList<>();
    long[] costs = {1, 3, 2, 5, 1, 4, 4, 2, 5, 1};
    for (long cost : costs) {
      out.add(t.tryAcquire(cost));
      out.add(t.waitTime(cost));
      out.add(t.availablePermits());
      ticker.advance(Duration.ofMillis(37 * cost));
    }
    CompletableFuture<Void> async = t.acquireAsync(5).toCompletableFuture();
    out.add(t.waitTime(1));
    ticker.advance(Duration.ofMillis(250));
    out.add(async.isDone());
    ticker.advance(Duration.ofDays(365 * 50));
    out.add(t.availablePermits());
    return out;
  }

  @Test
  void events_publishAcquiredRejectedAndCancelled() {
    EventRegistry events = EventRegistry.create();
    Throttle t =
        Throttle.builder().rate(10, Duration.ofSeconds(1)).name("api").ticker(ticker).events(events).build();
    List<LimiterEvent> seen = new ArrayList<>();
    events.subscribe(LimiterEvent.class, "api", seen::add);
    assertThat(t.tryAcquire(10)).isTrue();
    assertThat(t.tryAcquire(1)).isFalse();
    assertThat(t.tryAcquire(11)).isFalse();
    CompletionStage<Void> pending = t.acquireAsync(2);
    pending.toCompletableFuture().cancel(false);
    assertThat(seen)
        .containsExactly(
            new LimiterEvent.Acquired("api", 10, Duration.ZERO),
            new LimiterEvent.Rejected(
                "api", 1, LimiterEvent.Reason.INSUFFICIENT_PERMITS, Optional.of(Duration.ofMillis(100))),
            new LimiterEvent.Rejected("api", 11, LimiterEvent.Reason.CAPACITY_EXCEEDED, Optional.empty()),
            new LimiterEvent.Acquired("api", 2, Duration.ofMillis(200)),
            new LimiterEvent.Cancelled("api", 2, 2));
  }

  @Test
  void events_throwingListener_neverBreaksTheCall() {
    EventRegistry events = EventRegistry.create();
    Throttle t = Throttle.builder().rate(10, Duration.ofSeconds(1)).ticker(ticker).events(events).build();
    events.subscribe(
        LimiterEvent.Acquired.class,
        e -> {
          throw new IllegalStateException("listener bug");
        });
    assertThat(t.tryAcquire()).isTrue();
    assertThat(t.availablePermits()).isEqualTo(9);
  }

  @Test
  void decorate_acquiresBeforeEveryCall() throws Exception {
    Throttle t = perSecond(2);
    int[] calls = {0};
    var decorated = t.decorate(() -> ++calls[0]);
    assertThat(decorated.get()).isEqualTo(1);
    assertThat(decorated.get()).isEqualTo(2);
    assertThat(t.availablePermits()).isZero();
    var async = t.decorateAsync(() -> CompletableFuture.completedFuture("x"));
    CompletableFuture<String> r = async.get().toCompletableFuture();
    assertThat(r).isNotDone();
    ticker.advance(Duration.ofMillis(500));
    assertThat(r).isCompletedWithValue("x");
  }

  @Test
  void factories_setRateAndBurst() {
    assertThat(Throttle.perSecond(100).capacity()).isEqualTo(100);
    assertThat(Throttle.perMinute(60).permitsPerSecond()).isEqualTo(1.0);
    assertThat(Throttle.perDuration(5, Duration.ofMillis(10)).permitsPerSecond()).isEqualTo(500.0);
    assertThat(Throttle.perSecond(3).toString()).contains("throttle").contains("burst 3");
  }
}
