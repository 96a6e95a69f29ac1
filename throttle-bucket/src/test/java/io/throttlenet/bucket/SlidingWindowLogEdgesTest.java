package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.bucket.internal.Atomic;
import io.throttlenet.bucket.internal.Part;
import io.throttlenet.bucket.internal.Parts;
import io.throttlenet.core.CostExceedsCapacityException;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A {@link SlidingWindowLog} at the edges: what it publishes, waits of exactly the bound and the
 * longest wait, cancels of any booking (the first, one among several at the same instant, one
 * already gone, one in a full ring), restrictions and pauses that change nothing, refunds around
 * restrictions and after the window, and the log as a composite's part.
 */
class SlidingWindowLogEdgesTest {
  private static final long MS = 1_000_000L;
  private static final Duration S = Duration.ofSeconds(1);

  private final ManualTicker ticker = ManualTicker.startingAt(5_000 * MS);
  private final EventRegistry events = EventRegistry.create();
  private final List<LimiterEvent> seen = new ArrayList<>();

  SlidingWindowLogEdgesTest() {
    events.subscribe(LimiterEvent.class, "log", seen::add);
  }

  private SlidingWindowLog log(long limit, Duration window) {
    return SlidingWindowLog.builder().name("log").limit(limit).window(window).ticker(ticker).events(events).build();
  }

  private static long[] one(long value) {
    return new long[] {value};
  }

  private List<Long> refunded() {
    return seen.stream()
        .filter(LimiterEvent.Cancelled.class::isInstance)
        .map(e -> ((LimiterEvent.Cancelled) e).refunded())
        .toList();
  }

