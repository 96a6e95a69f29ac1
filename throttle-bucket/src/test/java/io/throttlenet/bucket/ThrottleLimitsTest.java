package io.throttlenet.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.throttlenet.bucket.internal.Atomic;
import io.throttlenet.bucket.internal.Part;
import io.throttlenet.bucket.internal.Parts;
import io.throttlenet.core.EventRegistry;
import io.throttlenet.core.LimiterEvent;
import io.throttlenet.core.ManualTicker;
import io.throttlenet.core.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A {@link Throttle} at the edges: waits of exactly the bound, the longest wait and the farthest
 * booking; the extreme rates; rate changes (including one that failed half-way); and what a
 * cancel or a composite's refund gives back around waiters, rate changes, restrictions, pauses
 * and resets.
 */
class ThrottleLimitsTest {
  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000 * MS;

  private final ManualTicker manual = ManualTicker.startingAt(Long.MAX_VALUE - 10 * SECOND);
  private final StaleTicker ticker = new StaleTicker(manual);
  private final EventRegistry events = EventRegistry.create();
  private final List<LimiterEvent.Cancelled> cancelled = new ArrayList<>();

  ThrottleLimitsTest() {
    events.subscribe(LimiterEvent.Cancelled.class, cancelled::add);
  }

  /** Burst 10, a permit every millisecond. */
  private Throttle thousandPerSecond() {
    return Throttle.builder().rate(1000, Duration.ofSeconds(1)).burst(10).ticker(ticker).events(events).build();
  }

  /** Burst 10, a permit every 100 ms. */
  private Throttle tenPerSecond() {
    return Throttle.builder().rate(10, Duration.ofSeconds(1)).ticker(ticker).events(events).build();
  }

  private static long[] one(long value) {
    return new long[] {value};
  }

  // ---- limits of a wait

  @Test
  void reserve_aWaitOfExactlyTheBound_isBooked() {
    Throttle t = tenPerSecond();
    long now = manual.read();
    assertThat(t.reserve(10, now, 0)).isZero();
    long refused = t.reserve(1, now, 100 * MS - 1);
    assertThat(refused).isNegative();
    assertThat(RateLimiter.requiredWait(refused)).isEqualTo(100 * MS);
    assertThat(t.reserve(1, now, 100 * MS)).isEqualTo(100 * MS);
  }

  @Test
  void reserve_theLongestWait_reachingTheFarthestBooking_isBooked() {
    // One permit per 2^59 ns (about 18 years), burst 1, empty: the next permit waits exactly the
    // longest wait allowed, and its slice ends exactly as far ahead as bookings may reach.
    Throttle t =
        Throttle.builder().rate(1, Duration.ofNanos(1L << 59)).initialPermits(0).ticker(ticker).build();
    long now = manual.read();
    assertThat(t.reserve(1, now, Long.MAX_VALUE)).isEqualTo(1L << 59);
    assertThat(RateLimiter.requiredWait(t.reserve(1, now, Long.MAX_VALUE))).isEqualTo(1L << 60);
  }

  // ---- limits of a rate

