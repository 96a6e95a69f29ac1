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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class AllOfTest {
  private final ManualTicker ticker = ManualTicker.startingAt(Long.MAX_VALUE - 1_000_000_000L);

  private Throttle throttle(long permits, Duration period) {
    return Throttle.builder().rate(permits, period).ticker(ticker).events(EventRegistry.create()).build();
  }

  @Test
  void fivePerSecondAndThreePerMinute_theTighterBinds() {
    AllOf a = Throttle.allOf(throttle(5, Duration.ofSeconds(1)), throttle(3, Duration.ofMinutes(1)));
    int granted = 0;
    for (int i = 0; i < 10; i++) {
      if (a.tryAcquire()) {
        granted++;
      }
      ticker.advance(Duration.ofMillis(300));
    }
    assertThat(granted).isEqualTo(3);
    assertThat(a.capacity()).isEqualTo(3);
  }

  @Test
  void refusedByALaterPart_theOthersKeepEveryToken() {
    Throttle plenty = throttle(100, Duration.ofSeconds(1));
    Throttle scarce = throttle(1, Duration.ofMinutes(1));
    AllOf a = Throttle.allOf(plenty, scarce);
    assertThat(a.tryAcquire()).isTrue();
    for (int i = 0; i < 50; i++) {
      assertThat(a.tryAcquire()).isFalse();
    }
    assertThat(plenty.availablePermits()).isEqualTo(99);
    assertThat(scarce.availablePermits()).isZero();
  }

  @Test
  void waitTimeAndAvailablePermits_areTheTightestAndConsumeNothing() {
    Throttle fast = throttle(10, Duration.ofSeconds(1));
    Throttle slow = throttle(4, Duration.ofSeconds(4));
    AllOf a = Throttle.allOf(fast, slow);
    assertThat(a.tryAcquire(4)).isTrue();
    assertThat(a.availablePermits()).isZero();
    assertThat(a.waitTime(1)).contains(Duration.ofSeconds(1)); // the slow part's wait
    assertThat(a.waitTime(2)).contains(Duration.ofSeconds(2));
    assertThat(a.waitTime(11)).isEmpty();
    assertThat(fast.availablePermits()).isEqualTo(6);
    assertThat(slow.availablePermits()).isZero();
    ticker.advance(Duration.ofSeconds(3));
    assertThat(a.availablePermits()).isEqualTo(3);
    assertThat(a.tryAcquire(3)).isTrue();
  }

  @Test
  void costAboveAPartsCapacity_failsAtOnceNamingThatPart() {
    Throttle small = Throttle.builder().rate(5, Duration.ofSeconds(1)).name("small").ticker(ticker).build();
    AllOf a = Throttle.allOf(throttle(100, Duration.ofSeconds(1)), small);
    assertThat(a.tryAcquire(9)).isFalse();
    assertThatThrownBy(() -> a.acquire(9))
        .isInstanceOf(CostExceedsCapacityException.class)
        .hasMessage("small: cost 9 exceeds capacity 5 and can never be granted");
    assertThat(a.acquireAsync(9).toCompletableFuture()).isCompletedExceptionally();
    assertThat(a.reserve(9, ticker.read(), Long.MAX_VALUE)).isEqualTo(RateLimiter.NEVER);
  }

  @Test
  void acquire_waitsForTheSlowPartThenChargesEveryPartAtRelease() throws Exception {
    Throttle fast = throttle(10, Duration.ofSeconds(1));
    Throttle slow = throttle(1, Duration.ofSeconds(1));
    AllOf a = Throttle.allOf(fast, slow);
    assertThat(a.tryAcquire()).isTrue();
    Waiter waiter = Waiter.start(() -> a.acquire());
    awaitTimer();
    // While the composite waits, the fast part is not charged: its other users keep it all.
    assertThat(fast.availablePermits()).isEqualTo(9);
    ticker.advance(Duration.ofSeconds(1).minusNanos(1));
    assertThat(a.waiting()).isEqualTo(1);
    ticker.advance(1);
    assertThat(waiter.join()).isNull();
    assertThat(fast.availablePermits()).isEqualTo(9); // refilled 1, charged 1 at release
    assertThat(slow.availablePermits()).isZero();
  }

  @Test
  void acquire_capacityTakenMeanwhile_waitsAgain() throws Exception {
    Throttle slow = throttle(1, Duration.ofSeconds(1));
    AllOf a = Throttle.allOf(throttle(10, Duration.ofSeconds(1)), slow);
    assertThat(a.tryAcquire()).isTrue();
    CompletableFuture<Void> waiter = a.acquireAsync(1).toCompletableFuture();
    ticker.advance(Duration.ofMillis(999));
    assertThat(waiter).isNotDone();
    ticker.advance(Duration.ofMillis(1).minusNanos(1));
    CompletableFuture<Void> other = slow.acquireAsync(1).toCompletableFuture(); // books 1 s first
    ticker.advance(1);
    assertThat(other).isCompleted();
    assertThat(waiter).isNotDone();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(waiter).isCompleted();
  }

  @Test
  void tryAcquireWithMaxWait_tooLong_refusesAtOnce() throws InterruptedException {
    AllOf a = Throttle.allOf(throttle(10, Duration.ofSeconds(1)), throttle(1, Duration.ofSeconds(1)));
    assertThat(a.tryAcquire()).isTrue();
    assertThat(a.tryAcquire(1, Duration.ofMillis(999))).isFalse();
    CompletableFuture<Void> f = a.acquireAsync(1, Duration.ofMillis(10)).toCompletableFuture();
    assertThat(f).isCompletedExceptionally();
    assertThatThrownBy(f::join).hasCauseInstanceOf(MaxWaitExceededException.class);
  }

  @Test
  void cancelledOrInterrupted_leavesEveryPartAsItWas() throws Exception {
    Throttle fast = throttle(10, Duration.ofSeconds(1));
    Throttle slow = throttle(1, Duration.ofSeconds(1));
    AllOf a = Throttle.allOf(fast, slow);
    assertThat(a.tryAcquire()).isTrue();
    CompletableFuture<Void> f = a.acquireAsync(1).toCompletableFuture();
    f.cancel(false);
    assertThat(ticker.pendingTasks()).isZero();
    Waiter waiter = Waiter.start(a::acquire);
    awaitTimer();
    waiter.interrupt();
    assertThat(waiter.join()).isInstanceOf(InterruptedException.class);
    assertThat(fast.availablePermits()).isEqualTo(9);
    assertThat(slow.waitTime(1)).contains(Duration.ofSeconds(1));
    assertThat(a.waiting()).isZero();
  }

  /** Hand-shake: a blocked caller is in line once the head's timer is set. */
  private void awaitTimer() {
    while (ticker.pendingTasks() == 0) {
      Thread.onSpinWait();
    }
  }

  @Test
  void waiters_areServedInArrivalOrder_smallCostsNeverOvertakeALargeOne() {
    AllOf a = Throttle.allOf(throttle(10, Duration.ofSeconds(1)), throttle(5, Duration.ofSeconds(5)));
    assertThat(a.tryAcquire(5)).isTrue(); // the slow part is empty, refilling 1 per second
    List<String> served = new ArrayList<>();
    a.acquireAsync(4).thenRun(() -> served.add("big"));
    a.acquireAsync(1).thenRun(() -> served.add("small1"));
    a.acquireAsync(1).thenRun(() -> served.add("small2"));
    assertThat(a.waiting()).isEqualTo(3);
    ticker.advance(Duration.ofSeconds(3)); // 3 permits: enough for both small ones, not for big
    assertThat(served).isEmpty();
    assertThat(a.tryAcquire(1)).isFalse(); // a newcomer does not overtake the line either
    ticker.advance(Duration.ofSeconds(1));
    assertThat(served).containsExactly("big");
    ticker.advance(Duration.ofSeconds(1));
    assertThat(served).containsExactly("big", "small1");
    ticker.advance(Duration.ofSeconds(1));
    assertThat(served).containsExactly("big", "small1", "small2");
    assertThat(a.waiting()).isZero();
    assertThat(a.tryAcquire(1)).isFalse(); // the line is empty again: refused only for capacity
    ticker.advance(Duration.ofSeconds(1));
    assertThat(a.tryAcquire(1)).isTrue();
  }

  @Test
  void boundedWaiterBehindTheHead_givesUpAtItsDeadline_andTheHeadLeavingServesTheNext() {
    AllOf a = Throttle.allOf(throttle(10, Duration.ofSeconds(1)), throttle(2, Duration.ofSeconds(2)));
    assertThat(a.tryAcquire(2)).isTrue(); // the slow part refills one a second
    CompletableFuture<Void> head = a.acquireAsync(2).toCompletableFuture(); // due in 2 s
    // alone it would be due in 1 s, within its bound; behind the head it is not
    CompletableFuture<Void> bounded = a.acquireAsync(1, Duration.ofMillis(1500)).toCompletableFuture();
    CompletableFuture<Void> last = a.acquireAsync(1).toCompletableFuture();
    ticker.advance(Duration.ofMillis(1500));
    assertThatThrownBy(bounded::join).hasCauseInstanceOf(MaxWaitExceededException.class);
    assertThat(a.waiting()).isEqualTo(2);
    ticker.advance(Duration.ofMillis(500));
    assertThat(head).isCompleted();
    assertThat(last).isNotDone();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(last).isCompleted();

    CompletableFuture<Void> cancelled = a.acquireAsync(1).toCompletableFuture();
    CompletableFuture<Void> next = a.acquireAsync(1).toCompletableFuture();
    ticker.advance(Duration.ofMillis(999));
    cancelled.cancel(false);
    assertThat(a.waiting()).isEqualTo(1);
    ticker.advance(Duration.ofMillis(1));
    assertThat(next).isCompleted();
  }

  @Test
  void flattensNestedCompositesAndCountsAPartOnce() {
    Throttle x = throttle(3, Duration.ofSeconds(1));
    Throttle y = throttle(5, Duration.ofSeconds(1));
    AllOf inner = Throttle.allOf(x, y);
    AllOf outer = Throttle.allOf(inner, x, SlidingWindowLog.builder().limit(4).window(Duration.ofSeconds(1)).ticker(ticker).build());
    assertThat(outer.size()).isEqualTo(3);
    assertThat(outer.tryAcquire(3)).isTrue();
    assertThat(x.availablePermits()).isZero(); // charged once, not twice
    assertThat(y.availablePermits()).isEqualTo(2);
  }

  @Test
  void events_areTheComposites() {
    EventRegistry events = EventRegistry.create();
    AllOf a =
        AllOf.builder()
            .add(throttle(1, Duration.ofSeconds(1)))
            .name("both")
            .events(events)
            .build();
    List<LimiterEvent> seen = new ArrayList<>();
    events.subscribe(LimiterEvent.class, "both", seen::add);
    assertThat(a.tryAcquire()).isTrue();
    assertThat(a.tryAcquire()).isFalse();
    assertThat(seen).hasSize(2);
    assertThat(seen.get(0)).isInstanceOf(LimiterEvent.Acquired.class);
    assertThat(seen.get(1)).isInstanceOf(LimiterEvent.Rejected.class);
  }

  @Test
  void badInput_isRefusedAtBuildTime() {
    assertThatThrownBy(() -> AllOf.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("at least one limiter must be added");
    RateLimiter foreign =
        new RateLimiter() {
          @Override public String name() { return "foreign"; }
          @Override public io.throttlenet.core.Ticker ticker() { return ticker; }
          @Override public long capacity() { return 1; }
          @Override public long availablePermits() { return 1; }
          @Override public long reserve(long c, long n, long m) { return 0; }
          @Override public void cancel(long c, long n, long w) {}
          @Override public long waitNanos(long c, long n) { return 0; }
          @Override public void pauseUntil(long u) {}
          @Override public void limitAvailable(long p, long n) {}
          @Override public void reset() {}
        };
    assertThatThrownBy(() -> Throttle.allOf(foreign))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("limiter must be a Throttle, a SlidingWindowLog or an AllOf, was");
    assertThatThrownBy(() -> Throttle.allOf(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("limiter must not be null");
  }

  @Test
  void aBoundedHeadDueExactlyAtItsDeadline_isGranted() {
    AllOf a = Throttle.allOf(throttle(10, Duration.ofSeconds(1)), throttle(1, Duration.ofSeconds(1)));
    assertThat(a.tryAcquire()).isTrue();
    CompletableFuture<Void> f = a.acquireAsync(1, Duration.ofSeconds(1)).toCompletableFuture();
    ticker.advance(Duration.ofSeconds(1)); // its timer and its deadline fall on the same instant
    assertThat(f).isCompleted();
    assertThat(f.isCompletedExceptionally()).isFalse();
  }

  @Test
  void aHeadWhoseHolderEndsItsFuture_leavesTheLineAndTheNextIsServed() {
    AllOf a = Throttle.allOf(throttle(10, Duration.ofSeconds(1)), throttle(5, Duration.ofSeconds(5)));
    assertThat(a.tryAcquire(5)).isTrue();
    CompletableFuture<Void> big = a.acquireAsync(5).toCompletableFuture(); // due in 5 s
    CompletableFuture<Void> small = a.acquireAsync(1).toCompletableFuture();
    big.completeExceptionally(new java.util.concurrent.TimeoutException("gave up")); // not a cancel
    assertThat(a.waiting()).isEqualTo(1);
    ticker.advance(Duration.ofSeconds(1));
    assertThat(small).isCompleted();
    assertThat(a.waiting()).isZero();
  }
  /** Hand-shake: {@code n} callers stand in the composite's line (30 s of real time at most). */
  private static void awaitWaiting(AllOf a, int n) {
    long giveUp = System.nanoTime() + 30_000_000_000L;
    while (a.waiting() < n) {
      assertThat(System.nanoTime() - giveUp).as("%d callers in line", n).isNegative();
      Thread.yield();
    }
  }

  @Test
  void tryAcquireWithMaxWait_waitsInLine_andAnswersTrueWhenGranted() throws Exception {
    Throttle fast = throttle(10, Duration.ofSeconds(1));
    Throttle slow = throttle(1, Duration.ofSeconds(1));
    AllOf a = Throttle.allOf(fast, slow);
    assertThat(a.tryAcquire()).isTrue();
    AtomicBoolean granted = new AtomicBoolean();
    Waiter waiter = Waiter.start(() -> granted.set(a.tryAcquire(1, Duration.ofSeconds(1))));
    awaitWaiting(a, 1);
    ticker.advance(Duration.ofSeconds(1));
    assertThat(waiter.join()).isNull();
    assertThat(granted).isTrue();
    assertThat(slow.availablePermits()).isZero();
    assertThat(fast.availablePermits()).isEqualTo(9);
  }

  @Test
  void aNewcomer_servesAHeadWhoseCapacityCameBackOutsideTheLinesTimer() {
    Throttle slow = throttle(1, Duration.ofSeconds(1));
    AllOf a = Throttle.allOf(throttle(10, Duration.ofSeconds(1)), slow);
    assertThat(a.tryAcquire()).isTrue();
    CompletableFuture<Void> head = a.acquireAsync(1).toCompletableFuture(); // timer at 1 s
    slow.reset(); // the slow part is full again, but the line's timer does not know
    CompletableFuture<Void> newcomer = a.acquireAsync(1).toCompletableFuture();
    assertThat(head).isCompleted(); // served when the newcomer joined the line
    assertThat(newcomer).isNotDone();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(newcomer).isCompleted();
  }

  @Test
  void aBoundTooLongToBeReached_setsNoDeadlineTimer() {
    AllOf a = Throttle.allOf(throttle(10, Duration.ofSeconds(1)), throttle(1, Duration.ofSeconds(1)));
    assertThat(a.tryAcquire()).isTrue();
    CompletableFuture<Void> unreachable =
        a.acquireAsync(1, Duration.ofNanos(Long.MAX_VALUE / 4)).toCompletableFuture();
    assertThat(ticker.pendingTasks()).isEqualTo(1); // the head's timer only
    CompletableFuture<Void> bounded =
        a.acquireAsync(1, Duration.ofNanos(Long.MAX_VALUE / 4 - 1)).toCompletableFuture();
    assertThat(ticker.pendingTasks()).isEqualTo(2); // and the second one's deadline
    ticker.advance(Duration.ofSeconds(2));
    assertThat(unreachable).isCompleted();
    assertThat(bounded).isCompleted();
    assertThat(ticker.pendingTasks()).isZero();
  }

  @Test
  void aBoundedHead_whoseCapacityIsTakenMeanwhile_givesUpWithItsNewWait() {
    Throttle slow = throttle(1, Duration.ofSeconds(1));
    AllOf a = Throttle.allOf(throttle(10, Duration.ofSeconds(1)), slow);
    assertThat(a.tryAcquire()).isTrue();
    CompletableFuture<Void> bounded = a.acquireAsync(1, Duration.ofMillis(1500)).toCompletableFuture();
    assertThat(slow.acquireAsync(1).toCompletableFuture()).isNotDone(); // books the 1 s permit
    ticker.advance(Duration.ofSeconds(1)); // the head tries: 1 s more would pass its bound
    assertThatThrownBy(bounded::join)
        .cause()
        .isInstanceOfSatisfying(
            MaxWaitExceededException.class,
            e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(1)));
    assertThat(a.waiting()).isZero();
  }

  @Test
  void aBoundedWaiterBehindTheHead_givesUpWithItsOwnWaitAtItsDeadline() {
    Throttle slow = throttle(3, Duration.ofSeconds(3));
    AllOf a = Throttle.allOf(throttle(10, Duration.ofSeconds(1)), slow);
    assertThat(a.tryAcquire(3)).isTrue(); // one permit a second from now
    CompletableFuture<Void> head = a.acquireAsync(3).toCompletableFuture(); // due at 3 s
    CompletableFuture<Void> bounded = a.acquireAsync(1, Duration.ofSeconds(1)).toCompletableFuture();
    assertThat(slow.acquireAsync(1).toCompletableFuture()).isNotDone(); // books the 1 s permit
    ticker.advance(Duration.ofSeconds(1));
    assertThatThrownBy(bounded::join)
        .cause()
        .isInstanceOfSatisfying(
            MaxWaitExceededException.class,
            e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(1))); // its own, at 1 s
    assertThat(head).isNotDone();
  }

  @Test
  void aHeadThatLeaves_letsTheNextBeServedAtOnceIfItFits() {
    Throttle slow = throttle(5, Duration.ofSeconds(5));
    AllOf a = Throttle.allOf(throttle(10, Duration.ofSeconds(1)), slow);
    assertThat(a.tryAcquire(4)).isTrue(); // 1 left
    CompletableFuture<Void> big = a.acquireAsync(5).toCompletableFuture();
    CompletableFuture<Void> small = a.acquireAsync(1).toCompletableFuture(); // fits, but in line
    assertThat(small).isNotDone();
    big.cancel(false);
    assertThat(small).isCompleted();
    assertThat(slow.availablePermits()).isZero();
  }

  @Test
  void aWaiterCancelledAtTheInstantOfItsGrant_givesItBack_andTheNextIsServedWithIt() {
    Throttle fast = throttle(10, Duration.ofSeconds(1));
    Throttle slow = throttle(5, Duration.ofSeconds(5));
    AllOf a = Throttle.allOf(fast, slow);
    assertThat(a.tryAcquire(2)).isTrue(); // 3 left
    CompletableFuture<Void> big = a.acquireAsync(5).toCompletableFuture();
    List<CompletableFuture<Void>> small = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      small.add(a.acquireAsync(1).toCompletableFuture());
    }
    // The first grant's holder cancels the second's, which is decided at the same instant.
    small.get(0).thenRun(() -> small.get(1).cancel(false));
    big.cancel(false); // three fit at once: the first, the second (given back), the third
    assertThat(small.get(0)).isCompleted();
    assertThat(small.get(1)).isCancelled();
    assertThat(small.get(2)).isCompleted();
    assertThat(small.get(3)).isCompleted(); // with the permit the second gave back
    assertThat(slow.availablePermits()).isZero();
    assertThat(fast.availablePermits()).isEqualTo(5);
    assertThat(a.waiting()).isZero();
  }

  @Test
  void reset_servesTheLineAtOnce_andSetsItsTimerForTheNext() {
    Throttle slow = throttle(2, Duration.ofSeconds(2));
    AllOf a = Throttle.allOf(throttle(10, Duration.ofSeconds(1)), slow);
    assertThat(a.tryAcquire(2)).isTrue();
    CompletableFuture<Void> first = a.acquireAsync(2).toCompletableFuture(); // due at 2 s
    CompletableFuture<Void> second = a.acquireAsync(1).toCompletableFuture();
    ticker.advance(Duration.ofMillis(500));
    a.reset();
    assertThat(first).isCompleted();
    assertThat(second).isNotDone(); // due 1 s after the reset, before the old timer
    ticker.advance(Duration.ofSeconds(1));
    assertThat(second).isCompleted();
  }

  @Test
  void afterEveryWayTheLineIsServed_anotherThreadCanStillJoinIt() throws Exception {
    Throttle slow = throttle(3, Duration.ofSeconds(3));
    AllOf a = Throttle.allOf(throttle(10, Duration.ofSeconds(1)), slow);
    assertThat(a.tryAcquire(3)).isTrue();
    CompletableFuture<Void> head = a.acquireAsync(3).toCompletableFuture(); // joins, due at 3 s
    CompletableFuture<Void> bounded = a.acquireAsync(1, Duration.ofSeconds(1)).toCompletableFuture();
    CompletableFuture<Void> leaving = a.acquireAsync(1).toCompletableFuture();
    leaving.cancel(false); // leaves
    ticker.advance(Duration.ofSeconds(1)); // `bounded` reaches its deadline behind the head
    ticker.advance(Duration.ofSeconds(2)); // the timer serves the head
    a.reset(); // serves the line again
    assertThat(bounded).isCompletedExceptionally();
    assertThat(head).isCompleted();
    assertThat(a.tryAcquire()).isTrue();
    Waiter other = Waiter.start(() -> a.acquire(3));
    awaitWaiting(a, 1);
    ticker.advance(Duration.ofSeconds(1));
    assertThat(other.join()).isNull();
  }
  @Test
  void aWaitOfExactlyTheLongestAllowed_isWaitedFor() {
    Throttle glacial =
        Throttle.builder().rate(1, Duration.ofNanos(1L << 59)).initialPermits(0).ticker(ticker).build();
    AllOf a = Throttle.allOf(glacial);
    CompletableFuture<Void> f = a.acquireAsync(1).toCompletableFuture();
    assertThat(f).isNotDone(); // 2^59 ns, about 18 years: the longest wait a composite takes
    ticker.advance((1L << 59) - 1);
    assertThat(f).isNotDone();
    ticker.advance(1);
    assertThat(f).isCompleted();
  }
}