  @Test
  void factoryNameAndDescription() {
    SlidingWindowLog log = SlidingWindowLog.of(5, S);
    assertThat(log.capacity()).isEqualTo(5);
    assertThat(log.window()).isEqualTo(S);
    assertThat(log.name()).startsWith("sliding-window-log-");
    assertThat(log.toString()).isEqualTo("SlidingWindowLog[" + log.name() + ", 5 per PT1S]");
    assertThat(log(1, S).name()).isEqualTo("log");
    SlidingWindowLog longest = SlidingWindowLog.builder().limit(1).window(Duration.ofNanos(1L << 61)).build();
    assertThat(longest.window()).isEqualTo(Duration.ofNanos(1L << 61));
    assertThatThrownBy(() -> SlidingWindowLog.builder().window(Duration.ofNanos((1L << 61) + 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window must be at most about 73 years, was " + Duration.ofNanos((1L << 61) + 1));
  }

  @Test
  void everyOutcome_isPublished() {
    SlidingWindowLog log = log(5, S);
    long now = ticker.read();
    assertThat(log.reserve(6, now, 0)).isEqualTo(RateLimiter.NEVER);
    assertThat(log.reserve(5, now, 0)).isZero();
    assertThat(log.reserve(1, now, 0)).isNegative();
    assertThat(log.reserve(1, now, 2 * S.toNanos())).isEqualTo(S.toNanos());
    assertThat(log.reserve(1, now, 500 * MS)).isNegative();
    log.cancel(1, now, S.toNanos());
    log.cancel(1, now, S.toNanos()); // no longer booked
    assertThat(seen).containsExactly(
        new LimiterEvent.Rejected("log", 6, LimiterEvent.Reason.CAPACITY_EXCEEDED, Optional.empty()),
        new LimiterEvent.Acquired("log", 5, Duration.ZERO),
        new LimiterEvent.Rejected("log", 1, LimiterEvent.Reason.INSUFFICIENT_PERMITS, Optional.of(S)),
        new LimiterEvent.Acquired("log", 1, S),
        new LimiterEvent.Rejected("log", 1, LimiterEvent.Reason.MAX_WAIT_EXCEEDED, Optional.of(S)),
        new LimiterEvent.Cancelled("log", 1, 1),
        new LimiterEvent.Cancelled("log", 1, 0));
  }

  @Test
  void reserve_aWaitOfExactlyTheBound_orOfTheLongestWait_isBooked() {
    SlidingWindowLog log = log(1, S);
    long now = ticker.read();
    assertThat(log.reserve(1, now, 0)).isZero();
    assertThat(log.reserve(1, now, S.toNanos())).isEqualTo(S.toNanos());
    SlidingWindowLog eighteenYears = log(1, Duration.ofNanos(1L << 59));
    assertThat(eighteenYears.reserve(1, now, 0)).isZero();
    assertThat(eighteenYears.reserve(1, now, Long.MAX_VALUE)).isEqualTo(1L << 59);
  }

  // ---- cancel

  @Test
  void cancel_ofABookingOfTheWholeLimit_givesItBack() {
    SlidingWindowLog log = log(3, S);
    long now = ticker.read();
    assertThat(log.tryAcquire(3)).isTrue();
    long wait = log.reserve(3, now, Long.MAX_VALUE);
    log.cancel(3, now, wait);
    assertThat(log.waitTime(3)).contains(S);
    assertThat(refunded()).containsExactly(3L);
  }

  @Test
  void cancel_findsTheBooking_first_orAmongSeveralAtTheSameInstant() {
    SlidingWindowLog log = log(5, S);
    long now = ticker.read();
    assertThat(log.reserve(2, now, 0)).isZero();
    log.cancel(2, now, 0); // the first and only booking
    assertThat(log.availablePermits()).isEqualTo(5);
    assertThat(log.reserve(1, now, 0)).isZero();
    assertThat(log.reserve(2, now, 0)).isZero();
    log.cancel(1, now, 0); // the earlier of two at this instant, behind one of another cost
    assertThat(log.availablePermits()).isEqualTo(3);
    assertThat(refunded()).containsExactly(2L, 1L);
  }

  @Test
  void cancel_ofABookingThatHasLeftTheWindow_givesNothingBack() {
    SlidingWindowLog log = log(5, S);
    long then = ticker.read();
    assertThat(log.reserve(1, then, 0)).isZero();
    ticker.advance(S.plusMillis(1));
    assertThat(log.tryAcquire(1)).isTrue();
    log.cancel(1, then, 0);
    assertThat(log.availablePermits()).isEqualTo(4);
    assertThat(refunded()).containsExactly(0L);
  }

  @Test
  void cancel_inAFullRing_keepsTheOtherBookings() {
    SlidingWindowLog log = log(16, Duration.ofSeconds(10));
    long start = ticker.read();
    for (int i = 0; i < 16; i++) { // sixteen bookings fill the ring exactly
      assertThat(log.reserve(1, ticker.read(), 0)).isZero();
      if (i < 15) {
        ticker.advance(MS);
      }
    }
    log.cancel(1, ticker.read(), 0); // the last one
    ticker.advance(start + 10_000 * MS - ticker.read());
    assertThat(log.availablePermits()).isEqualTo(2); // the first has left, 14 remain
  }

  // ---- restrictions, pauses and cancels

  @Test
  void aBookingMadeAtTheInstantOfARestriction_isNotGivenBack_oneMadeLaterIs() {
    SlidingWindowLog log = log(2, S);
    long now = ticker.read();
    assertThat(log.tryAcquire(2)).isTrue();
    long wait = log.reserve(1, now, Long.MAX_VALUE);
    log.limitAvailable(-2, now); // one more than the booked debt: a stand-in of 1
    log.cancel(1, now, wait);
    ticker.advance(1);
    long later = ticker.read();
    long second = log.reserve(1, later, Long.MAX_VALUE);
    log.cancel(1, later, second);
    assertThat(refunded()).containsExactly(0L, 1L);
  }

  @Test
  void aRestrictionOrPauseThatChangesNothing_doesNotForfeitACancel() {
    SlidingWindowLog log = log(2, S);
    long now = ticker.read();
    assertThat(log.tryAcquire(2)).isTrue();
    long wait = log.reserve(2, now, Long.MAX_VALUE); // 4 booked: 2 now, 2 a window later
    log.limitAvailable(-2, now); // already exactly that
    log.pauseUntil(now); // not a future time
    log.cancel(2, now, wait);
    assertThat(refunded()).containsExactly(2L);
    assertThat(log.waitTime(1)).contains(S);
  }

  // ---- the log as a composite's part

  @Test
  void refund_ofAChargeMadeAtTheInstantOfARestriction_givesNothingBack() {
    SlidingWindowLog log = log(5, S);
    Part[] parts = Parts.of(log);
    long now = ticker.read();
    long[] handle = new long[1];
    assertThat(Atomic.tryCharge(parts, one(2), 0, now, handle)).isZero();
    log.limitAvailable(1, now); // a stand-in of 2 more: the restriction accounts for the charge
    Atomic.refund(parts, one(2), handle, now, now);
    assertThat(log.availablePermits()).isEqualTo(1);
  }

  @Test
  void refund_afterTheChargesLeftTheWindow_changesNothing() {
    SlidingWindowLog log = log(5, S);
    Part[] parts = Parts.of(log);
    assertThat(Atomic.tryCharge(parts, one(2), 0, ticker.read(), new long[1])).isZero();
    ticker.advance(500 * MS);
    long chargedAt = ticker.read();
    long[] handle = new long[1];
    assertThat(Atomic.tryCharge(parts, one(1), 0, chargedAt, handle)).isZero();
    ticker.advance(S.multipliedBy(2));
    assertThat(log.availablePermits()).isEqualTo(5);
    Atomic.refund(parts, one(1), handle, chargedAt, ticker.read());
    assertThat(log.availablePermits()).isEqualTo(5);
    assertThat(log.tryAcquire(5)).isTrue();
    assertThat(log.tryAcquire(1)).isFalse();
  }

  @Test
  void refund_ofAChargeAlreadyGivenBack_givesNothingMore() {
    SlidingWindowLog log = log(5, S);
    Part[] parts = Parts.of(log);
    long[] second = new long[1];
    long[] third = new long[1];
    assertThat(Atomic.tryCharge(parts, one(2), 0, ticker.read(), new long[1])).isZero();
    ticker.advance(100 * MS);
    long secondAt = ticker.read();
    assertThat(Atomic.tryCharge(parts, one(1), 0, secondAt, second)).isZero();
    ticker.advance(100 * MS);
    long thirdAt = ticker.read();
    assertThat(Atomic.tryCharge(parts, one(1), 0, thirdAt, third)).isZero();
    Atomic.refund(parts, one(1), third, thirdAt, thirdAt);
    Atomic.refund(parts, one(1), second, secondAt, thirdAt);
    assertThat(log.availablePermits()).isEqualTo(3);
    Atomic.refund(parts, one(1), third, thirdAt, thirdAt); // a settle repeated by mistake
    assertThat(log.availablePermits()).isEqualTo(3);
    ticker.advance(800 * MS);
    assertThat(log.availablePermits()).isEqualTo(5);
  }

  @Test
  void asAPart_answersAtTheCompositesTime_namesItself_andTakesAnyOverdraft() {
    SlidingWindowLog log = log(3, S);
    AllOf all = Throttle.allOf(Throttle.builder().rate(10, S).ticker(ticker).build(), log);
    assertThat(log.tryAcquire(3)).isTrue();
    ticker.advance(S);
    assertThat(all.availablePermits()).isEqualTo(3);
    assertThatThrownBy(() -> all.acquire(5))
        .isInstanceOf(CostExceedsCapacityException.class)
        .hasMessage("log: cost 5 exceeds capacity 3 and can never be granted");
    Part[] parts = Parts.of(log);
    assertThat(parts[0].maxCharge()).isEqualTo(Long.MAX_VALUE);
    Atomic.force(parts, one(Long.MAX_VALUE), ticker.read());
    assertThat(log.availablePermits()).isZero(); // weighs the whole limit, no more, no wrap
    assertThat(log.waitTime(1)).contains(S);
  }

  @Test
  void everyVerb_releasesTheLogsLock() throws Exception {
    SlidingWindowLog log = log(5, S);
    long now = ticker.read();
    assertThat(log.availablePermits()).isEqualTo(5);
    assertThat(log.waitNanos(1, now)).isZero();
    assertThat(log.reserve(1, now, 0)).isZero();
    log.cancel(1, now, 0);
    assertThat(Throttle.allOf(log).tryAcquire(1)).isTrue();
    AtomicBoolean granted = new AtomicBoolean();
    Waiter other = Waiter.start(() -> granted.set(log.tryAcquire(4))); // another thread
    assertThat(other.join()).isNull();
    assertThat(granted).isTrue();
  }
}