  @Test
  void theExtremeRates_areAccepted_andJustBeyondThemRefused() {
    Throttle slowest = Throttle.builder().rate(1, Duration.ofNanos(1L << 60)).ticker(ticker).build();
    assertThat(slowest.capacity()).isEqualTo(1);
    assertThat(slowest.refillNanos()).isEqualTo(1L << 60);
    assertThatThrownBy(() -> Throttle.builder().rate(1, Duration.ofNanos(1L << 60)).burst(2).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("burst / rate must be at most about 36 years");
    Throttle slowestAsDouble = Throttle.builder().rate(1e9 / 0x1p60).ticker(ticker).build();
    assertThat(slowestAsDouble.refillNanos()).isEqualTo(1L << 60);
    assertThatThrownBy(() -> Throttle.builder().rate(1e9 / 0x1p60 / 1.5).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("rate must be at least one permit per 36 years");
    Throttle fastest = Throttle.builder().rate(1e9).burst(1).ticker(ticker).build();
    assertThat(fastest.permitsPerSecond()).isEqualTo(1e9);
    assertThat(fastest.tryAcquire()).isTrue();
    assertThat(fastest.waitTime(1)).contains(Duration.ofNanos(1));
    assertThatThrownBy(() -> Throttle.builder().rate(1.5e9).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rate must be at most 1 permit per nanosecond, was 1.5E9 per second");
  }

  // ---- rate changes

  @Test
  void setRate_convertsAtTheInstantOfTheChange_notWhenNextAsked() {
    Throttle t = tenPerSecond();
    assertThat(t.tryAcquire(10)).isTrue();
    t.setRate(1, Duration.ofSeconds(1));
    manual.advance(500 * MS); // refills at 1 per second from the change: half a permit
    assertThat(t.availablePermits()).isZero();
    assertThat(t.waitTime(1)).contains(Duration.ofMillis(500));
  }

  @Test
  void setRate_rightAfterAChangeThatFailedHalfWay_stillKeepsThePermits() {
    Throttle t = tenPerSecond();
    assertThat(t.tryAcquire(5)).isTrue();
    // The clock fails while the first change converts the bucket: the change is published, the
    // bucket still holds its state under the old rate.
    ticker.failNextRead(new IllegalStateException("clock unavailable"));
    assertThatThrownBy(() -> t.setRate(1, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("clock unavailable");
    t.setRate(100, Duration.ofSeconds(1)); // converts from the old rate first
    assertThat(t.availablePermits()).isEqualTo(5);
    assertThat(t.permitsPerSecond()).isEqualTo(100.0);
  }

  @Test
  void afterARateChange_aBookingMadeLaterIsGivenBack_oneMadeAtThatInstantIsNot() {
    Throttle t = thousandPerSecond();
    assertThat(t.tryAcquire(10)).isTrue();
    long now = manual.read();
    long wait = t.reserve(2, now, Long.MAX_VALUE);
    assertThat(wait).isEqualTo(2 * MS);
    t.setRate(500, Duration.ofSeconds(1));
    t.setRate(1000, Duration.ofSeconds(1)); // back to the booking's rate, at the same instant
    t.cancel(2, now, wait); // booked at the instant of the change: cannot tell it came after
    assertThat(t.waitTime(1)).contains(Duration.ofMillis(3));
    manual.advance(1);
    long later = manual.read();
    long second = t.reserve(1, later, Long.MAX_VALUE);
    t.cancel(1, later, second); // booked after the changes: given back
    assertThat(t.waitTime(1)).contains(Duration.ofMillis(3).minusNanos(1));
    assertThat(cancelled).extracting(LimiterEvent.Cancelled::refunded).containsExactly(0L, 1L);
  }

  // ---- cancel

  @Test
  void cancel_ofCostZero_changesNothing_andTheRealCancelStillGivesBack() {
    Throttle t = thousandPerSecond();
    assertThat(t.tryAcquire(10)).isTrue();
    long now = manual.read();
    long wait = t.reserve(3, now, Long.MAX_VALUE);
    t.cancel(0, now, wait);
    assertThat(t.availablePermits()).isEqualTo(-3);
    t.cancel(3, now, wait);
    assertThat(t.availablePermits()).isZero();
    assertThat(cancelled).extracting(LimiterEvent.Cancelled::refunded).containsExactly(0L, 3L);
  }

  @Test
  void cancel_ofAGrantThatDidNotWait_givesNothingBack_evenNamingTheLastBookingsEnd() {
    Throttle t = thousandPerSecond();
    manual.advance(SECOND);
    long now = manual.read();
    assertThat(t.reserve(10, now, 0)).isZero(); // empties the bucket exactly: ends at now + 10 ms
    t.cancel(10, now - 10 * MS, 10 * MS); // names that end: a waiting booking's arguments would
    assertThat(t.availablePermits()).isZero();
    long waiting = t.reserve(9, now, Long.MAX_VALUE); // ends at now + 19 ms, released at 9 ms
    manual.advance(waiting);
    t.cancel(9, now + waiting, 0); // "granted at once at its release": cannot be told apart
    assertThat(t.availablePermits()).isZero();
    assertThat(cancelled).extracting(LimiterEvent.Cancelled::refunded).containsExactly(0L, 0L);
  }

  // ---- a composite's refund (what an undone or settled charge gives back)

  @Test
  void refund_givesBackWhatTheChargeStillWeighs() {
    Throttle t = thousandPerSecond();
    Part[] parts = Parts.of(t);
    long t0 = manual.read();
    long[] handle = new long[1];
    assertThat(Atomic.tryCharge(parts, one(4), 0, t0, handle)).isZero(); // its slice: t0..t0+4 ms
    assertThat(Atomic.tryCharge(parts, one(3), 0, t0, new long[1])).isZero();
    manual.advance(3 * MS);
    Atomic.refund(parts, one(4), handle, t0, manual.read()); // 1 ms of it still weighs
    assertThat(t.availablePermits()).isEqualTo(7);
  }

  @Test
  void refund_waitsUntilNoCallerIsBookedAhead() {
    Throttle t = thousandPerSecond();
    Part[] parts = Parts.of(t);
    long t0 = manual.read();
    long[] handle = new long[1];
    assertThat(Atomic.tryCharge(parts, one(2), 0, t0, handle)).isZero();
    assertThat(t.reserve(9, t0, Long.MAX_VALUE)).isEqualTo(MS); // released at t0 + 1 ms
    Atomic.refund(parts, one(2), handle, t0, t0); // would let a newcomer share the waiter's slice
    assertThat(t.availablePermits()).isEqualTo(-1);
    manual.advance(MS);
    Atomic.refund(parts, one(2), handle, t0, manual.read()); // released: safe, 1 ms still weighs
    assertThat(t.availablePermits()).isEqualTo(1);
  }

  @Test
  void refund_ofNothingLeft_keepsTheRecordOfTheLastWaiter() {
    Throttle t = thousandPerSecond();
    Part[] parts = Parts.of(t);
    long t0 = manual.read();
    long[] handle = new long[1];
    assertThat(Atomic.tryCharge(parts, one(1), 0, t0, handle)).isZero();
    long wait = t.reserve(10, t0, Long.MAX_VALUE);
    assertThat(wait).isEqualTo(MS);
    manual.advance(MS);
    Atomic.refund(parts, one(1), handle, t0, manual.read()); // refill has absorbed it all
    t.cancel(10, t0, wait); // the last waiting booking can still be undone
    assertThat(t.availablePermits()).isEqualTo(10);
  }

  @Test
  void refund_ofAChargeMadeBeforeOrAtAResetRestrictionOrPause_givesNothingBack() {
    long t0 = manual.read();
    long[] before = new long[1];

    Throttle reset = thousandPerSecond();
    assertThat(Atomic.tryCharge(Parts.of(reset), one(2), 0, t0, before)).isZero();
    manual.advance(MS);
    reset.reset();
    long now = manual.read();
    long[] atReset = new long[1];
    assertThat(Atomic.tryCharge(Parts.of(reset), one(3), 0, now, atReset)).isZero();
    Atomic.refund(Parts.of(reset), one(2), before, t0, now);
    Atomic.refund(Parts.of(reset), one(3), atReset, now, now); // same instant: not after it
    assertThat(reset.availablePermits()).isEqualTo(7);

    Throttle restricted = thousandPerSecond();
    assertThat(Atomic.tryCharge(Parts.of(restricted), one(2), 0, now, before)).isZero();
    restricted.limitAvailable(5, now);
    Atomic.refund(Parts.of(restricted), one(2), before, now, now);
    assertThat(restricted.availablePermits()).isEqualTo(5);

    Throttle paused = thousandPerSecond();
    assertThat(Atomic.tryCharge(Parts.of(paused), one(2), 0, now, before)).isZero();
    paused.pauseUntil(now + MS);
    Atomic.refund(Parts.of(paused), one(2), before, now, now);
    assertThat(paused.waitTime(1)).contains(Duration.ofMillis(1));
    manual.advance(MS);
    assertThat(paused.availablePermits()).isEqualTo(1); // refills from empty, nothing given back
  }

  @Test
  void aRestrictionOrPauseThatChangesNothing_doesNotForfeitACancel() {
    Throttle restricted = thousandPerSecond();
    Throttle paused = thousandPerSecond();
    long now = manual.read();
    long[] waits = new long[2];
    int i = 0;
    for (Throttle t : new Throttle[] {restricted, paused}) {
      assertThat(t.tryAcquire(10)).isTrue();
      waits[i++] = t.reserve(2, now, Long.MAX_VALUE); // ends at now + 12 ms
      assertThat(t.availablePermits()).isEqualTo(-2);
    }
    restricted.limitAvailable(-2, now); // already exactly that
    paused.pauseUntil(now + 3 * MS); // one permit at 3 ms: already exactly that
    restricted.cancel(2, now, waits[0]);
    paused.cancel(2, now, waits[1]);
    assertThat(restricted.availablePermits()).isZero();
    assertThat(paused.availablePermits()).isZero();
    assertThat(cancelled).extracting(LimiterEvent.Cancelled::refunded).containsExactly(2L, 2L);
  }

  // ---- forced charges (a reservation's settle overdraws)

  @Test
  void force_overdraws_andTheFarthestDebtIsCappedAtTheFarthestBooking() {
    Throttle t = thousandPerSecond();
    Part[] parts = Parts.of(t);
    assertThat(parts[0].maxCharge()).isEqualTo((1L << 60) / MS);
    long now = manual.read();
    Atomic.force(parts, one(13), now);
    assertThat(t.availablePermits()).isEqualTo(-3);
    Atomic.force(parts, one(Long.MAX_VALUE), now);
    Atomic.force(parts, one(Long.MAX_VALUE), now);
    // Booked up to 2^60 ns ahead and no further: one more permit waits 2^60 + 1 ms - 10 ms.
    assertThat(t.waitNanos(1, now)).isEqualTo((1L << 60) - 9 * MS);
  }
}
